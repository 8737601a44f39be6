package gate

import (
	"context"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
)

// logRecords keeps what the gate logs, for a test to read.
type logRecords struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (l *logRecords) Enabled(context.Context, slog.Level) bool { return true }

func (l *logRecords) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recs = append(l.recs, r.Clone())
	return nil
}

func (l *logRecords) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logRecords) WithGroup(string) slog.Handler      { return l }

// messages returns the attributes of every record logged with msg, oldest
// first.
func (l *logRecords) messages(msg string) []map[string]string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]string
	for _, r := range l.recs {
		if r.Message != msg {
			continue
		}
		attrs := make(map[string]string)
		r.Attrs(func(a slog.Attr) bool {
			attrs[a.Key] = a.Value.String()
			return true
		})
		out = append(out, attrs)
	}
	return out
}

// put stores an order received at received, changed by change, as if by an
// earlier run of the gate, and enqueues none of its jobs: no submit, and no
// SLA check of its own (as for an order whose check was lost, or was never
// scheduled because the storefront had no SLA when it came in).
func (b *bundle) put(t *testing.T, id string, received time.Time, change func(*order.Order) error) order.Key {
	t.Helper()
	o := testOrder(id, t0, line("A", 1))
	_, err := b.store.Ingest(t.Context(), store.Delivery{DedupKey: "put-" + id, Storefront: testStorefront, OrderID: id,
		ReceivedAt: received, Body: []byte("{}")},
		func(tx store.Tx, _ *order.Order) (*order.Order, error) {
			s := order.New(o, received, "shopify", "orders/create delivery put-"+id)
			if change != nil {
				if err := change(s); err != nil {
					return nil, err
				}
			}
			return s, nil
		})
	if err != nil {
		t.Fatalf("store order %s: %v", id, err)
	}
	return o.Key
}

func TestSLASweep_MarksAnOrderWithoutItsOwnCheckOverdueAndAlertsOnce(t *testing.T) {
	t.Parallel()
	hook := &alerts{}
	logs := &logRecords{}
	b := setup(t, options{
		stopped:       true,
		storefront:    func(sf *Storefront) { sf.SLA = 15 * time.Minute },
		alerts:        hook,
		sweepInterval: time.Second,
		instance:      "replica-a",
		log:           logs,
	})
	hourAgo := time.Now().Add(-time.Hour)
	late := b.put(t, "1001", hourAgo, nil)
	settled := b.put(t, "1002", hourAgo, func(o *order.Order) error { return o.Cancel("customer", "shopify", hourAgo) })
	young := b.put(t, "1003", time.Now(), nil)
	b.start(t)

	b.waitFor(t, late, "marked overdue", func(o *order.Order) bool { return o.Overdue() })
	eventually(t, "the alert", func() bool { return len(hook.all()) == 1 })
	if a := hook.all()[0]; a.Key != late || a.SLA != 15*time.Minute {
		t.Errorf("alert %+v, want order %s with its 15m SLA", a, late)
	}
	// Two more sweeps, which must find nothing more to do.
	seen := len(logs.messages("sla sweep"))
	eventually(t, "two more sweeps", func() bool { return len(logs.messages("sla sweep")) >= seen+2 })

	tl := b.timeline(t, late)
	overdue := ofKind(tl, order.EventOverdue)
	if len(overdue) != 1 || !strings.Contains(overdue[0].Detail, "marked overdue by the sla sweep") {
		t.Errorf("overdue entries %+v, want one saying the sla sweep marked it", overdue)
	}
	eventually(t, "the alert recorded", func() bool { return len(ofKind(b.timeline(t, late), order.EventAlerted)) == 1 })
	if n := len(hook.all()); n != 1 {
		t.Errorf("announced %d times, want once", n)
	}
	for _, key := range []order.Key{settled, young} {
		o, err := b.store.Get(t.Context(), key)
		if err != nil {
			t.Fatal(err)
		}
		if !o.OverdueAt.IsZero() {
			t.Errorf("order %s (%s, received %s ago) marked overdue at %v", key, o.State(), time.Since(o.ReceivedAt).Round(time.Second), o.OverdueAt)
		}
	}
	marked := 0
	for _, s := range logs.messages("sla sweep") {
		if s["instance"] != "replica-a" || s["leader"] != "replica-a" {
			t.Errorf("sweep logged instance %q, leader %q; want replica-a, the one process, for both", s["instance"], s["leader"])
		}
		n, _ := strconv.Atoi(s["marked"])
		marked += n
	}
	if marked != 1 {
		t.Errorf("the sweeps logged %d orders marked, want 1", marked)
	}
}

func TestSLASweep_LeavesStorefrontsWithoutAnSLAAlone(t *testing.T) {
	t.Parallel()
	logs := &logRecords{}
	b := setup(t, options{stopped: true, sweepInterval: time.Second, log: logs})
	key := b.put(t, "1001", time.Now().Add(-30*24*time.Hour), nil)
	b.start(t)
	eventually(t, "two sweeps", func() bool { return len(logs.messages("sla sweep")) >= 2 })
	o, err := b.store.Get(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	if !o.OverdueAt.IsZero() {
		t.Errorf("an order of a storefront with no SLA was marked overdue at %v", o.OverdueAt)
	}
}

func TestNew_InstanceDefaultsToHostnameAndPID(t *testing.T) {
	t.Parallel()
	g, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	if want := host + ":" + strconv.Itoa(os.Getpid()); g.cfg.Instance != want {
		t.Errorf("Instance = %q, want %q", g.cfg.Instance, want)
	}
	if g.cfg.SweepInterval != time.Minute {
		t.Errorf("SweepInterval = %v, want the 1m default", g.cfg.SweepInterval)
	}
}
