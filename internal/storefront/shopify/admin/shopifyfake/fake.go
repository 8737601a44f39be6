// Package shopifyfake is a fake of the Shopify Admin GraphQL API over real
// HTTP, for tests: enough of it to list orders updated since a time and to
// manage webhook subscriptions, with the documented authentication, cost
// bucket and throttling.
//
// What it models: POST /admin/api/{version}/graphql.json only; the
// X-Shopify-Access-Token header (a wrong one is answered 401 with Shopify's
// body); the read_orders access scope (ACCESS_DENIED without it); a real
// parse of the query document (operations, aliases, arguments, variables,
// inline fragments), answering exactly the fields selected and refusing a
// field the stored objects do not have; the root fields orders (sortKey
// UPDATED_AT or ID, an updated_at/created_at search, cursor pagination that
// survives concurrent updates), order(id:), webhookSubscriptions (topics
// filter), the mutation webhookSubscriptionCreate (https only, one
// subscription per topic and address, userErrors otherwise) and the
// mutation tagsAdd on an order (write_orders scope; tags kept per order as
// a set, read back with Tags; userErrors for an unknown order or a bad
// tag); the calculated query cost (see exec.go), the single-query limit
// (MAX_COST_EXCEEDED) and a leaky bucket per shop that charges the requested cost, refunds down to the
// actual cost, reports extensions.cost on every reply and answers THROTTLED
// when the bucket cannot pay. To throttle a request, ThrottleNext (or
// empty the bucket with SetAvailable); to fail one with an HTTP status,
// FailNext.
//
// What it does not: named fragments, directives, backward pagination,
// schema validation beyond the stored objects' fields, the other search
// terms, bulk operations, any other root field.
package shopifyfake

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Options configures a Server. Zero values mean the defaults documented on
// each field.
type Options struct {
	// Token is the only access token accepted. Default "shpat_fake".
	Token string
	// APIVersion is the version in the endpoint's path. Default "2025-07".
	APIVersion string
	// Scopes are the token's access scopes. Default ["read_orders"].
	Scopes []string
	// MaximumAvailable is the bucket size. Default 1000.
	MaximumAvailable float64
	// RestoreRate is the points restored per second. Default 50: the
	// figure Shopify long published for standard plans; its current page
	// says 100 for Standard.
	RestoreRate float64
	// MaxQueryCost is the single-query limit. Default 1000.
	MaxQueryCost int
	// Now tells the time the bucket restores by. Default time.Now; tests
	// share their fake clock with the client.
	Now func() time.Time
}

// Request is one request as the fake saw it.
type Request struct {
	Operation     string // the document's operation name
	RootFields    []string
	Variables     map[string]any
	Status        int
	RequestedCost int
	ActualCost    int // 0 when the query did not run
	Throttled     bool
}

// Server is a running fake. Its methods are safe for concurrent use.
type Server struct {
	opts Options
	srv  *httptest.Server

	mu        sync.Mutex
	available float64
	at        time.Time
	orders    map[string]map[string]any // by legacy id
	subs      []Subscription
	nextSubID int
	faults    []fault
	log       []Request

	requestSeq atomic.Int64
}

type fault struct {
	op       string
	status   int
	header   http.Header
	body     string
	throttle bool // empty the bucket and answer as usual
}

// New starts a fake with a full bucket. Close it when done.
func New(opts Options) *Server {
	if opts.Token == "" {
		opts.Token = "shpat_fake"
	}
	if opts.APIVersion == "" {
		opts.APIVersion = "2025-07"
	}
	if opts.Scopes == nil {
		opts.Scopes = []string{"read_orders"}
	}
	if opts.MaximumAvailable == 0 {
		opts.MaximumAvailable = 1000
	}
	if opts.RestoreRate == 0 {
		opts.RestoreRate = 50
	}
	if opts.MaxQueryCost == 0 {
		opts.MaxQueryCost = 1000
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{
		opts:      opts,
		available: opts.MaximumAvailable,
		at:        opts.Now(),
		orders:    map[string]map[string]any{},
		nextSubID: 1000000,
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// URL is the GraphQL endpoint, for the client's base_url.
func (s *Server) URL() string {
	return s.srv.URL + "/admin/api/" + s.opts.APIVersion + "/graphql.json"
}

// Token is the access token the fake accepts.
func (s *Server) Token() string { return s.opts.Token }

// Requests returns every request seen so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.log)
}

// Available returns what the bucket holds now.
func (s *Server) Available() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.restore()
	return s.available
}

// SetAvailable empties or fills the bucket, as other work on the same app
// and shop would.
func (s *Server) SetAvailable(points float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.restore()
	s.available = min(max(points, 0), s.opts.MaximumAvailable)
}

// FailNext makes the next request for the operation named op ("" for any)
// answer status with header and body instead, after authentication and
// without touching the bucket. Calls queue, each answering one request.
func (s *Server) FailNext(op string, status int, header http.Header, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, fault{op: op, status: status, header: header, body: body})
}

// ThrottleNext makes the next request for the operation named op (""
// for any) find the bucket empty, as other work of the same app on the
// shop would leave it: it is answered 200 with a THROTTLED error and the
// cost block, as Shopify does, and the bucket refills from nothing. Calls
// queue with FailNext's, each answering one request.
func (s *Server) ThrottleNext(op string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, fault{op: op, throttle: true})
}

// restore leaks the bucket back up by the time passed. Callers hold mu.
func (s *Server) restore() {
	now := s.opts.Now()
	if d := now.Sub(s.at).Seconds(); d > 0 {
		s.available = min(s.opts.MaximumAvailable, s.available+d*s.opts.RestoreRate)
	}
	s.at = now
}

func (s *Server) throttleStatus() map[string]any {
	return map[string]any{
		"maximumAvailable":   s.opts.MaximumAvailable,
		"currentlyAvailable": math.Floor(s.available),
		"restoreRate":        s.opts.RestoreRate,
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Request-Id", fmt.Sprintf("fake-request-%d", s.requestSeq.Add(1)))
	if r.Method != http.MethodPost || r.URL.Path != "/admin/api/"+s.opts.APIVersion+"/graphql.json" {
		writeJSON(w, http.StatusNotFound, map[string]any{"errors": "Not Found"})
		return
	}
	if r.Header.Get("X-Shopify-Access-Token") != s.opts.Token {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"})
		return
	}
	var body struct {
		Query         string         `json:"query"`
		OperationName string         `json:"operationName"`
		Variables     map[string]any `json:"variables"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.UseNumber()
	if err := dec.Decode(&body); err != nil || body.Query == "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": map[string]any{"query": "Required parameter missing or invalid"}})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	op := body.OperationName
	if op == "" {
		if doc, err := parse(body.Query); err == nil {
			op = doc.name
		}
	}
	if i := slices.IndexFunc(s.faults, func(f fault) bool { return f.op == "" || f.op == op }); i >= 0 {
		f := s.faults[i]
		s.faults = slices.Delete(s.faults, i, i+1)
		if f.throttle {
			s.restore()
			s.available = 0
			status, reply, req := s.answer(body.Query, body.OperationName, body.Variables)
			s.log = append(s.log, req)
			writeJSON(w, status, reply)
			return
		}
		for k, vs := range f.header {
			w.Header()[k] = vs
		}
		s.log = append(s.log, Request{Operation: op, Variables: body.Variables, Status: f.status})
		w.WriteHeader(f.status)
		_, _ = w.Write([]byte(f.body))
		return
	}
	status, reply, req := s.answer(body.Query, body.OperationName, body.Variables)
	s.log = append(s.log, req)
	writeJSON(w, status, reply)
}

// answer runs one GraphQL request against the bucket and the store.
// Callers hold mu.
func (s *Server) answer(query, opName string, vars map[string]any) (int, map[string]any, Request) {
	req := Request{Variables: vars, Status: http.StatusOK}
	fail := func(e *gqlErr) (int, map[string]any, Request) {
		return http.StatusOK, map[string]any{"errors": []any{errorJSON(e)}}, req
	}
	doc, err := parse(query)
	if err != nil {
		return fail(errorf("PARSE_ERROR", "syntax error: %v", err))
	}
	req.Operation = doc.name
	for _, sel := range doc.sel {
		req.RootFields = append(req.RootFields, sel.name)
	}
	if opName != "" && opName != doc.name {
		return fail(errorf("BAD_REQUEST", "No operation named %q", opName))
	}
	requested := requestedCost(doc.sel, vars)
	if doc.op == "mutation" {
		requested = 10 * len(doc.sel)
	}
	req.RequestedCost = requested
	s.restore()
	costExt := func(actual any) map[string]any {
		return map[string]any{"cost": map[string]any{
			"requestedQueryCost": requested,
			"actualQueryCost":    actual,
			"throttleStatus":     s.throttleStatus(),
		}}
	}
	if requested > s.opts.MaxQueryCost {
		e := errorf("MAX_COST_EXCEEDED", "Query cost is %d, which exceeds the single query max cost limit (%d).", requested, s.opts.MaxQueryCost)
		e.ext = map[string]any{"cost": requested, "maxCost": s.opts.MaxQueryCost}
		return http.StatusOK, map[string]any{"errors": []any{errorJSON(e)}, "extensions": costExt(nil)}, req
	}
	if float64(requested) > s.available {
		req.Throttled = true
		e := errorf("THROTTLED", "Throttled")
		e.ext = map[string]any{"documentation": "https://shopify.dev/api/usage/rate-limits"}
		return http.StatusOK, map[string]any{"errors": []any{errorJSON(e)}, "extensions": costExt(nil)}, req
	}
	s.available -= float64(requested)
	data, gerr := s.execute(doc, vars)
	actual := 0
	if gerr == nil {
		actual = actualCost(doc.sel, data)
		if doc.op == "mutation" {
			actual = requested
		}
	}
	s.available = min(s.opts.MaximumAvailable, s.available+float64(requested-actual))
	req.ActualCost = actual
	reply := map[string]any{"extensions": costExt(actual)}
	if gerr != nil {
		reply["errors"] = []any{errorJSON(gerr)}
		reply["data"] = nil
	} else {
		reply["data"] = data
	}
	return http.StatusOK, reply, req
}

func errorJSON(e *gqlErr) map[string]any {
	ext := map[string]any{"code": e.code}
	for k, v := range e.ext {
		ext[k] = v
	}
	return map[string]any{"message": e.msg, "extensions": ext}
}

func (s *Server) execute(doc *document, vars map[string]any) (map[string]any, *gqlErr) {
	out := map[string]any{}
	for _, sel := range doc.sel {
		if sel.on != "" {
			return nil, errorf("BAD_REQUEST", "fake: fragments on the root are not modelled")
		}
		var v any
		var err error
		switch {
		case doc.op == "mutation" && sel.name == "webhookSubscriptionCreate":
			v, err = s.createSubscription(sel, vars)
		case doc.op == "mutation" && sel.name == "tagsAdd":
			v, err = s.tagsAdd(sel, vars)
		case doc.op == "query" && sel.name == "orders":
			v, err = s.ordersField(sel, vars)
		case doc.op == "query" && sel.name == "order":
			v, err = s.orderField(sel, vars)
		case doc.op == "query" && sel.name == "webhookSubscriptions":
			v, err = s.subscriptionsField(sel, vars)
		default:
			root := map[string]string{"query": "QueryRoot", "mutation": "Mutation"}[doc.op]
			err = errorf("undefinedField", "Field '%s' doesn't exist on type '%s'", sel.name, root)
		}
		if err != nil {
			if ge, ok := err.(*gqlErr); ok {
				return nil, ge
			}
			return nil, errorf("INTERNAL_SERVER_ERROR", "%v", err)
		}
		out[sel.key()] = v
	}
	return out, nil
}

func (s *Server) requireScope(field, scope string) error {
	if slices.Contains(s.opts.Scopes, scope) {
		return nil
	}
	e := errorf("ACCESS_DENIED", "Access denied for %s field. Required access: `%s` access scope.", field, scope)
	e.ext = map[string]any{"documentation": "https://shopify.dev/api/usage/access-scopes", "requiredAccess": "`" + scope + "` access scope."}
	return e
}

func stringArg(sel *selection, name string, vars map[string]any) string {
	a, ok := sel.args[name]
	if !ok {
		return ""
	}
	v, _ := a.resolve(vars).(string)
	return v
}

func argErr(sel *selection, name, want string) error {
	return errorf("argumentLiteralsIncompatible", "Argument '%s' on Field '%s' has an invalid value. Expected type '%s'.", name, sel.name, want)
}
