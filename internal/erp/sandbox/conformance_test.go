package sandbox_test

import (
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/erp/erptest"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	catalogues := []struct {
		name string
		cfg  erpsim.Config
	}{
		// Only the SKUs in Stock exist; the suite adds its own.
		{"ClosedCatalogue", erpsim.Config{Stock: map[string]int{"WIDGET": 5}, UnknownSKUs: []string{"NO-SUCH-SKU"}}},
		// Every SKU exists unless listed unknown.
		{"OpenCatalogue", erpsim.Config{UnknownSKUs: []string{"NO-SUCH-SKU"}}},
		// Shortfalls are recorded as backorders and unknown SKUs as short
		// lines, the other branch of the suite's stock cases.
		{"BackorderAndPartial", erpsim.Config{UnknownSKUs: []string{"NO-SUCH-SKU"}, Backorder: true, PartialUnknown: true}},
		// Orders are pending until validated; the suite looks them up.
		{"AcknowledgedLater", erpsim.Config{UnknownSKUs: []string{"NO-SUCH-SKU"}, Backorder: true, AckDelay: 30 * time.Millisecond}},
	}
	for _, c := range catalogues {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			erptest.Run(t, func(t *testing.T) erptest.Harness {
				s := newStaller()
				b := setupHandler(t, c.cfg, 0, s.wrap)
				return erptest.Harness{
					Client:        b.client,
					SetStock:      b.sim.SetStock,
					UnknownSKU:    "NO-SUCH-SKU",
					Stall:         s.stall,
					LoseNextReply: func() { b.sim.PlanFaults(erpsim.Faults{InDoubtRate: 1}) },
					Throttle: func(after time.Duration) {
						b.sim.PlanFaults(erpsim.Faults{ThrottleRate: 1, RetryAfter: after})
					},
				}
			})
		})
	}
}
