package fishbowl_test

import (
	"testing"

	"github.com/ordergate/ordergate/internal/erp/erptest"
	"github.com/ordergate/ordergate/internal/erp/fishbowl"
	"github.com/ordergate/ordergate/internal/erp/fishbowl/fishbowlfake"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	t.Run("OneLocation", func(t *testing.T) {
		t.Parallel()
		erptest.Run(t, func(t *testing.T) erptest.Harness {
			b := setup(t)
			return harness(b, b.fake.SetStock)
		})
	})
	// Stock split over two locations, and searches answered a row at a
	// time, so that every read sums rows and follows pages.
	t.Run("TwoLocationsOneRowPerPage", func(t *testing.T) {
		t.Parallel()
		erptest.Run(t, func(t *testing.T) erptest.Harness {
			b := setup(t, func(fc *fishbowlfake.Config, _ *fishbowl.Config) { fc.MaxPageSize = 1 })
			return harness(b, func(sku string, qty int) {
				b.fake.SetStockAt(sku, map[string]int{"Main": qty / 2, "Overflow": qty - qty/2})
			})
		})
	})
}

func harness(b bundle, setStock func(string, int)) erptest.Harness {
	return erptest.Harness{
		Client:        b.client,
		SetStock:      setStock,
		UnknownSKU:    "NO-SUCH-SKU",
		Stall:         b.fake.Stall,
		LoseNextReply: b.fake.LoseNextReply,
		Throttle:      b.fake.Throttle,
	}
}
