package cin7_test

import (
	"net/http"
	"testing"

	"github.com/ordergate/ordergate/internal/erp/cin7"
	"github.com/ordergate/ordergate/internal/erp/cin7/cin7fake"
	"github.com/ordergate/ordergate/internal/erp/erptest"
)

// TestConformance runs the shared ERP suite against the fake Cin7. The
// suite's lost reply is the reply to POST /sale/order: that is the call
// that places the order and allocates its stock, which the suite then
// looks for. A reply lost on POST /sale leaves a sale with no lines yet;
// TestSubmit_LostSaleReplyIsPendingUntilSubmitFinishesIt covers it.
func TestConformance(t *testing.T) {
	t.Parallel()
	variants := []struct {
		name string
		// fake adjusts the fake; noWait says its throttling names no wait.
		fake   func(*cin7fake.Config)
		noWait bool
		clock  bool
	}{
		// As documented: 503, no Retry-After.
		{name: "Throttle503", fake: func(*cin7fake.Config) {}, noWait: true},
		// As a later copy of the docs has it (429), with a Retry-After the
		// docs do not promise. The client then holds its calls back for
		// the wait; a fake clock spares the test the sleep.
		{name: "Throttle429WithRetryAfter", fake: func(c *cin7fake.Config) {
			c.ThrottleStatus = http.StatusTooManyRequests
			c.RetryAfterHeader = true
		}, clock: true},
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			erptest.Run(t, func(t *testing.T) erptest.Harness {
				clk := newClock()
				b := setup(t, func(f *cin7fake.Config, c *cin7.Config) {
					v.fake(f)
					if v.clock {
						withClock(clk)(f, c)
					}
				})
				if v.clock {
					b.client.SetSleep(clk.sleep)
				}
				return erptest.Harness{
					Client:              b.client,
					SetStock:            b.erp.SetStock,
					UnknownSKU:          "NO-SUCH-SKU",
					Stall:               b.erp.Stall,
					LoseNextReply:       func() { b.erp.LoseNextReply(cin7fake.PathSaleOrder) },
					Throttle:            b.erp.Throttle,
					ThrottleNamesNoWait: v.noWait,
				}
			})
		})
	}
}
