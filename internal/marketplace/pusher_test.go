package marketplace_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/inventory"
	"github.com/ordergate/ordergate/internal/marketplace"
	"github.com/ordergate/ordergate/internal/marketplace/marketplacetest"
	"github.com/ordergate/ordergate/internal/marketplace/sandbox"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// rig is a ledger with one channel "mp" (buffer 1), a pusher to a
// connector, and the pusher's records.
type rig struct {
	t      *testing.T
	clock  *marketplacetest.Clock
	ledger *inventory.Ledger
	pusher *marketplace.Pusher

	mu      sync.Mutex
	records []marketplace.Record
	orders  int
}

func newRig(t *testing.T, clk *marketplacetest.Clock, conn marketplace.Connector, mods ...func(*marketplace.PusherConfig)) *rig {
	t.Helper()
	l, err := inventory.New(inventory.Config{Channels: []inventory.Channel{{Name: "mp", Buffer: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, clock: clk, ledger: l}
	cfg := marketplace.PusherConfig{
		Channel: "mp", Stock: l, Connector: conn, Clock: clk,
		Logger: slog.New(slog.DiscardHandler),
		OnRecord: func(rec marketplace.Record) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.records = append(r.records, rec)
		},
	}
	for _, m := range mods {
		m(&cfg)
	}
	p, err := marketplace.NewPusher(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r.pusher = p
	return r
}

func (r *rig) step() time.Time { return r.pusher.Step(context.Background()) }

func (r *rig) setERP(sku string, qty int) {
	r.t.Helper()
	if _, err := r.ledger.SetERP(sku, qty, r.clock.Now()); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rig) sell(sku string, n int) {
	r.t.Helper()
	r.orders++
	if err := r.ledger.Reserve(fmt.Sprintf("o%d", r.orders), []inventory.Line{{SKU: sku, Qty: n}}, r.clock.Now()); err != nil {
		r.t.Fatal(err)
	}
}

// took returns the records so far and forgets them.
func (r *rig) took() []marketplace.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.records
	r.records = nil
	return out
}

// summary is a record as the tests compare it.
type summary struct {
	SKU      string
	Quantity int
	Outcome  marketplace.Outcome
	At       time.Duration // since t0
}

func summarize(recs []marketplace.Record) []summary {
	var out []summary
	for _, r := range recs {
		out = append(out, summary{r.SKU, r.Quantity, r.Outcome, r.At.Sub(t0)})
	}
	return out
}

func sandboxRig(t *testing.T, lim marketplace.Limits, mods ...func(*marketplace.PusherConfig)) (*rig, *sandbox.Marketplace) {
	clk := marketplacetest.NewClock(t0)
	m := sandbox.New(sandbox.Config{Name: "mp", Limits: lim, Now: clk.Now})
	return newRig(t, clk, m, mods...), m
}

func TestPusher_CoalescesChangesAndSendsTheFigureAtTheMomentOfSending(t *testing.T) {
	t.Parallel()
	r, m := sandboxRig(t, marketplace.Limits{})
	r.setERP("A", 10)
	next := r.step()
	if want := t0.Add(marketplace.DefaultDebounce); !next.Equal(want) {
		t.Errorf("next = %s, want the debounce's end %s", next, want)
	}
	if _, ok := m.Listed("A"); ok {
		t.Fatal("pushed before the debounce ended")
	}
	r.clock.Advance(time.Second)
	r.sell("A", 2)
	r.step()
	r.clock.Advance(time.Second)
	r.sell("A", 1) // just before sending: the push must show it
	r.step()
	want := []summary{{"A", 6, marketplace.Sent, 2 * time.Second}} // 10 − 3 held − 1 buffer
	if diff := cmp.Diff(want, summarize(r.took())); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	if q, _ := m.Listed("A"); q != 6 {
		t.Errorf("listed %d, want 6", q)
	}
	if q, ok := r.pusher.Sent("A"); !ok || q != 6 {
		t.Errorf("Sent = %d %v, want 6", q, ok)
	}
}

func TestPusher_SellOutGoesAtOnce(t *testing.T) {
	t.Parallel()
	r, m := sandboxRig(t, marketplace.Limits{})
	r.setERP("A", 4)
	r.step()
	r.clock.Advance(marketplace.DefaultDebounce)
	r.step()
	r.took()
	r.sell("A", 3)
	r.step()
	if diff := cmp.Diff([]summary{{"A", 0, marketplace.Sent, 2 * time.Second}}, summarize(r.took())); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	if q, _ := m.Listed("A"); q != 0 {
		t.Errorf("listed %d, want 0 at once", q)
	}
}

func TestPusher_UnchangedAndUnknownFiguresAreNotSent(t *testing.T) {
	t.Parallel()
	r, _ := sandboxRig(t, marketplace.Limits{})
	r.setERP("A", 5)
	r.step()
	r.clock.Advance(marketplace.DefaultDebounce)
	r.step()
	r.took()
	// A sale cancelled within the debounce nets to nothing.
	r.sell("A", 1)
	r.step()
	r.ledger.Release(fmt.Sprintf("o%d", r.orders))
	r.clock.Advance(marketplace.DefaultDebounce)
	r.step()
	// B has orders but no ERP figure: nothing is said about it.
	r.sell("B", 1)
	r.step()
	r.clock.Advance(marketplace.DefaultDebounce)
	if next := r.step(); !next.IsZero() {
		t.Errorf("next = %s, want nothing pending", next)
	}
	if got := r.took(); len(got) != 0 {
		t.Errorf("records = %+v, want none", summarize(got))
	}
}

func TestPusher_FailuresBackOffDoublingAndRejectionsWaitForAChange(t *testing.T) {
	t.Parallel()
	clk := marketplacetest.NewClock(t0)
	fail := map[string]int{"A": 3} // failures to give A before taking it
	conn := &scripted{name: "mp", fail: fail}
	r := newRig(t, clk, conn)
	r.setERP("A", 10)
	r.setERP("BAD", 10)
	for next := r.step(); !next.IsZero(); next = r.step() {
		clk.Advance(next.Sub(clk.Now()))
	}
	var got []string
	for _, rec := range r.took() {
		got = append(got, fmt.Sprintf("%s %s %d %s retry %s", rec.At.Sub(t0), rec.SKU, rec.Quantity, rec.Outcome, durOrZero(rec.RetryAt)))
	}
	// A failed push may have landed (a 503 or a timeout): its 9 keeps
	// counting until a later push lands, so the retries may tell A only 0.
	want := []string{
		"2s A 9 failed retry 3s",
		"2s BAD 9 rejected retry 0s",
		"3s A 0 failed retry 5s",
		"5s A 0 failed retry 9s",
		"9s A 0 sent retry 0s",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	// BAD is tried again only when its figure changes; A, now that the
	// push that landed settled the doubt, goes back up.
	r.sell("BAD", 1)
	r.step()
	clk.Advance(marketplace.DefaultDebounce)
	r.step()
	want2 := []summary{{"A", 9, marketplace.Sent, 11 * time.Second}, {"BAD", 8, marketplace.Rejected, 11 * time.Second}}
	if diff := cmp.Diff(want2, summarize(r.took())); diff != "" {
		t.Errorf("after BAD changed (-want +got):\n%s", diff)
	}
}

func durOrZero(t time.Time) time.Duration {
	if t.IsZero() {
		return 0
	}
	return t.Sub(t0)
}

// scripted is a connector that fails a SKU a number of times and rejects
// the SKU "BAD".
type scripted struct {
	name string
	mu   sync.Mutex
	fail map[string]int
}

func (s *scripted) Name() string               { return s.name }
func (s *scripted) Limits() marketplace.Limits { return marketplace.Limits{} }
func (s *scripted) SetQuantities(_ context.Context, updates []marketplace.Update) []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	errs := make([]error, len(updates))
	for i, u := range updates {
		switch {
		case u.SKU == "BAD":
			errs[i] = &marketplace.Error{Marketplace: s.name, SKU: u.SKU, Kind: marketplace.ErrRejected, Message: "no such listing"}
		case s.fail[u.SKU] > 0:
			s.fail[u.SKU]--
			errs[i] = &marketplace.Error{Marketplace: s.name, SKU: u.SKU, Kind: marketplace.ErrUnavailable, Status: 503}
		}
	}
	return errs
}

// TestPusher_NeverSendsMoreThanTheLedgerAllows drives random ledger changes
// and checks, inside the connector, at the moment each update is sent, that
// it is within the ledger's figure then (I5).
func TestPusher_NeverSendsMoreThanTheLedgerAllows(t *testing.T) {
	t.Parallel()
	clk := marketplacetest.NewClock(t0)
	var r *rig
	checked := 0
	conn := &checking{inner: sandbox.New(sandbox.Config{Name: "mp", Limits: marketplace.Limits{BatchSize: 3}}), check: func(u marketplace.Update) {
		checked++
		if avail := r.ledger.Available("mp", u.SKU); u.Quantity > avail {
			t.Errorf("%s sent %d, ledger allows %d", u.SKU, u.Quantity, avail)
		}
	}}
	r = newRig(t, clk, conn, func(c *marketplace.PusherConfig) { c.Debounce = 500 * time.Millisecond })
	rng := rand.New(rand.NewPCG(1, 2))
	skus := []string{"A", "B", "C", "D"}
	var live []string // orders not yet released
	for range 2000 {
		sku := skus[rng.IntN(len(skus))]
		switch rng.IntN(4) {
		case 0:
			r.setERP(sku, rng.IntN(40))
		case 1:
			r.sell(sku, 1+rng.IntN(4))
			live = append(live, fmt.Sprintf("o%d", r.orders))
		case 2:
			if len(live) > 0 {
				i := rng.IntN(len(live))
				r.ledger.Release(live[i])
				live = append(live[:i], live[i+1:]...)
			}
		}
		r.step()
		clk.Advance(time.Duration(rng.IntN(400)) * time.Millisecond)
	}
	if checked < 300 {
		t.Errorf("only %d updates checked", checked)
	}
	for _, rec := range r.took() {
		if rec.Quantity > rec.Quote.Available {
			t.Errorf("record %+v sent above its quote", rec)
		}
	}
}

type checking struct {
	inner marketplace.Connector
	check func(marketplace.Update)
}

func (c *checking) Name() string               { return c.inner.Name() }
func (c *checking) Limits() marketplace.Limits { return c.inner.Limits() }
func (c *checking) SetQuantities(ctx context.Context, u []marketplace.Update) []error {
	for _, x := range u {
		c.check(x)
	}
	return c.inner.SetQuantities(ctx, u)
}

// TestPusher_RunPushesOnNotifyAndReturnsWhenTheContextEnds runs the loop on
// the hand-moved clock: no sleeps, no timing thresholds.
func TestPusher_RunPushesOnNotifyAndReturnsWhenTheContextEnds(t *testing.T) {
	t.Parallel()
	clk := marketplacetest.NewClock(t0)
	m := sandbox.New(sandbox.Config{Name: "mp"})
	sent := make(chan marketplace.Record, 10)
	r := newRig(t, clk, m, func(c *marketplace.PusherConfig) {
		c.OnRecord = func(rec marketplace.Record) { sent <- rec }
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.pusher.Run(ctx) }()
	wait := func(what string) time.Duration {
		t.Helper()
		select {
		case d := <-clk.Armed():
			return d
		case <-time.After(10 * time.Second): // a deadline against a hang, not a synchronisation
			t.Fatalf("Run never %s", what)
			return 0
		}
	}
	if d := wait("waited"); d != marketplace.DefaultPoll {
		t.Errorf("idle wait %s, want the poll %s", d, marketplace.DefaultPoll)
	}
	r.setERP("A", 5)
	r.pusher.Notify()
	if d := wait("waited after Notify"); d != marketplace.DefaultDebounce {
		t.Errorf("wait after the change %s, want the debounce %s", d, marketplace.DefaultDebounce)
	}
	clk.Advance(marketplace.DefaultDebounce)
	select {
	case rec := <-sent:
		if rec.SKU != "A" || rec.Quantity != 4 || rec.Outcome != marketplace.Sent {
			t.Errorf("record %+v", rec)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("nothing pushed after the debounce")
	}
	wait("waited after the push")
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}

func TestPusher_HistoryKeepsTheLastRecords(t *testing.T) {
	t.Parallel()
	r, _ := sandboxRig(t, marketplace.Limits{}, func(c *marketplace.PusherConfig) { c.Keep = 3; c.Debounce = time.Second })
	// Each figure is a change the listing must be told: 9, 0, 11, 0, 13.
	for i := range 5 {
		r.setERP("A", (10+i)*((i+1)%2))
		r.step()
		r.clock.Advance(time.Second)
		r.step()
	}
	var got []int
	for _, rec := range r.pusher.History() {
		got = append(got, rec.Quantity)
	}
	if diff := cmp.Diff([]int{11, 0, 13}, got); diff != "" {
		t.Errorf("history quantities (-want +got):\n%s", diff)
	}
}

func TestNewPusher_BadConfigNamesTheField(t *testing.T) {
	t.Parallel()
	l, _ := inventory.New(inventory.Config{Channels: []inventory.Channel{{Name: "mp"}}})
	m := sandbox.New(sandbox.Config{})
	cases := []struct {
		cfg  marketplace.PusherConfig
		want string
	}{
		{marketplace.PusherConfig{Stock: l, Connector: m}, "channel: required"},
		{marketplace.PusherConfig{Channel: "etsy", Stock: l, Connector: m}, `the ledger has no channel "etsy"`},
		{marketplace.PusherConfig{Channel: "mp", Connector: m}, "stock: required"},
		{marketplace.PusherConfig{Channel: "mp", Stock: l}, "connector: required"},
		{marketplace.PusherConfig{Channel: "mp", Stock: l, Connector: m, Debounce: -1}, "debounce: must not be negative"},
	}
	for _, c := range cases {
		_, err := marketplace.NewPusher(c.cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("NewPusher = %v, want %q", err, c.want)
		}
	}
}
