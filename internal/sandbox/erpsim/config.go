package erpsim

import (
	"math"
	"net/http"
	"time"
)

// Defaults for the zero values of Config and Faults.
const (
	DefaultStock      = 1_000_000
	DefaultShipDays   = 2
	DefaultRetryAfter = time.Second
	DefaultTimeout    = 30 * time.Second
)

// Config says what the simulated ERP holds and how it misbehaves. Its zero
// value is an ERP where every SKU exists with DefaultStock units, replies come
// at once, nothing fails, orders are acknowledged on creation and a repeated
// create makes a second order.
type Config struct {
	// Stock, if not empty, lists the only SKUs that exist and their stock.
	Stock map[string]int
	// DefaultStock is the stock of every SKU when Stock is empty; 0 means
	// the package's DefaultStock.
	DefaultStock int
	// UnknownSKUs are never known, whatever Stock says.
	UnknownSKUs []string
	// Latency delays every API request (not /v1/records).
	Latency Latency
	// Faults are applied to creates; Faults.ErrorRate also to lookups and
	// availability.
	Faults Faults
	// AckDelay, if positive, keeps a new order "pending" until that long
	// after its creation; then it is "acknowledged".
	AckDelay time.Duration
	// Idempotent makes a create with an external id already held return
	// the existing order (200) instead of creating a second one.
	Idempotent bool
	// ShipDays is how many days after creation ship_by falls; 0 means
	// DefaultShipDays, and a negative value gives no ship date at all.
	ShipDays int
	// Seed seeds the fault and latency draws; the same seed gives the same
	// sequence of draws.
	Seed int64
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// APIKey, if set, must come as "Authorization: Bearer <key>" on every
	// request, or the reply is 401.
	APIKey string
	// Backorder records an order the stock cannot cover, holding the
	// missing units as a backorder (the line comes back short,
	// "backordered") instead of refusing it with INSUFFICIENT_STOCK.
	Backorder bool
	// PartialUnknown records an order with SKUs the ERP does not know
	// without those lines (each comes back short, "unknown_sku") instead of
	// refusing it with UNKNOWN_SKU. An order of unknown SKUs only is still
	// refused.
	PartialUnknown bool
	// Callback, if its URL is set, makes the ERP announce each
	// acknowledgment by POSTing the receipt there, signed, once AckDelay
	// has passed (see the package doc).
	Callback Callback
}

// Callback is where and how the ERP announces acknowledgments.
type Callback struct {
	// URL receives POSTs of receipts, e.g. http://gateway/erp/main/ack.
	URL string
	// Secret signs each POST (see the package doc).
	Secret string
	// Attempts is how often a failed POST is tried in all; 0 means 5.
	Attempts int
	// HTTPClient sends the POSTs; nil means a client with a 10s timeout.
	HTTPClient *http.Client
}

// Latency is a distribution of response delays: log-normal with the given
// median and 99th percentile, never below Min and never above ten times P99.
// The zero value means no delay; with only Min set every reply waits Min.
type Latency struct {
	Min    time.Duration
	Median time.Duration
	P99    time.Duration
}

// Faults are the rates (0 to 1) at which requests fail, one draw per request.
// The rates are cumulative shares of one draw, so their sum should not pass 1.
type Faults struct {
	// ErrorRate answers 503 and creates nothing; it also applies to lookups
	// and availability.
	ErrorRate float64
	// TimeoutRate holds the request until Timeout passes (then 504) or the
	// client goes away; nothing is created.
	TimeoutRate float64
	// InDoubtRate creates the order and then loses the reply: half the
	// time a 500, half the time the connection is closed with no response.
	// A create that would be refused is recorded as a rejection and its
	// reply lost the same way.
	InDoubtRate float64
	// ThrottleRate answers 429 with a Retry-After header and creates
	// nothing.
	ThrottleRate float64
	// RetryAfter is what a throttle asks the client to wait, in the header
	// as (possibly fractional) seconds; 0 means DefaultRetryAfter.
	RetryAfter time.Duration
	// Timeout is how long a timeout fault holds a request; 0 means
	// DefaultTimeout.
	Timeout time.Duration
}

func (f Faults) retryAfter() time.Duration {
	if f.RetryAfter <= 0 {
		return DefaultRetryAfter
	}
	return f.RetryAfter
}

func (f Faults) timeout() time.Duration {
	if f.Timeout <= 0 {
		return DefaultTimeout
	}
	return f.Timeout
}

// sample turns a standard normal draw into a delay.
func (l Latency) sample(norm float64) time.Duration {
	if l.Median <= 0 {
		return max(l.Min, 0)
	}
	// median = e^mu; p99 = e^(mu + z99·sigma).
	const z99 = 2.3263478740408408
	mu := math.Log(float64(l.Median))
	sigma := 0.0
	if l.P99 > l.Median {
		sigma = (math.Log(float64(l.P99)) - mu) / z99
	}
	// Clip in floating point: a far tail overflows a Duration.
	ceiling := float64(10 * max(l.P99, l.Median))
	d := min(math.Exp(mu+sigma*norm), ceiling)
	return max(time.Duration(d), l.Min)
}
