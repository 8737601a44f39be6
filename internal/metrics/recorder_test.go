package metrics_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/metrics"
	"github.com/ordergate/ordergate/internal/notify"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
)

func TestRecorder_NilRecordsNothing(t *testing.T) {
	t.Parallel()
	var rec *metrics.Recorder
	_, client := simERP(t, erpsim.Config{})
	if c := rec.InstrumentERP("sim", client); c != client {
		t.Error("a nil recorder wrapped the client")
	}
	rec.WatchBudget("sim", erp.NewBudget(1))
	rec.ReadJobs(func(context.Context) ([]metrics.QueueJobs, error) { return nil, nil })
	rec.Register()
	rec.Webhook("shop1", "orders/create", metrics.WebhookStored, time.Millisecond)
	o := &order.Order{Key: order.Key{Storefront: "shop1", ID: "1"}, CapturedAt: time.Now(), AcknowledgedAt: time.Now(), SettledAt: time.Now()}
	rec.OrderAcknowledged(o)
	rec.OrderConfirmed(o)
	rec.ConfirmationHandoff(time.Millisecond)
	rec.Notification(notify.Confirmation, metrics.NotifySent)
	rec.MarketplacePush("amazon", "sent")
	if h := rec.Handler(); h == nil {
		t.Error("a nil recorder has no handler")
	}
}

func TestRecorder_OrderLatenciesAreObservedFromTheOrdersTimes(t *testing.T) {
	t.Parallel()
	rec := metrics.New(slog.New(slog.DiscardHandler))
	captured := time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)
	o := &order.Order{Key: order.Key{Storefront: "shop1", ID: "1"}, CapturedAt: captured,
		AcknowledgedAt: captured.Add(90 * time.Second), SettledAt: captured.Add(92 * time.Second)}
	rec.OrderAcknowledged(o)
	rec.OrderConfirmed(o)
	// A storefront that gives no capture time: only ack → confirmation.
	rec.OrderConfirmed(&order.Order{Key: order.Key{Storefront: "shop2", ID: "1"},
		AcknowledgedAt: captured, SettledAt: captured.Add(time.Second)})

	wantSamples(t, scrape(t, rec.Handler()), map[string]float64{
		`ordergate_capture_to_ack_seconds_count{storefront="shop1"}`:                     1,
		`ordergate_capture_to_ack_seconds_sum{storefront="shop1"}`:                       90,
		`ordergate_capture_to_ack_seconds_bucket{storefront="shop1",le="60"}`:            0,
		`ordergate_capture_to_ack_seconds_bucket{storefront="shop1",le="120"}`:           1,
		`ordergate_ack_to_confirmation_seconds_count{storefront="shop1"}`:                1,
		`ordergate_ack_to_confirmation_seconds_sum{storefront="shop1"}`:                  2,
		`ordergate_capture_to_confirmation_seconds_count{storefront="shop1"}`:            1,
		`ordergate_capture_to_confirmation_seconds_sum{storefront="shop1"}`:              92,
		`ordergate_ack_to_confirmation_seconds_count{storefront="shop2"}`:                1,
		`ordergate_capture_to_confirmation_seconds_bucket{storefront="shop1",le="+Inf"}`: 1,
	})
	got := scrape(t, rec.Handler())
	if _, ok := got[`ordergate_capture_to_confirmation_seconds_count{storefront="shop2"}`]; ok {
		t.Error("an order without a capture time was observed from its capture")
	}
}

func TestRecorder_ConfirmationHandoffHasSubMillisecondBuckets(t *testing.T) {
	t.Parallel()
	rec := metrics.New(slog.New(slog.DiscardHandler))
	rec.ConfirmationHandoff(300 * time.Microsecond)
	rec.ConfirmationHandoff(3 * time.Millisecond)
	wantSamples(t, scrape(t, rec.Handler()), map[string]float64{
		`ordergate_confirmation_handoff_seconds_count`:               2,
		`ordergate_confirmation_handoff_seconds_bucket{le="0.0005"}`: 1,
		`ordergate_confirmation_handoff_seconds_bucket{le="0.002"}`:  1,
		`ordergate_confirmation_handoff_seconds_bucket{le="0.005"}`:  2,
	})
}

func TestReadJobs_ReportsEachQueueByStateAndItsOldestReadyJob(t *testing.T) {
	t.Parallel()
	rec := metrics.New(slog.New(slog.DiscardHandler))
	oldest := time.Now().Add(-90 * time.Second)
	fail := false
	rec.ReadJobs(func(context.Context) ([]metrics.QueueJobs, error) {
		if fail {
			return nil, errors.New("database is locked")
		}
		return []metrics.QueueJobs{
			{Queue: "erp_main", State: "available", Count: 3, Oldest: oldest},
			{Queue: "erp_main", State: "running", Count: 8},
			{Queue: "notify", State: "scheduled", Count: 2, Oldest: time.Now().Add(time.Hour)},
		}, nil
	})
	got := scrape(t, rec.Handler())
	wantSamples(t, got, map[string]float64{
		`ordergate_jobs{queue="erp_main",state="available"}`: 3,
		`ordergate_jobs{queue="erp_main",state="running"}`:   8,
		`ordergate_jobs{queue="erp_main",state="scheduled"}`: 0,
		`ordergate_jobs{queue="erp_main",state="retryable"}`: 0,
		`ordergate_jobs{queue="notify",state="scheduled"}`:   2,
		`ordergate_jobs{queue="notify",state="available"}`:   0,
		// A scheduled job is not late: nothing waits in notify.
		`ordergate_job_oldest_age_seconds{queue="notify"}`: 0,
	})
	if age := got[`ordergate_job_oldest_age_seconds{queue="erp_main"}`]; age < 90 || age > 120 {
		t.Errorf("oldest erp_main job %vs old, want about 90s", age)
	}

	fail = true
	for series := range scrape(t, rec.Handler()) {
		if strings.HasPrefix(series, "ordergate_job") {
			t.Errorf("%s reported when the queue could not be read", series)
		}
	}
}

func TestRecorder_EachGatewayHasItsOwnRegistry(t *testing.T) {
	t.Parallel()
	a := metrics.New(slog.New(slog.DiscardHandler))
	b := metrics.New(slog.New(slog.DiscardHandler))
	a.Webhook("shop1", "orders/create", metrics.WebhookStored, time.Millisecond)
	for name, h := range map[string]http.Handler{"a": a.Handler(), "b": b.Handler()} {
		want := 1.0
		if name == "b" {
			want = 0
		}
		got := scrape(t, h)[`ordergate_webhooks_total{result="stored",storefront="shop1",topic="orders/create"}`]
		if got != want {
			t.Errorf("recorder %s counts %v stored webhooks, want %v", name, got, want)
		}
	}
}
