package netsuite_test

import (
	"sync"
	"testing"

	"github.com/ordergate/ordergate/internal/erp/erptest"
	"github.com/ordergate/ordergate/internal/erp/netsuite"
	"github.com/ordergate/ordergate/internal/erp/netsuite/netsuitefake"
	"github.com/ordergate/ordergate/internal/order"
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
		// Without customer_id: each order's customer is found or created.
		{"NoCustomerIDOAuth2PS256", opts{auth: authRSA,
			client: func(c *netsuite.Config) { c.CustomerID = "" }}},
		// And on a OneWorld account, with the async create.
		{"NoCustomerIDOneWorldTBAAsync", opts{auth: authTBA,
			fake: func(c *netsuitefake.Config) {
				c.PendingPolls = 1
				c.RequireSubsidiary, c.Subsidiaries = true, []string{"1", "3"}
			},
			client: func(c *netsuite.Config) { c.CustomerID, c.SubsidiaryID, c.Async = "", "3", true }}},
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
					// Submit looks its SKUs (and without customer_id
					// its customer) up with SuiteQL before the create.
					// The suite's in-flight case means the create
					// itself, so the SKUs it stocked and the customer
					// are looked up (and the access token fetched)
					// before the stall;
					// TestSubmit_CancelledBeforeTheCreateIsNotInDoubt
					// and TestCustomer_FailuresBeforeTheSalesOrderAreNeverInDoubt
					// cover a cancel during the look-ups.
					Stall: func() <-chan struct{} {
						mu.Lock()
						warm := append([]string(nil), skus...)
						mu.Unlock()
						if _, err := b.client.Availability(t.Context(), warm); err != nil {
							t.Fatalf("Availability before the stall: %v", err)
						}
						if b.cfg.CustomerID == "" {
							// The customer every order of the suite has.
							o := order.Order{Key: order.Key{Storefront: "erptest", ID: "warm"},
								Customer: order.Customer{Name: "Ada Buyer", Email: "ada@example.com"}}
							if err := b.client.WarmCustomer(t.Context(), o); err != nil {
								t.Fatalf("customer before the stall: %v", err)
							}
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
