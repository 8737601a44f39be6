// Package walmartfake is a fake of Walmart Marketplace's token and
// single-item inventory APIs (US), for tests, served over real HTTP. It
// follows Walmart's documentation:
//
//   - POST /v3/token with Authorization: Basic base64(client id:secret),
//     WM_SVC.NAME and WM_QOS.CORRELATION_ID, form
//     grant_type=client_credentials: {"access_token", "token_type":
//     "Bearer", "expires_in": 900}; wrong keys are 401 UNAUTHORIZED;
//   - PUT /v3/inventory?sku=… with WM_SEC.ACCESS_TOKEN, WM_SVC.NAME and
//     WM_QOS.CORRELATION_ID (a missing header is 400
//     MISSING_REQUEST_HEADER, an unknown or expired token 401
//     UNAUTHORIZED), body {"sku", "quantity": {"unit": "EACH", "amount"}}
//     (unit EACH, amount 0 or more, sku equal to the query's); an unknown
//     SKU is 404 CONTENT_NOT_FOUND; success echoes the body;
//   - a token bucket per seller on the fake's clock, over which it answers
//     429 REQUEST_THRESHOLD_VIOLATED with Retry-After;
//   - errors as {"errors": [{"code", "field", "description", "info",
//     "severity", "category", "causes"}]}, as the error-codes page shows
//     them. The codes follow that page; the words are the fake's.
package walmartfake

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ordergate/ordergate/internal/marketplace/internal/fakeapi"
)

// Config sets up a fake.
type Config struct {
	// ClientID and ClientSecret are the keys the token API accepts.
	ClientID     string
	ClientSecret string
	// RequestsPerSecond and Burst are its inventory rate limit; 0 means 1
	// and 5.
	RequestsPerSecond float64
	Burst             int
	// TokenLife is how long a token lasts; 0 means 15 minutes.
	TokenLife time.Duration
	// Now is its clock; nil means time.Now.
	Now func() time.Time
}

// Fake is one seller's inventory. It is an http.Handler.
type Fake struct {
	cfg              Config
	fakeapi.Controls // Throttle, Fail, ExpireTokens, RefuseCredentials, TokensIssued, Stall, Close
	bucket           *fakeapi.Bucket

	mu       sync.Mutex
	items    map[string]*item
	requests []Request
}

type item struct {
	amount int
	set    bool
}

// Request is one inventory request the fake answered.
type Request struct {
	SKU           string
	CorrelationID string
	Status        int // 0 when held
}

// New returns a fake with no items.
func New(cfg Config) *Fake {
	if cfg.RequestsPerSecond == 0 {
		cfg.RequestsPerSecond, cfg.Burst = 1, 5
	}
	if cfg.TokenLife == 0 {
		cfg.TokenLife = 15 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Fake{
		cfg:      cfg,
		Controls: fakeapi.NewControls(cfg.Now, cfg.TokenLife),
		bucket:   fakeapi.NewBucket(cfg.RequestsPerSecond, cfg.Burst),
		items:    map[string]*item{},
	}
}

// AddItem makes sku an item of the seller's.
func (f *Fake) AddItem(sku string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items[sku] = &item{}
}

// Quantity returns the item's amount and whether it was ever set.
func (f *Fake) Quantity(sku string) (int, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	it, ok := f.items[sku]
	if !ok {
		return 0, false
	}
	return it.amount, it.set
}

// Requests returns the inventory requests answered so far.
func (f *Fake) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.requests...)
}

// ServeHTTP answers /v3/token and /v3/inventory.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.URL.Path == "/v3/token" && r.Method == http.MethodPost:
		f.token(w, r)
	case r.URL.Path == "/v3/inventory" && r.Method == http.MethodPut:
		f.inventory(w, r)
	default:
		writeError(w, http.StatusNotFound, "URI_NOT_FOUND", "", "URI not found")
	}
}

// header reads a WM_ header however its name was cased.
func header(r *http.Request, name string) string {
	if v := r.Header[name]; len(v) > 0 {
		return v[0]
	}
	return r.Header.Get(name)
}

func missingHeader(r *http.Request) string {
	for _, h := range []string{"WM_SVC.NAME", "WM_QOS.CORRELATION_ID"} {
		if header(r, h) == "" {
			return h
		}
	}
	return ""
}

func (f *Fake) token(w http.ResponseWriter, r *http.Request) {
	if h := missingHeader(r); h != "" {
		writeError(w, http.StatusBadRequest, "MISSING_REQUEST_HEADER", h, "missing required header "+h)
		return
	}
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(f.cfg.ClientID+":"+f.cfg.ClientSecret))
	if r.Header.Get("Authorization") != want {
		writeError(w, http.StatusUnauthorized, "UNAUTHORIZED.GMP_GATEWAY_API", "UNAUTHORIZED", "Unauthorized")
		return
	}
	if r.ParseForm() != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		writeError(w, http.StatusBadRequest, "INVALID_REQUEST_CONTENT", "grant_type", "grant_type must be client_credentials")
		return
	}
	tok, life, ok := f.Tokens.Issue("eyJ")
	if !ok {
		writeError(w, http.StatusUnauthorized, "UNAUTHORIZED.GMP_GATEWAY_API", "UNAUTHORIZED", "Unauthorized")
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": int(life.Seconds())})
}

func (f *Fake) inventory(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	sku := r.URL.Query().Get("sku")
	if f.Faults.Hold(r) {
		f.log(r, sku, 0)
		return
	}
	f.log(r, sku, f.answer(w, r, sku, body))
}

func (f *Fake) answer(w http.ResponseWriter, r *http.Request, sku string, body []byte) int {
	if x, ok := f.Faults.Pop(); ok {
		fakeapi.SetRetryAfter(w, x.RetryAfter)
		if x.Status == http.StatusTooManyRequests {
			return writeError(w, x.Status, "REQUEST_THRESHOLD_VIOLATED.GMP_GATEWAY_API", "", "Too Many Requests")
		}
		return writeError(w, x.Status, "SYSTEM_ERROR.GMP_GATEWAY_API", "", "Internal Server Error")
	}
	if h := missingHeader(r); h != "" {
		return writeError(w, http.StatusBadRequest, "MISSING_REQUEST_HEADER", h, "missing required header "+h)
	}
	if !f.Tokens.Valid(header(r, "WM_SEC.ACCESS_TOKEN")) {
		return writeError(w, http.StatusUnauthorized, "UNAUTHORIZED.GMP_GATEWAY_API", "UNAUTHORIZED", "Unauthorized")
	}
	if ok, wait := f.bucket.Allow(f.cfg.Now()); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		return writeError(w, http.StatusTooManyRequests, "REQUEST_THRESHOLD_VIOLATED.GMP_GATEWAY_API", "", "Too Many Requests")
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		return writeError(w, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "", "Unsupported Media Type")
	}
	if sku == "" {
		return writeError(w, http.StatusBadRequest, "MISSING_REQUEST_PARAM", "sku", "missing query parameter sku")
	}
	var in struct {
		SKU      *string `json:"sku"`
		Quantity *struct {
			Unit   string `json:"unit"`
			Amount *int   `json:"amount"`
		} `json:"quantity"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return writeError(w, http.StatusBadRequest, "MALFORMED_REQUEST_CONTENT", "", "malformed JSON")
	}
	switch {
	case in.SKU != nil && *in.SKU != sku:
		return writeError(w, http.StatusBadRequest, "INVALID_REQUEST_CONTENT", "sku", "sku in the body differs from the query")
	case in.Quantity == nil || in.Quantity.Amount == nil:
		return writeError(w, http.StatusBadRequest, "INVALID_REQUEST_CONTENT", "quantity", "quantity.amount is required")
	case in.Quantity.Unit != "EACH":
		return writeError(w, http.StatusBadRequest, "INVALID_REQUEST_CONTENT", "quantity.unit", "quantity.unit must be EACH")
	case *in.Quantity.Amount < 0:
		return writeError(w, http.StatusBadRequest, "INVALID_REQUEST_CONTENT", "quantity.amount", "quantity.amount must not be negative")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	it, ok := f.items[sku]
	if !ok {
		return writeError(w, http.StatusNotFound, "CONTENT_NOT_FOUND.GMP_INVENTORY_API", "sku", "Requested content not found")
	}
	it.amount, it.set = *in.Quantity.Amount, true
	_ = json.NewEncoder(w).Encode(map[string]any{"sku": sku, "quantity": map[string]any{"unit": "EACH", "amount": it.amount}})
	return http.StatusOK
}

func (f *Fake) log(r *http.Request, sku string, status int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, Request{SKU: sku, CorrelationID: header(r, "WM_QOS.CORRELATION_ID"), Status: status})
}

// info is what Walmart adds to some codes' description.
var info = map[string]string{"UNAUTHORIZED.GMP_GATEWAY_API": "Unauthorized token or invalid token."}

func writeError(w http.ResponseWriter, status int, code, field, description string) int {
	w.WriteHeader(status)
	category := "DATA"
	if status >= 500 {
		category = "SYSTEM"
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{
		"code": code, "field": field, "description": description, "info": info[code],
		"severity": "ERROR", "category": category, "causes": []any{},
	}}})
	return status
}
