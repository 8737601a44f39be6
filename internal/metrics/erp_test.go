package metrics_test

import (
	"errors"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/erp/sandbox"
	"github.com/ordergate/ordergate/internal/metrics"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
)

// simERP serves a sandbox ERP over HTTP and returns it with a client for
// it, as the gate would use it.
func simERP(t *testing.T, cfg erpsim.Config) (*erpsim.ERP, erp.Client) {
	t.Helper()
	sim := erpsim.New(cfg)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	t.Cleanup(sim.Close)
	c, err := sandbox.New(sandbox.Config{BaseURL: srv.URL, Timeout: 5 * time.Second, HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	return sim, c
}

func testOrder(id, sku string) order.Order {
	return order.Order{
		Key:      order.Key{Storefront: "shop1", ID: id},
		Name:     "#" + id,
		Customer: order.Customer{Name: "Ada Buyer", Email: "ada@example.com"},
		Currency: "USD",
		Lines:    []order.LineItem{{SKU: sku, Quantity: 1}},
	}
}

func TestInstrumentERP_CountsEachCallByOperationAndResult(t *testing.T) {
	t.Parallel()
	sim, client := simERP(t, erpsim.Config{UnknownSKUs: []string{"SKU-GONE"}})
	rec := metrics.New(slog.New(slog.DiscardHandler))
	c := rec.InstrumentERP("sim", client)
	ctx := t.Context()

	good := testOrder("1", "SKU-1")
	if _, err := c.Submit(ctx, good); err != nil {
		t.Fatalf("submit: %v", err)
	}
	if _, err := c.Submit(ctx, testOrder("2", "SKU-GONE")); !errors.Is(err, erp.ErrRejected) {
		t.Fatalf("submit of an unknown sku: %v, want rejected", err)
	}
	if _, err := c.Lookup(ctx, good.Key.ExternalID()); err != nil {
		t.Fatalf("lookup: %v", err)
	}
	if _, err := c.Lookup(ctx, "og-shop1-nope"); !errors.Is(err, erp.ErrNotFound) {
		t.Fatalf("lookup of no order: %v, want not found", err)
	}
	if _, err := c.Availability(ctx, []string{"SKU-1"}); err != nil {
		t.Fatalf("availability: %v", err)
	}
	// The simulator throttles creates only, until one has been answered.
	sim.PlanFaults(erpsim.Faults{ThrottleRate: 1, RetryAfter: time.Millisecond})
	if _, err := c.Submit(ctx, testOrder("3", "SKU-1")); !errors.Is(err, erp.ErrThrottled) {
		t.Fatalf("throttled submit: %v", err)
	}
	sim.PlanFaults(erpsim.Faults{InDoubtRate: 1})
	if _, err := c.Submit(ctx, testOrder("4", "SKU-1")); !errors.Is(err, erp.ErrInDoubt) {
		t.Fatalf("submit whose reply is lost: %v, want in doubt", err)
	}
	sim.PlanFaults(erpsim.Faults{ErrorRate: 1})
	if err := c.Cancel(ctx, good.Key.ExternalID(), "test"); !errors.Is(err, erp.ErrUnavailable) {
		t.Fatalf("cancel while the erp is down: %v, want unavailable", err)
	}
	sim.PlanFaults()
	if err := c.Cancel(ctx, good.Key.ExternalID(), "test"); err != nil {
		t.Fatalf("cancel: %v", err)
	}

	got := scrape(t, rec.Handler())
	wantSamples(t, got, map[string]float64{
		`ordergate_erp_calls_total{erp="sim",op="submit",result="ok"}`:           1,
		`ordergate_erp_calls_total{erp="sim",op="submit",result="rejected"}`:     1,
		`ordergate_erp_calls_total{erp="sim",op="submit",result="throttled"}`:    1,
		`ordergate_erp_calls_total{erp="sim",op="submit",result="in_doubt"}`:     1,
		`ordergate_erp_calls_total{erp="sim",op="submit",result="error"}`:        0,
		`ordergate_erp_calls_total{erp="sim",op="lookup",result="ok"}`:           1,
		`ordergate_erp_calls_total{erp="sim",op="lookup",result="not_found"}`:    1,
		`ordergate_erp_calls_total{erp="sim",op="lookup",result="throttled"}`:    0,
		`ordergate_erp_calls_total{erp="sim",op="cancel",result="ok"}`:           1,
		`ordergate_erp_calls_total{erp="sim",op="cancel",result="error"}`:        1,
		`ordergate_erp_calls_total{erp="sim",op="availability",result="ok"}`:     1,
		`ordergate_erp_calls_total{erp="sim",op="availability",result="error"}`:  0,
		`ordergate_erp_throttled_total{erp="sim"}`:                               1,
		`ordergate_erp_call_duration_seconds_count{erp="sim",op="submit"}`:       4,
		`ordergate_erp_call_duration_seconds_count{erp="sim",op="lookup"}`:       2,
		`ordergate_erp_call_duration_seconds_count{erp="sim",op="cancel"}`:       2,
		`ordergate_erp_call_duration_seconds_count{erp="sim",op="availability"}`: 1,
	})
	if got[`ordergate_erp_call_duration_seconds_sum{erp="sim",op="submit"}`] <= 0 {
		t.Error("submit durations sum to nothing")
	}
}

func TestWatchBudget_ReportsCallsInFlightAndWaitingAtTheScrape(t *testing.T) {
	t.Parallel()
	rec := metrics.New(slog.New(slog.DiscardHandler))
	b := erp.NewBudget(2)
	rec.WatchBudget("sim", b)
	wantSamples(t, scrape(t, rec.Handler()), map[string]float64{
		`ordergate_erp_inflight{erp="sim"}`: 0,
		`ordergate_erp_waiting{erp="sim"}`:  0,
	})

	for range 2 {
		if err := b.Acquire(t.Context(), erp.PriorityNew); err != nil {
			t.Fatal(err)
		}
	}
	var waiters sync.WaitGroup
	for range 3 {
		waiters.Go(func() {
			if err := b.Acquire(t.Context(), erp.PriorityStock); err == nil {
				b.Release()
			}
		})
	}
	deadline := time.Now().Add(10 * time.Second)
	for b.Waiting() < 3 {
		if time.Now().After(deadline) {
			t.Fatal("the waiters never queued")
		}
		time.Sleep(time.Millisecond)
	}
	wantSamples(t, scrape(t, rec.Handler()), map[string]float64{
		`ordergate_erp_inflight{erp="sim"}`: 2,
		`ordergate_erp_waiting{erp="sim"}`:  3,
	})

	b.Release()
	b.Release()
	waiters.Wait()
	wantSamples(t, scrape(t, rec.Handler()), map[string]float64{
		`ordergate_erp_inflight{erp="sim"}`: 0,
		`ordergate_erp_waiting{erp="sim"}`:  0,
	})
}
