package metrics_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/metrics"
	"github.com/ordergate/ordergate/internal/metrics/storegauges"
	"github.com/ordergate/ordergate/internal/notify"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
	"github.com/ordergate/ordergate/internal/store/sqlite"
)

// dashboardPath is the sample Grafana dashboard, from this package.
var dashboardPath = filepath.Join("..", "..", "deploy", "grafana", "ordergate.json")

// metricName finds the gateway's metric names in a PromQL expression.
var metricName = regexp.MustCompile(`\bordergate_[a-zA-Z0-9_]+`)

// The dashboard's queries name only metrics that a gateway's /metrics
// serves, so that no panel stays empty for a misspelt or renamed metric.
func TestDashboard_QueriesOnlyMetricsTheEndpointExposes(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(dashboardPath)
	if err != nil {
		t.Fatal(err)
	}
	var dash dashboard
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatalf("%s is not valid JSON: %v", dashboardPath, err)
	}
	if dash.SchemaVersion < 36 {
		t.Errorf("schemaVersion %d, want a current one (39)", dash.SchemaVersion)
	}
	hasDS := slices.ContainsFunc(dash.Templating.List, func(v variable) bool {
		return v.Name == "DS_PROMETHEUS" && v.Type == "datasource" && v.Query == "prometheus"
	})
	if !hasDS {
		t.Error("no Prometheus datasource variable DS_PROMETHEUS")
	}

	exposed := exposedNames(t)
	exprs := map[string]string{} // expression → where it is
	ids := map[int]bool{}
	for _, p := range dash.Panels {
		if ids[p.ID] {
			t.Errorf("panel id %d used twice", p.ID)
		}
		ids[p.ID] = true
		if p.Type == "row" {
			continue
		}
		if p.Datasource.UID != "${DS_PROMETHEUS}" {
			t.Errorf("panel %q: datasource %q, want ${DS_PROMETHEUS}", p.Title, p.Datasource.UID)
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			exprs[tg.Expr] = "panel " + p.Title
		}
	}
	for _, v := range dash.Templating.List {
		if v.Type == "query" {
			exprs[v.Definition] = "variable " + v.Name
		}
	}
	for expr, where := range exprs {
		names := metricName.FindAllString(expr, -1)
		if len(names) == 0 {
			t.Errorf("%s: %q names no ordergate metric", where, expr)
		}
		for _, n := range names {
			if !exposed[n] {
				t.Errorf("%s: %q names %s, which /metrics does not expose", where, expr, n)
			}
		}
	}
}

// dashboard is what the test reads of a Grafana dashboard.
type dashboard struct {
	SchemaVersion int `json:"schemaVersion"`
	Panels        []struct {
		ID         int    `json:"id"`
		Type       string `json:"type"`
		Title      string `json:"title"`
		Datasource struct {
			UID string `json:"uid"`
		} `json:"datasource"`
		Targets []struct {
			Expr string `json:"expr"`
		} `json:"targets"`
	} `json:"panels"`
	Templating struct {
		List []variable `json:"list"`
	} `json:"templating"`
}

type variable struct {
	Name       string `json:"name"`
	Type       string `json:"type"`
	Query      any    `json:"query"` // a string or an object, by type
	Definition string `json:"definition"`
}

// exposedNames returns the name of every sample a gateway's /metrics
// serves once each kind of figure has something to report: histograms as
// their _bucket, _sum and _count series.
func exposedNames(t *testing.T) map[string]bool {
	t.Helper()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "m.db"), sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	at := time.Date(2026, 11, 27, 14, 2, 0, 0, time.UTC)
	if err := s.SaveRun(t.Context(), store.Run{ID: "r1", Kind: "reconcile", StartedAt: at, FinishedAt: at,
		Summary: []byte(`{"counts": {"stuck": 1}, "finished_at": "2026-11-27T14:02:01Z"}`)}); err != nil {
		t.Fatal(err)
	}

	rec := metrics.New(slog.New(slog.DiscardHandler))
	rec.Register(storegauges.New(s, slog.New(slog.DiscardHandler)))
	rec.Webhook("shop1", "orders/create", metrics.WebhookStored, time.Millisecond)
	o := &order.Order{Key: order.Key{Storefront: "shop1", ID: "1"}, CapturedAt: at, AcknowledgedAt: at.Add(time.Second), SettledAt: at.Add(2 * time.Second)}
	rec.OrderAcknowledged(o)
	rec.OrderConfirmed(o)
	c := rec.InstrumentERP("main", fakeERP{})
	if _, err := c.Submit(t.Context(), *o); err != nil {
		t.Fatal(err)
	}
	rec.WatchBudget("main", erp.NewBudget(4))
	rec.ReadJobs(func(context.Context) ([]metrics.QueueJobs, error) {
		return []metrics.QueueJobs{{Queue: "erp_main", State: "available", Count: 1, Oldest: at}}, nil
	})
	rec.Notification(notify.Confirmation, metrics.NotifySent)
	rec.MarketplacePush("amazon", "sent")

	names := make(map[string]bool)
	for series := range scrape(t, rec.Handler()) {
		name, _, _ := strings.Cut(series, "{")
		names[name] = true
	}
	return names
}

// fakeERP answers every call at once.
type fakeERP struct{}

func (fakeERP) Submit(_ context.Context, o order.Order) (erp.Receipt, error) {
	return erp.Receipt{Ref: "SO-1", ExternalID: o.Key.ExternalID(), Status: erp.StatusAcknowledged}, nil
}

func (fakeERP) Lookup(context.Context, string) (erp.Receipt, error) {
	return erp.Receipt{}, erp.ErrNotFound
}

func (fakeERP) Cancel(context.Context, string, string) error { return nil }

func (fakeERP) Availability(context.Context, []string) (map[string]int, error) {
	return map[string]int{}, nil
}
