package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ordergate/ordergate/internal/config"
	"github.com/ordergate/ordergate/internal/inventory"
	"github.com/ordergate/ordergate/internal/marketplace"
	mpsandbox "github.com/ordergate/ordergate/internal/marketplace/sandbox"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
	"github.com/ordergate/ordergate/internal/sandbox/mailbox"
	"github.com/ordergate/ordergate/internal/storefront/shopify"
)

// The flash sale: one Shopify storefront and two sandbox marketplaces sell
// the same 50 low-stock SKUs at once, against an ERP whose replies take a
// second or two and whose acknowledgments come seconds after the create.
// Every channel sells only what it was last told it may (the storefront's
// own listings are a channel too: Shopify sells against the inventory level
// it was given). The same buyers, at the same moments, come twice: once
// with the ledger telling the channels, once with a baseline that tells
// each channel the ERP's availability and nothing else.
const (
	flashShop      = "shop"
	flashSKUs      = 50
	flashSeconds   = 15
	flashAttempts  = 900
	flashLag       = 5 * time.Second
	flashFeedPoll  = 500 * time.Millisecond
	flashDebounce  = 250 * time.Millisecond
	flashSettleFor = 2 * time.Minute
)

var flashMarkets = []string{"market-a", "market-b"}

// saleAttempt is one buyer trying to buy on one channel.
type saleAttempt struct {
	At      time.Duration
	Channel string
	SKU     string
	Qty     int
}

// salePlan is the ERP's stock and the buyers, the same in both runs.
type salePlan struct {
	skus     []string
	stock    map[string]int
	attempts []saleAttempt
	seconds  int
}

// newSalePlan draws skus SKUs of 2 to 8 units and attempts buyers spread
// over seconds, a third on each channel, a fifth of them buying two.
func newSalePlan(seed int64, skus, attempts, seconds int) salePlan {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5a1e))
	p := salePlan{stock: map[string]int{}, seconds: seconds}
	for i := range skus {
		sku := fmt.Sprintf("FS-%03d", i+1)
		p.skus = append(p.skus, sku)
		p.stock[sku] = 2 + rng.IntN(7) // 2 to 8 units
	}
	channels := append([]string{flashShop}, flashMarkets...)
	for range attempts {
		qty := 1
		if rng.IntN(5) == 0 {
			qty = 2
		}
		p.attempts = append(p.attempts, saleAttempt{
			At:      time.Duration(rng.Int64N(int64(time.Duration(seconds) * time.Second))),
			Channel: channels[rng.IntN(len(channels))],
			SKU:     p.skus[rng.IntN(len(p.skus))],
			Qty:     qty,
		})
	}
	slices.SortFunc(p.attempts, func(a, b saleAttempt) int { return int(a.At - b.At) })
	return p
}

func (p salePlan) units() int {
	n := 0
	for _, q := range p.stock {
		n += q
	}
	return n
}

// flashResult is one run of the flash sale.
type flashResult struct {
	Mode string `json:"mode"` // ledger or baseline
	// SoldUnits is what each channel sold.
	SoldUnits map[string]int `json:"sold_units"`
	Sold      int            `json:"sold_units_total"`
	// OversoldUnits are the units sold beyond the ERP's stock, summed over
	// the SKUs; OversoldSKUs how many SKUs were oversold.
	OversoldUnits int `json:"oversold_units"`
	OversoldSKUs  int `json:"oversold_skus"`
	// Rejected and Confirmed are the gateway's orders the ERP refused
	// (for want of stock) and confirmed.
	Rejected  int `json:"erp_rejections"`
	Confirmed int `json:"confirmed"`
	Unsettled int `json:"unsettled"`
	// Pushes are the listing updates that reached the channels.
	Pushes  int     `json:"pushes"`
	Seconds float64 `json:"seconds"`
}

// flashReport is what --json writes.
type flashReport struct {
	Scenario         string        `json:"scenario"`
	Seed             int64         `json:"seed"`
	SKUs             int           `json:"skus"`
	StockUnits       int           `json:"stock_units"`
	Attempts         int           `json:"buy_attempts"`
	OversoldGated    int           `json:"oversold_units_gated"`
	OversoldBaseline int           `json:"oversold_units_baseline"`
	Runs             []flashResult `json:"runs"`
}

// erpOnly is the baseline's view of the ledger: each channel is told the
// ERP's last figure, as a fire-and-forget connector does, with nothing
// subtracted for orders in flight, buffers or the other channels.
type erpOnly struct{ *inventory.Ledger }

func (e erpOnly) Claim(channel, sku string, now time.Time) inventory.Quote {
	q := e.Ledger.Quote(channel, sku)
	q.Available = max(0, q.ERP)
	return q
}

var _ marketplace.Stock = erpOnly{}

// runFlashSale runs the flash sale with the ledger, then the baseline, and
// reports the oversold units of each.
func (c *demoCmd) runFlashSale(ctx context.Context, log *slog.Logger) error {
	plan := newSalePlan(c.Seed, flashSKUs, flashAttempts, flashSeconds)
	fmt.Printf("ordergate demo, scenario flash-sale\n")
	fmt.Printf("  %d SKUs, %d units in the ERP; %d buy attempts over %ds on %s, %s and %s; seed %d\n",
		len(plan.skus), plan.units(), len(plan.attempts), plan.seconds, flashShop, flashMarkets[0], flashMarkets[1], c.Seed)
	fmt.Printf("  the ERP answers in 0.5–2.5s and acknowledges 1.5s after each create\n\n")
	rep := flashReport{Scenario: "flash-sale", Seed: c.Seed, SKUs: len(plan.skus), StockUnits: plan.units(), Attempts: len(plan.attempts)}
	for _, mode := range []string{"ledger", "baseline"} {
		fmt.Printf("== %s run ...\n", mode)
		r, err := c.flashRun(ctx, log, plan, mode)
		if err != nil {
			return fmt.Errorf("flash sale, %s run: %w", mode, err)
		}
		rep.Runs = append(rep.Runs, r)
		printFlashRun(os.Stdout, r)
	}
	rep.OversoldGated, rep.OversoldBaseline = rep.Runs[0].OversoldUnits, rep.Runs[1].OversoldUnits
	fmt.Printf("\noversold units: with the ledger %d, baseline %d (of %d units in stock)\n", rep.OversoldGated, rep.OversoldBaseline, rep.StockUnits)
	if c.JSON != "" {
		if err := writeJSONFile(c.JSON, rep); err != nil {
			return err
		}
	}
	if rep.OversoldGated > 0 {
		return fmt.Errorf("the ledger let the channels oversell %d units (invariant I5 and the cross-channel exposure rule)", rep.OversoldGated)
	}
	for _, r := range rep.Runs {
		if r.Unsettled > 0 {
			return fmt.Errorf("%s run: %d orders still unsettled after %s", r.Mode, r.Unsettled, flashSettleFor)
		}
	}
	return nil
}

func printFlashRun(w io.Writer, r flashResult) {
	fmt.Fprintf(w, "   sold %d units (%s %d, %s %d, %s %d); oversold %d units on %d SKUs\n",
		r.Sold, flashShop, r.SoldUnits[flashShop], flashMarkets[0], r.SoldUnits[flashMarkets[0]], flashMarkets[1], r.SoldUnits[flashMarkets[1]],
		r.OversoldUnits, r.OversoldSKUs)
	fmt.Fprintf(w, "   gateway: %d orders confirmed, %d refused by the ERP for want of stock, %d unsettled; %d listing updates pushed; %.1fs\n",
		r.Confirmed, r.Rejected, r.Unsettled, r.Pushes, r.Seconds)
}

// flashRun runs the sale once, on a fresh database, ERP and mailbox.
func (c *demoCmd) flashRun(ctx context.Context, log *slog.Logger, plan salePlan, mode string) (flashResult, error) {
	res := flashResult{Mode: mode, SoldUnits: map[string]int{}}
	dir, err := os.MkdirTemp("", "ordergate-flash-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return res, err
	}
	defer ln.Close()
	mb, err := mailbox.Start(mailbox.Options{})
	if err != nil {
		return res, fmt.Errorf("mailbox: %w", err)
	}
	defer mb.Close()
	secret, cbSecret := randomHex(32), randomHex(32)
	sim := erpsim.New(erpsim.Config{
		Stock: plan.stock, Idempotent: true, Seed: c.Seed, AckDelay: 1500 * time.Millisecond,
		Latency:  erpsim.Latency{Min: 500 * time.Millisecond, Median: time.Second, P99: 2500 * time.Millisecond},
		Callback: erpsim.Callback{URL: "http://" + ln.Addr().String() + "/erp/" + demoERP + "/ack", Secret: cbSecret},
	})
	defer sim.Close()
	erpURL, closeERP, err := serveLoopback(sim)
	if err != nil {
		return res, err
	}
	defer closeERP()

	buffer := 1
	if mode == "baseline" {
		buffer = 0
	}
	yaml := flashYAML(filepath.Join(dir, "ordergate.db"), ln.Addr().String(), erpURL, mb.Addr(), plan.skus, buffer)
	env := map[string]string{"DEMO_SECRET": secret, "DEMO_CALLBACK_SECRET": cbSecret}
	cfg, err := config.Parse([]byte(yaml), func(k string) string { return env[k] })
	if err != nil {
		return res, fmt.Errorf("demo config: %w", err)
	}
	var opts []func(*gateway)
	if mode == "baseline" {
		opts = append(opts, func(g *gateway) {
			g.stockView = func(l *inventory.Ledger) marketplace.Stock { return erpOnly{l} }
		})
	}
	gw, err := start(ctx, cfg, ln, log, opts...)
	if err != nil {
		return res, err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		gw.shutdown(sctx)
	}()
	chans := gw.stock.sandboxes
	if err := waitListed(ctx, chans, plan.skus, time.Minute); err != nil {
		return res, err
	}

	started := time.Now()
	hc := &http.Client{Timeout: 10 * time.Second}
	target := gw.addr() + "/webhooks/shopify/" + flashShop
	var wg sync.WaitGroup
	var mu sync.Mutex
	var postErrs []error
	shopOrders := 0
	for i, a := range plan.attempts {
		if d := time.Until(started.Add(a.At)); d > 0 {
			select {
			case <-ctx.Done():
				return res, ctx.Err()
			case <-time.After(d):
			}
		}
		n := chans[a.Channel].Sell(a.SKU, a.Qty)
		if n == 0 || a.Channel != flashShop {
			continue
		}
		shopOrders++
		wg.Go(func() {
			if err := postShopifyOrder(ctx, hc, target, []byte(secret), int64(7_000_000+i), a.SKU, n); err != nil {
				mu.Lock()
				postErrs = append(postErrs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if err := errors.Join(postErrs...); err != nil {
		return res, fmt.Errorf("storefront webhooks: %w", err)
	}
	want := shopOrders
	for _, m := range flashMarkets {
		want += len(chans[m].Orders(time.Time{}))
	}
	res.Unsettled = waitFlashSettled(ctx, gw, want, flashSettleFor)
	res.Seconds = time.Since(started).Seconds()

	for _, sku := range plan.skus {
		sold := 0
		for name, m := range chans {
			n := m.Sold(sku)
			sold += n
			res.SoldUnits[name] += n
		}
		res.Sold += sold
		if over := sold - plan.stock[sku]; over > 0 {
			res.OversoldUnits += over
			res.OversoldSKUs++
		}
	}
	counts, err := gw.store.Counts(ctx)
	if err != nil {
		return res, err
	}
	res.Rejected, res.Confirmed = counts[order.Rejected], counts[order.Confirmed]
	for _, m := range chans {
		res.Pushes += m.Pushes()
	}
	return res, nil
}

// flashYAML is the gateway's config for one run.
func flashYAML(dbPath, listen, erpURL, mailAddr string, skus []string, buffer int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "database: sqlite:%s\nlisten: %s\nlog_level: warn\n", dbPath, listen)
	fmt.Fprintf(&b, "storefronts:\n  - {name: %s, kind: shopify, webhook_secrets: [\"${DEMO_SECRET}\"], erp: %s, notifier: mailbox, mode: gated}\n", flashShop, demoERP)
	fmt.Fprintf(&b, "erps:\n  - {name: %s, kind: sandbox, base_url: %q, max_concurrency: 15, timeout: 10s, callback_secrets: [\"${DEMO_CALLBACK_SECRET}\"]}\n", demoERP, erpURL)
	fmt.Fprintf(&b, "notifiers:\n  - {name: mailbox, kind: smtp, addr: %q, from: \"Demo Shop <orders@demo-shop.example>\", tls: none}\n", mailAddr)
	b.WriteString("retry: {initial: 200ms, max: 2s, max_attempts: 50}\nreconcile: {interval: 0s}\n")
	// A channel that has sold none of a SKU for idle_after gives its stock
	// back for one that sold its share out; the units reach that channel
	// a Lag (5 s) after the lowering lands. Here the buyers are spread
	// evenly over the channels and the sale lasts 15 s, so a shorter wait
	// mostly closes listings whose buyers merely paused: over seeds 1–3,
	// 3 s sold 543 units and 6 s 566, against 592 with no rebalancing.
	fmt.Fprintf(&b, "inventory: {erp: %s, refresh: 2s, sync: 250ms, idle_after: 10s, skus: [%s]}\n", demoERP, strings.Join(skus, ", "))
	b.WriteString("marketplaces:\n")
	fmt.Fprintf(&b, "  - {name: %s, kind: sandbox, buffer: %d, lag: %s, debounce: %s}\n", flashShop, buffer, flashLag, flashDebounce)
	for _, m := range flashMarkets {
		fmt.Fprintf(&b, "  - {name: %s, kind: sandbox, buffer: %d, lag: %s, debounce: %s, take_orders: true, feed_poll: %s}\n", m, buffer, flashLag, flashDebounce, flashFeedPoll)
	}
	return b.String()
}

// waitListed waits until every channel lists every SKU: the sale starts
// once the gateway has told them all.
func waitListed(ctx context.Context, chans map[string]*mpsandbox.Marketplace, skus []string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		missing := 0
		for _, m := range chans {
			for _, sku := range skus {
				if _, ok := m.Listed(sku); !ok {
					missing++
				}
			}
		}
		if missing == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("after %s, %d listings were still never pushed", limit, missing)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// waitFlashSettled waits until the gateway holds want orders, all settled,
// and returns how many are not.
func waitFlashSettled(ctx context.Context, gw *gateway, want int, limit time.Duration) int {
	deadline := time.Now().Add(limit)
	for {
		counts, err := gw.store.Counts(ctx)
		open, total := 0, 0
		if err == nil {
			for st, n := range counts {
				total += n
				if !st.Settled() {
					open += n
				}
			}
		}
		if err == nil && total >= want && open == 0 {
			return 0
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return max(open, want-total)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// postShopifyOrder sends a signed orders/create for one line.
func postShopifyOrder(ctx context.Context, hc *http.Client, target string, secret []byte, id int64, sku string, qty int) error {
	now := time.Now().UTC().Format(time.RFC3339)
	body := fmt.Appendf(nil, `{"id":%d,"name":"#F%d","email":"buyer%d@example.com","created_at":%q,"updated_at":%q,"currency":"USD",`+
		`"total_price":"%d.00","financial_status":"paid","customer":{"email":"buyer%d@example.com","first_name":"Flash","last_name":"Buyer"},`+
		`"line_items":[{"id":%d,"sku":%q,"title":"Flash sale item","quantity":%d,"price":"10.00","requires_shipping":false}]}`,
		id, id, id, now, now, 10*qty, id, id*10+1, sku, qty)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return err
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set(shopify.HeaderHmac, shopify.Sign(body, secret))
	h.Set(shopify.HeaderTopic, "orders/create")
	h.Set(shopify.HeaderShopDomain, "flash-sale.myshopify.com")
	h.Set(shopify.HeaderAPIVersion, "2025-07")
	h.Set(shopify.HeaderWebhookID, fmt.Sprintf("flash-%d", id))
	h.Set(shopify.HeaderEventID, fmt.Sprintf("flash-evt-%d", id))
	h.Set(shopify.HeaderTriggeredAt, time.Now().UTC().Format(time.RFC3339Nano))
	for attempt := 1; ; attempt++ {
		resp, err := hc.Do(req.Clone(ctx))
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode/100 == 2 {
				return nil
			}
			err = fmt.Errorf("order %d: %s", id, resp.Status)
		}
		if attempt == 5 {
			return err
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		time.Sleep(time.Duration(attempt) * 200 * time.Millisecond)
	}
}
