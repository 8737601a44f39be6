package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// deliver posts a valid, fresh Shopify orders/create for order id to
// shop1, with with (if not nil) applied after the signature.
func (e *edge) deliver(t *testing.T, id int64, with func(*http.Request)) reply {
	t.Helper()
	body := mustJSON(t, shopifyOrder(id, e.clock.Now()))
	sign := shopifyHeaders("orders/create", "evt-"+strconv.FormatInt(id, 10), body, newSecret, e.clock.Now())
	return e.do(t, http.MethodPost, "/webhooks/shopify/"+shop1, body, func(r *http.Request) {
		sign(r)
		if with != nil {
			with(r)
		}
	})
}

func TestRateLimit_RefusesASourcePastItsBurstWith429(t *testing.T) {
	t.Parallel()
	e := setupHostile(t, Limits{RatePerSecond: 1, RateBurst: 2})
	for i, want := range []int{200, 200, 429} {
		r := e.deliver(t, int64(100+i), nil)
		if r.status != want {
			t.Fatalf("request %d: %d %s, want %d", i+1, r.status, r.body, want)
		}
		if want == 429 && r.header.Get("Retry-After") != "1" {
			t.Errorf("429 Retry-After %q, want 1", r.header.Get("Retry-After"))
		}
	}
	if orders, _ := e.stored(t); orders != 2 {
		t.Errorf("store holds %d orders, want the 2 let through", orders)
	}
	// A forged X-Forwarded-For does not make a new source when no proxy
	// is trusted.
	if r := e.deliver(t, 110, func(r *http.Request) { r.Header.Set("X-Forwarded-For", "203.0.113.9") }); r.status != 429 {
		t.Errorf("with a forged X-Forwarded-For: %d, want 429", r.status)
	}
	// The bucket refills with time.
	e.clock.Add(time.Second)
	if r := e.deliver(t, 111, nil); r.status != 200 {
		t.Errorf("a second later: %d %s, want 200", r.status, r.body)
	}
	// Other routes are not limited.
	if r := e.do(t, http.MethodGet, "/healthz", "", nil); r.status != 200 {
		t.Errorf("healthz: %d", r.status)
	}
}

func TestRateLimit_TrustedProxyHeaderNamesTheSource(t *testing.T) {
	t.Parallel()
	e := setupHostile(t, Limits{RatePerSecond: 1, RateBurst: 1, TrustedProxyHeader: "X-Forwarded-For"})
	from := func(ip string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set("X-Forwarded-For", "198.51.100.1, "+ip) }
	}
	tests := []struct {
		id   int64
		from string
		want int
	}{
		{1, "203.0.113.1", 200},
		{2, "203.0.113.1", 429},
		{3, "203.0.113.2", 200}, // another client behind the same proxy
		{4, "203.0.113.2", 429},
	}
	for _, tt := range tests {
		if r := e.deliver(t, tt.id, from(tt.from)); r.status != tt.want {
			t.Errorf("order %d from %s: %d, want %d", tt.id, tt.from, r.status, tt.want)
		}
	}
}

func TestClientIP(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, trusted, header, value, want string
	}{
		{"connection address", "", "", "", "192.0.2.7"},
		{"untrusted header ignored", "", "X-Forwarded-For", "203.0.113.5", "192.0.2.7"},
		{"last X-Forwarded-For entry", "X-Forwarded-For", "X-Forwarded-For", "10.0.0.1, 203.0.113.5", "203.0.113.5"},
		{"X-Real-IP", "X-Real-IP", "X-Real-IP", " 203.0.113.6 ", "203.0.113.6"},
		{"IPv6", "X-Real-IP", "X-Real-IP", "2001:db8::1", "2001:db8::1"},
		{"garbage falls back", "X-Real-IP", "X-Real-IP", "not an address", "192.0.2.7"},
		{"trusted header absent", "X-Real-IP", "", "", "192.0.2.7"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodPost, "/webhooks/shopify/shop1", nil)
		r.RemoteAddr = "192.0.2.7:5123"
		if tt.header != "" {
			r.Header.Set(tt.header, tt.value)
		}
		if got := clientIP(r, tt.trusted); got != tt.want {
			t.Errorf("%s: clientIP = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// The limiter's memory is bounded however many sources there are.
func TestRateLimiter_BoundsItsSources(t *testing.T) {
	t.Parallel()
	l := newRateLimiter(1, 1, 100)
	now := time.Unix(1_700_000_000, 0)
	for i := range 5000 {
		l.allow(fmt.Sprintf("198.51.%d.%d", i/256, i%256), now.Add(time.Duration(i)*time.Millisecond))
		if n := len(l.buckets); n > 100 {
			t.Fatalf("after %d sources the limiter holds %d, want at most 100", i+1, n)
		}
	}
	// A source just refused is still refused: pruning keeps the newest.
	src := "203.0.113.1"
	at := now.Add(time.Hour)
	if ok, _ := l.allow(src, at); !ok {
		t.Fatal("first request refused")
	}
	if ok, wait := l.allow(src, at); ok || wait != time.Second {
		t.Errorf("second request at once: allowed %v, wait %v; want refused, 1s", ok, wait)
	}
}

// Past saturation a delivery is answered 503 with Retry-After and stores
// nothing, rather than waiting; once a place is free it is stored.
func TestShed_AnswersBusyWhenEveryPlaceIsTaken(t *testing.T) {
	t.Parallel()
	e := setupHostile(t, Limits{MaxInFlight: 2, QueueWait: time.Millisecond})
	// Two deliveries storing, as far as the edge knows.
	e.srv.limits.slots <- struct{}{}
	e.srv.limits.slots <- struct{}{}
	for i := range 3 {
		r := e.deliver(t, int64(200+i), nil)
		if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" {
			t.Fatalf("delivery %d while saturated: %d %q (Retry-After %q), want 503 with Retry-After", i+1, r.status, r.body, r.header.Get("Retry-After"))
		}
	}
	if orders, jobs := e.stored(t); orders != 0 || jobs != 0 {
		t.Fatalf("shed deliveries stored %d orders and %d jobs, want none", orders, jobs)
	}
	<-e.srv.limits.slots
	if r := e.deliver(t, 200, nil); r.status != http.StatusOK {
		t.Fatalf("with a place free: %d %s, want 200", r.status, r.body)
	}
	if orders, _ := e.stored(t); orders != 1 {
		t.Errorf("store holds %d orders, want 1", orders)
	}
	if n := len(e.srv.limits.slots); n != 1 {
		t.Errorf("%d places taken after the delivery, want 1 (its place given back)", n)
	}
}

// Past saturation a forged delivery is still 401: it is judged before it
// may take a place. An authentic one is shed before it is parsed (parsing
// is most of a delivery's cost outside the commit, and a saturated edge
// must not spend it on what it will refuse); once admitted, its parse
// runs in its place, which a refusal gives back.
func TestShed_AuthenticatesFirstAndParsesOnlyOnceAdmitted(t *testing.T) {
	t.Parallel()
	e := setupHostile(t, Limits{MaxInFlight: 1, QueueWait: time.Millisecond})
	malformed := `{"id": "not a number"`
	signed := shopifyHeaders("orders/create", "evt-malformed", malformed, newSecret, e.clock.Now())
	post := func(with func(*http.Request)) reply {
		return e.do(t, http.MethodPost, "/webhooks/shopify/"+shop1, malformed, with)
	}

	e.srv.limits.slots <- struct{}{} // the one place, taken
	if r := e.deliver(t, 300, func(r *http.Request) { r.Header.Set("X-Shopify-Hmac-Sha256", "Zm9yZ2Vk") }); r.status != http.StatusUnauthorized {
		t.Errorf("forged delivery while saturated: %d %s, want 401", r.status, r.body)
	}
	if r := post(signed); r.status != http.StatusServiceUnavailable {
		t.Errorf("signed malformed delivery while saturated: %d %s, want 503 (shed before its parse)", r.status, r.body)
	}
	<-e.srv.limits.slots
	if r := post(signed); r.status != http.StatusBadRequest {
		t.Errorf("signed malformed delivery with a place free: %d %s, want 400", r.status, r.body)
	}
	if n := len(e.srv.limits.slots); n != 0 {
		t.Errorf("%d places taken after the refusal, want 0 (its place given back)", n)
	}
	if orders, jobs := e.stored(t); orders != 0 || jobs != 0 {
		t.Errorf("stored %d orders and %d jobs, want none", orders, jobs)
	}
}

// Under a burst far past the in-flight limit every answer is 200 for a
// stored order or 503 for one not stored: never a 2xx for what was not
// stored, never a 5xx without Retry-After, and the shed ones are stored
// when the storefront retries them.
func TestShed_BurstAnswersStoredOrBusy(t *testing.T) {
	t.Parallel()
	e := setupHostile(t, Limits{MaxInFlight: 1, QueueWait: time.Nanosecond})
	const n = 40
	status := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			r := e.deliver(t, int64(1000+i), nil)
			status[i] = r.status
			if r.status == http.StatusServiceUnavailable && r.header.Get("Retry-After") == "" {
				t.Errorf("order %d: 503 without Retry-After", 1000+i)
			}
		})
	}
	wg.Wait()
	ok := 0
	for i, s := range status {
		switch s {
		case http.StatusOK:
			ok++
		case http.StatusServiceUnavailable:
		default:
			t.Errorf("order %d: status %d, want 200 or 503", 1000+i, s)
		}
	}
	if orders, _ := e.stored(t); orders != ok {
		t.Fatalf("store holds %d orders, answered 200 for %d", orders, ok)
	}
	t.Logf("%d of %d stored at once, %d shed", ok, n, n-ok)
	// The storefront retries the shed ones, one at a time.
	for i, s := range status {
		if s != http.StatusOK {
			if r := e.deliver(t, int64(1000+i), nil); r.status != http.StatusOK {
				t.Errorf("retry of order %d: %d", 1000+i, r.status)
			}
		}
	}
	if orders, _ := e.stored(t); orders != n {
		t.Errorf("after the retries the store holds %d orders, want %d", orders, n)
	}
	if len(e.srv.limits.slots) != 0 {
		t.Errorf("%d places still taken after every delivery was answered", len(e.srv.limits.slots))
	}
}

// A failure to store is a 5xx with Retry-After, never a 2xx.
func TestShed_StoreFailureIsNever2xx(t *testing.T) {
	t.Parallel()
	e := setupHostile(t, Limits{})
	e.store.Close()
	r := e.deliver(t, 300, nil)
	if r.status < 500 || r.header.Get("Retry-After") == "" {
		t.Errorf("with the store closed: %d %s (Retry-After %q), want 5xx with Retry-After", r.status, r.body, r.header.Get("Retry-After"))
	}
}
