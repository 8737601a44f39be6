// Package bigcommercefake is a fake of the parts of BigCommerce's v2 Orders
// API that the bigcommerce connector reads, served over real HTTP, for
// tests and the sandbox. It follows BigCommerce's published API description
// (bigcommerce/docs reference/orders.v2.oas2.yml) and its rate-limit and
// status-code pages:
//
//   - everything under /stores/{store_hash}/v2; X-Auth-Token checked on
//     every request: missing or unknown is 401, a token of an API account
//     without the Orders scope (Config.NoScopeToken) is 403; errors are the
//     v2 shape [{"status": 404, "message": "…"}];
//   - GET /v2/orders/{id} (404 for an unknown order), GET
//     /v2/orders/{id}/products and GET /v2/orders/{id}/shipping_addresses
//     (paged: limit, default 50, at most 250, else 413; page from 1) and
//     GET /v2/orders (min_date_modified in RFC 2822 or ISO 8601, sort=id or
//     date_modified with :asc/:desc, limit, page); an empty collection is
//     204 No Content;
//   - the store's rate limit: a quota of requests per window (150 per 30 s,
//     the Standard plan's, unless configured), every reply carrying
//     X-Rate-Limit-Requests-Left, -Requests-Quota, -Time-Window-Ms and
//     -Time-Reset-Ms, and a 429 with the same headers once the quota is
//     spent; Throttle forces 429s, with or without the headers (BigCommerce
//     sends a bare 429 when the platform is under load);
//   - Accept other than JSON is 406.
//
// Error wording other than the 404's ("The requested resource was not
// found.", from the API description) is the fake's own.
package bigcommercefake

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Defaults for the zero values of Config.
const (
	DefaultQuota  = 150
	DefaultWindow = 30 * time.Second
	MaxLimit      = 250
	DefaultLimit  = 50
)

// Config sets up a fake store.
type Config struct {
	// StoreHash is the store's hash: the fake serves /stores/{StoreHash}.
	// Required.
	StoreHash string
	// StoreID is the store_id callbacks carry; empty means "1025646", as
	// in BigCommerce's samples.
	StoreID string
	// AccessToken is the token of an API account with Orders: read-only.
	AccessToken string
	// NoScopeToken, if set, is the token of an API account without the
	// Orders scope: its requests get 403.
	NoScopeToken string
	// Quota is the requests allowed per Window; 0 means DefaultQuota.
	Quota int
	// Window is the rate-limit window; 0 means DefaultWindow.
	Window time.Duration
	// Now is the fake's clock; nil means time.Now.
	Now func() time.Time
}

// Request is one request the fake received.
type Request struct {
	Method string
	Path   string // below /stores/{hash}, e.g. /v2/orders/218
	Query  url.Values
	Token  string
	Accept string
	At     time.Time
	Status int
}

type storedOrder struct {
	id       int64
	modified time.Time
	body     json.RawMessage
	products []json.RawMessage
}

// Store is one fake BigCommerce store. It is an http.Handler.
type Store struct {
	cfg Config

	mu          sync.Mutex
	orders      map[int64]*storedOrder
	shipping    map[int64][]json.RawMessage // by order id, kept when the order is replaced
	windowStart time.Time
	used        int
	forced      []bool // forced 429s to come; true = with headers
	requests    []Request
}

// New returns an empty store.
func New(cfg Config) *Store {
	if cfg.StoreID == "" {
		cfg.StoreID = "1025646"
	}
	if cfg.Quota == 0 {
		cfg.Quota = DefaultQuota
	}
	if cfg.Window == 0 {
		cfg.Window = DefaultWindow
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Store{cfg: cfg, orders: map[int64]*storedOrder{}, shipping: map[int64][]json.RawMessage{}}
}

// Prefix is the path the store's API lives under: /stores/{hash}. A
// client's base URL is the server's URL plus Prefix.
func (s *Store) Prefix() string { return "/stores/" + s.cfg.StoreHash }

// PutOrder adds or replaces an order: body is a v2 order object (as GET
// /v2/orders/{id} returns it) and products a JSON array of its products
// (nil for none). The id and date_modified are read from body.
func (s *Store) PutOrder(body, products []byte) error {
	var head struct {
		ID           int64  `json:"id"`
		DateModified string `json:"date_modified"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		return fmt.Errorf("bigcommercefake: order: %w", err)
	}
	if head.ID <= 0 {
		return fmt.Errorf("bigcommercefake: order has no id")
	}
	modified, err := parseDate(head.DateModified)
	if err != nil {
		return fmt.Errorf("bigcommercefake: order %d: date_modified: %w", head.ID, err)
	}
	var ps []json.RawMessage
	if len(products) > 0 {
		if err := json.Unmarshal(products, &ps); err != nil {
			return fmt.Errorf("bigcommercefake: order %d products: %w", head.ID, err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orders[head.ID] = &storedOrder{id: head.ID, modified: modified, body: slices.Clone(body), products: ps}
	return nil
}

// PutShippingAddresses sets the shipping addresses of order id: body is a
// JSON array of them, as GET /v2/orders/{id}/shipping_addresses returns
// it (nil or empty for none). They are kept when PutOrder replaces the
// order. Without any, the sub-resource answers 204 No Content, as
// BigCommerce does for an empty collection (a digital order, say).
func (s *Store) PutShippingAddresses(id int64, body []byte) error {
	if id <= 0 {
		return fmt.Errorf("bigcommercefake: shipping addresses of order %d: not an order id", id)
	}
	var as []json.RawMessage
	if len(body) > 0 {
		if err := json.Unmarshal(body, &as); err != nil {
			return fmt.Errorf("bigcommercefake: order %d shipping addresses: %w", id, err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(as) == 0 {
		delete(s.shipping, id)
		return nil
	}
	s.shipping[id] = as
	return nil
}

// Throttle makes the next n requests answer 429, with the rate-limit
// headers when withHeaders is set (a spent quota) and without them
// otherwise (BigCommerce under load). Forced 429s do not use the quota.
func (s *Store) Throttle(n int, withHeaders bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.forced = append(s.forced, withHeaders)
	}
}

// Requests returns the requests received so far.
func (s *Store) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Webhook returns the body BigCommerce would post for scope about order
// id, fired at at. The hash is derived from all three, so a repeat of one
// event has the same hash.
func (s *Store) Webhook(scope string, id int64, at time.Time) []byte {
	sum := sha1.Sum([]byte(fmt.Sprintf("%s|%s|%d|%d", s.cfg.StoreHash, scope, id, at.Unix())))
	b, _ := json.Marshal(map[string]any{
		"scope":      scope,
		"store_id":   s.cfg.StoreID,
		"data":       map[string]any{"type": "order", "id": id},
		"hash":       hex.EncodeToString(sum[:]),
		"created_at": at.Unix(),
		"producer":   "stores/" + s.cfg.StoreHash,
	})
	return b
}

// ServeHTTP answers one API request.
func (s *Store) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	rec := Request{
		Method: r.Method, Query: r.URL.Query(), Token: r.Header.Get("X-Auth-Token"),
		Accept: r.Header.Get("Accept"), At: now,
	}
	status := s.serve(w, r, now, &rec)
	rec.Status = status
	s.requests = append(s.requests, rec)
}

// serve does the work of ServeHTTP under the lock and returns the status
// it wrote.
func (s *Store) serve(w http.ResponseWriter, r *http.Request, now time.Time, rec *Request) int {
	path, ok := strings.CutPrefix(r.URL.Path, s.Prefix()+"/")
	if !ok {
		return writeError(w, http.StatusNotFound, "The requested resource was not found.")
	}
	rec.Path = "/" + path
	switch rec.Token {
	case "":
		return writeError(w, http.StatusUnauthorized, "No access token was sent in X-Auth-Token.")
	case s.cfg.AccessToken:
	case s.cfg.NoScopeToken:
		return writeError(w, http.StatusForbidden, "You don't have a required scope to access the endpoint.")
	default:
		return writeError(w, http.StatusUnauthorized, "The access token is not valid for this store.")
	}
	if status, limited := s.limit(w, now); limited {
		return status
	}
	if a := rec.Accept; a != "" && !strings.Contains(a, "application/json") && !strings.Contains(a, "*/*") {
		return writeError(w, http.StatusNotAcceptable, "The Accept header must allow application/json.")
	}
	if r.Method != http.MethodGet {
		return writeError(w, http.StatusMethodNotAllowed, "The fake serves GET only.")
	}
	parts := strings.Split(strings.TrimSuffix(path, "/"), "/")
	switch {
	case len(parts) == 2 && parts[0] == "v2" && parts[1] == "orders":
		return s.listOrders(w, r.URL.Query())
	case len(parts) == 3 && parts[0] == "v2" && parts[1] == "orders":
		o := s.find(parts[2])
		if o == nil {
			return writeError(w, http.StatusNotFound, "The requested resource was not found.")
		}
		return writeJSON(w, http.StatusOK, o.body)
	case len(parts) == 4 && parts[0] == "v2" && parts[1] == "orders" && (parts[3] == "products" || parts[3] == "shipping_addresses"):
		o := s.find(parts[2])
		if o == nil {
			return writeError(w, http.StatusNotFound, "The requested resource was not found.")
		}
		items := o.products
		if parts[3] == "shipping_addresses" {
			items = s.shipping[o.id]
		}
		start, end, status := pageBounds(w, r.URL.Query(), len(items))
		if status != 0 {
			return status
		}
		return writeList(w, items[start:end])
	}
	return writeError(w, http.StatusNotFound, "The requested resource was not found.")
}

// limit applies the store's rate limit: it sets the rate-limit headers and,
// when a request is refused, writes the 429.
func (s *Store) limit(w http.ResponseWriter, now time.Time) (int, bool) {
	if len(s.forced) > 0 {
		withHeaders := s.forced[0]
		s.forced = s.forced[1:]
		if withHeaders {
			s.rateHeaders(w, now, 0)
		}
		return writeError(w, http.StatusTooManyRequests, "Too many requests."), true
	}
	if s.windowStart.IsZero() || !now.Before(s.windowStart.Add(s.cfg.Window)) {
		s.windowStart, s.used = now, 0
	}
	if s.used >= s.cfg.Quota {
		s.rateHeaders(w, now, 0)
		return writeError(w, http.StatusTooManyRequests, "Too many requests."), true
	}
	s.used++
	s.rateHeaders(w, now, s.cfg.Quota-s.used)
	return 0, false
}

func (s *Store) rateHeaders(w http.ResponseWriter, now time.Time, left int) {
	reset := s.windowStart.Add(s.cfg.Window).Sub(now)
	if s.windowStart.IsZero() || reset < 0 {
		reset = s.cfg.Window
	}
	h := w.Header()
	h.Set("X-Rate-Limit-Time-Window-Ms", strconv.FormatInt(s.cfg.Window.Milliseconds(), 10))
	h.Set("X-Rate-Limit-Time-Reset-Ms", strconv.FormatInt(reset.Milliseconds(), 10))
	h.Set("X-Rate-Limit-Requests-Quota", strconv.Itoa(s.cfg.Quota))
	h.Set("X-Rate-Limit-Requests-Left", strconv.Itoa(left))
}

func (s *Store) find(idText string) *storedOrder {
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return nil
	}
	return s.orders[id]
}

// listOrders answers GET /v2/orders.
func (s *Store) listOrders(w http.ResponseWriter, q url.Values) int {
	var since time.Time
	if v := q.Get("min_date_modified"); v != "" {
		t, err := parseDate(v)
		if err != nil {
			return writeError(w, http.StatusBadRequest, "The field 'min_date_modified' is invalid.")
		}
		since = t
	}
	list := make([]*storedOrder, 0, len(s.orders))
	for _, o := range s.orders {
		if !o.modified.Before(since) {
			list = append(list, o)
		}
	}
	field, dir, _ := strings.Cut(q.Get("sort"), ":")
	byID := func(a, b *storedOrder) int { return cmpInt(a.id, b.id) }
	cmp := byID
	switch field {
	case "", "id":
	case "date_modified":
		cmp = func(a, b *storedOrder) int {
			if c := a.modified.Compare(b.modified); c != 0 {
				return c
			}
			return byID(a, b)
		}
	default:
		return writeError(w, http.StatusBadRequest, "The fake sorts by id or date_modified only.")
	}
	slices.SortFunc(list, cmp)
	if dir == "desc" {
		slices.Reverse(list)
	}
	start, end, status := pageBounds(w, q, len(list))
	if status != 0 {
		return status
	}
	bodies := make([]json.RawMessage, 0, end-start)
	for _, o := range list[start:end] {
		bodies = append(bodies, o.body)
	}
	return writeList(w, bodies)
}

// pageBounds reads limit and page; it writes the error and returns its
// status when they are invalid.
func pageBounds(w http.ResponseWriter, q url.Values, n int) (start, end, status int) {
	limit, page := DefaultLimit, 1
	if v := q.Get("limit"); v != "" {
		l, err := strconv.Atoi(v)
		if err != nil || l < 1 {
			return 0, 0, writeError(w, http.StatusBadRequest, "The field 'limit' is invalid.")
		}
		if l > MaxLimit {
			return 0, 0, writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("The limit may be at most %d.", MaxLimit))
		}
		limit = l
	}
	if v := q.Get("page"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p < 1 {
			return 0, 0, writeError(w, http.StatusBadRequest, "The field 'page' is invalid.")
		}
		page = p
	}
	start = min((page-1)*limit, n)
	end = min(start+limit, n)
	return start, end, 0
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// parseDate reads a filter date: RFC 2822 or ISO 8601.
func parseDate(v string) (time.Time, error) {
	for _, layout := range []string{time.RFC1123Z, time.RFC1123, time.RFC3339Nano} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is neither RFC 2822 nor ISO 8601", v)
}

func writeList(w http.ResponseWriter, items []json.RawMessage) int {
	if len(items) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return http.StatusNoContent
	}
	b, _ := json.Marshal(items)
	return writeJSON(w, http.StatusOK, b)
}

func writeJSON(w http.ResponseWriter, status int, body []byte) int {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
	return status
}

// writeError writes the v2 API's error shape.
func writeError(w http.ResponseWriter, status int, message string) int {
	b, _ := json.Marshal([]map[string]any{{"status": status, "message": message}})
	return writeJSON(w, status, b)
}
