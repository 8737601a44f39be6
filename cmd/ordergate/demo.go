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
	Orders      int           `default:"200" help:"How many orders the storefront simulator places."`
	Rate        float64       `default:"50" help:"Orders placed per second (0: as fast as the simulator's concurrency allows)."`
	Concurrency int           `default:"16" help:"Webhook deliveries in flight at once."`
	Exit        bool          `help:"Stop once every order is settled, print the summary and exit (non-zero if an invariant was broken)."`
	JSON        string        `name:"json" placeholder:"FILE" help:"Write the summary as JSON to FILE."`
	DB          string        `placeholder:"PATH" help:"SQLite file to use (default: a new temporary file)."`
	Listen      string        `default:"127.0.0.1:8080" help:"Address for the gateway's HTTP server (webhooks, API); a busy port falls back to a free one."`
	Faults      bool          `default:"true" negatable:"" help:"Inject ERP faults (5xx, throttling, timeouts, in-doubt creates) and mail refusals, and send duplicate, out-of-order and cancelled webhooks. --no-faults for a clean run."`
	Seed        int64         `default:"1" help:"Seed for the simulated orders and faults; the same seed gives the same run."`
	Timeout     time.Duration `default:"10m" help:"With --exit, give up if orders are still unsettled after this long."`
	LogLevel    string        `default:"warn" enum:"debug,info,warn,error" help:"Gateway log level (debug, info, warn, error)."`
}

const demoStorefront = "demo-shop"

func (c *demoCmd) Run() error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	log := newLogger(c.LogLevel)

	dbPath := c.DB
	if dbPath == "" {
		dir, err := os.MkdirTemp("", "ordergate-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		dbPath = filepath.Join(dir, "ordergate.db")
	}

	mbOpts := mailbox.Options{Seed: c.Seed}
	simCfg := erpsim.Config{Seed: c.Seed, Latency: erpsim.Latency{Min: 10 * time.Millisecond, Median: 40 * time.Millisecond, P99: 250 * time.Millisecond}}
	if c.Faults {
		mbOpts.FailRate = 0.02
		// Stock exactly the simulated shop's catalogue, so its unknown
		// lines are refused, and keep one SKU short so that a few orders
		// are refused for stock.
		simCfg.Stock = make(map[string]int)
		for _, sku := range shopifysim.DefaultSKUs() {
			simCfg.Stock[sku] = 1_000_000
		}
		simCfg.Stock["BLNK-WFL-OAT"] = c.Orders / 20
		simCfg.Faults = erpsim.Faults{ErrorRate: 0.03, ThrottleRate: 0.03, TimeoutRate: 0.01, InDoubtRate: 0.03,
			RetryAfter: 300 * time.Millisecond, Timeout: 3 * time.Second}
	}
	mb, err := mailbox.Start(mbOpts)
	if err != nil {
		return fmt.Errorf("mailbox: %w", err)
	}
	defer mb.Close()
	sim := erpsim.New(simCfg)
	defer sim.Close()
	erpURL, closeERP, err := serveLoopback(sim)
	if err != nil {
		return fmt.Errorf("sandbox erp: %w", err)
	}
	defer closeERP()

	secret, token := randomHex(32), randomHex(16)
	cfg, err := config.Parse([]byte(fmt.Sprintf(`
database: sqlite:%s
listen: %s
log_level: %s
storefronts:
  - {name: %s, kind: shopify, webhook_secrets: ["${DEMO_SECRET}"], erp: sandbox-erp, notifier: mailbox, mode: gated}
erps:
  - {name: sandbox-erp, kind: sandbox, base_url: "%s", concurrency: 16, timeout: 1s}
notifiers:
  - {name: mailbox, kind: smtp, addr: "%s", from: "Demo Shop <orders@demo-shop.example>", tls: none}
retry: {initial: 200ms, max: 2s, max_attempts: 50}
`, dbPath, c.Listen, c.LogLevel, demoStorefront, erpURL, mb.Addr())), func(k string) string {
		if k == "DEMO_SECRET" {
			return secret
		}
		return ""
	})
	if err != nil {
		return fmt.Errorf("demo config: %w", err)
	}
	cfg.AdminTokens = []string{token}

	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		log.Warn("listen address busy; using a free port", "wanted", c.Listen, "err", err)
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			return err
		}
	}
	gw, err := start(ctx, cfg, ln, log)
	if err != nil {
		return err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		gw.shutdown(sctx)
	}()

	fmt.Printf("ordergate demo\n")
	fmt.Printf("  gateway   %s   (webhooks at /webhooks/shopify/%s)\n", gw.addr(), demoStorefront)
	fmt.Printf("  API       curl -H 'Authorization: Bearer %s' %s/api/v1/orders?state=confirmed\n", token, gw.addr())
	fmt.Printf("  database  %s\n", dbPath)
	fmt.Printf("  erp       %s (sandbox)   mailbox smtp://%s\n", erpURL, mb.Addr())
	fmt.Printf("  placing %d orders at %.0f/s, faults %v, seed %d\n\n", c.Orders, c.Rate, c.Faults, c.Seed)

	shop := shopifysim.New(c.simConfig(gw.addr(), secret))
	simDone := make(chan error, 1)
	started := time.Now()
	go func() { simDone <- shop.Run(ctx) }()

	settled, err := c.watch(ctx, gw, shop, simDone, started)
	sum := verdict.Judge(demoStorefront, shop.Orders(), sim.Records(), mb.Messages(), shop.Stats())
	printSummary(sum, time.Since(started), settled)
	if c.JSON != "" {
		if werr := writeJSONFile(c.JSON, sum); werr != nil {
			return werr
		}
	}
	if err != nil {
		return err
	}
	if !sum.OK() {
		return errors.New("an invariant was broken: see the violations above")
	}
	if !c.Exit {
		fmt.Printf("\nall orders settled; the gateway keeps running at %s — Ctrl-C to stop\n", gw.addr())
		<-ctx.Done()
	}
	return nil
}

func (c *demoCmd) simConfig(gateway, secret string) shopifysim.Config {
	sc := shopifysim.Config{
		Target: gateway + "/webhooks/shopify/" + demoStorefront, Secret: []byte(secret),
		Orders: c.Orders, Rate: c.Rate, Concurrency: c.Concurrency, Seed: c.Seed,
		Retry:  shopifysim.Retry{Initial: 100 * time.Millisecond, Max: 2 * time.Second, Forever: true},
		Logger: slog.New(slog.DiscardHandler),
	}
	if c.Faults {
		sc.DuplicateRate, sc.OutOfOrderRate, sc.CancelRate, sc.UnknownSKURate = 0.05, 0.05, 0.03, 0.03
		sc.SKUs = nil
	}
	return sc
}

// watch prints progress once a second until the simulator is done and every
// order the gateway holds is settled. It reports whether they all settled.
func (c *demoCmd) watch(ctx context.Context, gw *gateway, shop *shopifysim.Sim, simDone <-chan error, started time.Time) (bool, error) {
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
			flagged, err := gw.store.List(ctx, store.Filter{Attention: true, Limit: 1000})
			if err == nil {
				for _, o := range flagged {
					if !o.State().Settled() {
						open--
					}
				}
			}
		}
		p := shop.Progress()
		done := simFinished && open == 0 && total >= p.Accepted
		if !tty && !done && int(time.Since(started).Seconds())%5 != 0 {
			continue
		}
		line := fmt.Sprintf("%5.1fs  placed %d/%d accepted %d | gateway: received %d submitted %d acknowledged %d confirmed %d rejected %d cancelled %d   ",
			time.Since(started).Seconds(), p.Started, p.Orders, p.Accepted,
			counts[order.Received], counts[order.Submitted], counts[order.Acknowledged],
			counts[order.Confirmed], counts[order.Rejected], counts[order.Cancelled])
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

func printSummary(s verdict.Summary, took time.Duration, settled bool) {
	fmt.Printf("\nsummary (from the sandbox ERP's and the mailbox's own records), %.1fs\n", took.Seconds())
	fmt.Printf("  orders %d  accepted %d  confirmed %d  rejected %d  cancelled %d  all settled %v\n",
		s.Orders, s.Accepted, s.Confirmed, s.Rejected, s.Cancelled, settled)
	fmt.Printf("  confirmed before ERP ack %d   duplicate ERP orders %d   duplicate confirmations %d\n",
		s.ConfirmedBeforeAck, s.DuplicateERPOrders, s.DuplicateConfirmations)
	fmt.Printf("  capture → confirmation  p50 %.0f ms  p95 %.0f ms  p99 %.0f ms  (n=%d)\n",
		s.ConfirmationLatencyMS.P50, s.ConfirmationLatencyMS.P95, s.ConfirmationLatencyMS.P99, s.ConfirmationLatencyMS.N)
	fmt.Printf("  erp faults injected: %d 5xx, %d throttled, %d timeouts, %d in-doubt creates; erp requests: %d creates, %d lookups\n",
		s.ERPFaults.Error, s.ERPFaults.Throttle, s.ERPFaults.Timeout, s.ERPFaults.InDoubt, s.ERPRequests.Create, s.ERPRequests.Lookup)
	fmt.Printf("  webhooks: %d sent, %d duplicates, %d retries\n", s.Webhooks.Sent, s.Webhooks.DuplicatesSent, s.Webhooks.Retries)
	if len(s.Unconfirmed) > 0 {
		fmt.Printf("  held by the ERP but not confirmed (flagged in-doubt sends, or a fault): %v\n", s.Unconfirmed)
	}
	for _, v := range s.Violations {
		fmt.Println("  VIOLATION:", v)
	}
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
