package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"github.com/ordergate/ordergate/internal/config"
	"github.com/ordergate/ordergate/internal/cutover"
	"github.com/ordergate/ordergate/internal/erp/sandbox"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
	"github.com/ordergate/ordergate/internal/sandbox/mailbox"
	"github.com/ordergate/ordergate/internal/sandbox/storesim"
	"github.com/ordergate/ordergate/internal/store"
)

// The cutover scenario: one Shopify shop whose orders the legacy flow
// handles (it confirms on capture; its connector puts the order in the ERP
// seconds later, a few of them after the SLA, and loses some) while the
// gateway runs beside it, walking the rollout 0 → 10 → 50 → 100 percent and
// printing the cutover report at each step.

// cutoverSteps are the rollout percentages the scenario walks.
var cutoverSteps = []int{0, 10, 50, 100}

const (
	cutoverShop = "demo-shop"
	cutoverSLA  = 5 * time.Second
)

// legacyFlow plays the legacy connector: it puts each legacy-cohort order
// in the ERP itself, under the gateway's external id (so that the shadow
// watch's Lookup finds it, as a real connector must make possible), after
// a delay from capture. In a live shop it would skip the orders the
// gateway tags as gated; here it asks the gateway's store which cohort an
// order is in, which is the same decision.
type legacyFlow struct {
	store  store.Store
	client *sandbox.Client
	rng    *rand.Rand
	log    *slog.Logger

	mu      sync.Mutex
	planned map[order.Key]*legacyOrder
	created int
	lost    int
}

// legacyOrder is one order the legacy connector has planned.
type legacyOrder struct {
	at       time.Time // when to create it; zero: lost, never created
	inFlight bool
	done     bool
}

// legacyConcurrency is how many creates the legacy connector has in
// flight at once.
const legacyConcurrency = 16

// delay draws the legacy connector's lag from capture: mostly 0.5–3s, one
// in ten 6–9s (after the 5s SLA), one in fifty never.
func (l *legacyFlow) delay() (time.Duration, bool) {
	switch x := l.rng.Float64(); {
	case x < 0.02:
		return 0, false
	case x < 0.12:
		return 6*time.Second + time.Duration(l.rng.Int64N(int64(3*time.Second))), true
	default:
		return 500*time.Millisecond + time.Duration(l.rng.Int64N(int64(2500*time.Millisecond))), true
	}
}

func (l *legacyFlow) run(ctx context.Context) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	slots := make(chan struct{}, legacyConcurrency)
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		orders, err := l.store.List(ctx, store.Filter{Storefront: cutoverShop, State: order.Received, Limit: 1000})
		if err != nil {
			continue
		}
		now := time.Now()
		for _, o := range orders {
			if !o.Legacy() {
				continue
			}
			l.mu.Lock()
			p := l.planned[o.Key]
			if p == nil {
				p = &legacyOrder{}
				if d, ok := l.delay(); ok {
					p.at = o.CapturedAt.Add(d)
				} else {
					l.lost++
				}
				l.planned[o.Key] = p
			}
			due := !p.at.IsZero() && !now.Before(p.at) && !p.inFlight && !p.done
			if due {
				p.inFlight = true
			}
			l.mu.Unlock()
			if !due {
				continue
			}
			wg.Go(func() {
				slots <- struct{}{}
				defer func() { <-slots }()
				_, err := l.client.Submit(ctx, *o)
				l.mu.Lock()
				defer l.mu.Unlock()
				p.inFlight = false
				if err != nil {
					if ctx.Err() == nil {
						l.log.Warn("legacy connector: create failed; retrying", "order", o.Key.String(), "err", err)
					}
					return
				}
				p.done = true
				l.created++
			})
		}
	}
}

// runCutover runs the cutover scenario.
func (c *demoCmd) runCutover(ctx context.Context, log *slog.Logger) error {
	dbPath, ln, cleanup, err := c.dbAndListener(log)
	if err != nil {
		return err
	}
	defer cleanup()
	mb, err := mailbox.Start(mailbox.Options{Seed: c.Seed})
	if err != nil {
		return fmt.Errorf("mailbox: %w", err)
	}
	defer mb.Close()
	sim := erpsim.New(erpsim.Config{Seed: c.Seed, Latency: demoLatency, Stock: catalogueStock()})
	defer sim.Close()
	erpURL, closeERP, err := serveLoopback(sim)
	if err != nil {
		return fmt.Errorf("sandbox erp: %w", err)
	}
	defer closeERP()

	sc := scenario{name: "cutover", sla: cutoverSLA,
		shops: []demoShop{{name: cutoverShop, kind: config.StorefrontShopify, mode: config.ModeGated}}}
	secret, token := randomHex(32), randomHex(16)
	env := map[string]string{"DEMO_SECRET": secret}
	cfg, err := config.Parse([]byte(sc.yaml(dbPath, ln.Addr().String(), c.LogLevel, erpURL, mb.Addr(), "", "", demoAPIs{})), func(k string) string { return env[k] })
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

	client, err := sandbox.New(sandbox.Config{BaseURL: erpURL, Timeout: 5 * time.Second})
	if err != nil {
		return err
	}
	legacy := &legacyFlow{store: gw.store, client: client, rng: rand.New(rand.NewPCG(uint64(c.Seed), 7)), log: log,
		planned: make(map[order.Key]*legacyOrder)}
	lctx, stopLegacy := context.WithCancel(ctx)
	defer stopLegacy()
	go legacy.run(lctx)

	fmt.Printf("ordergate demo, scenario cutover\n")
	fmt.Printf("  storefront %s %s/webhooks/shopify/%s, beside a simulated legacy flow (confirms on capture; its connector puts the order in the erp 0.5-3s later, 1 in 10 after the %s SLA, 1 in 50 never)\n", cutoverShop, gw.addr(), cutoverShop, cutoverSLA)
	fmt.Printf("  API        curl -H 'Authorization: Bearer %s' %s/api/v1/cutover/report\n", token, gw.addr())
	fmt.Printf("  walking the rollout %v percent, %d orders a step at %.0f/s, seed %d\n", cutoverSteps, c.Orders, c.Rate, c.Seed)

	sfs := []cutover.Storefront{{Name: cutoverShop, SLA: cutoverSLA}}
	var last cutover.Report
	var broken []string
	started := time.Now()
	for i, pct := range cutoverSteps {
		if err := gw.gate.SetRollout(ctx, cutover.Setting{Storefront: cutoverShop, Mode: config.ModeGated, Percent: pct,
			By: "demo", Reason: fmt.Sprintf("step %d of the walk", i+1)}); err != nil {
			return err
		}
		stepStart := time.Now()
		offset := int64(i+1) * 1_000_000
		simCfg := flavored(c.simBase(c.Orders, c.Rate, offset), config.StorefrontShopify, offset)
		simCfg.Target, simCfg.Secret = gw.addr()+"/webhooks/shopify/"+cutoverShop, []byte(secret)
		s := storesim.New(simCfg)
		if err := s.Run(ctx); err != nil {
			return fmt.Errorf("storefront simulator: %w", err)
		}
		if err := c.awaitStep(ctx, gw.store, stepStart, s.Progress().Accepted); err != nil {
			return err
		}
		last, err = cutover.Build(ctx, gw.store, sfs, stepStart, time.Now(), cutover.DefaultThresholds())
		if err != nil {
			return err
		}
		fmt.Printf("\n== rollout %d%%  (%d orders, step %.1fs)\n", pct, last.Cohorts.Gated.Orders+last.Cohorts.Legacy.Orders, time.Since(stepStart).Seconds())
		if err := cutover.WriteText(os.Stdout, last); err != nil {
			return err
		}
		broken = append(broken, judgeCutoverStep(ctx, gw.store, sim, mb, stepStart, pct)...)
	}
	legacy.mu.Lock()
	fmt.Printf("\nlegacy connector: %d orders put in the erp, %d lost; whole walk %.1fs\n", legacy.created, legacy.lost, time.Since(started).Seconds())
	legacy.mu.Unlock()
	if c.JSON != "" {
		if err := writeJSONFile(c.JSON, last); err != nil {
			return err
		}
	}
	if len(broken) > 0 {
		for _, b := range broken {
			fmt.Println("  VIOLATION", b)
		}
		return errors.New("an invariant was broken: see the violations above")
	}
	fmt.Println("PASS  no gated order confirmed before the erp held it, no message for a legacy order, no duplicate erp order (judged from the erp's and the mailbox's records)")
	if !c.Exit {
		fmt.Printf("\nthe gateway keeps running at %s — Ctrl-C to stop\n", gw.addr())
		<-ctx.Done()
	}
	return nil
}

// awaitStep waits until the step's orders are all in the gateway and each
// is settled or flagged for attention (a legacy order the ERP has not got
// by its SLA is flagged).
func (c *demoCmd) awaitStep(ctx context.Context, s store.Store, since time.Time, accepted int) error {
	deadline := time.Now().Add(c.Timeout)
	for {
		orders, err := listOrders(ctx, s, store.Filter{Storefront: cutoverShop})
		if err != nil {
			return err
		}
		n, open := 0, 0
		for _, o := range orders {
			if o.ReceivedAt.Before(since) {
				continue
			}
			n++
			if !o.State().Settled() && o.Attention == "" {
				open++
			}
		}
		if n >= accepted && open == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d orders still unsettled after %s", open, c.Timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// judgeCutoverStep checks the step against the ERP's and the mailbox's own
// records, not the gateway's belief: every gated order confirmed to its
// customer was in the ERP before the message arrived, no legacy order got a
// message from the gateway, and the ERP holds no order twice.
func judgeCutoverStep(ctx context.Context, s store.Store, sim *erpsim.ERP, mb *mailbox.Mailbox, since time.Time, pct int) []string {
	var out []string
	orders, err := listOrders(ctx, s, store.Filter{Storefront: cutoverShop})
	if err != nil {
		return []string{"cannot list orders: " + err.Error()}
	}
	mail := make(map[string][]mailbox.Message)
	for _, m := range mb.Messages() {
		mail[m.Order] = append(mail[m.Order], m)
	}
	rec := sim.Records()
	for _, o := range orders {
		if o.ReceivedAt.Before(since) {
			continue
		}
		msgs := mail[o.Key.String()]
		held := rec.OrdersFor(o.Key.ExternalID())
		if len(held) > 1 {
			out = append(out, fmt.Sprintf("rollout %d%%: %s is in the erp %d times", pct, o.Key, len(held)))
		}
		if o.Legacy() {
			if len(msgs) > 0 {
				out = append(out, fmt.Sprintf("rollout %d%%: legacy order %s got %d messages from the gateway", pct, o.Key, len(msgs)))
			}
			continue
		}
		for _, m := range msgs {
			if m.Kind != "confirmation" {
				continue
			}
			if len(held) == 0 || m.ReceivedAt.Before(held[0].CreatedAt) {
				out = append(out, fmt.Sprintf("rollout %d%%: gated order %s confirmed before the erp held it", pct, o.Key))
			}
		}
	}
	return out
}
