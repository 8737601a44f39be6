package fishbowlfake

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

func (f *Fake) routes() {
	f.mux = http.NewServeMux()
	f.mux.HandleFunc("POST /api/login", f.handleLogin)
	f.mux.HandleFunc("POST /api/logout", f.session(f.handleLogout))
	f.mux.HandleFunc("POST /api/import/{name}", f.session(f.handleImport))
	f.mux.HandleFunc("GET /api/sales-orders", f.session(f.handleSearchSO))
	f.mux.HandleFunc("GET /api/sales-orders/{id}", f.session(f.handleGetSO))
	f.mux.HandleFunc("POST /api/sales-orders/{id}/void", f.session(f.handleVoid))
	f.mux.HandleFunc("GET /api/parts/inventory", f.session(f.handleInventory))
	f.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		f.fail(w, r, http.StatusNotFound, msgNoSuchPath)
	})
}

// ServeHTTP serves the fake's API.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, Request{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		ContentType: r.Header.Get("Content-Type"), Authorization: r.Header.Get("Authorization")})
	stalling, release := f.stalling, f.release
	var throttle *time.Duration
	if !stalling && len(f.throttle) > 0 {
		throttle = &f.throttle[0]
		f.throttle = f.throttle[1:]
	}
	var fl *failure
	if k := r.Method + " " + r.URL.Path; !stalling && throttle == nil && len(f.failures[k]) > 0 {
		fl = &f.failures[k][0]
		f.failures[k] = f.failures[k][1:]
	}
	f.mu.Unlock()

	switch {
	case stalling:
		// Read the body to its end, or the server would not notice the
		// client going away.
		io.Copy(io.Discard, r.Body)
		select {
		case f.arrived <- struct{}{}:
		default:
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	case throttle != nil:
		w.Header().Set("Retry-After", strconv.Itoa(int(throttle.Seconds())))
		http.Error(w, "Too Many Requests", http.StatusTooManyRequests)
	case fl != nil:
		for k, vs := range fl.header {
			w.Header()[k] = vs
		}
		f.fail(w, r, fl.status, fl.message)
	default:
		f.mux.ServeHTTP(w, r)
	}
}

// errorBody is Fishbowl's error reply.
type errorBody struct {
	TimeStamp string `json:"timeStamp"`
	Status    int    `json:"status"`
	Message   string `json:"message"`
	Path      string `json:"path"`
}

// fail answers with Fishbowl's error body.
func (f *Fake) fail(w http.ResponseWriter, r *http.Request, status int, message string) {
	writeJSON(w, status, errorBody{
		TimeStamp: f.cfg.Now().Format("2006-01-02T15:04:05.000-0700"),
		Status:    status,
		Message:   message,
		Path:      r.URL.Path,
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// session wraps a handler that needs a logged-in session: a bearer token
// Fishbowl knows.
func (f *Fake) session(h func(w http.ResponseWriter, r *http.Request, token string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		f.mu.Lock()
		_, known := f.sessions[tok]
		f.mu.Unlock()
		if !ok || !known {
			f.fail(w, r, http.StatusUnauthorized, MsgInvalidToken)
			return
		}
		h(w, r, tok)
	}
}

type loginRequest struct {
	AppName        string `json:"appName"`
	AppDescription string `json:"appDescription"`
	AppID          int    `json:"appId"`
	Username       string `json:"username"`
	Password       string `json:"password"`
	MFACode        string `json:"mfaCode"`
}

func (f *Fake) handleLogin(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		f.fail(w, r, http.StatusBadRequest, "Could not read the login request: "+err.Error())
		return
	}
	if req.AppName == "" || req.AppID == 0 || req.Username == "" {
		f.fail(w, r, http.StatusBadRequest, "appName, appId and username are required.")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	u, ok := f.cfg.Users[req.Username]
	if !ok || u.Password != req.Password {
		f.fail(w, r, http.StatusUnauthorized, MsgBadLogin)
		return
	}
	if u.MFA && req.MFACode == "" {
		w.Header().Set("MFA", "Required")
		f.fail(w, r, http.StatusUnauthorized, msgMFARequired)
		return
	}
	a, ok := f.apps[req.AppID]
	switch {
	case !ok:
		f.apps[req.AppID] = &app{name: req.AppName, approved: !f.cfg.RequireApproval}
		if f.cfg.RequireApproval {
			f.fail(w, r, http.StatusUnauthorized, MsgNewApp)
			return
		}
	case a.name != req.AppName:
		f.fail(w, r, http.StatusUnauthorized, MsgKeyMismatch)
		return
	case !a.approved:
		f.fail(w, r, http.StatusUnauthorized, MsgNotApproved)
		return
	}
	if f.cfg.Seats > 0 && len(f.sessions) >= f.cfg.Seats {
		f.fail(w, r, http.StatusUnauthorized, MsgLoginLimit)
		return
	}
	tok := newToken()
	f.sessions[tok] = req.Username
	f.logins++
	writeJSON(w, http.StatusOK, map[string]any{
		"token": tok,
		"user": map[string]any{
			"id":               5,
			"userFullName":     req.Username,
			"moduleAccessList": []string{"Customer", "Product", "Part", "Sales Order", "Data"},
			"serverVersion":    "25.2",
		},
	})
}

// newToken returns a session token shaped like Fishbowl's, a UUID.
func newToken() string {
	var b [16]byte
	rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func (f *Fake) handleLogout(w http.ResponseWriter, r *http.Request, tok string) {
	f.mu.Lock()
	delete(f.sessions, tok)
	f.logouts++
	f.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

// paging reads pageNumber and pageSize.
func (f *Fake) paging(r *http.Request) (number, size int) {
	number, size = 1, defaultPageSize
	if n, err := strconv.Atoi(r.URL.Query().Get("pageNumber")); err == nil && n > 0 {
		number = n
	}
	if n, err := strconv.Atoi(r.URL.Query().Get("pageSize")); err == nil && n > 0 {
		size = n
	}
	if f.cfg.MaxPageSize > 0 {
		size = min(size, f.cfg.MaxPageSize)
	}
	return number, size
}

// pageOf is one page of a search.
func pageOf[T any](results []T, number, size int) map[string]any {
	pages := (len(results) + size - 1) / size
	start := min((number-1)*size, len(results))
	end := min(start+size, len(results))
	return map[string]any{
		"totalCount": len(results),
		"totalPages": pages,
		"pageNumber": number,
		"pageSize":   size,
		"results":    results[start:end],
	}
}

// matches is Fishbowl's search on a number: a part of it, any case.
func matches(value, filter string) bool {
	return filter == "" || strings.Contains(strings.ToLower(value), strings.ToLower(filter))
}

type soSummary struct {
	ID           int    `json:"id"`
	Number       string `json:"number"`
	Status       int    `json:"status"`
	CustomerName string `json:"customerName"`
}

type soDetail struct {
	soSummary
	CustomerContact string     `json:"customerContact"`
	CustomerPO      string     `json:"customerPO"`
	Note            string     `json:"note"`
	Items           []soItemJS `json:"items"`
}

type soItemJS struct {
	ID            int             `json:"id"`
	LineNumber    int             `json:"lineNumber"`
	ProductNumber string          `json:"productNumber"`
	Description   string          `json:"description"`
	Quantity      json.Number     `json:"quantity"`
	ProductPrice  decimal.Decimal `json:"productPrice"`
	ItemType      int             `json:"itemType"`
	Status        int             `json:"status"`
}

func summary(so *SalesOrder) soSummary {
	return soSummary{ID: so.ID, Number: so.Number, Status: so.Status, CustomerName: so.CustomerName}
}

func detail(so *SalesOrder) soDetail {
	d := soDetail{soSummary: summary(so), CustomerContact: so.Contact, CustomerPO: so.PONum, Note: so.Note}
	for i, it := range so.Items {
		d.Items = append(d.Items, soItemJS{ID: so.ID*1000 + i + 1, LineNumber: i + 1, ProductNumber: it.ProductNumber,
			Description: it.Description, Quantity: json.Number(it.Quantity.String()), ProductPrice: it.Price, ItemType: 10, Status: 10})
	}
	return d
}

func (f *Fake) handleSearchSO(w http.ResponseWriter, r *http.Request, _ string) {
	number, size := f.paging(r)
	filter := r.URL.Query().Get("number")
	f.mu.Lock()
	var found []soSummary
	for _, so := range f.orders {
		if matches(so.Number, filter) {
			found = append(found, summary(so))
		}
	}
	f.mu.Unlock()
	writeJSON(w, http.StatusOK, pageOf(found, number, size))
}

// byID returns the sales order with the id in the path. With f.mu held.
func (f *Fake) byID(r *http.Request) *SalesOrder {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil || id < 1 || id > len(f.orders) {
		return nil
	}
	return f.orders[id-1]
}

func (f *Fake) handleGetSO(w http.ResponseWriter, r *http.Request, _ string) {
	f.mu.Lock()
	so := f.byID(r)
	var d soDetail
	if so != nil {
		d = detail(so)
	}
	f.mu.Unlock()
	if so == nil {
		f.fail(w, r, http.StatusNotFound, msgNoSuchSO)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (f *Fake) handleVoid(w http.ResponseWriter, r *http.Request, _ string) {
	f.mu.Lock()
	so := f.byID(r)
	var msg string
	switch {
	case so == nil:
	case so.Status == statusVoid || so.Status == statusCancelled:
		msg = fmt.Sprintf("Sales order %s is already void.", so.Number)
	case !allocates(so.Status) && so.Status != 10:
		msg = fmt.Sprintf("Sales order %s cannot be voided because it has been fulfilled.", so.Number)
	default:
		so.Status = statusVoid
	}
	var d soDetail
	if so != nil {
		d = detail(so)
	}
	f.mu.Unlock()
	switch {
	case so == nil:
		f.fail(w, r, http.StatusNotFound, msgNoSuchSO)
	case msg != "":
		f.fail(w, r, http.StatusPaymentRequired, msg)
	default:
		writeJSON(w, http.StatusOK, d)
	}
}

type inventoryRow struct {
	ID              int            `json:"id"`
	PartNumber      string         `json:"partNumber"`
	Quantity        string         `json:"quantity"`
	PartDescription string         `json:"partDescription"`
	UOM             map[string]any `json:"uom"`
}

func (f *Fake) handleInventory(w http.ResponseWriter, r *http.Request, _ string) {
	number, size := f.paging(r)
	q := r.URL.Query()
	filter := q.Get("number")
	zeros := q.Get("includeZeroQuantities") == "true"
	f.mu.Lock()
	var rows []inventoryRow
	for _, n := range slices.Sorted(maps.Keys(f.parts)) {
		p := f.parts[n]
		if !matches(p.number, filter) {
			continue
		}
		onHand := false
		for _, s := range p.stock {
			onHand = onHand || !s.qty.IsZero()
		}
		if !onHand && !zeros {
			continue
		}
		for _, s := range f.available(p) {
			rows = append(rows, inventoryRow{ID: p.id, PartNumber: p.number, Quantity: s.qty.String(),
				UOM: map[string]any{"id": 1, "name": "Each", "abbreviation": "ea"}})
		}
	}
	f.mu.Unlock()
	writeJSON(w, http.StatusOK, pageOf(rows, number, size))
}
