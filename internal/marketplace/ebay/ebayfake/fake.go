// Package ebayfake is a fake of eBay's OAuth token endpoint and the Sell
// Inventory API's bulkUpdatePriceQuantity, for tests, served over real
// HTTP. It follows eBay's documentation:
//
//   - POST /identity/v1/oauth2/token with Basic auth (client id:secret),
//     form grant_type=refresh_token, refresh_token and scope (a scope
//     beyond sell.inventory is invalid_scope): {"access_token",
//     "expires_in": 7200, "token_type": "User Access Token"}; a wrong
//     client is 401 invalid_client, a wrong refresh token 400
//     invalid_grant;
//   - POST /sell/inventory/v1/bulk_update_price_quantity with a Bearer
//     token (missing, unknown or expired: 401, errorId 1001), Content-Type
//     application/json, body {"requests": [1 to 25 of {"sku",
//     "shipToLocationAvailability": {"quantity"}, "offers": [{"offerId",
//     "availableQuantity"}]}]}; replies 200 when every entry succeeded,
//     207 otherwise, with one entry per SKU and one per offer;
//   - a listing's quantity is the lower of the item's and the offer's
//     (when the offer has one);
//   - 250 revisions per listing (per SKU here) per calendar day, on the
//     fake's clock and zone; past them an entry fails;
//   - errors as {"errors": [{"errorId", "domain", "category", "message",
//     "longMessage"}]}: 25001 system error, 25002 user error, 25702 unknown
//     SKU, 25709 invalid value, 1001 invalid token, 2001 too many
//     requests. The ids follow eBay's published lists; the words for the
//     unknown offer and the revision limit are the fake's own.
package ebayfake

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ordergate/ordergate/internal/marketplace/internal/fakeapi"
)

// Scope is the scope the fake grants.
const Scope = "https://api.ebay.com/oauth/api_scope/sell.inventory"

// Config sets up a fake.
type Config struct {
	// ClientID, ClientSecret and RefreshToken are the credentials the
	// token endpoint accepts.
	ClientID     string
	ClientSecret string
	RefreshToken string
	// RevisionsPerDay is the limit per listing; 0 means 250.
	RevisionsPerDay int
	// DayZone is where the fake's calendar day begins; nil means UTC.
	DayZone *time.Location
	// TokenLife is how long a token lasts; 0 means two hours.
	TokenLife time.Duration
	// Now is its clock; nil means time.Now.
	Now func() time.Time
}

// Fake is one seller's inventory. It is an http.Handler.
type Fake struct {
	cfg              Config
	fakeapi.Controls // Throttle, Fail, ExpireTokens, RefuseCredentials, TokensIssued, Stall, Close

	mu       sync.Mutex
	items    map[string]*item
	requests []Request
}

type item struct {
	quantity int
	set      bool
	offers   map[string]*int // offer id → availableQuantity (nil: none set)
	day      time.Time
	revised  int
}

// Request is one bulk request the fake answered.
type Request struct {
	SKUs   []string
	Status int // 0 when held
	Body   []byte
}

// New returns a fake with no items.
func New(cfg Config) *Fake {
	if cfg.RevisionsPerDay == 0 {
		cfg.RevisionsPerDay = 250
	}
	if cfg.DayZone == nil {
		cfg.DayZone = time.UTC
	}
	if cfg.TokenLife == 0 {
		cfg.TokenLife = 2 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Fake{cfg: cfg, Controls: fakeapi.NewControls(cfg.Now, cfg.TokenLife), items: map[string]*item{}}
}

// AddItem adds an inventory item with published offers.
func (f *Fake) AddItem(sku string, offerIDs ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	it := &item{offers: map[string]*int{}}
	for _, id := range offerIDs {
		it.offers[id] = nil
	}
	f.items[sku] = it
}

// SetOfferQuantity sets an offer's availableQuantity, as a seller might
// have done by hand.
func (f *Fake) SetOfferQuantity(sku, offerID string, q int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items[sku].offers[offerID] = &q
}

// Quantity returns the item's ship-to-home quantity and whether it was set.
func (f *Fake) Quantity(sku string) (int, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	it, ok := f.items[sku]
	if !ok {
		return 0, false
	}
	return it.quantity, it.set
}

// Listed returns what the offer's listing shows: the lower of the item's
// and the offer's quantity.
func (f *Fake) Listed(sku, offerID string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	it := f.items[sku]
	if q := it.offers[offerID]; q != nil && *q < it.quantity {
		return *q
	}
	return it.quantity
}

// Revisions returns how many times the listing was revised today.
func (f *Fake) Revisions(sku string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	it, ok := f.items[sku]
	if !ok || !it.day.Equal(f.dayStart()) {
		return 0
	}
	return it.revised
}

// Requests returns the bulk requests answered so far.
func (f *Fake) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.requests...)
}

// ServeHTTP answers the token endpoint and bulk updates.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.URL.Path == "/identity/v1/oauth2/token" && r.Method == http.MethodPost:
		f.token(w, r)
	case r.URL.Path == "/sell/inventory/v1/bulk_update_price_quantity" && r.Method == http.MethodPost:
		f.bulk(w, r)
	default:
		writeErrors(w, http.StatusNotFound, apiError{ErrorID: 2002, Domain: "ACCESS", Category: "REQUEST", Message: "Resource not found"})
	}
}

func (f *Fake) token(w http.ResponseWriter, r *http.Request) {
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(f.cfg.ClientID+":"+f.cfg.ClientSecret))
	if r.Header.Get("Authorization") != want {
		writeOAuth(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	}
	if r.ParseForm() != nil || r.PostForm.Get("grant_type") != "refresh_token" || r.PostForm.Get("refresh_token") != f.cfg.RefreshToken {
		writeOAuth(w, http.StatusBadRequest, "invalid_grant", "the provided authorization refresh token is invalid or was issued to another client")
		return
	}
	for _, s := range strings.Fields(r.PostForm.Get("scope")) {
		if s != Scope {
			writeOAuth(w, http.StatusBadRequest, "invalid_scope", "the requested scope is invalid, unknown, malformed, or exceeds the scope granted to the client")
			return
		}
	}
	tok, life, ok := f.Tokens.Issue("v^1.1#i^1#")
	if !ok {
		writeOAuth(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "expires_in": int(life.Seconds()), "token_type": "User Access Token"})
}

type apiError struct {
	ErrorID     int    `json:"errorId"`
	Domain      string `json:"domain"`
	Category    string `json:"category"`
	Message     string `json:"message"`
	LongMessage string `json:"longMessage,omitempty"`
}

type entry struct {
	OfferID    string     `json:"offerId,omitempty"`
	SKU        string     `json:"sku"`
	StatusCode int        `json:"statusCode"`
	Errors     []apiError `json:"errors,omitempty"`
}

func (f *Fake) bulk(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if f.Faults.Hold(r) {
		f.log(nil, 0, body)
		return
	}
	var req struct {
		Requests []priceQuantity `json:"requests"`
	}
	var skus []string
	status := func() int {
		if x, ok := f.Faults.Pop(); ok {
			fakeapi.SetRetryAfter(w, x.RetryAfter)
			if x.Status == http.StatusTooManyRequests {
				return writeErrors(w, x.Status, apiError{ErrorID: 2001, Domain: "ACCESS", Category: "REQUEST",
					Message: "Too many requests", LongMessage: "The request limit has been reached for the resource."})
			}
			return writeErrors(w, x.Status, apiError{ErrorID: 25001, Domain: "API_INVENTORY", Category: "APPLICATION",
				Message: "A system error has occurred. Internal server error"})
		}
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !f.Tokens.Valid(tok) {
			return writeErrors(w, http.StatusUnauthorized, apiError{ErrorID: 1001, Domain: "OAuth", Category: "REQUEST",
				Message: "Invalid access token", LongMessage: "Invalid access token. Check the value of the Authorization HTTP request header."})
		}
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			return writeErrors(w, http.StatusUnsupportedMediaType, apiError{ErrorID: 25002, Domain: "API_INVENTORY", Category: "REQUEST",
				Message: "Any User error. Content-Type must be application/json"})
		}
		if json.Unmarshal(body, &req) != nil || len(req.Requests) == 0 || len(req.Requests) > 25 {
			return writeErrors(w, http.StatusBadRequest, apiError{ErrorID: 25002, Domain: "API_INVENTORY", Category: "REQUEST",
				Message: "Any User error. Invalid request: 1 to 25 requests"})
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		var out []entry
		for _, rq := range req.Requests {
			skus = append(skus, rq.SKU)
			out = append(out, f.update(rq)...)
		}
		status := http.StatusOK
		if slices.ContainsFunc(out, func(e entry) bool { return e.StatusCode != http.StatusOK }) {
			status = http.StatusMultiStatus
		}
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{"responses": out})
		return status
	}()
	f.log(skus, status, body)
}

// priceQuantity is one entry of a bulk request, read strictly enough to
// catch a client that sends the wrong shape.
type priceQuantity struct {
	SKU    string `json:"sku"`
	ShipTo *struct {
		Quantity *int `json:"quantity"`
	} `json:"shipToLocationAvailability"`
	Offers []struct {
		OfferID           string `json:"offerId"`
		AvailableQuantity *int   `json:"availableQuantity"`
	} `json:"offers"`
}

// update applies one request's item and offers, and returns their entries.
// Callers hold f.mu.
func (f *Fake) update(rq priceQuantity) []entry {
	sku, shipTo, offers := rq.SKU, rq.ShipTo, rq.Offers
	fail := func(offerID string, e apiError) []entry {
		return []entry{{OfferID: offerID, SKU: sku, StatusCode: http.StatusBadRequest, Errors: []apiError{e}}}
	}
	it, ok := f.items[sku]
	if sku == "" || !ok {
		return fail("", apiError{ErrorID: 25702, Domain: "API_INVENTORY", Category: "REQUEST",
			Message: fmt.Sprintf("SKU %s is not available in the system", sku)})
	}
	if shipTo == nil || shipTo.Quantity == nil || *shipTo.Quantity < 0 {
		return fail("", apiError{ErrorID: 25709, Domain: "API_INVENTORY", Category: "REQUEST",
			Message: "Invalid value for shipToLocationAvailability.quantity. The value must be greater than or equal to 0."})
	}
	for _, o := range offers {
		if _, ok := it.offers[o.OfferID]; !ok {
			return fail(o.OfferID, apiError{ErrorID: 25713, Domain: "API_INVENTORY", Category: "REQUEST",
				Message: "This offer is not available for the sku."})
		}
		if o.AvailableQuantity == nil || *o.AvailableQuantity < 0 {
			return fail(o.OfferID, apiError{ErrorID: 25709, Domain: "API_INVENTORY", Category: "REQUEST",
				Message: "Invalid value for availableQuantity. The value must be greater than or equal to 0."})
		}
	}
	today := f.dayStart()
	if !it.day.Equal(today) {
		it.day, it.revised = today, 0
	}
	if it.revised >= f.cfg.RevisionsPerDay {
		return fail("", apiError{ErrorID: 25002, Domain: "API_INVENTORY", Category: "REQUEST",
			Message: fmt.Sprintf("Any User error. The listing has been revised %d times today, the most allowed.", it.revised)})
	}
	it.revised++
	it.quantity, it.set = *shipTo.Quantity, true
	out := []entry{{SKU: sku, StatusCode: http.StatusOK}}
	for _, o := range offers {
		q := *o.AvailableQuantity
		it.offers[o.OfferID] = &q
		out = append(out, entry{OfferID: o.OfferID, SKU: sku, StatusCode: http.StatusOK})
	}
	return out
}

func (f *Fake) dayStart() time.Time {
	y, m, d := f.cfg.Now().In(f.cfg.DayZone).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, f.cfg.DayZone)
}

func (f *Fake) log(skus []string, status int, body []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, Request{SKUs: skus, Status: status, Body: body})
}

func writeErrors(w http.ResponseWriter, status int, e apiError) int {
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []apiError{e}})
	return status
}

func writeOAuth(w http.ResponseWriter, status int, code, description string) {
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": description})
}
