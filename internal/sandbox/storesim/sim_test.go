package storesim

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ordergate/ordergate/internal/storefront"
	"github.com/ordergate/ordergate/internal/storefront/shopify"
)

var secret = []byte("shpss_sandbox_secret")

// gateway is a fake ordergate webhook endpoint: it verifies and parses
// every delivery with the real shopify package and keeps what it accepted.
type gateway struct {
	t   *testing.T
	srv *httptest.Server

	mu sync.Mutex
	// fail, when set, picks a status to answer instead of 200.
	fail       func(d storefront.Delivery, attempt int) int
	attempts   map[string]int // per webhook id
	deliveries []storefront.Delivery
}

func setup(t *testing.T) *gateway {
	t.Helper()
	g := &gateway{t: t, attempts: map[string]int{}}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *gateway) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := shopify.Verify(body, r.Header.Get(shopify.HeaderHmac), [][]byte{[]byte("old"), secret}); err != nil {
		g.t.Errorf("simulator delivery does not verify: %v", err)
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	d, err := shopify.Parse("shop1", r.Header, body)
	if err != nil {
		g.t.Errorf("simulator delivery does not parse: %v", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.attempts[d.DeliveryID]++
	if g.fail != nil {
		if code := g.fail(d, g.attempts[d.DeliveryID]); code != 0 {
			w.WriteHeader(code)
			return
		}
	}
	g.deliveries = append(g.deliveries, d)
	w.WriteHeader(http.StatusOK)
}

func (g *gateway) accepted() []storefront.Delivery {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]storefront.Delivery(nil), g.deliveries...)
}

func (g *gateway) config() Config {
	return Config{
		Target:      g.srv.URL + "/webhooks/shopify/shop1",
		Secret:      secret,
		Seed:        42,
		Concurrency: 4,
		Retry:       Retry{Initial: time.Millisecond, Max: 5 * time.Millisecond},
		Logger:      slog.New(slog.DiscardHandler),
	}
}

func run(t *testing.T, s *Sim) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := s.Run(ctx); err != nil {
		t.Fatalf("Run: %v", err)
	}
}

func TestRun_DeliveriesVerifyAndDecodeToTheRecordedOrders(t *testing.T) {
	t.Parallel()
	g := setup(t)
	cfg := g.config()
	cfg.Orders = 40
	cfg.UnknownSKURate = 0.3
	cfg.MaxLinesPerOrder = 4
	s := New(cfg)
	run(t, s)

	byID := map[string]storefront.Delivery{}
	for _, d := range g.accepted() {
		if d.Topic == storefront.OrderCreated {
			byID[d.Order.Key.ID] = d
		}
	}
	unknown := 0
	for _, r := range s.Orders() {
		d, ok := byID[r.ID]
		if !ok {
			t.Fatalf("order %s: no orders/create accepted", r.ID)
		}
		if r.AcceptedAt.IsZero() || !r.Done {
			t.Errorf("order %s: accepted at %v, done %v", r.ID, r.AcceptedAt, r.Done)
		}
		o := d.Order
		if o.Name != r.Name || o.Customer.Email != r.Email || !o.Total.Equal(r.Total) || !o.CapturedAt.Equal(r.CapturedAt) {
			t.Errorf("order %s: decoded %s %s %s %v, recorded %s %s %s %v",
				r.ID, o.Name, o.Customer.Email, o.Total, o.CapturedAt, r.Name, r.Email, r.Total, r.CapturedAt)
		}
		if len(o.Lines) != len(r.Lines) {
			t.Fatalf("order %s: %d lines decoded, %d recorded", r.ID, len(o.Lines), len(r.Lines))
		}
		for i, l := range r.Lines {
			got := o.Lines[i]
			if got.LineID != l.LineID || got.SKU != l.SKU || got.Quantity != l.Quantity || !got.Price.Equal(l.Price) {
				t.Errorf("order %s line %d: decoded %+v, recorded %+v", r.ID, i, got, l)
			}
			if l.Unknown {
				unknown++
			}
		}
	}
	if unknown == 0 {
		t.Error("no line with an unknown SKU at UnknownSKURate 0.3")
	}
	if got := s.Accepted(); got != cfg.Orders {
		t.Errorf("Accepted = %d, want %d", got, cfg.Orders)
	}
}

func TestRun_OrderIDsAbove2To53SurviveExactly(t *testing.T) {
	t.Parallel()
	g := setup(t)
	cfg := g.config()
	cfg.Orders = 3
	s := New(cfg)
	run(t, s)
	want := map[string]bool{"9007199254740993": true, "9007199254740994": true, "9007199254740995": true}
	for _, d := range g.accepted() {
		if !want[d.Order.Key.ID] {
			t.Errorf("unexpected order id %s", d.Order.Key.ID)
		}
		if n, err := strconv.ParseInt(d.Order.Lines[0].LineID, 10, 64); err != nil || n <= 1<<53 {
			t.Errorf("line id %s is not above 2^53", d.Order.Lines[0].LineID)
		}
	}
}

func TestRun_DuplicatesShareEventIDWithNewWebhookID(t *testing.T) {
	t.Parallel()
	g := setup(t)
	cfg := g.config()
	cfg.Orders = 20
	cfg.DuplicateRate = 1
	s := New(cfg)
	run(t, s)

	byKey := map[string][]string{}
	for _, d := range g.accepted() {
		byKey[d.DedupKey] = append(byKey[d.DedupKey], d.DeliveryID)
	}
	if len(byKey) != cfg.Orders {
		t.Errorf("%d distinct dedup keys, want %d", len(byKey), cfg.Orders)
	}
	for k, ids := range byKey {
		if len(ids) != 2 || ids[0] == ids[1] {
			t.Errorf("%s: webhook ids %v, want two different", k, ids)
		}
	}
	if st := s.Stats(); st.DuplicatesSent != cfg.Orders || st.Status2xx != 2*cfg.Orders {
		t.Errorf("stats %+v", st)
	}
}

func TestRun_OutOfOrderUpdateArrivesFirstAndIsNewer(t *testing.T) {
	t.Parallel()
	g := setup(t)
	cfg := g.config()
	cfg.Orders = 10
	cfg.OutOfOrderRate = 1
	s := New(cfg)
	run(t, s)

	seen := map[string][]storefront.Delivery{}
	for _, d := range g.accepted() {
		seen[d.Order.Key.ID] = append(seen[d.Order.Key.ID], d)
	}
	for id, ds := range seen {
		if len(ds) != 2 || ds[0].Topic != storefront.OrderUpdated || ds[1].Topic != storefront.OrderCreated {
			t.Fatalf("order %s: topics %v, want updated then created", id, topics(ds))
		}
		up, cr := ds[0].Order, ds[1].Order
		if !up.SourceUpdatedAt.After(cr.SourceUpdatedAt) {
			t.Errorf("order %s: update at %v is not newer than create at %v", id, up.SourceUpdatedAt, cr.SourceUpdatedAt)
		}
		if len(up.Lines) != len(cr.Lines) || !up.CapturedAt.Equal(cr.CapturedAt) {
			t.Errorf("order %s: the update is not the full order", id)
		}
		if ds[0].TriggeredAt.Before(ds[1].TriggeredAt) || ds[0].TriggeredAt.After(time.Now()) {
			t.Errorf("order %s: triggered at %v (update) and %v (create)", id, ds[0].TriggeredAt, ds[1].TriggeredAt)
		}
	}
}

func TestRun_CancellationFollowsCreateWithReason(t *testing.T) {
	t.Parallel()
	g := setup(t)
	cfg := g.config()
	cfg.Orders = 10
	cfg.CancelRate = 1
	s := New(cfg)
	run(t, s)

	var cancels int
	created := map[string]time.Time{}
	for _, d := range g.accepted() {
		switch d.Topic {
		case storefront.OrderCreated:
			created[d.Order.Key.ID] = d.Order.SourceUpdatedAt
		case storefront.OrderCancelled:
			cancels++
			at, ok := created[d.Order.Key.ID]
			if !ok {
				t.Errorf("order %s: cancelled before created", d.Order.Key.ID)
			}
			if d.CancelReason == "" || d.CancelledAt.IsZero() || !d.Order.SourceUpdatedAt.After(at) {
				t.Errorf("order %s: reason %q, cancelled at %v, updated %v after create %v",
					d.Order.Key.ID, d.CancelReason, d.CancelledAt, d.Order.SourceUpdatedAt, at)
			}
		}
	}
	if cancels != cfg.Orders {
		t.Errorf("%d cancellations, want %d", cancels, cfg.Orders)
	}
	for _, r := range s.Orders() {
		if !r.Cancelled || r.CancelReason == "" || r.CancelAcceptedAt.IsZero() {
			t.Errorf("order %s: record cancelled %v reason %q accepted %v", r.ID, r.Cancelled, r.CancelReason, r.CancelAcceptedAt)
		}
	}
}

func TestPlan_CancelDelaysGivesEachCancelADelayFromTheList(t *testing.T) {
	t.Parallel()
	delays := []time.Duration{0, time.Second, 6 * time.Second}
	cfg := Config{Orders: 60, Seed: 3, CancelRate: 0.5, CancelDelay: time.Minute, CancelDelays: delays}.withDefaults()

	seen := map[time.Duration]int{}
	for _, o := range plan(cfg) {
		if o.CancelReason == "" {
			if o.CancelDelay != 0 {
				t.Errorf("order %d is not cancelled but has a cancel delay %s", o.Number, o.CancelDelay)
			}
			continue
		}
		seen[o.CancelDelay]++
	}
	// 60 orders at 0.5 from a fixed seed: every delay of the list is
	// drawn, and CancelDelay (a minute) never is.
	for _, d := range delays {
		if seen[d] == 0 {
			t.Errorf("no cancel waits %s; drawn %v", d, seen)
		}
	}
	if len(seen) != len(delays) {
		t.Errorf("cancel delays drawn %v, want only %v", seen, delays)
	}

	cfg.CancelDelays = nil
	for _, o := range plan(cfg) {
		if o.CancelReason != "" && o.CancelDelay != time.Minute {
			t.Errorf("without CancelDelays order %d waits %s, want CancelDelay %s", o.Number, o.CancelDelay, time.Minute)
		}
	}
}

func TestRun_CancelWaitsItsDrawnDelayAfterTheCreate(t *testing.T) {
	t.Parallel()
	g := setup(t)
	cfg := g.config()
	cfg.Orders = 6
	cfg.CancelRate = 1
	cfg.CancelDelays = []time.Duration{0, 200 * time.Millisecond}
	s := New(cfg)
	if !slices.ContainsFunc(s.plan, func(o plannedOrder) bool { return o.CancelDelay > 0 }) {
		t.Fatal("seed 42 draws no delayed cancel: the test would prove nothing")
	}
	run(t, s)

	for i, r := range s.Orders() {
		var createdAt, cancelAt time.Time
		for _, a := range r.Attempts {
			switch {
			case a.Topic == TopicCreate && a.Accepted():
				createdAt = a.At.Add(a.Took)
			case a.Topic == TopicCancelled && cancelAt.IsZero():
				cancelAt = a.At
			}
		}
		if createdAt.IsZero() || cancelAt.IsZero() {
			t.Fatalf("order %s: create accepted %v, cancel sent %v", r.ID, createdAt, cancelAt)
		}
		if want := s.plan[i].CancelDelay; cancelAt.Sub(createdAt) < want {
			t.Errorf("order %s: cancel sent %s after the create was accepted, want at least %s", r.ID, cancelAt.Sub(createdAt), want)
		}
	}
}

func TestRun_RetriesOn503ThenSucceeds(t *testing.T) {
	t.Parallel()
	g := setup(t)
	g.fail = func(_ storefront.Delivery, attempt int) int {
		if attempt <= 2 {
			return http.StatusServiceUnavailable
		}
		return 0
	}
	cfg := g.config()
	cfg.Orders = 5
	s := New(cfg)
	run(t, s)

	want := Stats{Sent: 15, Retries: 10, Status2xx: 5, Status5xx: 10}
	if diff := cmp.Diff(want, s.Stats()); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	for _, r := range s.Orders() {
		var got []int
		for _, a := range r.Attempts {
			got = append(got, a.Status)
			if a.WebhookID != r.Attempts[0].WebhookID || a.EventID != r.Attempts[0].EventID {
				t.Errorf("order %s: a retry changed its ids", r.ID)
			}
		}
		if diff := cmp.Diff([]int{503, 503, 200}, got); diff != "" {
			t.Errorf("order %s statuses (-want +got):\n%s", r.ID, diff)
		}
		if r.AcceptedAt.Before(r.Attempts[2].At) {
			t.Errorf("order %s: accepted at %v, before the accepting attempt", r.ID, r.AcceptedAt)
		}
	}
}

func TestRun_GivesUpAfterRetriesAndSaysSo(t *testing.T) {
	t.Parallel()
	g := setup(t)
	g.fail = func(storefront.Delivery, int) int { return http.StatusFound }
	cfg := g.config()
	cfg.Orders = 2
	cfg.Retry.Retries = 3
	s := New(cfg)
	err := s.Run(t.Context())
	if err == nil {
		t.Fatal("Run succeeded with every delivery redirected")
	}
	want := Stats{Sent: 8, Retries: 6, StatusOther: 8, GivenUp: 2}
	if diff := cmp.Diff(want, s.Stats()); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	if s.Accepted() != 0 {
		t.Errorf("Accepted = %d, want 0", s.Accepted())
	}
}

func TestRun_ForeverRetriesThroughAnOutage(t *testing.T) {
	t.Parallel()
	g := setup(t)
	var mu sync.Mutex
	down := true
	g.fail = func(storefront.Delivery, int) int {
		mu.Lock()
		defer mu.Unlock()
		if down {
			return http.StatusBadGateway
		}
		return 0
	}
	cfg := g.config()
	cfg.Orders = 3
	cfg.Retry = Retry{Initial: time.Millisecond, Max: 2 * time.Millisecond, Retries: 1, Forever: true}
	s := New(cfg)
	time.AfterFunc(200*time.Millisecond, func() {
		mu.Lock()
		down = false
		mu.Unlock()
	})
	run(t, s)
	st := s.Stats()
	if st.GivenUp != 0 || st.Status2xx != 3 || st.Retries < 6 {
		t.Errorf("stats %+v: want every order through after many retries", st)
	}
}

func TestRun_TransportErrorsAreRetried(t *testing.T) {
	t.Parallel()
	g := setup(t)
	cfg := g.config()
	cfg.Orders = 2
	cfg.Concurrency = 1
	// Nothing listens on the target until the gateway starts.
	dead := httptest.NewServer(http.NotFoundHandler())
	cfg.Target = dead.URL
	dead.Close()
	cfg.Retry.Retries = 2
	s := New(cfg)
	if err := s.Run(t.Context()); err == nil {
		t.Fatal("Run succeeded with nothing listening")
	}
	st := s.Stats()
	if st.TransportErrors != 6 || st.GivenUp != 2 {
		t.Errorf("stats %+v", st)
	}
	if a := s.Orders()[0].Attempts[0]; a.Err == "" || a.Status != 0 {
		t.Errorf("attempt %+v: want a transport error", a)
	}
}

func TestRun_StopsWhenContextEnds(t *testing.T) {
	t.Parallel()
	g := setup(t)
	g.fail = func(storefront.Delivery, int) int { return http.StatusServiceUnavailable }
	cfg := g.config()
	cfg.Retry.Forever = true
	s := New(cfg)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := s.Run(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Run = %v, want DeadlineExceeded", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("Run took %v to stop", time.Since(start))
	}
	if p := s.Progress(); p.Done != 0 || p.Accepted != 0 || p.Stats.Status5xx == 0 {
		t.Errorf("progress %+v", p)
	}
}

func TestRun_RatePacesOrders(t *testing.T) {
	t.Parallel()
	g := setup(t)
	cfg := g.config()
	cfg.Orders = 6
	cfg.Rate = 20 // one every 50ms: five gaps take 250ms
	s := New(cfg)
	start := time.Now()
	run(t, s)
	if took := time.Since(start); took < 240*time.Millisecond {
		t.Errorf("6 orders at 20/s took %v, want at least 250ms", took)
	}
}

func TestRun_RefusesConfigWithoutTargetOrSecret(t *testing.T) {
	t.Parallel()
	err := New(Config{}).Run(t.Context())
	if err == nil {
		t.Fatal("Run accepted an empty config")
	}
	for _, field := range []string{"target", "secret"} {
		if !strings.Contains(err.Error(), field) {
			t.Errorf("error %q does not name %s", err, field)
		}
	}
}

func TestRun_RunsOnce(t *testing.T) {
	t.Parallel()
	g := setup(t)
	cfg := g.config()
	cfg.Orders = 1
	s := New(cfg)
	run(t, s)
	if err := s.Run(t.Context()); err == nil {
		t.Error("second Run succeeded")
	}
}

func TestNew_SameSeedSameOrders(t *testing.T) {
	t.Parallel()
	cfg := Config{Orders: 25, Seed: 7, DuplicateRate: 0.2, OutOfOrderRate: 0.2, CancelRate: 0.2, UnknownSKURate: 0.2}
	a, b := New(cfg).Orders(), New(cfg).Orders()
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("orders differ for one seed (-a +b):\n%s", diff)
	}
	cfg.Seed = 8
	if cmp.Equal(a, New(cfg).Orders()) {
		t.Error("seeds 7 and 8 gave the same orders")
	}
}

func TestProgress_StringNamesTheCounts(t *testing.T) {
	t.Parallel()
	p := Progress{Orders: 500, Started: 120, Accepted: 118, Done: 117, Elapsed: 2 * time.Second,
		Stats: Stats{Sent: 131, Retries: 9, Status5xx: 7, TransportErrors: 2, DuplicatesSent: 12, Dropped: 4}}
	want := "orders 120/500 accepted 118 done 117 | sent 131 retries 9 4xx 0 5xx 7 err 2 dup 12 gave up 0 dropped 4 | 59.0 orders/s"
	if got := p.String(); got != want {
		t.Errorf("String =\n%s\nwant\n%s", got, want)
	}
}

func topics(ds []storefront.Delivery) []storefront.Topic {
	var ts []storefront.Topic
	for _, d := range ds {
		ts = append(ts, d.Topic)
	}
	return ts
}
