// Package woocommercefake is a fake WooCommerce shop for tests, served over
// real HTTP: the REST API v3 orders endpoints the connector reads, and the
// webhook deliveries and creation ping the shop sends. It follows
// WooCommerce's own code and documentation (see ../testdata/SOURCES.md):
//
//   - Auth as WC_REST_Authentication does it: a consumer key and secret by
//     HTTP Basic auth, or as consumer_key/consumer_secret query parameters,
//     looked at only over TLS (is_ssl()); over plain http they are ignored,
//     as WooCommerce wants OAuth 1.0a there (not modelled). A known key
//     with a wrong secret is 401 woocommerce_rest_authentication_error
//     "Consumer secret is invalid." with a WWW-Authenticate: Basic header;
//     a key without read permission is 401 "The API key provided does not
//     have read permissions."; no key, or one the shop does not know, is 401
//     woocommerce_rest_cannot_view "Sorry, you cannot list resources.".
//   - GET /wp-json/wc/v3/orders: page (from 1), per_page (1 to 100, default
//     10), modified_after and dates_are_gmt, orderby (date, id, include,
//     title, slug, modified; date and modified tie-break on id) and order
//     (default desc), status any (everything but trash); X-WP-Total,
//     X-WP-TotalPages and Link headers; a page past the end is an empty
//     array. modified_after is compared as WordPress's date query does: to
//     the second, exclusive, against the GMT column with dates_are_gmt and
//     the site-time one without; a time carrying a zone is first converted
//     to the site's time zone (WP_Date_Query::build_mysql_datetime), so a
//     client that sends "Z" with dates_are_gmt gets the wrong orders on a
//     site away from UTC. Bad parameters are 400 rest_invalid_param.
//   - GET /wp-json/wc/v3/orders/{id}: the order, trashed ones too; an
//     unknown id is 404 woocommerce_rest_shop_order_invalid_id "Invalid
//     ID."; any other path is 404 rest_no_route.
//   - Bodies are written as wp_json_encode writes them (PHPJSON).
//   - Throttling is forced by the test: Throttle queues 429s (which the
//     REST API itself never sends: they come from the host, a firewall or
//     a security plugin) and Maintenance the 503 with Retry-After: 600 that
//     WordPress answers while it updates.
package woocommercefake

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Config sets up a fake shop.
type Config struct {
	// ConsumerKey and ConsumerSecret are the one REST API key the shop
	// knows.
	ConsumerKey    string
	ConsumerSecret string
	// Permissions is the key's: read, write or read_write; "" means read.
	Permissions string
	// Location is the site's time zone; nil means UTC.
	Location *time.Location
	// HomeURL is home_url('/'), sent as X-WC-Webhook-Source and used in
	// _links; "" means https://example.com/.
	HomeURL string
	// Now is the shop's clock, for the times Put and Update set; nil means
	// time.Now.
	Now func() time.Time
}

// Shop is one fake WooCommerce shop. It is an http.Handler.
type Shop struct {
	cfg Config

	mu       sync.Mutex
	orders   map[int64]*Order
	throttle []throttle
	onList   func(page int)
	requests []Request
}

type throttle struct {
	status     int
	retryAfter string
}

// Request is one request the fake answered, for tests to inspect.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	Key    string // the consumer key sent, by either means
	TLS    bool
	Status int
}

// New returns a shop with no orders.
func New(cfg Config) *Shop {
	if cfg.Permissions == "" {
		cfg.Permissions = "read"
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.HomeURL == "" {
		cfg.HomeURL = "https://example.com/"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Shop{cfg: cfg, orders: map[int64]*Order{}}
}

func (s *Shop) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Second) }

// Put adds or replaces an order. A zero DateCreated or DateModified is set
// to the shop's clock; times are kept to the second, as WordPress does.
func (s *Shop) Put(o Order) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if o.DateCreated.IsZero() {
		o.DateCreated = now
	}
	if o.DateModified.IsZero() {
		o.DateModified = o.DateCreated
	}
	o.DateCreated = o.DateCreated.UTC().Truncate(time.Second)
	o.DateModified = o.DateModified.UTC().Truncate(time.Second)
	s.orders[o.ID] = &o
}

// Update changes an order with fn and sets its DateModified to the shop's
// clock, as saving an order does.
func (s *Shop) Update(id int64, fn func(*Order)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return fmt.Errorf("woocommercefake: no order %d", id)
	}
	fn(o)
	o.DateModified = s.now()
	return nil
}

// Delete removes an order for good (not to the trash).
func (s *Shop) Delete(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.orders, id)
}

// Order returns an order by id.
func (s *Shop) Order(id int64) (Order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return Order{}, false
	}
	return *o, true
}

// JSON returns an order as the REST API and the webhooks write it.
func (s *Shop) JSON(id int64) ([]byte, error) {
	o, ok := s.Order(id)
	if !ok {
		return nil, fmt.Errorf("woocommercefake: no order %d", id)
	}
	return PHPJSON(o.wire(s.cfg.Location, s.cfg.HomeURL))
}

// Throttle makes the next request get status (429 or 503) with the given
// Retry-After ("" sends none). Calls queue up, one reply each.
func (s *Shop) Throttle(status int, retryAfter string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttle = append(s.throttle, throttle{status, retryAfter})
}

// Maintenance makes the next request get WordPress's maintenance-mode
// reply: 503, Retry-After: 600, an HTML page.
func (s *Shop) Maintenance() { s.Throttle(http.StatusServiceUnavailable, "600") }

// OnList sets fn to run before each authorised list request is answered,
// with the page asked for: a test changes orders there to model a shop
// that is busy while a client pages through it.
func (s *Shop) OnList(fn func(page int)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onList = fn
}

// Requests returns the requests answered so far.
func (s *Shop) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// ServeHTTP answers one request as WooCommerce would.
func (s *Shop) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &recorder{ResponseWriter: w}
	key, _ := credentials(r)
	defer func() {
		s.mu.Lock()
		s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Key: key, TLS: r.TLS != nil, Status: rec.status})
		s.mu.Unlock()
	}()
	s.serve(rec, r)
}

const ordersRoute = "/wp-json/wc/v3/orders"

func (s *Shop) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	var t *throttle
	if len(s.throttle) > 0 {
		t = &s.throttle[0]
		s.throttle = s.throttle[1:]
	}
	s.mu.Unlock()
	if t != nil {
		if t.retryAfter != "" {
			w.Header().Set("Retry-After", t.retryAfter)
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(t.status)
		if t.status == http.StatusServiceUnavailable {
			fmt.Fprint(w, "<!DOCTYPE html>\n<html><head><title>Maintenance</title></head><body><h1>Briefly unavailable for scheduled maintenance. Check back in a minute.</h1></body></html>\n")
		} else {
			fmt.Fprint(w, "<html><body><h1>429 Too Many Requests</h1></body></html>\n")
		}
		return
	}

	path := strings.TrimSuffix(r.URL.Path, "/")
	var single string
	switch {
	case r.Method == http.MethodGet && path == ordersRoute:
	case r.Method == http.MethodGet && strings.HasPrefix(path, ordersRoute+"/") && digits.MatchString(path[len(ordersRoute)+1:]):
		single = path[len(ordersRoute)+1:]
	default:
		writeError(w, http.StatusNotFound, "rest_no_route", "No route was found matching the URL and request method.", nil)
		return
	}
	if !s.authorised(w, r, single == "") {
		return
	}
	if single != "" {
		s.get(w, single)
		return
	}
	s.list(w, r)
}

var digits = regexp.MustCompile(`^[0-9]+$`)

// credentials returns the key and secret a request carries: the query
// parameters if both are there, else HTTP Basic auth.
func credentials(r *http.Request) (key, secret string) {
	q := r.URL.Query()
	if k, s := q.Get("consumer_key"), q.Get("consumer_secret"); k != "" && s != "" {
		return k, s
	}
	k, s, _ := r.BasicAuth()
	return k, s
}

// authorised answers the request itself unless its key may read orders.
func (s *Shop) authorised(w http.ResponseWriter, r *http.Request, list bool) bool {
	if r.TLS != nil { // is_ssl(): Basic auth is looked at only over TLS
		key, secret := credentials(r)
		if key != "" && secret != "" && key == s.cfg.ConsumerKey {
			if secret != s.cfg.ConsumerSecret {
				w.Header().Set("WWW-Authenticate", `Basic realm="WooCommerce API. Use a consumer key in the username field and a consumer secret in the password field."`)
				writeError(w, http.StatusUnauthorized, "woocommerce_rest_authentication_error", "Consumer secret is invalid.", nil)
				return false
			}
			if s.cfg.Permissions != "read" && s.cfg.Permissions != "read_write" {
				writeError(w, http.StatusUnauthorized, "woocommerce_rest_authentication_error", "The API key provided does not have read permissions.", nil)
				return false
			}
			return true
		}
	}
	msg := "Sorry, you cannot view this resource."
	if list {
		msg = "Sorry, you cannot list resources."
	}
	writeError(w, http.StatusUnauthorized, "woocommerce_rest_cannot_view", msg, nil)
	return false
}

func (s *Shop) get(w http.ResponseWriter, idText string) {
	id, err := strconv.ParseInt(idText, 10, 64)
	s.mu.Lock()
	o, ok := s.orders[id]
	var wire wireOrder
	if ok {
		wire = o.wire(s.cfg.Location, s.cfg.HomeURL)
	}
	s.mu.Unlock()
	if err != nil || !ok {
		writeError(w, http.StatusNotFound, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.", nil)
		return
	}
	writeJSON(w, http.StatusOK, wire)
}

// restDate is rest_parse_date's pattern for a date-time parameter.
var restDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?$`)

func (s *Shop) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	bad := map[string]string{}
	page := intParam(q, "page", 1, bad, func(n int) string {
		if n < 1 {
			return "page must be greater than or equal to 1"
		}
		return ""
	})
	perPage := intParam(q, "per_page", 10, bad, func(n int) string {
		if n < 1 || n > 100 {
			return "per_page must be between 1 (inclusive) and 100 (inclusive)"
		}
		return ""
	})
	orderby := enumParam(q, "orderby", "date", []string{"date", "id", "include", "title", "slug", "modified"}, bad)
	order := enumParam(q, "order", "desc", []string{"asc", "desc"}, bad)
	gmt := false
	switch v := q.Get("dates_are_gmt"); v {
	case "", "false", "0":
	case "true", "1":
		gmt = true
	default:
		bad["dates_are_gmt"] = "dates_are_gmt is not of type boolean."
	}
	var after *time.Time
	if v, ok := q["modified_after"]; ok {
		if !restDate.MatchString(v[0]) {
			bad["modified_after"] = "Invalid date."
		} else {
			t := s.wpDateQueryValue(v[0])
			after = &t
		}
	}
	if len(bad) > 0 {
		names := make([]string, 0, len(bad))
		for k := range bad {
			names = append(names, k)
		}
		sort.Strings(names)
		writeError(w, http.StatusBadRequest, "rest_invalid_param", "Invalid parameter(s): "+strings.Join(names, ", "), bad)
		return
	}

	s.mu.Lock()
	hook := s.onList
	s.mu.Unlock()
	if hook != nil {
		hook(page)
	}

	s.mu.Lock()
	var rows []*Order
	for _, o := range s.orders {
		if o.Status == "trash" {
			continue // status any leaves out the trash
		}
		if after != nil && !s.column(o.DateModified, gmt).After(*after) {
			continue
		}
		rows = append(rows, o)
	}
	sort.Slice(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		less := a.ID < b.ID
		switch orderby {
		case "modified":
			if !a.DateModified.Equal(b.DateModified) {
				less = a.DateModified.Before(b.DateModified)
			}
		case "date":
			if !a.DateCreated.Equal(b.DateCreated) {
				less = a.DateCreated.Before(b.DateCreated)
			}
		}
		if order == "desc" {
			return !less
		}
		return less
	})
	total := len(rows)
	pages := int(math.Ceil(float64(total) / float64(perPage)))
	out := []wireOrder{}
	if from := (page - 1) * perPage; from < total {
		for _, o := range rows[from:min(from+perPage, total)] {
			out = append(out, o.wire(s.cfg.Location, s.cfg.HomeURL))
		}
	}
	s.mu.Unlock()

	w.Header().Set("X-WP-Total", strconv.Itoa(total))
	w.Header().Set("X-WP-TotalPages", strconv.Itoa(pages))
	link := func(rel string, p int) string {
		u := s.cfg.HomeURL + strings.TrimPrefix(ordersRoute, "/")
		q2 := url.Values{}
		for k, v := range q {
			q2[k] = v
		}
		q2.Set("page", strconv.Itoa(p))
		return fmt.Sprintf("<%s?%s>; rel=%q", u, q2.Encode(), rel)
	}
	var links []string
	if page > 1 {
		links = append(links, link("prev", min(page-1, max(pages, 1))))
	}
	if pages > page {
		links = append(links, link("next", page+1))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	writeJSON(w, http.StatusOK, out)
}

// column is an order's post_modified_gmt (gmt) or post_modified, as the
// naive time MySQL compares.
func (s *Shop) column(t time.Time, gmt bool) time.Time {
	if gmt {
		return naive(t.UTC())
	}
	return naive(t.In(s.cfg.Location))
}

// wpDateQueryValue is the naive time WordPress's date query compares a
// column with, for a date-time parameter v: a time without a zone is taken
// as written; one with a zone is converted to the site's time zone
// (WP_Date_Query::build_mysql_datetime). Fractions of a second are
// dropped.
func (s *Shop) wpDateQueryValue(v string) time.Time {
	v = strings.Replace(strings.Replace(v, "t", "T", 1), " ", "T", 1)
	for _, layout := range []string{"2006-01-02T15:04:05Z07:00", "2006-01-02T15:04:05.999999999Z07:00", "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04:05Z07"} {
		if t, err := time.Parse(layout, strings.ToUpper(v)); err == nil {
			return naive(t.In(s.cfg.Location))
		}
	}
	t, _ := time.Parse("2006-01-02T15:04:05.999999999", v)
	return naive(t)
}

// naive drops the zone and the fraction of a second.
func naive(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
}

func intParam(q url.Values, name string, def int, bad map[string]string, check func(int) string) int {
	v := q.Get(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		bad[name] = name + " is not of type integer."
		return def
	}
	if msg := check(n); msg != "" {
		bad[name] = msg
	}
	return n
}

func enumParam(q url.Values, name, def string, allowed []string, bad map[string]string) string {
	v := q.Get(name)
	if v == "" {
		return def
	}
	if !slices.Contains(allowed, v) {
		bad[name] = fmt.Sprintf("%s is not one of %s.", name, strings.Join(allowed, ", "))
	}
	return v
}

// writeError writes the WordPress REST error body.
func writeError(w http.ResponseWriter, status int, code, message string, params map[string]string) {
	data := map[string]any{"status": status}
	if params != nil {
		data["params"] = params
	}
	writeJSON(w, status, struct {
		Code    string         `json:"code"`
		Message string         `json:"message"`
		Data    map[string]any `json:"data"`
	}{code, message, data})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := PHPJSON(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	w.Write(b)
}

type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}
