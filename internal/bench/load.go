// Package bench drives load at the gateway and measures it: signed Shopify
// webhooks over loopback HTTP, closed loop (as fast as N connections go)
// or open loop (requests scheduled at a fixed rate, latency counted from
// the scheduled instant so a stall is not hidden by the generator slowing
// down), with exact latency percentiles. Every figure is meant to be read
// beside a baseline measured in the same run.
package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ordergate/ordergate/internal/storefront/shopify"
)

// Webhooks builds signed orders/create deliveries with unique ids.
type Webhooks struct {
	Target string // the webhook URL
	Secret []byte
	Shop   string // X-Shopify-Shop-Domain
	next   atomic.Int64
	base   int64
}

// NewWebhooks returns a generator whose order ids start at first.
func NewWebhooks(target string, secret []byte, first int64) *Webhooks {
	w := &Webhooks{Target: target, Secret: secret, Shop: "bench.myshopify.com", base: first}
	return w
}

// body is a realistic ~2 KB orders/create body for id, created now: a
// gateway may refuse events older than its replay window.
func body(id int64) []byte {
	s := strconv.FormatInt(id, 10)
	now := time.Now().UTC().Format(time.RFC3339)
	return []byte(`{"id":` + s + `,"admin_graphql_api_id":"gid://shopify/Order/` + s + `","name":"#B` + s +
		`","email":"buyer` + s + `@example.com","contact_email":"buyer` + s + `@example.com","created_at":"` + now + `",` +
		`"updated_at":"` + now + `","cancelled_at":null,"cancel_reason":null,"currency":"USD","total_price":"57.50",` +
		`"subtotal_price":"57.50","total_tax":"0.00","financial_status":"paid","confirmed":true,"test":false,"tags":"",` +
		`"customer":{"id":115310627314723954,"email":"buyer` + s + `@example.com","first_name":"Ada","last_name":"Lovelace","state":"enabled"},` +
		`"billing_address":{"first_name":"Ada","last_name":"Lovelace","name":"Ada Lovelace","address1":"12 Harbor Lane","address2":null,"city":"Portland","province":"Maine","province_code":"ME","zip":"04101","country":"United States","country_code":"US","phone":null,"company":null},` +
		`"shipping_address":{"first_name":"Ada","last_name":"Lovelace","name":"Ada Lovelace","address1":"12 Harbor Lane","address2":null,"city":"Portland","province":"Maine","province_code":"ME","zip":"04101","country":"United States","country_code":"US","phone":null,"company":null},` +
		`"line_items":[{"id":866550311766439020,"sku":"TSHIRT-M","title":"Organic T-shirt","name":"Organic T-shirt - M","quantity":2,"price":"12.50","requires_shipping":true,"product_exists":true,"vendor":"Ordergate","grams":180,"taxable":true},` +
		`{"id":141249953214522974,"sku":"MUG-BLUE","title":"Stoneware mug","name":"Stoneware mug - Blue","quantity":1,"price":"32.50","requires_shipping":true,"product_exists":true,"vendor":"Ordergate","grams":420,"taxable":true}],` +
		`"shipping_lines":[],"tax_lines":[],"discount_codes":[],"note":null}`)
}

// request returns the next delivery.
func (w *Webhooks) request(ctx context.Context) (*http.Request, error) {
	id := w.base + w.next.Add(1)
	b := body(id)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.Target, bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set(shopify.HeaderHmac, shopify.Sign(b, w.Secret))
	h.Set(shopify.HeaderTopic, "orders/create")
	h.Set(shopify.HeaderShopDomain, w.Shop)
	h.Set(shopify.HeaderAPIVersion, "2025-07")
	h.Set(shopify.HeaderWebhookID, "bench-"+strconv.FormatInt(id, 10))
	h.Set(shopify.HeaderEventID, "bench-evt-"+strconv.FormatInt(id, 10))
	h.Set(shopify.HeaderTriggeredAt, time.Now().UTC().Format(time.RFC3339Nano))
	return req, nil
}

// Sent is the count of requests made so far.
func (w *Webhooks) Sent() int64 { return w.next.Load() }

// Result is one load run.
type Result struct {
	Requests int           `json:"requests"`
	Non2xx   int           `json:"non_2xx"`
	Errors   int           `json:"errors"`
	Elapsed  time.Duration `json:"-"`
	// Rate is 2xx replies per second.
	Rate float64 `json:"rate"`
	// Latencies, in milliseconds, of the 2xx replies: from the send (closed
	// loop) or the scheduled send (open loop) to the reply.
	P50  float64 `json:"p50_ms"`
	P99  float64 `json:"p99_ms"`
	P999 float64 `json:"p999_ms"`
	Max  float64 `json:"max_ms"`
	// Statuses counts the replies by status code (0: no reply).
	Statuses map[int]int `json:"statuses"`
}

// Client returns an HTTP client with conns keep-alive connections.
func Client(conns int) *http.Client {
	t := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conns * 2,
		MaxIdleConnsPerHost: conns * 2,
		MaxConnsPerHost:     0,
		IdleConnTimeout:     90 * time.Second,
	}
	return &http.Client{Transport: t, Timeout: 30 * time.Second}
}

type recorder struct {
	mu        sync.Mutex
	latencies []time.Duration
	statuses  map[int]int
	non2xx    int
	errs      int
}

func (r *recorder) add(status int, d time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.statuses[status]++
	switch {
	case err != nil:
		r.errs++
	case status/100 != 2:
		r.non2xx++
	default:
		r.latencies = append(r.latencies, d)
	}
}

func (r *recorder) result(elapsed time.Duration) Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	res := Result{Requests: len(r.latencies) + r.non2xx + r.errs, Non2xx: r.non2xx, Errors: r.errs, Elapsed: elapsed,
		Statuses: r.statuses}
	if elapsed > 0 {
		res.Rate = float64(len(r.latencies)) / elapsed.Seconds()
	}
	slices.Sort(r.latencies)
	res.P50, res.P99, res.P999 = pct(r.latencies, 0.50), pct(r.latencies, 0.99), pct(r.latencies, 0.999)
	if n := len(r.latencies); n > 0 {
		res.Max = ms(r.latencies[n-1])
	}
	return res
}

// pct is the nearest-rank percentile q of sorted, in milliseconds.
func pct(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*q+0.999999) - 1
	return ms(sorted[min(max(i, 0), len(sorted)-1)])
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func send(hc *http.Client, req *http.Request) (int, error) {
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// Closed sends with conns connections, each waiting for its reply before
// the next request, for d.
func Closed(ctx context.Context, w *Webhooks, hc *http.Client, conns int, d time.Duration) Result {
	rec := &recorder{statuses: map[int]int{}}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			for ctx.Err() == nil {
				req, err := w.request(context.WithoutCancel(ctx))
				if err != nil {
					rec.add(0, 0, err)
					return
				}
				t := time.Now()
				status, err := send(hc, req)
				rec.add(status, time.Since(t), err)
			}
		})
	}
	wg.Wait()
	return rec.result(time.Since(start))
}

// Open schedules rate requests a second for d, each on its own goroutine,
// latency counted from its scheduled instant. At most maxInFlight are
// outstanding; a request that would exceed it counts as an error (the
// generator, not the server, could not keep up), so the result says so.
func Open(ctx context.Context, w *Webhooks, hc *http.Client, rate float64, d time.Duration, maxInFlight int) (Result, error) {
	if rate <= 0 {
		return Result{}, errors.New("bench: open loop: rate must be positive")
	}
	rec := &recorder{statuses: map[int]int{}}
	interval := time.Duration(float64(time.Second) / rate)
	n := int(d.Seconds() * rate)
	start := time.Now()
	sem := make(chan struct{}, maxInFlight)
	var wg sync.WaitGroup
	skipped := 0
	for i := range n {
		at := start.Add(time.Duration(i) * interval)
		if wait := time.Until(at); wait > 0 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				wg.Wait()
				return rec.result(time.Since(start)), ctx.Err()
			}
		}
		select {
		case sem <- struct{}{}:
		default:
			skipped++
			rec.add(0, 0, errors.New("generator saturated"))
			continue
		}
		wg.Go(func() {
			defer func() { <-sem }()
			req, err := w.request(context.WithoutCancel(ctx))
			if err != nil {
				rec.add(0, 0, err)
				return
			}
			status, err := send(hc, req)
			rec.add(status, time.Since(at), err)
		})
	}
	wg.Wait()
	res := rec.result(time.Since(start))
	if skipped > 0 {
		return res, fmt.Errorf("bench: open loop at %.0f/s: %d requests not sent, more than %d outstanding", rate, skipped, maxInFlight)
	}
	return res, nil
}

// Bare is the baseline handler: read the body, verify its signature, 200.
// The gateway's ingest does this and stores the order durably first.
func Bare(secret []byte) http.Handler {
	secrets := [][]byte{secret}
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(http.MaxBytesReader(rw, r.Body, 1<<20))
		if err != nil {
			http.Error(rw, err.Error(), http.StatusBadRequest)
			return
		}
		if err := shopify.Verify(b, r.Header.Get(shopify.HeaderHmac), secrets); err != nil {
			http.Error(rw, err.Error(), http.StatusUnauthorized)
			return
		}
		rw.Header().Set("Content-Type", "application/json")
		rw.Write([]byte(`{"status":"stored"}`))
	})
}

// Count sends exactly n requests over conns connections, as fast as they
// go.
func Count(ctx context.Context, w *Webhooks, hc *http.Client, conns, n int) Result {
	rec := &recorder{statuses: map[int]int{}}
	var left atomic.Int64
	left.Store(int64(n))
	start := time.Now()
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			for left.Add(-1) >= 0 && ctx.Err() == nil {
				req, err := w.request(ctx)
				if err != nil {
					rec.add(0, 0, err)
					continue
				}
				t := time.Now()
				status, err := send(hc, req)
				rec.add(status, time.Since(t), err)
			}
		})
	}
	wg.Wait()
	return rec.result(time.Since(start))
}

// ConcurrencyLimit stands in front of an ERP and holds it to its own
// concurrency limit: a call beyond it is refused with 429, as NetSuite
// refuses a request over the account's limit. It counts what it sees.
type ConcurrencyLimit struct {
	next     http.Handler
	limit    int64
	inFlight atomic.Int64
	peak     atomic.Int64
	refused  atomic.Int64
}

// NewConcurrencyLimit returns next limited to limit calls at once.
func NewConcurrencyLimit(next http.Handler, limit int) *ConcurrencyLimit {
	return &ConcurrencyLimit{next: next, limit: int64(limit)}
}

func (c *ConcurrencyLimit) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := c.inFlight.Add(1)
	defer c.inFlight.Add(-1)
	for {
		p := c.peak.Load()
		if n <= p || c.peak.CompareAndSwap(p, n) {
			break
		}
	}
	if n > c.limit {
		c.refused.Add(1)
		w.Header().Set("Retry-After", "1")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write([]byte(`{"code":"CONCURRENCY_LIMIT_EXCEEDED","message":"concurrent request limit exceeded"}`))
		return
	}
	c.next.ServeHTTP(w, r)
}

// InFlight is the calls being served now.
func (c *ConcurrencyLimit) InFlight() int { return int(c.inFlight.Load()) }

// MaxInFlight is the most calls seen at once, refused ones included.
func (c *ConcurrencyLimit) MaxInFlight() int { return int(c.peak.Load()) }

// Refused is the calls refused for exceeding the limit.
func (c *ConcurrencyLimit) Refused() int { return int(c.refused.Load()) }
