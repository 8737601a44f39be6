package walmart_test

import (
	"testing"

	"github.com/ordergate/ordergate/internal/marketplace/marketplacetest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	marketplacetest.Run(t, func(t *testing.T) marketplacetest.Harness {
		b := setup(t, nil)
		return marketplacetest.Harness{
			Connector:         b.client,
			AddListing:        b.fake.AddItem,
			Quantity:          b.fake.Quantity,
			UnknownSKU:        "NO-SUCH-SKU",
			Requests:          func() int { return len(b.fake.Requests()) },
			Throttle:          b.fake.Throttle,
			Fail:              b.fake.Fail,
			ExpireTokens:      b.fake.ExpireTokens,
			RefuseCredentials: b.fake.RefuseCredentials,
			Secrets:           []string{testClientSecret},
			Stall:             b.fake.Stall,
		}
	})
}
