// Package netsuitefake is a test fake of NetSuite's SuiteTalk REST web
// services, as much of them as the netsuite connector uses, served over
// real HTTP: the OAuth 2.0 token endpoint (checking the JWT assertion's
// signature against a public key), token-based auth (recomputing each
// OAuth 1.0a HMAC-SHA256 signature), sales order upsert by external id,
// GET with expandSubResources, the shippingAddress subrecord (recorded for
// tests, its country checked to be a two-letter code; not served back),
// PATCH of keyed item lines, asynchronous
// jobs with idempotency keys, customer records (upsert by external id,
// GET, with the subsidiary a OneWorld account requires), and SuiteQL over
// items and their locations and over customers.
//
// Its behaviour follows NetSuite's documentation and the published payloads
// (see ../testdata/SOURCES.md): 204 with Location for a write, 202 with a
// job Location for "Prefer: respond-async", o:errorDetails bodies, 401
// INVALID_LOGIN for a bad credential. Where NetSuite documents nothing (the
// token endpoint's error body, the shape of a failed task's result, a
// Retry-After on 429) it does what RFC 6749 and RFC 9110 say, and the
// comment says so.
//
// Stock: an item has a quantity available per location. An order in
// Pending Fulfillment (B) commits what is available of each line, up to
// its quantity, and backorders the rest; Pending Approval (A) commits
// nothing until approved; closing a line releases what it committed.
//
// Customers: a sales order's entity must be a customer the account holds
// and that is active. Config.CustomerID exists from the start; the rest are
// made by the upsert or by AddCustomer.
//
// SuiteQL: the fake answers only the queries the connector sends (matched
// by their shape: the item query, and customer ids by externalid or by
// LOWER(email)), and refuses anything else as NetSuite refuses an invalid
// query.
package netsuitefake

import (
	"bytes"
	"crypto"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Config describes the account the fake plays.
type Config struct {
	// Account is the account id; the TBA realm must be it in upper case
	// with '-' as '_'.
	Account string

	// ClientID, CertificateID and PublicKey check OAuth 2.0 client
	// credentials assertions: iss, kid, and the signature
	// (*rsa.PublicKey for PS256, *ecdsa.PublicKey for ES256/384/512).
	ClientID      string
	CertificateID string
	PublicKey     crypto.PublicKey
	// TokenLifetime is how long an access token is good for; 0 means
	// an hour, as NetSuite's are.
	TokenLifetime time.Duration
	// StaticToken, if set, is a bearer token the account always accepts,
	// for tests that send requests by hand.
	StaticToken string

	// ConsumerKey, ConsumerSecret, TokenID and TokenSecret check TBA.
	ConsumerKey    string
	ConsumerSecret string
	TokenID        string
	TokenSecret    string

	// CustomerID is a customer that exists from the start (a web-store
	// customer); empty means "107".
	CustomerID string
	// Subsidiaries are the internal ids of the account's subsidiaries;
	// empty means just "1". A customer may name only one of them.
	Subsidiaries []string
	// RequireSubsidiary plays a OneWorld account: a new customer without
	// a subsidiary is refused.
	RequireSubsidiary bool
	// DefaultOrderStatus is the status of an order whose body names
	// none, the account's preference; empty means "A".
	DefaultOrderStatus string
	// ShipDays, if set, gives new orders a shipDate that many days on.
	ShipDays int
	// PendingPolls is how many polls of an async job answer pending
	// before it reports completed.
	PendingPolls int
	// ThrottleRetryAfter makes a throttled reply carry Retry-After.
	// NetSuite documents none for REST, so by default there is none.
	ThrottleRetryAfter bool
	// AsPublished makes the fake send the two bodies Oracle publishes as
	// invalid JSON, verbatim in shape: the idempotency conflict and the
	// completed task.
	AsPublished bool
	// Now is the fake's clock; nil means time.Now.
	Now func() time.Time
}

// Fake is one NetSuite account. It is an http.Handler.
type Fake struct {
	cfg Config

	mu         sync.Mutex
	items      map[string]*item // by internal id
	nextItem   int
	orders     map[string]*salesOrder // by internal id
	nextOrder  int
	tokens     map[string]time.Time // access token → expiry
	nonces     map[string]bool
	jobs       map[string]*job
	jobByKey   map[string]string // idempotency key → job id
	nextJob    int
	jobMu      sync.Mutex
	throttle   *time.Duration
	loseNext   bool
	loseCust   bool
	customers  map[string]*customer // by internal id
	nextCust   int
	stalled    bool
	injected   []Reply
	requests   []Request
	arrived    chan struct{}
	closed     chan struct{}
	closedOnce sync.Once
}

// New returns a fake account with no items and no orders.
func New(cfg Config) *Fake {
	if cfg.CustomerID == "" {
		cfg.CustomerID = "107"
	}
	if cfg.DefaultOrderStatus == "" {
		cfg.DefaultOrderStatus = "A"
	}
	if len(cfg.Subsidiaries) == 0 {
		cfg.Subsidiaries = []string{"1"}
	}
	if cfg.TokenLifetime == 0 {
		cfg.TokenLifetime = time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Fake{
		cfg:       cfg,
		items:     map[string]*item{},
		nextItem:  98,
		orders:    map[string]*salesOrder{},
		nextOrder: 647,
		customers: map[string]*customer{cfg.CustomerID: {id: cfg.CustomerID, companyName: "Web Store Customer"}},
		nextCust:  1001,
		tokens:    map[string]time.Time{},
		nonces:    map[string]bool{},
		jobs:      map[string]*job{},
		jobByKey:  map[string]string{},
		nextJob:   1,
		arrived:   make(chan struct{}, 64),
		closed:    make(chan struct{}),
	}
}

// Request is one request the fake received, for tests to inspect.
type Request struct {
	Method   string
	Path     string
	RawQuery string
	Header   http.Header
	Body     []byte
}

// Reply is a canned reply, for Inject.
type Reply struct {
	// Method is the method of the request to answer: the next
	// authenticated request (not a token request) with it gets this reply.
	Method string
	// Path, if set, narrows that to requests whose path starts with it.
	Path   string
	Status int
	Header http.Header
	Body   []byte
}

// Requests returns every request received so far.
func (f *Fake) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requests)
}

// Throttle makes the next request answered 429, as NetSuite answers over
// its concurrency limit; with Config.ThrottleRetryAfter it names after.
func (f *Fake) Throttle(after time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.throttle = &after
}

// LoseNextReply makes the next sales order write commit and then drop the
// connection without a reply.
func (f *Fake) LoseNextReply() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.loseNext = true
}

// LoseNextCustomerReply makes the next customer write commit and then
// drop the connection without a reply.
func (f *Fake) LoseNextCustomerReply() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.loseCust = true
}

// Stall makes every later request wait, unanswered, until its client goes
// away or Close is called. The channel receives as each arrives.
func (f *Fake) Stall() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stalled = true
	return f.arrived
}

// Inject makes the next authenticated request with rep.Method (and a path
// under rep.Path, if set; not a token request) get rep instead of its
// answer, once per call, in order.
func (f *Fake) Inject(rep Reply) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.injected = append(f.injected, rep)
}

// RevokeTokens invalidates every access token issued, as a revoked
// mapping or NetSuite's own expiry would.
func (f *Fake) RevokeTokens() {
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.tokens)
}

// Close releases stalled requests. Call it before closing the server.
func (f *Fake) Close() { f.closedOnce.Do(func() { close(f.closed) }) }

// ServeHTTP answers one request.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 10<<20))
	r.Body = io.NopCloser(bytes.NewReader(body))

	f.mu.Lock()
	f.requests = append(f.requests, Request{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})
	stalled := f.stalled
	throttle := f.throttle
	f.throttle = nil
	f.mu.Unlock()

	if stalled {
		select {
		case f.arrived <- struct{}{}:
		default:
		}
		select {
		case <-r.Context().Done():
		case <-f.closed:
		}
		return
	}
	if throttle != nil {
		if f.cfg.ThrottleRetryAfter {
			w.Header().Set("Retry-After", strconv.Itoa(int(throttle.Seconds())))
		}
		writeError(w, http.StatusTooManyRequests, "Too Many Requests", detail{
			Detail: "Request blocked: the concurrency limit for this account has been exceeded.",
			// [unverified] NetSuite documents only the 429 for REST;
			// the code is what client libraries report.
			Code: "CONCURRENCY_LIMIT_EXCEEDED",
		})
		return
	}
	if r.URL.Path == tokenPath {
		f.token(w, r)
		return
	}
	if !f.authenticated(r) {
		writeRaw(w, http.StatusUnauthorized, nil, invalidLogin)
		return
	}
	f.mu.Lock()
	var inj *Reply
	for i, rep := range f.injected {
		if rep.Method == r.Method && strings.HasPrefix(r.URL.Path, rep.Path) {
			inj = &rep
			f.injected = slices.Delete(f.injected, i, i+1)
			break
		}
	}
	f.mu.Unlock()
	if inj != nil {
		writeRaw(w, inj.Status, inj.Header, string(inj.Body))
		return
	}

	rec := httptest.NewRecorder()
	wrote := f.route(rec, r)
	f.mu.Lock()
	lose := false
	switch {
	case wrote == wroteSalesOrder && f.loseNext:
		lose, f.loseNext = true, false
	case wrote == wroteCustomer && f.loseCust:
		lose, f.loseCust = true, false
	}
	f.mu.Unlock()
	if lose {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler) // drops the connection all the same
	}
	maps.Copy(w.Header(), rec.Header())
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

const (
	tokenPath      = "/services/rest/auth/oauth2/v1/token"
	salesOrderPath = "/services/rest/record/v1/salesOrder/"
	customerPath   = "/services/rest/record/v1/customer/"
	suiteQLPath    = "/services/rest/query/v1/suiteql"
	jobPath        = "/services/rest/async/v1/job/"
)

// What route wrote, for LoseNextReply and LoseNextCustomerReply.
const (
	wroteNothing = iota
	wroteSalesOrder
	wroteCustomer
)

// route answers an authenticated request and reports what it wrote.
func (f *Fake) route(w http.ResponseWriter, r *http.Request) (wrote int) {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, salesOrderPath):
		key := strings.TrimPrefix(p, salesOrderPath)
		switch r.Method {
		case http.MethodGet:
			f.getOrder(w, r, key)
		case http.MethodPut:
			if r.Header.Get("Prefer") == "respond-async" {
				f.submitJob(w, r, func(w http.ResponseWriter) { f.upsert(w, r, key) })
			} else {
				f.upsert(w, r, key)
			}
			return wroteSalesOrder
		case http.MethodPatch:
			f.patch(w, r, key)
			return wroteSalesOrder
		default:
			writeError(w, http.StatusMethodNotAllowed, "Method Not Allowed", detail{Detail: "Method " + r.Method + " is not allowed here.", Code: "INVALID_REQUEST"})
		}
	case strings.HasPrefix(p, customerPath):
		key := strings.TrimPrefix(p, customerPath)
		switch r.Method {
		case http.MethodGet:
			f.getCustomer(w, r, key)
		case http.MethodPut:
			f.upsertCustomer(w, r, key)
			return wroteCustomer
		default:
			writeError(w, http.StatusMethodNotAllowed, "Method Not Allowed", detail{Detail: "Method " + r.Method + " is not allowed here.", Code: "INVALID_REQUEST"})
		}
	case p == suiteQLPath && r.Method == http.MethodPost:
		f.suiteQL(w, r)
	case strings.HasPrefix(p, jobPath) && r.Method == http.MethodGet:
		f.getJob(w, r, strings.TrimPrefix(p, jobPath))
	default:
		writeError(w, http.StatusNotFound, "Not Found", detail{Detail: "Record type or resource " + p + " does not exist.", Code: "NONEXISTENT_ID"})
	}
	return wroteNothing
}

// link is an absolute link on the host the request came to, as NetSuite
// writes its links.
func link(r *http.Request, path string) string { return "http://" + r.Host + path }
