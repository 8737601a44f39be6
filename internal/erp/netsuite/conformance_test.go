package netsuite_test

import (
	"sync"
	"testing"

	"github.com/ordergate/ordergate/internal/erp/erptest"
	"github.com/ordergate/ordergate/internal/erp/netsuite"
	"github.com/ordergate/ordergate/internal/erp/netsuite/netsuitefake"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	variants := []struct {
		name string
		opts opts
	}{
		{"OAuth2PS256", opts{auth: authRSA}},
		{"OAuth2ES256Async", opts{auth: authEC,
			fake:   func(c *netsuitefake.Config) { c.PendingPolls = 2 },
			client: func(c *netsuite.Config) { c.Async = true }}},
		{"TBA", opts{auth: authTBA}},
		// The async bodies Oracle publishes as invalid JSON, in that shape.
		{"TBAAsyncAsPublished", opts{auth: authTBA,
			fake:   func(c *netsuitefake.Config) { c.PendingPolls = 1; c.AsPublished = true },
			client: func(c *netsuite.Config) { c.Async = true }}},
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			erptest.Run(t, func(t *testing.T) erptest.Harness {
				b := setup(t, v.opts)
				var mu sync.Mutex
				var skus []string
				return erptest.Harness{
					Client: b.client,
					SetStock: func(sku string, qty int) {
						mu.Lock()
						skus = append(skus, sku)
						mu.Unlock()
						b.fake.SetStock(sku, qty)
					},
					UnknownSKU: "NO-SUCH-SKU",
					// Submit looks its SKUs up with SuiteQL before the
					// create. The suite's in-flight case means the
					// create itself, so the SKUs it stocked are looked
					// up (and the access token fetched) before the
					// stall; TestSubmit_CancelledBeforeTheCreateIsNotInDoubt
					// covers a cancel during the look-up.
					Stall: func() <-chan struct{} {
						mu.Lock()
						warm := append([]string(nil), skus...)
						mu.Unlock()
						if _, err := b.client.Availability(t.Context(), warm); err != nil {
							t.Fatalf("Availability before the stall: %v", err)
						}
						return b.fake.Stall()
					},
					LoseNextReply: b.fake.LoseNextReply,
					Throttle:      b.fake.Throttle,
					// NetSuite documents no Retry-After for REST, and
					// the fake sends none unless told to.
					ThrottleNamesNoWait: true,
				}
			})
		})
	}
}
