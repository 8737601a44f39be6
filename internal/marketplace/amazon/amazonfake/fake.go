// Package amazonfake is a fake of Login with Amazon's token endpoint and the
// Selling Partner API's listing patch, for tests, served over real HTTP. It
// follows the published model (amzn/selling-partner-api-models,
// listingsItems_2021-08-01.json) and the LWA docs:
//
//   - POST /auth/o2/token, form grant_type=refresh_token with client_id,
//     client_secret and refresh_token: {"access_token": "Atza|…",
//     "token_type": "bearer", "expires_in": 3600, "refresh_token": …};
//     a wrong client is 401 invalid_client, a wrong refresh token 400
//     invalid_grant;
//   - PATCH /listings/2021-08-01/items/{sellerId}/{sku}?marketplaceIds=…
//     with x-amz-access-token: a missing, unknown or expired token is 403
//     Unauthorized; over 5 requests a second (burst 5, on the fake's
//     clock) is 429 QuotaExceeded with no Retry-After, as SP-API does;
//     every reply carries x-amzn-RequestId and x-amzn-RateLimit-Limit;
//   - the body must be a ListingsItemPatchRequest: a productType, patches
//     with op add|replace|merge|delete; on the path
//     /attributes/fulfillment_availability the value needs a non-empty
//     fulfillment_channel_code and a quantity of 0 or more. "merge" keeps
//     the listing's lead_time_to_ship_max_days, "replace" drops it;
//   - a SKU with no listing, or a productType other than the listing's, is
//     200 with status INVALID and an ERROR issue (the issue codes and
//     words here are the fake's own); a good patch is 200 ACCEPTED and
//     applied at once (Amazon applies it later);
//   - errors are SP-API's ErrorList {"errors": [{"code", "message",
//     "details"}]}.
package amazonfake

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ordergate/ordergate/internal/marketplace/internal/fakeapi"
)

// TokenPath is where the fake serves Login with Amazon's token endpoint.
const TokenPath = "/auth/o2/token"

// DefaultMarketplaceID is amazon.com's.
const DefaultMarketplaceID = "ATVPDKIKX0DER"

// Config sets up a fake.
type Config struct {
	// ClientID, ClientSecret and RefreshToken are the credentials the
	// token endpoint accepts.
	ClientID     string
	ClientSecret string
	RefreshToken string
	// SellerID is the selling partner whose listings it holds.
	SellerID string
	// MarketplaceID is the marketplace they are in; empty means
	// DefaultMarketplaceID.
	MarketplaceID string
	// RequestsPerSecond and Burst are its patch rate limit; 0 means 5 and 5.
	RequestsPerSecond float64
	Burst             int
	// TokenLife is how long a token lasts; 0 means an hour.
	TokenLife time.Duration
	// Now is its clock; nil means time.Now.
	Now func() time.Time
}

// Fake is one seller's listings. It is an http.Handler.
type Fake struct {
	cfg              Config
	fakeapi.Controls // Throttle, Fail, ExpireTokens, RefuseCredentials, TokensIssued, Stall, Close
	bucket           *fakeapi.Bucket

	mu       sync.Mutex
	listings map[string]*listing
	requests []Request
}

type listing struct {
	productType string
	quantity    int
	set         bool
	leadTime    int // lead_time_to_ship_max_days; 0 when dropped
}

// Request is one listing request the fake answered.
type Request struct {
	Method string
	SKU    string
	Status int // 0 when the request was held
	Body   []byte
}

// New returns a fake with no listings.
func New(cfg Config) *Fake {
	if cfg.MarketplaceID == "" {
		cfg.MarketplaceID = DefaultMarketplaceID
	}
	if cfg.RequestsPerSecond == 0 {
		cfg.RequestsPerSecond, cfg.Burst = 5, 5
	}
	if cfg.TokenLife == 0 {
		cfg.TokenLife = time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Fake{
		cfg:      cfg,
		Controls: fakeapi.NewControls(cfg.Now, cfg.TokenLife),
		bucket:   fakeapi.NewBucket(cfg.RequestsPerSecond, cfg.Burst),
		listings: map[string]*listing{},
	}
}

// AddListing adds a listing of sku of productType, with a lead time of 2
// days and no quantity set.
func (f *Fake) AddListing(sku, productType string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.listings[sku] = &listing{productType: productType, leadTime: 2}
}

// Quantity returns the listing's quantity and whether one was ever set.
func (f *Fake) Quantity(sku string) (int, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	l, ok := f.listings[sku]
	if !ok {
		return 0, false
	}
	return l.quantity, l.set
}

// LeadTime returns the listing's lead_time_to_ship_max_days (0 once a
// replace dropped it).
func (f *Fake) LeadTime(sku string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if l, ok := f.listings[sku]; ok {
		return l.leadTime
	}
	return 0
}

// Requests returns the listing requests answered so far.
func (f *Fake) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.requests...)
}

// ServeHTTP answers the token endpoint and listing patches.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path == TokenPath {
		f.token(w, r)
		return
	}
	const prefix = "/listings/2021-08-01/items/"
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), prefix)
	seller, escSKU, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 || r.Method != http.MethodPatch {
		writeErrors(w, http.StatusNotFound, "NotFound", "Resource not found", "")
		return
	}
	sku, err := url.PathUnescape(escSKU)
	if err != nil {
		writeErrors(w, http.StatusBadRequest, "InvalidInput", "Invalid sku path parameter", "")
		return
	}
	f.patch(w, r, seller, sku)
}

func (f *Fake) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "The request is missing a required parameter or is otherwise malformed")
		return
	}
	if r.PostForm.Get("client_id") != f.cfg.ClientID || r.PostForm.Get("client_secret") != f.cfg.ClientSecret {
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client", "Client authentication failed")
		return
	}
	if r.PostForm.Get("grant_type") != "refresh_token" || r.PostForm.Get("refresh_token") != f.cfg.RefreshToken {
		writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "The request has an invalid grant parameter : refresh_token")
		return
	}
	tok, life, ok := f.Tokens.Issue("Atza|")
	if !ok {
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client", "Client authentication failed")
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{
		"access_token": tok, "token_type": "bearer", "expires_in": int(life.Seconds()), "refresh_token": f.cfg.RefreshToken,
	})
}

// patchRequest is ListingsItemPatchRequest, read strictly enough to catch
// a client that sends the wrong shape.
type patchRequest struct {
	ProductType string `json:"productType"`
	Patches     []struct {
		Op    string            `json:"op"`
		Path  string            `json:"path"`
		Value []json.RawMessage `json:"value"`
	} `json:"patches"`
}

func (f *Fake) patch(w http.ResponseWriter, r *http.Request, seller, sku string) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if f.Faults.Hold(r) {
		f.log(r, sku, 0, body)
		return
	}
	w.Header().Set("x-amzn-RequestId", newID())
	w.Header().Set("x-amzn-RateLimit-Limit", fmt.Sprintf("%.1f", f.cfg.RequestsPerSecond))
	status := f.answer(w, r, seller, sku, body)
	f.log(r, sku, status, body)
}

// answer writes the reply and returns its status.
func (f *Fake) answer(w http.ResponseWriter, r *http.Request, seller, sku string, body []byte) int {
	if x, ok := f.Faults.Pop(); ok {
		fakeapi.SetRetryAfter(w, x.RetryAfter)
		if x.Status == http.StatusTooManyRequests {
			return writeErrors(w, x.Status, "QuotaExceeded", "You exceeded your quota for the requested resource.", "")
		}
		return writeErrors(w, x.Status, "InternalFailure", "We encountered an internal error. Please try again.", "")
	}
	if !f.Tokens.Valid(r.Header.Get("x-amz-access-token")) {
		return writeErrors(w, http.StatusForbidden, "Unauthorized", "Access to requested resource is denied.", "The access token you provided is revoked, malformed or invalid.")
	}
	if ok, _ := f.bucket.Allow(f.cfg.Now()); !ok {
		return writeErrors(w, http.StatusTooManyRequests, "QuotaExceeded", "You exceeded your quota for the requested resource.", "")
	}
	if seller != f.cfg.SellerID {
		return writeErrors(w, http.StatusForbidden, "Unauthorized", "Access to requested resource is denied.", "")
	}
	ids := strings.Split(r.URL.Query().Get("marketplaceIds"), ",")
	if !slices.Contains(ids, f.cfg.MarketplaceID) {
		return writeErrors(w, http.StatusBadRequest, "InvalidInput", "Invalid marketplaceIds", "")
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return writeErrors(w, http.StatusUnsupportedMediaType, "UnsupportedMediaType", "The request payload is in an unsupported format.", "")
	}
	var req patchRequest
	if err := json.Unmarshal(body, &req); err != nil || req.ProductType == "" || len(req.Patches) == 0 {
		return writeErrors(w, http.StatusBadRequest, "InvalidInput", "Request has missing or invalid parameters and cannot be parsed.", "")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	l, ok := f.listings[sku]
	if !ok {
		return writeInvalid(w, sku, "4000003", "SKU not found for the seller in the marketplace.")
	}
	if req.ProductType != l.productType {
		return writeInvalid(w, sku, "4000004", fmt.Sprintf("The product type %s does not match the listing's product type %s.", req.ProductType, l.productType))
	}
	next := *l
	for _, p := range req.Patches {
		if p.Path != "/attributes/fulfillment_availability" {
			continue // other attributes are not modelled
		}
		switch p.Op {
		case "add", "replace", "merge":
		case "delete":
			next.set, next.quantity = false, 0
			continue
		default:
			return writeErrors(w, http.StatusBadRequest, "InvalidInput", fmt.Sprintf("Invalid patch operation %q.", p.Op), "")
		}
		if len(p.Value) != 1 {
			return writeInvalid(w, sku, "90000900", "The attributes are invalid.")
		}
		var v struct {
			Channel  *string `json:"fulfillment_channel_code"`
			Quantity *int    `json:"quantity"`
			LeadTime *int    `json:"lead_time_to_ship_max_days"`
		}
		if json.Unmarshal(p.Value[0], &v) != nil || v.Channel == nil || *v.Channel == "" || v.Quantity == nil || *v.Quantity < 0 {
			return writeInvalid(w, sku, "90000900", "The attributes are invalid.")
		}
		next.quantity, next.set = *v.Quantity, true
		switch {
		case v.LeadTime != nil:
			next.leadTime = *v.LeadTime
		case p.Op != "merge":
			next.leadTime = 0 // add and replace set the whole attribute
		}
	}
	*l = next
	_ = json.NewEncoder(w).Encode(map[string]any{"sku": sku, "status": "ACCEPTED", "submissionId": newID(), "issues": []any{}})
	return http.StatusOK
}

func (f *Fake) log(r *http.Request, sku string, status int, body []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, Request{Method: r.Method, SKU: sku, Status: status, Body: body})
}

func writeErrors(w http.ResponseWriter, status int, code, message, details string) int {
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]string{{"code": code, "message": message, "details": details}}})
	return status
}

func writeInvalid(w http.ResponseWriter, sku, code, message string) int {
	_ = json.NewEncoder(w).Encode(map[string]any{
		"sku": sku, "status": "INVALID", "submissionId": newID(),
		"issues": []map[string]any{{"code": code, "message": message, "severity": "ERROR", "attributeNames": []string{"fulfillment_availability"}}},
	})
	return http.StatusOK
}

func writeOAuthError(w http.ResponseWriter, status int, code, description string) {
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": description})
}

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
