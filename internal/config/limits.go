package config

import (
	"net/http"
	"strings"
	"time"
)

// The defaults of the limits block.
const (
	DefaultMaxEventAge = 72 * time.Hour
	DefaultMaxInFlight = 256
	DefaultQueueWait   = 50 * time.Millisecond
	// MinMaxEventAge keeps the replay window longer than any storefront's
	// own retries (Shopify and BigCommerce retry for up to 48 hours in the
	// worst case documented), so that a late but honest retry is taken.
	MinMaxEventAge = time.Hour
	// MaxQueueWait keeps a shed request's answer fast: the point of
	// shedding is to answer within tens of milliseconds, not seconds.
	MaxQueueWait = 10 * time.Second
)

// Limits are the webhook edge's defences against replays, floods and
// saturation. The zero value means the defaults below.
type Limits struct {
	// MaxEventAge refuses a webhook delivery whose event is older than
	// this: the order's own signed modification time (Shopify updated_at,
	// WooCommerce date_modified_gmt) or the storefront's trigger time
	// (X-Shopify-Triggered-At, BigCommerce created_at). Exact repeats are
	// caught by deduplication whatever their age; this refuses an
	// authentic old body replayed under new headers, which would otherwise
	// bring a long-settled order back into the gateway. 0s turns the check
	// off. At least 1h. Default 72h.
	MaxEventAge *time.Duration `yaml:"max_event_age"`
	// RatePerSecond is how many webhook requests one source may make per
	// second, on average (a token bucket per client address); more are
	// answered 429 with Retry-After before anything is read. 0 turns the
	// limit off (the default): the storefronts send from few addresses in
	// bursts, and WooCommerce never retries a 429.
	RatePerSecond float64 `yaml:"rate_per_second"`
	// RateBurst is how many requests one source may make at once before
	// rate_per_second applies. Default: twice rate_per_second, at least 1.
	RateBurst int `yaml:"rate_burst"`
	// TrustedProxyHeader names the header a reverse proxy in front of the
	// gateway puts the client's address in (X-Forwarded-For: its last
	// entry; X-Real-IP, CF-Connecting-IP: the whole value). Only set it
	// when every request passes through that proxy: otherwise any client
	// can name itself anyone. Empty (the default) means the connection's
	// own address.
	TrustedProxyHeader string `yaml:"trusted_proxy_header"`
	// MaxInFlight is how many webhook deliveries may be storing at once.
	// A delivery that finds them all busy waits up to queue_wait for one,
	// then is answered 503 with Retry-After (the storefront retries), so
	// that past saturation an answer stays fast instead of every answer
	// growing slow. Default 256.
	MaxInFlight int `yaml:"max_in_flight"`
	// QueueWait is how long a delivery waits for a place among
	// max_in_flight. Default 50ms, at most 10s.
	QueueWait time.Duration `yaml:"queue_wait"`
}

func (l *Limits) applyDefaults() {
	if l.MaxEventAge == nil {
		d := DefaultMaxEventAge
		l.MaxEventAge = &d
	}
	if l.RatePerSecond > 0 && l.RateBurst == 0 {
		l.RateBurst = max(1, int(2*l.RatePerSecond))
	}
	setDefault(&l.MaxInFlight, DefaultMaxInFlight)
	setDefault(&l.QueueWait, DefaultQueueWait)
	l.TrustedProxyHeader = strings.TrimSpace(l.TrustedProxyHeader)
}

func (l *Limits) validate(v *validator, path string) {
	if age := *l.MaxEventAge; age < 0 {
		v.add(field(path, "max_event_age"), "%v is negative", age)
	} else if age > 0 && age < MinMaxEventAge {
		v.add(field(path, "max_event_age"), "%v is shorter than %v: a storefront's honest retries would be refused (0s turns the check off)", age, MinMaxEventAge)
	}
	if l.RatePerSecond < 0 {
		v.add(field(path, "rate_per_second"), "%v is negative", l.RatePerSecond)
	}
	if l.RateBurst < 0 {
		v.add(field(path, "rate_burst"), "%d is negative", l.RateBurst)
	}
	if h := l.TrustedProxyHeader; h != "" && !validHeaderName(h) {
		v.add(field(path, "trusted_proxy_header"), "%q is not a header name", h)
	}
	if l.MaxInFlight < 1 {
		v.add(field(path, "max_in_flight"), "%d is out of range: want at least 1", l.MaxInFlight)
	}
	positive(v, field(path, "queue_wait"), l.QueueWait)
	if l.QueueWait > MaxQueueWait {
		v.add(field(path, "queue_wait"), "%v is over %v: a shed delivery must be answered quickly", l.QueueWait, MaxQueueWait)
	}
}

// validHeaderName reports whether s is an HTTP header field name (an RFC
// 9110 token).
func validHeaderName(s string) bool {
	for _, c := range s {
		if c > 0x7e || c <= ' ' || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, c) {
			return false
		}
	}
	return s != "" && http.CanonicalHeaderKey(s) != ""
}
