package storegauges_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/metrics"
	"github.com/ordergate/ordergate/internal/metrics/storegauges"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
	"github.com/ordergate/ordergate/internal/store/sqlite"
)

func TestHandler_ReportsOrdersByStateAndOverdueFromTheStore(t *testing.T) {
	t.Parallel()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "m.db"), sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	at := time.Date(2026, 11, 27, 14, 2, 0, 0, time.UTC)
	for i, id := range []string{"1", "2", "3"} {
		_, err := s.Ingest(context.Background(), store.Delivery{DedupKey: id, Storefront: "shop1", OrderID: id, ReceivedAt: at, Body: []byte("{}")},
			func(tx store.Tx, _ *order.Order) (*order.Order, error) {
				o := order.New(order.Order{Key: order.Key{Storefront: "shop1", ID: id}}, at, "test", "")
				if i == 0 {
					o.MarkOverdue(time.Minute, at.Add(time.Minute))
				}
				if i == 2 {
					return o, o.Reject("unknown sku", at)
				}
				return o, nil
			})
		if err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(handler(s))
	t.Cleanup(srv.Close)
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	body := string(b)
	for _, want := range []string{
		`ordergate_orders{state="received"} 2`,
		`ordergate_orders{state="rejected"} 1`,
		`ordergate_orders{state="confirmed"} 0`,
		"ordergate_orders_overdue 1",
		"ordergate_store_up 1",
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestHandler_ReportsTheLatestReconciliationRun(t *testing.T) {
	t.Parallel()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "m.db"), sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	at := time.Date(2026, 11, 27, 14, 2, 0, 0, time.UTC)
	for i, summary := range []string{
		`{"counts": {"missing_in_gateway": 9}, "recovered": 9, "finished_at": "2026-11-27T14:02:01Z"}`,
		`{"counts": {"missing_in_gateway": 2, "stuck": 1}, "recovered": 2, "errors": ["shop1: list: down"], "finished_at": "2026-11-27T14:17:03Z"}`,
	} {
		if err := s.SaveRun(t.Context(), store.Run{ID: fmt.Sprint("r", i), Kind: "reconcile", StartedAt: at.Add(time.Duration(i) * 15 * time.Minute),
			FinishedAt: at.Add(time.Duration(i) * 15 * time.Minute), Summary: []byte(summary)}); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(handler(s))
	t.Cleanup(srv.Close)
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	body := string(b)
	for _, want := range []string{
		`ordergate_reconcile_findings{kind="missing_in_gateway"} 2`,
		`ordergate_reconcile_findings{kind="stuck"} 1`,
		`ordergate_reconcile_findings{kind="missing_in_erp"} 0`,
		"ordergate_reconcile_recovered 2",
		"ordergate_reconcile_errors 1",
		"ordergate_reconcile_last_run_timestamp_seconds 1.795789023e+09",
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("metrics lack %q:\n%s", want, grepLines(body, "ordergate_reconcile"))
		}
	}
}

// handler serves the store's gauges as the gateway does.
func handler(s store.Store) http.Handler {
	rec := metrics.New(slog.New(slog.DiscardHandler))
	rec.Register(storegauges.New(s, slog.New(slog.DiscardHandler)))
	return rec.Handler()
}

func grepLines(s, prefix string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
