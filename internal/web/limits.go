package web

import (
	"errors"
	"fmt"
	"math"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ordergate/ordergate/internal/metrics"
)

// The webhook edge's defences against floods, saturation and replays.
//
//   - A token bucket per client address refuses a source past its rate
//     with 429 and Retry-After before anything is read (off by default:
//     storefronts send from few addresses in bursts).
//   - At most MaxInFlight deliveries store at once; one that finds no
//     place within QueueWait is answered 503 with Retry-After, so that past
//     saturation each answer stays fast and the storefront retries, instead
//     of every answer growing slow. A delivery is admitted once it is
//     authenticated, so forged floods cannot take the places of real
//     orders, and before it is parsed: the parse is most of a delivery's
//     CPU outside the commit, and spent on deliveries about to be shed it
//     starved the committer (at 5,000/s offered on 2 cores, 2,184/s were
//     stored with the parse first, 3,539–4,990/s with it after). Once
//     admitted a delivery runs to its commit.
//   - A delivery whose event is older than MaxEventAge is refused: see
//     fresh.

// Limits configures the webhook edge's defences; see the package's
// limits.go. The zero value means no replay window, no rate limit, 256
// deliveries in flight and a 50ms wait.
type Limits struct {
	// MaxEventAge refuses a delivery whose event is older; 0: no check.
	MaxEventAge time.Duration
	// RatePerSecond and RateBurst are each client address's token bucket
	// on /webhooks/; a rate of 0 means no limit. RateBurst defaults to
	// twice the rate, at least 1.
	RatePerSecond float64
	RateBurst     int
	// TrustedProxyHeader names the header a trusted reverse proxy puts the
	// client's address in; empty means the connection's address.
	TrustedProxyHeader string
	// MaxInFlight bounds the deliveries storing at once; default 256.
	MaxInFlight int
	// QueueWait is how long a delivery waits for a place; default 50ms.
	QueueWait time.Duration
}

// Defaults of Limits.
const (
	DefaultMaxInFlight = 256
	DefaultQueueWait   = 50 * time.Millisecond
)

// shedRetryAfter is what a shed delivery is asked to wait, in seconds:
// saturation is usually a burst, so soon.
const shedRetryAfter = "1"

// errStale refuses a delivery whose event is past the replay window.
var errStale = errors.New("stale event")

// edgeLimits holds the limits' running state.
type edgeLimits struct {
	cfg   Limits
	rates *rateLimiter // nil: no rate limit
	slots chan struct{}
	shed  logSampler
	limit logSampler
}

func newEdgeLimits(cfg Limits) *edgeLimits {
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = DefaultMaxInFlight
	}
	if cfg.QueueWait <= 0 {
		cfg.QueueWait = DefaultQueueWait
	}
	l := &edgeLimits{cfg: cfg, slots: make(chan struct{}, cfg.MaxInFlight)}
	if cfg.RatePerSecond > 0 {
		burst := cfg.RateBurst
		if burst <= 0 {
			burst = max(1, int(2*cfg.RatePerSecond))
		}
		l.rates = newRateLimiter(cfg.RatePerSecond, burst, maxRateClients)
	}
	return l
}

// rateLimit refuses a source past its rate with 429 and Retry-After.
func (s *Server) rateLimit(next http.Handler) http.Handler {
	if s.limits.rates == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		src := clientIP(r, s.limits.cfg.TrustedProxyHeader)
		ok, wait := s.limits.rates.allow(src, s.now())
		if !ok {
			if n, log := s.limits.limit.note(time.Now()); log {
				s.log.Warn("webhook rate limited", "source", src, "path", r.URL.Path, "refused_since_last_log", n)
			}
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			writeError(w, http.StatusTooManyRequests, "too many requests from "+src+"; retry later")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// admit takes a place among the deliveries in flight, waiting up to the
// queue wait; release gives it back. It answers 503 itself when it
// returns false.
func (s *Server) admit(w http.ResponseWriter, r *http.Request, t *tally) (release func(), ok bool) {
	release = func() { <-s.limits.slots }
	select {
	case s.limits.slots <- struct{}{}:
		return release, true
	default:
	}
	timer := time.NewTimer(s.limits.cfg.QueueWait)
	defer timer.Stop()
	select {
	case s.limits.slots <- struct{}{}:
		return release, true
	case <-timer.C:
	case <-r.Context().Done():
	}
	if n, log := s.limits.shed.note(time.Now()); log {
		s.log.Warn("webhook shed: too many in flight", "storefront", t.storefront, "max_in_flight", cap(s.limits.slots), "shed_since_last_log", n)
	}
	t.result = metrics.WebhookStoreError
	w.Header().Set("Retry-After", shedRetryAfter)
	writeError(w, http.StatusServiceUnavailable, "busy: not stored; retry")
	return nil, false
}

// fresh refuses an event older than the replay window. Its age is taken
// from the order's own modification time, which is inside the signed body
// (Shopify, WooCommerce), and from the storefront's trigger time
// (X-Shopify-Triggered-At, BigCommerce's created_at); either being too old
// is enough, and zero times are not evidence. Exact repeats are caught by
// deduplication whatever their age; what this stops is an authentic body
// replayed under new delivery headers (the headers are not signed), which
// deduplication cannot tell from a new event and which could bring a
// long-settled or purged order back into the gateway and the ERP. The
// window is far longer than any storefront's own retries, so an honest
// late retry is still taken.
func (s *Server) fresh(times ...time.Time) error {
	limit := s.limits.cfg.MaxEventAge
	if limit <= 0 {
		return nil
	}
	now := s.now()
	for _, at := range times {
		if at.IsZero() {
			continue
		}
		if age := now.Sub(at); age > limit {
			return fmt.Errorf("%w: the event is from %s, %v old, past the %v replay window; a storefront does not retry that late",
				errStale, at.UTC().Format(time.RFC3339), age.Truncate(time.Second), limit)
		}
	}
	return nil
}

// clientIP is the address a request comes from: the connection's, or,
// when a trusted proxy header is configured and present, the proxy's word
// for it (for X-Forwarded-For the last entry, the one the proxy added).
func clientIP(r *http.Request, trusted string) string {
	if trusted != "" {
		if v := r.Header.Values(trusted); len(v) > 0 {
			last := v[len(v)-1]
			if strings.EqualFold(trusted, "X-Forwarded-For") {
				if i := strings.LastIndexByte(last, ','); i >= 0 {
					last = last[i+1:]
				}
			}
			if ip := net.ParseIP(strings.TrimSpace(last)); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// maxRateClients bounds the rate limiter's memory: past it, the buckets
// that have refilled (sources idle long enough to be at full burst) are
// dropped, and if none has, the oldest half.
const maxRateClients = 10000

// rateLimiter is a token bucket per source.
type rateLimiter struct {
	mu      sync.Mutex
	rate    float64
	burst   float64
	max     int
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newRateLimiter(rate float64, burst, maxClients int) *rateLimiter {
	return &rateLimiter{rate: rate, burst: float64(burst), max: maxClients, buckets: make(map[string]*bucket)}
}

// allow takes a token from src's bucket, or says how long until one.
func (l *rateLimiter) allow(src string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[src]
	if !ok {
		if len(l.buckets) >= l.max {
			l.prune(now)
		}
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[src] = b
	}
	if el := now.Sub(b.at).Seconds(); el > 0 {
		b.tokens = min(l.burst, b.tokens+el*l.rate)
		b.at = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}

func (l *rateLimiter) prune(now time.Time) {
	full := time.Duration(l.burst / l.rate * float64(time.Second))
	for k, b := range l.buckets {
		if now.Sub(b.at) >= full {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) < l.max {
		return
	}
	oldest := make([]time.Time, 0, len(l.buckets))
	for _, b := range l.buckets {
		oldest = append(oldest, b.at)
	}
	cut := mean(oldest)
	for k, b := range l.buckets {
		if !b.at.After(cut) {
			delete(l.buckets, k)
		}
	}
}

// mean is the mean of ts: a rough middle, enough to halve the map.
func mean(ts []time.Time) time.Time {
	var sum, n float64
	base := ts[0]
	for _, t := range ts {
		sum += float64(t.Sub(base))
		n++
	}
	return base.Add(time.Duration(sum / n))
}

// logSampler keeps a flood from flooding the log: it says to log at most
// once a second, with how many events there were since.
type logSampler struct {
	last  atomic.Int64 // unix nanoseconds of the last line
	count atomic.Int64
}

func (l *logSampler) note(now time.Time) (int64, bool) {
	n := l.count.Add(1)
	last := l.last.Load()
	if now.UnixNano()-last < int64(time.Second) || !l.last.CompareAndSwap(last, now.UnixNano()) {
		return n, false
	}
	return l.count.Swap(0), true
}

// errContentType refuses a body declared as something other than JSON.
var errContentType = errors.New("unsupported content type")

// jsonContent refuses a request whose Content-Type is declared and is not
// JSON (application/json or a +json type): every storefront and ERP sends
// JSON, and a body sent as a form or as text was not sent by one. A
// request with no Content-Type is taken, since proxies have been seen to
// drop it and the body's signature is what proves where it came from.
func jsonContent(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json")) {
		return nil
	}
	return fmt.Errorf("%w %q: send the body as application/json", errContentType, ct)
}
