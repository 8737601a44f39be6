package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ordergate/ordergate/internal/config"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
	"github.com/ordergate/ordergate/internal/sandbox/mailbox"
	"github.com/ordergate/ordergate/internal/sandbox/shopifysim"
	"github.com/ordergate/ordergate/internal/sandbox/verdict"
	"github.com/ordergate/ordergate/internal/store"
)

type demoCmd struct {
	Scenario    string        `default:"default" enum:"default,failures" help:"What to run. default: one gated shop, with --faults deciding the misbehaviour. failures: everything that goes wrong at once, and the invariants still hold. Two ack_gated shops share one sandbox ERP, one per shortfall policy, because each promises the customer something different when stock runs short: backorder-shop confirms the order saying which lines ship later, reject-shop sends a problem notice and holds it for an operator, where it goes overdue and is alerted. Both see unknown SKUs (whole-order rejections: partial_unknown is off, since an order line the ERP has never heard of cannot be promised as a backorder), low stock, in-doubt creates, throttling with Retry-After, 5xx and timeouts, acknowledgments 2s late announced by signed callback (polling as the fallback), cancels before the ERP create, before its acknowledgment and after the confirmation, duplicate and reordered webhooks, lost mail replies, a 5s confirmation SLA and an alert hook served by the demo. --faults does not apply to it."`
	Orders      int           `default:"200" help:"How many orders the storefront simulators place in all."`
	Rate        float64       `default:"50" help:"Orders placed per second in all (0: as fast as the simulators' concurrency allows)."`
	Concurrency int           `default:"16" help:"Webhook deliveries in flight at once, per storefront simulator."`
	Exit        bool          `help:"Stop once every order is settled, print the summary and exit (non-zero if an invariant was broken)."`
	JSON        string        `name:"json" placeholder:"FILE" help:"Write the full summary as JSON to FILE."`
	DB          string        `placeholder:"PATH" help:"SQLite file to use (default: a new temporary file)."`
	Listen      string        `default:"127.0.0.1:8080" help:"Address for the gateway's HTTP server (webhooks, API); a busy port falls back to a free one."`
	Faults      bool          `default:"true" negatable:"" help:"Inject ERP faults (5xx, throttling, timeouts, in-doubt creates) and mail refusals, and send duplicate, out-of-order and cancelled webhooks. --no-faults for a clean run. Default scenario only."`
	Seed        int64         `default:"1" help:"Seed for the simulated orders and faults; the same seed gives the same orders and fault draws."`
	Timeout     time.Duration `default:"10m" help:"With --exit, give up if orders are still unsettled after this long."`
	LogLevel    string        `default:"warn" enum:"debug,info,warn,error" help:"Gateway log level (debug, info, warn, error)."`
}

// demoERP is the name of the sandbox ERP in the demo's config; the ERP's
// acknowledgment callbacks go to /erp/{demoERP}/ack.
const demoERP = "sandbox-erp"

// scenario is what one demo run sets up.
type scenario struct {
	name  string
	shops []demoShop
	erp   erpsim.Config
	mail  mailbox.Options
	// sla is the shops' confirmation SLA; 0 leaves the config's default.
	// When set, the demo waits for unsettled orders to pass it, so that
	// the judge sees them listed as overdue.
	sla               time.Duration
	stillWorkingAfter time.Duration
	leadTime          time.Duration
	// callback makes the ERP announce acknowledgments to the gateway.
	callback bool
	// alerts serves an alert hook in the demo and points the gateway at it.
	alerts bool
}

// demoShop is one storefront of a scenario and its simulator.
type demoShop struct {
	name      string
	mode      string
	shortfall string
	sim       shopifysim.Config // without Target and Secret
}

// scenario returns the run the flags ask for.
func (c *demoCmd) scenario() scenario {
	if c.Scenario == "failures" {
		return c.failures()
	}
	sc := scenario{
		name: "default",
		mail: mailbox.Options{Seed: c.Seed},
		erp:  erpsim.Config{Seed: c.Seed, Latency: demoLatency},
	}
	sim := c.simBase(c.Orders, c.Rate, 0)
	if c.Faults {
		sc.mail.FailRate = 0.02
		// Stock exactly the simulated shop's catalogue, so its unknown
		// lines are refused, and keep one SKU short so that a few orders
		// are refused for stock.
		sc.erp.Stock = catalogueStock()
		sc.erp.Stock["BLNK-WFL-OAT"] = c.Orders / 20
		sc.erp.Faults = erpsim.Faults{ErrorRate: 0.03, ThrottleRate: 0.03, TimeoutRate: 0.01, InDoubtRate: 0.03,
			RetryAfter: 300 * time.Millisecond, Timeout: 3 * time.Second}
		sim.DuplicateRate, sim.OutOfOrderRate, sim.CancelRate, sim.UnknownSKURate = 0.05, 0.05, 0.03, 0.03
	}
	sc.shops = []demoShop{{name: "demo-shop", mode: config.ModeGated, sim: sim}}
	return sc
}

// failures is the scenario where everything that can go wrong does, at
// rates that make each branch happen many times in a few hundred orders.
func (c *demoCmd) failures() scenario {
	sc := scenario{
		name: "failures",
		// A few refused recipients (retried) and lost replies after the
		// data (never resent: at most one message of each kind).
		mail: mailbox.Options{Seed: c.Seed, FailRate: 0.02, DropRate: 0.01},
		erp: erpsim.Config{
			Seed: c.Seed, Latency: demoLatency,
			// Only the catalogue exists, so UnknownSKURate's lines
			// are refused; two SKUs run short, and the ERP records the
			// missing units as backorders.
			Stock:     catalogueStock(),
			Backorder: true,
			AckDelay:  2 * time.Second,
			Faults: erpsim.Faults{ErrorRate: 0.04, ThrottleRate: 0.06, TimeoutRate: 0.01, InDoubtRate: 0.05,
				RetryAfter: 500 * time.Millisecond, Timeout: 2 * time.Second},
		},
		sla: 5 * time.Second, stillWorkingAfter: 3 * time.Second, leadTime: 72 * time.Hour,
		callback: true, alerts: true,
	}
	// Each SKU is on about one order in six, 1.5 units an order: these
	// cover a little over half of what is ordered.
	sc.erp.Stock["BLNK-WFL-OAT"] = max(1, c.Orders/10)
	sc.erp.Stock["SCRF-LMB-RED"] = max(1, c.Orders/8)
	half := (c.Orders + 1) / 2
	for i, p := range []struct{ name, shortfall string }{{"backorder-shop", config.ShortfallBackorder}, {"reject-shop", config.ShortfallReject}} {
		n := half
		if i == 1 {
			n = c.Orders - half
		}
		sim := c.simBase(n, c.Rate/2, int64(i)*1_000_000)
		sim.DuplicateRate, sim.OutOfOrderRate, sim.UnknownSKURate = 0.08, 0.06, 0.06
		// Cancels right after the create (most overtake the ERP
		// create), within the ERP's 2s acknowledgment, and after the
		// confirmation.
		sim.CancelRate = 0.10
		sim.CancelDelays = []time.Duration{0, 0, time.Second, 3 * time.Second, 8 * time.Second}
		sc.shops = append(sc.shops, demoShop{name: p.name, mode: config.ModeAckGated, shortfall: p.shortfall, sim: sim})
	}
	return sc
}

var demoLatency = erpsim.Latency{Min: 10 * time.Millisecond, Median: 40 * time.Millisecond, P99: 250 * time.Millisecond}

// simBase is a storefront simulator's config without misbehaviour; offset
// keeps two shops' order ids apart, so that a reader never confuses them.
func (c *demoCmd) simBase(orders int, rate float64, offset int64) shopifysim.Config {
	return shopifysim.Config{
		Orders: orders, Rate: rate, Concurrency: c.Concurrency, Seed: c.Seed + offset,
		FirstOrderID: shopifysim.DefaultFirstOrderID + offset,
		Retry:        shopifysim.Retry{Initial: 100 * time.Millisecond, Max: 2 * time.Second, Forever: true},
		Logger:       slog.New(slog.DiscardHandler),
	}
}

// catalogueStock stocks exactly the simulated shops' catalogue, plenty of
// each.
func catalogueStock() map[string]int {
	stock := make(map[string]int)
	for _, sku := range shopifysim.DefaultSKUs() {
		stock[sku] = 1_000_000
	}
	return stock
}

// yaml is the gateway's config for sc, with its secrets as ${NAME}
// references.
func (sc scenario) yaml(dbPath, listen, logLevel, erpURL, mailAddr, alertURL string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "database: sqlite:%s\nlisten: %s\nlog_level: %s\nstorefronts:\n", dbPath, listen, logLevel)
	for _, s := range sc.shops {
		fmt.Fprintf(&b, "  - {name: %s, kind: shopify, webhook_secrets: [\"${DEMO_SECRET}\"], erp: %s, notifier: mailbox, mode: %s", s.name, demoERP, s.mode)
		if s.shortfall != "" {
			fmt.Fprintf(&b, ", shortfall: %s", s.shortfall)
		}
		if sc.sla > 0 {
			fmt.Fprintf(&b, ", confirmation_sla: %s", sc.sla)
		}
		if sc.stillWorkingAfter > 0 {
			fmt.Fprintf(&b, ", still_working_after: %s", sc.stillWorkingAfter)
		}
		if sc.leadTime > 0 {
			fmt.Fprintf(&b, ", lead_time: %s", sc.leadTime)
		}
		b.WriteString("}\n")
	}
	fmt.Fprintf(&b, "erps:\n  - {name: %s, kind: sandbox, base_url: %q, max_concurrency: 16, timeout: 1s", demoERP, erpURL)
	if sc.callback {
		b.WriteString(`, callback_secrets: ["${DEMO_CALLBACK_SECRET}"]`)
	}
	b.WriteString("}\n")
	fmt.Fprintf(&b, "notifiers:\n  - {name: mailbox, kind: smtp, addr: %q, from: \"Demo Shop <orders@demo-shop.example>\", tls: none}\n", mailAddr)
	b.WriteString("retry: {initial: 200ms, max: 2s, max_attempts: 50}\n")
	if alertURL != "" {
		fmt.Fprintf(&b, "alerts: {webhook_url: %q, timeout: 2s}\n", alertURL)
	}
	return b.String()
}

// demoReport is the demo's summary: the judge's, and what the demo saw of
// the gateway from outside the records (its overdue marks, its alerts).
// The judge's JSON names stay at the top level.
type demoReport struct {
	Scenario   string  `json:"scenario"`
	Seconds    float64 `json:"seconds"`
	AllSettled bool    `json:"all_settled"`
	verdict.Summary
	// SLA is the storefronts' confirmation SLA in seconds; 0 when the
	// scenario left the default.
	SLA float64 `json:"sla_seconds"`
	// WentOverdue counts the orders the gateway marked overdue at some
	// point of the run, settled since or not.
	WentOverdue int `json:"went_overdue"`
	// Alerts is what the demo's alert hook received.
	Alerts alertCounts `json:"alerts"`
	// SettledLateUnalerted counts orders that settled (confirmation or
	// problem notice in the mailbox, or cancel accepted) more than the SLA
	// after the gateway accepted them, and of which the alert hook heard
	// nothing: each was unsettled past its SLA without being flagged
	// overdue (invariant I4). Reported, not judged: the overdue check
	// cannot run at the very instant the SLA passes.
	SettledLateUnalerted int `json:"settled_late_unalerted"`
	// OverdueOrders and AttentionOrders are what the gateway lists, as
	// order keys, at the end of the run.
	OverdueOrders   []string `json:"overdue_orders"`
	AttentionOrders []string `json:"attention_orders"`
}

func (c *demoCmd) Run() error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	log := newLogger(c.LogLevel)
	sc := c.scenario()

	dbPath := c.DB
	if dbPath == "" {
		dir, err := os.MkdirTemp("", "ordergate-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		dbPath = filepath.Join(dir, "ordergate.db")
	}
	// Listen first: the sandbox ERP's callbacks need the gateway's address.
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		log.Warn("listen address busy; using a free port", "wanted", c.Listen, "err", err)
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			return err
		}
	}
	defer ln.Close()

	mb, err := mailbox.Start(sc.mail)
	if err != nil {
		return fmt.Errorf("mailbox: %w", err)
	}
	defer mb.Close()
	hook := &alertHook{orders: make(map[string]int)}
	alertURL := ""
	if sc.alerts {
		url, closeHook, err := serveLoopback(hook)
		if err != nil {
			return fmt.Errorf("alert hook: %w", err)
		}
		defer closeHook()
		alertURL = url + "/alerts"
	}
	secret, token, cbSecret := randomHex(32), randomHex(16), randomHex(32)
	if sc.callback {
		sc.erp.Callback = erpsim.Callback{URL: "http://" + ln.Addr().String() + "/erp/" + demoERP + "/ack", Secret: cbSecret}
	}
	sim := erpsim.New(sc.erp)
	defer sim.Close()
	erpURL, closeERP, err := serveLoopback(sim)
	if err != nil {
		return fmt.Errorf("sandbox erp: %w", err)
	}
	defer closeERP()

	env := map[string]string{"DEMO_SECRET": secret, "DEMO_CALLBACK_SECRET": cbSecret}
	cfg, err := config.Parse([]byte(sc.yaml(dbPath, ln.Addr().String(), c.LogLevel, erpURL, mb.Addr(), alertURL)), func(k string) string { return env[k] })
	if err != nil {
		return fmt.Errorf("demo config: %w", err)
	}
	cfg.AdminTokens = []string{token}
	gw, err := start(ctx, cfg, ln, log)
	if err != nil {
		return err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		gw.shutdown(sctx)
	}()

	fmt.Printf("ordergate demo, scenario %s\n", sc.name)
	for _, s := range sc.shops {
		fmt.Printf("  storefront %-15s %s/webhooks/shopify/%s   mode %s%s\n", s.name, gw.addr(), s.name, s.mode, policy(s.shortfall))
	}
	fmt.Printf("  API        curl -H 'Authorization: Bearer %s' %s/api/v1/orders?state=confirmed\n", token, gw.addr())
	fmt.Printf("  database   %s\n", dbPath)
	fmt.Printf("  erp        %s (sandbox)   mailbox smtp://%s\n", erpURL, mb.Addr())
	if alertURL != "" {
		fmt.Printf("  alerts     %s (counted by the demo)\n", alertURL)
	}
	faults := c.Faults || sc.name == "failures"
	fmt.Printf("  placing %d orders at %.0f/s, faults %v, seed %d\n\n", c.Orders, c.Rate, faults, c.Seed)

	var sims []*shopifysim.Sim
	for _, s := range sc.shops {
		cfg := s.sim
		cfg.Target, cfg.Secret = gw.addr()+"/webhooks/shopify/"+s.name, []byte(secret)
		sims = append(sims, shopifysim.New(cfg))
	}
	simDone := runSims(ctx, sims)
	started := time.Now()

	settled, err := c.watch(ctx, gw, sims, simDone, started)
	if settled {
		c.drain(ctx, gw, sim, sc, sims, hook)
	}
	rep, lerr := c.report(ctx, gw, sc, sims, sim, mb, hook, settled)
	if lerr != nil {
		return lerr
	}
	rep.Seconds, rep.AllSettled = time.Since(started).Seconds(), settled
	printReport(os.Stdout, rep, sc)
	if c.JSON != "" {
		if werr := writeJSONFile(c.JSON, rep); werr != nil {
			return werr
		}
	}
	if err != nil {
		return err
	}
	if !rep.OK() {
		return errors.New("an invariant was broken: see the violations above")
	}
	if !c.Exit {
		fmt.Printf("\nall orders settled; the gateway keeps running at %s — Ctrl-C to stop\n", gw.addr())
		<-ctx.Done()
	}
	return nil
}

func policy(shortfall string) string {
	if shortfall == "" {
		return ""
	}
	return ", shortfall " + shortfall
}

// runSims runs every simulator and reports once, when all are done.
func runSims(ctx context.Context, sims []*shopifysim.Sim) <-chan error {
	done := make(chan error, 1)
	errs := make([]error, len(sims))
	var wg sync.WaitGroup
	for i, s := range sims {
		wg.Go(func() { errs[i] = s.Run(ctx) })
	}
	go func() {
		wg.Wait()
		done <- errors.Join(errs...)
	}()
	return done
}

// progress sums the simulators' progress.
func progress(sims []*shopifysim.Sim) shopifysim.Progress {
	var p shopifysim.Progress
	for _, s := range sims {
		q := s.Progress()
		p.Orders += q.Orders
		p.Started += q.Started
		p.Accepted += q.Accepted
		p.Done += q.Done
	}
	return p
}

// watch prints progress once a second until the simulators are done and
// every order the gateway holds is settled or flagged for attention. It
// reports whether they all got there.
func (c *demoCmd) watch(ctx context.Context, gw *gateway, sims []*shopifysim.Sim, simDone <-chan error, started time.Time) (bool, error) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var deadline <-chan time.Time
	if c.Exit {
		deadline = time.After(c.Timeout)
	}
	simFinished := false
	// On a terminal the progress line rewrites itself; in a log it is a
	// line every five seconds.
	tty := isTerminal(os.Stdout)
	for {
		select {
		case err := <-simDone:
			simFinished = true
			if err != nil && !errors.Is(err, context.Canceled) {
				return false, fmt.Errorf("storefront simulator: %w", err)
			}
			simDone = nil
		case <-tick.C:
		case <-deadline:
			return false, fmt.Errorf("orders still unsettled after %s", c.Timeout)
		case <-ctx.Done():
			return false, nil
		}
		counts, err := gw.store.Counts(ctx)
		if err != nil {
			continue
		}
		total, open := 0, 0
		for st, n := range counts {
			total += n
			if !st.Settled() {
				open += n
			}
		}
		// An order flagged for attention is settled for the demo's purpose:
		// it is visible, and waiting longer will not move it (I1).
		if open > 0 {
			if flagged, err := listOrders(ctx, gw.store, store.Filter{Attention: true}); err == nil {
				for _, o := range flagged {
					if !o.State().Settled() {
						open--
					}
				}
			}
		}
		overdue, _ := gw.store.Overdue(ctx)
		p := progress(sims)
		done := simFinished && open == 0 && total >= p.Accepted
		if !tty && !done && int(time.Since(started).Seconds())%5 != 0 {
			continue
		}
		line := fmt.Sprintf("%5.1fs  placed %d/%d accepted %d | gateway: received %d submitted %d acknowledged %d confirmed %d rejected %d cancelled %d overdue %d   ",
			time.Since(started).Seconds(), p.Started, p.Orders, p.Accepted,
			counts[order.Received], counts[order.Submitted], counts[order.Acknowledged],
			counts[order.Confirmed], counts[order.Rejected], counts[order.Cancelled], overdue)
		if tty {
			fmt.Print("\r" + line)
			if done {
				fmt.Println()
			}
		} else {
			fmt.Println(line)
		}
		if done {
			return true, nil
		}
	}
}

// drainFor bounds the wait for the work that follows the last settlement.
// The gateway's retries back off to 2s and its scheduled jobs may start a
// few seconds late, so this leaves room for several rounds.
const drainFor = 20 * time.Second

// drain waits, once the gateway holds every order settled or flagged, for
// what follows asynchronously, so that the judge does not catch it half
// done: the ERP cancel of every order the storefronts cancelled, the
// overdue mark of every unsettled order once its SLA has passed (when the
// scenario sets one), and the alerts for the orders marked. It gives up
// drainFor after the last SLA falls due; the judge then reports whatever is
// still wrong.
func (c *demoCmd) drain(ctx context.Context, gw *gateway, sim *erpsim.ERP, sc scenario, sims []*shopifysim.Sim, hook *alertHook) {
	giveUp := time.Now().Add(drainFor)
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		waiting := cancelsOutstanding(sims, sc, sim.Records())
		if sc.sla > 0 {
			all, err := listOrders(ctx, gw.store, store.Filter{})
			if err != nil {
				return
			}
			marked := 0
			for _, o := range all {
				if !o.OverdueAt.IsZero() {
					marked++
				}
				if o.State().Settled() || !o.OverdueAt.IsZero() {
					continue
				}
				waiting++
				if due := o.ReceivedAt.Add(sc.sla + drainFor); due.After(giveUp) {
					giveUp = due
				}
			}
			if sc.alerts && hook.counts().Orders < marked {
				waiting++
			}
		}
		if waiting == 0 || time.Now().After(giveUp) {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// cancelsOutstanding counts the orders whose storefront cancel the gateway
// accepted and that the ERP still holds live.
func cancelsOutstanding(sims []*shopifysim.Sim, sc scenario, rec erpsim.Records) int {
	live := make(map[string]bool)
	for _, o := range rec.Orders {
		if !o.Cancelled() {
			live[o.ExternalID] = true
		}
	}
	n := 0
	for i, s := range sims {
		for _, p := range s.Orders() {
			if !p.CancelAcceptedAt.IsZero() && live[order.Key{Storefront: sc.shops[i].name, ID: p.ID}.ExternalID()] {
				n++
			}
		}
	}
	return n
}

// report judges the run from the outside records, given what the gateway
// lists as overdue and for attention. The lists are judged only once every
// order settled or was flagged: a run stopped half-way has unsettled orders
// that nobody owes a list yet.
func (c *demoCmd) report(ctx context.Context, gw *gateway, sc scenario, sims []*shopifysim.Sim, sim *erpsim.ERP, mb *mailbox.Mailbox, hook *alertHook, settled bool) (demoReport, error) {
	// A fresh context: after Ctrl-C the summary is still worth reading.
	ctx = context.WithoutCancel(ctx)
	overdue, err := listOrders(ctx, gw.store, store.Filter{Overdue: true})
	if err != nil {
		return demoReport{}, fmt.Errorf("list overdue orders: %w", err)
	}
	attention, err := listOrders(ctx, gw.store, store.Filter{Attention: true})
	if err != nil {
		return demoReport{}, fmt.Errorf("list orders flagged for attention: %w", err)
	}
	all, err := listOrders(ctx, gw.store, store.Filter{})
	if err != nil {
		return demoReport{}, fmt.Errorf("list orders: %w", err)
	}
	listed := verdict.Listed{Overdue: keys(overdue), Attention: keys(attention)}
	run := verdict.Run{ERP: sim.Records(), Mail: mb.Messages()}
	if settled {
		run.Listed = &listed
	}
	for i, s := range sims {
		run.Shops = append(run.Shops, verdict.Shop{Name: sc.shops[i].name, Placed: s.Orders(), Webhooks: s.Stats()})
	}
	rep := demoReport{Scenario: sc.name, Summary: run.Judge(), SLA: sc.sla.Seconds(), Alerts: hook.counts(),
		OverdueOrders: listed.Overdue, AttentionOrders: listed.Attention}
	for _, o := range all {
		if !o.OverdueAt.IsZero() {
			rep.WentOverdue++
		}
	}
	if sc.alerts {
		rep.SettledLateUnalerted = settledLateUnalerted(run, sc.sla, hook)
	}
	return rep, nil
}

// settledLateUnalerted counts the orders that settled more than sla after
// the gateway accepted them and were never alerted. Acceptance is the
// storefront's first 2xx, which follows the gateway's receipt, so such an
// order was certainly unsettled when its SLA passed.
func settledLateUnalerted(run verdict.Run, sla time.Duration, hook *alertHook) int {
	first := make(map[string]time.Time) // order key → first confirmation or problem notice
	for _, m := range run.Mail {
		if m.Kind != verdict.KindConfirmation && m.Kind != verdict.KindProblem {
			continue
		}
		if at, ok := first[m.Order]; !ok || m.ReceivedAt.Before(at) {
			first[m.Order] = m.ReceivedAt
		}
	}
	n := 0
	for _, shop := range run.Shops {
		for _, p := range shop.Placed {
			key := order.Key{Storefront: shop.Name, ID: p.ID}.String()
			settled, ok := first[key]
			if c := p.CancelAcceptedAt; !c.IsZero() && (!ok || c.Before(settled)) {
				settled, ok = c, true
			}
			if ok && !p.AcceptedAt.IsZero() && settled.Sub(p.AcceptedAt) > sla && !hook.alerted(key) {
				n++
			}
		}
	}
	return n
}

// listOrders returns every order f selects, paging through the store.
// Pages overlap by a microsecond of receipt time, so that orders received
// in the same microsecond are not lost between two pages.
func listOrders(ctx context.Context, st store.Store, f store.Filter) ([]*order.Order, error) {
	f.Limit = 1000
	seen := make(map[order.Key]bool)
	var out []*order.Order
	for {
		page, err := st.List(ctx, f)
		if err != nil {
			return nil, err
		}
		added := 0
		for _, o := range page {
			if !seen[o.Key] {
				seen[o.Key] = true
				out = append(out, o)
				added++
			}
		}
		if len(page) < f.Limit || added == 0 {
			return out, nil
		}
		f.Before = page[len(page)-1].ReceivedAt.Add(time.Microsecond)
	}
}

func keys(os []*order.Order) []string {
	out := make([]string, len(os))
	for i, o := range os {
		out[i] = o.Key.String()
	}
	return out
}

// alertHook is the operators' alert webhook, served by the demo: it counts
// what the gateway announces.
type alertHook struct {
	mu     sync.Mutex
	posts  int
	orders map[string]int // storefront/order_id → alerts received
}

// alertCounts is what the alert hook received.
type alertCounts struct {
	Received int `json:"received"` // POSTs with a readable alert
	Orders   int `json:"orders"`   // distinct orders alerted
	Repeated int `json:"repeated"` // orders alerted more than once
}

func (h *alertHook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var a struct {
		Text       string `json:"text"`
		Storefront string `json:"storefront"`
		OrderID    string `json:"order_id"`
	}
	if r.Method != http.MethodPost || json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&a) != nil || a.Text == "" {
		http.Error(w, "want a POST of JSON with a text field", http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	h.posts++
	h.orders[a.Storefront+"/"+a.OrderID]++
	h.mu.Unlock()
	w.Write([]byte("ok"))
}

func (h *alertHook) alerted(key string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.orders[key] > 0
}

func (h *alertHook) counts() alertCounts {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := alertCounts{Received: h.posts, Orders: len(h.orders)}
	for _, n := range h.orders {
		if n > 1 {
			c.Repeated++
		}
	}
	return c
}

// printReport writes the summary an operator reads at a glance: the
// verdict first, then what happened to the orders, then the detail.
func printReport(w io.Writer, r demoReport, sc scenario) {
	verdictWord := "PASS"
	if !r.OK() {
		verdictWord = "FAIL"
	}
	settled := "every order settled or flagged"
	if !r.AllSettled {
		settled = "STOPPED before every order settled or was flagged: a snapshot, unsettled orders not judged"
	}
	fmt.Fprintf(w, "\n%s  scenario %s, %.1fs, %s (judged from the sandbox ERP's, the mailbox's and the storefronts' own records)\n",
		verdictWord, r.Scenario, r.Seconds, settled)
	fmt.Fprintf(w, "  invariants   confirmed before ERP ack %d | confirmed after ERP cancel %d | duplicate ERP orders %d | duplicate messages %d | cancelled but live in ERP %d | unsettled and unlisted %d | ERP orders nobody placed %d\n",
		r.ConfirmedBeforeAck, r.ConfirmedAfterERPCancel, r.DuplicateERPOrders, r.DuplicateMessages, r.CancelledButLiveInERP, r.UnsettledUnlisted, r.ERPOrdersNotPlaced)
	fmt.Fprintf(w, "  orders       %d placed, %d accepted: %d confirmed (%d with backordered lines), %d rejected%s, %d cancelled (%d never reached the ERP, %d cancelled there), %d held short\n",
		r.Orders, r.Accepted, r.Confirmed, r.Backordered, r.Rejected, byCode(r.RejectedBy), r.Cancelled, r.CancelledNeverInERP, r.CancelledInERP, r.HeldShort)
	fmt.Fprintf(w, "  unsettled    %d — the gateway lists %d overdue and %d for attention; %d unsettled orders on neither list\n",
		r.Unsettled, r.ListedOverdue, r.ListedAttention, r.UnsettledUnlisted)
	if sc.sla > 0 {
		fmt.Fprintf(w, "  overdue      %d orders went past the %s SLA (%d still overdue); the alert hook got %d alerts for %d orders (%d alerted twice or more)\n",
			r.WentOverdue, sc.sla, r.ListedOverdue, r.Alerts.Received, r.Alerts.Orders, r.Alerts.Repeated)
		fmt.Fprintf(w, "               %d orders settled more than %s after acceptance and were never alerted (unsettled past their SLA, yet not flagged)\n",
			r.SettledLateUnalerted, sc.sla)
	}
	fmt.Fprintf(w, "  messages     orders with a pending %d | delay %d | confirmation %d | problem %d\n",
		r.PendingNotices, r.DelayNotices, r.Confirmed, r.ProblemNotices)
	l := r.ConfirmationLatencyMS
	fmt.Fprintf(w, "  latency      capture → confirmation p50 %.0f ms  p95 %.0f ms  p99 %.0f ms  max %.0f ms (n=%d)\n", l.P50, l.P95, l.P99, l.Max, l.N)
	fmt.Fprintf(w, "  erp faults   %d 5xx, %d throttled with Retry-After, %d timeouts, %d in-doubt creates\n",
		r.ERPFaults.Error, r.ERPFaults.Throttle, r.ERPFaults.Timeout, r.ERPFaults.InDoubt)
	fmt.Fprintf(w, "  erp calls    %d creates, %d lookups, %d cancels", r.ERPRequests.Create, r.ERPRequests.Lookup, r.ERPRequests.Cancel)
	if sc.callback {
		fmt.Fprintf(w, "; %d acknowledgments announced by callback, %d accepted by the gateway (the rest by polling)", r.ERPCallbacks.Announced, r.ERPCallbacks.Delivered)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  webhooks     %d sent, %d duplicates, %d updates before their create, %d retries\n",
		r.Webhooks.Sent, r.Webhooks.DuplicatesSent, r.OutOfOrder, r.Webhooks.Retries)
	for i, s := range r.Storefronts {
		label := "  storefronts  "
		if i > 0 {
			label = "               "
		}
		shop := sc.shops[i]
		fmt.Fprintf(w, "%s%s (%s%s): %d orders, %d confirmed (%d backordered), %d rejected, %d cancelled, %d held short, %d unsettled\n",
			label, s.Name, shop.mode, policy(shop.shortfall), s.Orders, s.Confirmed, s.Backordered, s.Rejected, s.Cancelled, s.HeldShort, s.Unsettled)
	}
	if len(r.Unconfirmed) > 0 {
		fmt.Fprintf(w, "  unconfirmed  %d held by the ERP with no confirmation or problem notice (in-doubt sends the gateway flagged, or lost): %s\n",
			len(r.Unconfirmed), firstFew(r.Unconfirmed, 10))
	}
	for _, v := range r.Violations {
		fmt.Fprintln(w, "  VIOLATION:", v)
	}
}

// byCode renders rejections by code, e.g. " (UNKNOWN_SKU 14)".
func byCode(m map[string]int) string {
	if len(m) == 0 {
		return ""
	}
	codes := make([]string, 0, len(m))
	for c := range m {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	parts := make([]string, len(codes))
	for i, c := range codes {
		parts[i] = fmt.Sprintf("%s %d", c, m[c])
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

func firstFew(s []string, n int) string {
	if len(s) <= n {
		return strings.Join(s, " ")
	}
	return strings.Join(s[:n], " ") + fmt.Sprintf(" … and %d more", len(s)-n)
}

func writeJSONFile(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
