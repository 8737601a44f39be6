// Package cin7fake is a fake of Cin7 Core's External API v2 for tests,
// served over real HTTP. It is built from Cin7's published API description
// (see ../testdata/SOURCES.md) and answers in the shapes of its examples:
//
//   - the two auth headers api-auth-accountid and api-auth-applicationkey,
//     checked on every request; wrong or missing gets 403 (Cin7's status
//     for "Method authentication failed");
//   - 60 calls in any 60 seconds per application, over which it answers
//     503 "You reached 60 calls per minute API limit", with no Retry-After
//     (Cin7 documents none);
//   - POST /sale (DRAFT, or ESTIMATED with SkipQuote; a ShippingAddress is
//     kept and must have Line1 and Country, which Cin7's model marks
//     required), POST /sale/order
//     (only with the quote skipped or authorised, only on an order NOT
//     AVAILABLE or DRAFT; AUTHORISED allocates stock and, when stock is
//     short, silently backorders: the sale becomes BACKORDERED and the line
//     carries BackorderQuantity), GET /sale, DELETE /sale?ID=…&Void=true
//     (releases the allocation; refused once the sale is past BACKORDERED),
//     GET /saleList (ExternalID, Search, Status filters, paged);
//   - GET /product and GET /ref/productavailability (Sku filter, paged;
//     one availability row per product and location);
//   - errors as an array of {"ErrorCode", "Exception"}.
//
// Error wording other than the rate limit's is the fake's own: Cin7's
// exact texts are not published. Paths match case-insensitively under
// /ExternalApi/v2, as Cin7's do.
package cin7fake

import (
	"bufio"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Prefix is where the fake serves the API, as Cin7 does.
const Prefix = "/ExternalApi/v2"

// Paths of the creates a reply can be lost on (LoseNextReply).
const (
	PathSale      = "/sale"
	PathSaleOrder = "/sale/order"
)

// Config sets up a fake.
type Config struct {
	// AccountID and ApplicationKey are the credentials it accepts.
	AccountID      string
	ApplicationKey string
	// CallsPerMinute is its limit per application; 0 means Cin7's 60.
	CallsPerMinute int
	// Now is its clock; nil means time.Now.
	Now func() time.Time
	// ThrottleStatus is the status of a throttling reply, forced or over
	// the limit: 0 means 503, as documented; a later copy of the docs says
	// 429.
	ThrottleStatus int
	// RetryAfterHeader makes a forced throttle (Throttle) send its wait in
	// Retry-After, which Cin7 is not documented to do.
	RetryAfterHeader bool
}

// ERP is one fake Cin7 Core account. It is an http.Handler.
type ERP struct {
	cfg Config

	mu       sync.Mutex
	products map[string]*product // by SKU
	sales    []*sale             // in order of creation
	nextSO   int
	calls    []time.Time // accepted calls inside the window
	throttle []time.Duration
	lose     map[string]int
	stalled  bool
	requests []Request

	arrived chan struct{}
	closed  chan struct{}
	once    sync.Once
}

// Request is one request the fake answered, for tests to inspect.
type Request struct {
	Method string
	Path   string // lower case, under Prefix
	Query  url.Values
	Status int // 0 when the reply was dropped or the request held
}

// New returns an empty account.
func New(cfg Config) *ERP {
	if cfg.CallsPerMinute == 0 {
		cfg.CallsPerMinute = 60
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ThrottleStatus == 0 {
		cfg.ThrottleStatus = http.StatusServiceUnavailable
	}
	return &ERP{
		cfg:      cfg,
		products: map[string]*product{},
		lose:     map[string]int{},
		arrived:  make(chan struct{}, 64),
		closed:   make(chan struct{}),
	}
}

// Close releases requests held by Stall.
func (e *ERP) Close() { e.once.Do(func() { close(e.closed) }) }

// Throttle makes the next request get the throttling reply; after is its
// Retry-After when Config.RetryAfterHeader is set.
func (e *ERP) Throttle(after time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.throttle = append(e.throttle, after)
}

// LoseNextReply makes the next POST to path (PathSale or PathSaleOrder)
// commit and then drop the connection without a reply.
func (e *ERP) LoseNextReply(path string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.lose[strings.ToLower(path)]++
}

// Stall holds every later request without a reply until its client goes
// away, and returns a channel that receives as each arrives.
func (e *ERP) Stall() <-chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.stalled = true
	return e.arrived
}

// Requests returns the requests answered so far.
func (e *ERP) Requests() []Request {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.requests)
}

// ServeHTTP answers one request as Cin7 would.
func (e *ERP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.ToLower(r.URL.Path)
	if !strings.HasPrefix(path, strings.ToLower(Prefix)+"/") {
		writeErrors(w, http.StatusNotFound, "Endpoint does not exist")
		return
	}
	path = strings.TrimPrefix(path, strings.ToLower(Prefix))
	// Log on arrival, so that the log has the order requests came in.
	e.mu.Lock()
	i := len(e.requests)
	e.requests = append(e.requests, Request{Method: r.Method, Path: path, Query: r.URL.Query()})
	e.mu.Unlock()
	rec := &recorder{ResponseWriter: w}
	e.serve(rec, r, path)
	e.mu.Lock()
	e.requests[i].Status = rec.status
	e.mu.Unlock()
}

// serve answers the request, or holds it.
func (e *ERP) serve(w *recorder, r *http.Request, path string) {
	e.mu.Lock()
	stalled := e.stalled
	forced, after := false, time.Duration(0)
	if !stalled && len(e.throttle) > 0 {
		forced, after = true, e.throttle[0]
		e.throttle = e.throttle[1:]
	}
	e.mu.Unlock()

	if stalled {
		// Read the body to its end, or the server would not notice the
		// client going away.
		io.Copy(io.Discard, r.Body)
		select {
		case e.arrived <- struct{}{}:
		default:
		}
		select {
		case <-r.Context().Done():
		case <-e.closed:
		}
		return
	}
	if forced {
		if e.cfg.RetryAfterHeader && after > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int((after+time.Second-1)/time.Second)))
		}
		writeErrors(w, e.cfg.ThrottleStatus, "You reached 60 calls per minute API limit")
		return
	}
	if r.Header.Get("api-auth-accountid") != e.cfg.AccountID || r.Header.Get("api-auth-applicationkey") != e.cfg.ApplicationKey {
		writeErrors(w, http.StatusForbidden, "Incorrect api-auth-accountid or api-auth-applicationkey")
		return
	}
	if !e.admit() {
		writeErrors(w, e.cfg.ThrottleStatus, "You reached 60 calls per minute API limit")
		return
	}
	e.route(w, r, path)
}

// admit counts a call against the application's limit, or refuses it.
func (e *ERP) admit() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.cfg.Now()
	keep := e.calls[:0]
	for _, t := range e.calls {
		if now.Sub(t) < time.Minute {
			keep = append(keep, t)
		}
	}
	e.calls = keep
	if len(e.calls) >= e.cfg.CallsPerMinute {
		return false
	}
	e.calls = append(e.calls, now)
	return true
}

func (e *ERP) route(w http.ResponseWriter, r *http.Request, path string) {
	type route struct{ method, path string }
	handlers := map[route]func(http.ResponseWriter, *http.Request){
		{http.MethodGet, "/salelist"}:                e.saleList,
		{http.MethodPost, "/sale"}:                   e.createSale,
		{http.MethodGet, "/sale"}:                    e.getSale,
		{http.MethodDelete, "/sale"}:                 e.voidSale,
		{http.MethodPost, "/sale/order"}:             e.createOrder,
		{http.MethodGet, "/product"}:                 e.productList,
		{http.MethodGet, "/ref/productavailability"}: e.availability,
	}
	if h, ok := handlers[route{r.Method, path}]; ok {
		h(w, r)
		return
	}
	for rt := range handlers {
		if rt.path == path {
			writeErrors(w, http.StatusMethodNotAllowed, "The method used is not allowed")
			return
		}
	}
	writeErrors(w, http.StatusNotFound, "Endpoint does not exist")
}

// loseReply reports whether the reply to this create is to be dropped, and
// if so drops the connection.
func (e *ERP) loseReply(w http.ResponseWriter, path string) bool {
	e.mu.Lock()
	lose := e.lose[path] > 0
	if lose {
		e.lose[path]--
	}
	e.mu.Unlock()
	if !lose {
		return false
	}
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return true
		}
	}
	panic(http.ErrAbortHandler) // the server drops the connection
}

type apiError struct {
	ErrorCode int    `json:"ErrorCode"`
	Exception string `json:"Exception"`
}

func writeErrors(w http.ResponseWriter, status int, exception string) {
	writeJSON(w, status, []apiError{{ErrorCode: status, Exception: exception}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// recorder keeps the status written, and lets the handler hijack.
type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(s int) {
	r.status = s
	r.ResponseWriter.WriteHeader(s)
}

func (r *recorder) Hijack() (c net.Conn, b *bufio.ReadWriter, err error) {
	return http.NewResponseController(r.ResponseWriter).Hijack()
}

// newGUID returns a random GUID, as Cin7's IDs are.
func newGUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// page returns the bounds of page p (from 1) of n items at limit each, with
// Cin7's default of 100 and largest page of 1000.
func page(q url.Values, n int) (from, to, p int) {
	p, _ = strconv.Atoi(param(q, "Page"))
	if p < 1 {
		p = 1
	}
	limit, _ := strconv.Atoi(param(q, "Limit"))
	if limit < 1 {
		limit = 100
	}
	limit = min(limit, 1000)
	from = min((p-1)*limit, n)
	to = min(from+limit, n)
	return from, to, p
}

// param reads a query parameter whatever the case of its name, as Cin7
// does.
func param(q url.Values, name string) string {
	for k, v := range q {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}
