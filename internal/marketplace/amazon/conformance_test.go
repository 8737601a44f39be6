package amazon_test

import (
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/marketplace/marketplacetest"
)

// TestConformance runs the shared connector suite against the fake. Amazon
// sends no Retry-After with its 429s as a rule; the variant with one checks
// that the client reads it when it comes.
func TestConformance(t *testing.T) {
	t.Parallel()
	for _, withWait := range []bool{false, true} {
		name := map[bool]string{false: "ThrottleWithoutRetryAfter", true: "ThrottleWithRetryAfter"}[withWait]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			marketplacetest.Run(t, func(t *testing.T) marketplacetest.Harness {
				b := setup(t)
				return marketplacetest.Harness{
					Connector:  b.client,
					AddListing: func(sku string) { b.fake.AddListing(sku, "LUGGAGE") },
					Quantity:   b.fake.Quantity,
					UnknownSKU: "NO-SUCH-SKU",
					Requests:   func() int { return len(b.fake.Requests()) },
					Throttle: func(after time.Duration) {
						if !withWait {
							after = 0
						}
						b.fake.Throttle(after)
					},
					ThrottleNamesNoWait: !withWait,
					Fail:                b.fake.Fail,
					ExpireTokens:        b.fake.ExpireTokens,
					RefuseCredentials:   b.fake.RefuseCredentials,
					Secrets:             []string{testClientSecret, testRefreshToken},
					Stall:               b.fake.Stall,
				}
			})
		})
	}
}
