package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/ordergate/ordergate/internal/config"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
	"github.com/ordergate/ordergate/internal/sandbox/mailbox"
	"github.com/ordergate/ordergate/internal/sandbox/storesim"
	"github.com/ordergate/ordergate/internal/store"
	"github.com/ordergate/ordergate/internal/storefront/bigcommerce/bigcommercefake"
)

type demoCmd struct {
	Scenario    string        `default:"default" enum:"default,failures,lost-webhooks,flash-sale,cutover" help:"What to run. cutover: a simulated legacy flow (confirms on capture; the ERP gets the order seconds later, sometimes after the SLA, sometimes never) beside the gateway, walking the rollout 0 → 10 → 50 → 100 percent with --orders orders a step and printing the cutover report at each (--json writes the last). default: one gated shop, with --faults deciding the misbehaviour. flash-sale: one Shopify storefront and two sandbox marketplaces sell 50 low-stock SKUs at once against an ERP that answers in seconds, twice with the same buyers: once with the stock ledger telling every channel what it may sell, once with a baseline that tells each the ERP's availability only; prints the oversold units of each (--json writes oversold_units_gated and oversold_units_baseline); --orders, --rate and --storefronts do not apply. lost-webhooks: each storefront loses every webhook of a fifth of its orders (and their cancels), as Shopify's unguaranteed delivery, WooCommerce's lack of retries and BigCommerce's deactivated hooks do; the gateway's reconciliation loop (every 2s here) lists each storefront's orders through its API and recovers them all. failures: everything that goes wrong at once, and the invariants still hold. Two ack_gated shops share one sandbox ERP, one per shortfall policy, because each promises the customer something different when stock runs short: backorder-shop confirms the order saying which lines ship later, reject-shop sends a problem notice and holds it for an operator, where it goes overdue and is alerted. Both see unknown SKUs (whole-order rejections: partial_unknown is off, since an order line the ERP has never heard of cannot be promised as a backorder), low stock, in-doubt creates, throttling with Retry-After, 5xx and timeouts, acknowledgments 2s late announced by signed callback (polling as the fallback), cancels before the ERP create, before its acknowledgment and after the confirmation, duplicate and reordered webhooks, lost mail replies, a 5s confirmation SLA and an alert hook served by the demo. --faults does not apply to it."`
	Storefronts []string      `default:"shopify" sep:"," placeholder:"KINDS" help:"The storefronts to simulate, comma-separated: shopify, woocommerce, bigcommerce (e.g. --storefronts shopify,woocommerce,bigcommerce for a mixed fleet). Orders and rate are shared among them; in the failures scenario each kind gets both shops."`
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

func (c *demoCmd) Run() error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	log := newLogger(c.LogLevel)
	if c.Scenario == "cutover" {
		return c.runCutover(ctx, log)
	}
	if c.Scenario == "flash-sale" {
		return c.runFlashSale(ctx, log)
	}
	sc, err := c.scenario()
	if err != nil {
		return err
	}

	// Listen first: the sandbox ERP's callbacks need the gateway's address.
	dbPath, ln, cleanup, err := c.dbAndListener(log)
	if err != nil {
		return err
	}
	defer cleanup()

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

	// A BigCommerce shop's callbacks carry only the order id: the gateway
	// reads each order from this store's v2 API, where the simulators put
	// them. Its quota is raised so that the demo's pace is not throttled.
	bcToken := randomHex(16)
	var bcStore *bigcommercefake.Store
	bcURL := ""
	for _, s := range sc.shops {
		if s.kind == config.StorefrontBigCommerce && bcStore == nil {
			bcStore = bigcommercefake.New(bigcommercefake.Config{StoreHash: "demo", StoreID: "1000001", AccessToken: bcToken, Quota: 1_000_000})
			url, closeBC, err := serveLoopback(bcStore)
			if err != nil {
				return fmt.Errorf("bigcommerce store: %w", err)
			}
			defer closeBC()
			bcURL = url + bcStore.Prefix()
		}
	}

	// In the lost-webhooks scenario every storefront's API is served too,
	// for the gateway's reconciliation to list the orders through.
	apis, closeAPIs, err := sc.serveAPIs()
	if err != nil {
		return err
	}
	defer closeAPIs()

	env := map[string]string{"DEMO_SECRET": secret, "DEMO_CALLBACK_SECRET": cbSecret, "DEMO_BC_TOKEN": bcToken,
		"DEMO_SHOPIFY_TOKEN": apis.shopifyToken, "DEMO_WOO_KEY": apis.wooKey, "DEMO_WOO_SECRET": apis.wooSecret}
	cfg, err := config.Parse([]byte(sc.yaml(dbPath, ln.Addr().String(), c.LogLevel, erpURL, mb.Addr(), alertURL, bcURL, apis)), func(k string) string { return env[k] })
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
		fmt.Printf("  storefront %-22s %s/webhooks/%s/%s   mode %s%s\n", s.name, gw.addr(), s.kind, s.name, s.mode, policy(s.shortfall))
	}
	fmt.Printf("  API        curl -H 'Authorization: Bearer %s' %s/api/v1/orders?state=confirmed\n", token, gw.addr())
	fmt.Printf("  dashboard  %s/  (sign in with the token above)\n", gw.addr())
	fmt.Printf("  database   %s\n", dbPath)
	fmt.Printf("  erp        %s (sandbox)   mailbox smtp://%s\n", erpURL, mb.Addr())
	if bcURL != "" {
		fmt.Printf("  bigcommerce v2 API %s (the shops' orders, fetched by the gateway)\n", bcURL)
	}
	if alertURL != "" {
		fmt.Printf("  alerts     %s (counted by the demo)\n", alertURL)
	}
	faults := (c.Faults && sc.name == "default") || sc.name == "failures"
	fmt.Printf("  placing %d orders at %.0f/s, faults %v, seed %d\n\n", c.Orders, c.Rate, faults, c.Seed)

	var sims []*storesim.Sim
	for _, s := range sc.shops {
		cfg := s.sim
		cfg.Target, cfg.Secret = gw.addr()+"/webhooks/"+s.kind+"/"+s.name, []byte(secret)
		cfg.BigCommerce = bcStore
		if s.kind == config.StorefrontShopify {
			cfg.ShopifyAdmin = apis.shopify
		}
		if s.kind == config.StorefrontWooCommerce {
			cfg.WooCommerce = apis.woo
		}
		sims = append(sims, storesim.New(cfg))
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
func runSims(ctx context.Context, sims []*storesim.Sim) <-chan error {
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
func progress(sims []*storesim.Sim) storesim.Progress {
	var p storesim.Progress
	for _, s := range sims {
		q := s.Progress()
		p.Orders += q.Orders
		p.Started += q.Started
		p.Accepted += q.Accepted
		p.Done += q.Done
		p.Stats.Dropped += q.Stats.Dropped
	}
	return p
}

// watch prints progress once a second until the simulators are done and
// every order the gateway holds is settled or flagged for attention. It
// reports whether they all got there.
func (c *demoCmd) watch(ctx context.Context, gw *gateway, sims []*storesim.Sim, simDone <-chan error, started time.Time) (bool, error) {
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
		// Every order accepted, and every order whose webhooks were lost,
		// must be in the gateway: the latter come by reconciliation.
		done := simFinished && open == 0 && total >= p.Accepted+p.Stats.Dropped
		if !tty && !done && int(time.Since(started).Seconds())%5 != 0 {
			continue
		}
		dropped := ""
		if p.Stats.Dropped > 0 {
			dropped = fmt.Sprintf(" webhooks lost %d", p.Stats.Dropped)
		}
		line := fmt.Sprintf("%5.1fs  placed %d/%d accepted %d%s | gateway: received %d submitted %d acknowledged %d confirmed %d rejected %d cancelled %d overdue %d   ",
			time.Since(started).Seconds(), p.Started, p.Orders, p.Accepted, dropped,
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
func (c *demoCmd) drain(ctx context.Context, gw *gateway, sim *erpsim.ERP, sc scenario, sims []*storesim.Sim, hook *alertHook) {
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
func cancelsOutstanding(sims []*storesim.Sim, sc scenario, rec erpsim.Records) int {
	live := make(map[string]bool)
	for _, o := range rec.Orders {
		if !o.Cancelled() {
			live[o.ExternalID] = true
		}
	}
	n := 0
	for i, s := range sims {
		for _, p := range s.Orders() {
			// A dropped cancel reaches the gateway by reconciliation.
			cancelOwed := !p.CancelAcceptedAt.IsZero() || (p.Dropped && p.Cancelled)
			if cancelOwed && live[order.Key{Storefront: sc.shops[i].name, ID: p.ID}.ExternalID()] {
				n++
			}
		}
	}
	return n
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

// dbAndListener returns the demo's SQLite file (--db, or a new one in a
// temporary directory) and its listener (--listen, or a free port when that
// one is busy), and a function that closes the listener and removes the
// temporary directory.
func (c *demoCmd) dbAndListener(log *slog.Logger) (string, net.Listener, func(), error) {
	dbPath, dir := c.DB, ""
	if dbPath == "" {
		var err error
		if dir, err = os.MkdirTemp("", "ordergate-demo-"); err != nil {
			return "", nil, nil, err
		}
		dbPath = filepath.Join(dir, "ordergate.db")
	}
	removeDir := func() {
		if dir != "" {
			os.RemoveAll(dir)
		}
	}
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		log.Warn("listen address busy; using a free port", "wanted", c.Listen, "err", err)
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			removeDir()
			return "", nil, nil, err
		}
	}
	return dbPath, ln, func() { ln.Close(); removeDir() }, nil
}
