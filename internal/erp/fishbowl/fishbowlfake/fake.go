// Package fishbowlfake is a fake Fishbowl Advanced server for tests: the
// parts of its REST API that the fishbowl client uses, with the behaviour
// Fishbowl documents (see the fishbowl package) and controls a test needs.
//
// It models logins of integrated apps that an administrator must approve,
// users with MFA, licence seats (one per open session, a login refused when
// all are taken), bearer tokens checked on every call, the Sales Order CSV
// import (parsed with encoding/csv, columns checked, the whole file refused
// over one bad row), sales orders that allocate stock while issued and
// release it when voided, paged searches, and Fishbowl's error body
// {timeStamp, status, message, path}. Where Fishbowl's documentation gives
// no words for a refusal, the fake's are its own; the fishbowl package says
// which of its readings rest on them.
package fishbowlfake

import (
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"
)

// Fishbowl's words for refused logins, as its legacy API's status codes
// 1110, 1111, 1112, 1120 and 1162 put them.
const (
	MsgNewApp        = "A new integrated application has been added to Fishbowl. Please contact the Fishbowl administrator to approve this integrated application."
	MsgKeyMismatch   = "This integrated application registration key does not match."
	MsgNotApproved   = "This integrated application has not been approved by the Fishbowl administrator."
	MsgBadLogin      = "Invalid username or password."
	MsgLoginLimit    = "The login limit has been reached for the server's key."
	MsgInvalidToken  = "Invalid authorization token."
	msgMFARequired   = "Multi-factor authentication is required."
	msgNoSuchPath    = "The path does not exist."
	msgNoSuchSO      = "Sales order not found."
	defaultPageSize  = 100
	defaultLocation  = "Main"
	statusIssued     = 20
	statusInProgress = 25
	statusFulfilled  = 60
	statusVoid       = 80
	statusCancelled  = 85
)

// User is a Fishbowl user who may log in.
type User struct {
	Password string
	// MFA: the user has multi-factor authentication on, so a login
	// without an MFA code is answered 401 with "MFA: Required".
	MFA bool
}

// Config sets up a fake server.
type Config struct {
	// Users who may log in, by username.
	Users map[string]User
	// RequireApproval: an app's first login registers it unapproved, and
	// its logins are refused until Approve.
	RequireApproval bool
	// Seats is the number of licence seats; 0 means unlimited.
	Seats int
	// MaxPageSize caps the page size a search may ask for; 0 means no cap.
	MaxPageSize int
	// Now is the clock for error bodies; nil means time.Now.
	Now func() time.Time
}

// SalesOrder is a sales order the fake holds.
type SalesOrder struct {
	ID           int
	Number       string
	Status       int
	CustomerName string
	Contact      string
	BillToName   string
	ShipToName   string
	// The ship-to address as imported; ShipToAddress keeps its line
	// breaks.
	ShipToAddress string
	ShipToCity    string
	ShipToState   string
	ShipToZip     string
	ShipToCountry string
	PONum         string
	Date          string
	Note          string
	Phone         string
	Email         string
	Items         []Item
}

// Item is one line of a sales order.
type Item struct {
	ProductNumber string
	Description   string
	Quantity      decimal.Decimal
	Price         decimal.Decimal
}

// Import is one Sales Order import the fake accepted.
type Import struct {
	ContentType string
	Body        string
	Rows        [][]string // as encoding/csv read them
}

// Request is what the fake saw of one request.
type Request struct {
	Method, Path, RawQuery string
	ContentType            string
	Authorization          string
}

// failure is a reply queued by FailNext.
type failure struct {
	status  int
	message string
	header  http.Header
}

// Fake is a fake Fishbowl server. It is an http.Handler; serve it with
// httptest.NewServer.
type Fake struct {
	cfg Config
	mux *http.ServeMux

	mu        sync.Mutex
	apps      map[int]*app
	sessions  map[string]string // token → username
	nextToken int
	logins    int
	logouts   int
	parts     map[string]*part
	partIDs   int
	customers map[string]string // lower-case name → name
	orders    []*SalesOrder
	imports   []Import
	requests  []Request
	failures  map[string][]failure // method+" "+path → queued replies
	loseNext  bool
	throttle  []time.Duration
	stalling  bool
	arrived   chan struct{}
	release   chan struct{}
}

type app struct {
	name     string
	approved bool
}

type part struct {
	id     int
	number string
	stock  []locationStock
}

type locationStock struct {
	location string
	qty      decimal.Decimal
}

// New returns a fake server.
func New(cfg Config) *Fake {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	f := &Fake{
		cfg:       cfg,
		apps:      map[int]*app{},
		sessions:  map[string]string{},
		parts:     map[string]*part{},
		customers: map[string]string{},
		failures:  map[string][]failure{},
		arrived:   make(chan struct{}, 64),
		release:   make(chan struct{}),
	}
	f.routes()
	return f
}

// Approve approves the app registered under appID, as an administrator does
// in Fishbowl's Integrations settings.
func (f *Fake) Approve(appID int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if a, ok := f.apps[appID]; ok {
		a.approved = true
	}
}

// SetStock puts qty units of sku on hand, all in one location, creating
// the part (and its product, of the same number) if new.
func (f *Fake) SetStock(sku string, qty int) {
	f.SetStockAt(sku, map[string]int{defaultLocation: qty})
}

// SetStockAt puts sku on hand in several locations.
func (f *Fake) SetStockAt(sku string, byLocation map[string]int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.parts[sku]
	if p == nil {
		f.partIDs++
		p = &part{id: f.partIDs, number: sku}
		f.parts[sku] = p
	}
	p.stock = p.stock[:0]
	locs := make([]string, 0, len(byLocation))
	for l := range byLocation {
		locs = append(locs, l)
	}
	sort.Strings(locs)
	for _, l := range locs {
		p.stock = append(p.stock, locationStock{location: l, qty: decimal.NewFromInt(int64(byLocation[l]))})
	}
}

// AddSalesOrder files a sales order as someone using Fishbowl would, with
// no import; it returns the order's id.
func (f *Fake) AddSalesOrder(so SalesOrder) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	so.ID = len(f.orders) + 1
	f.orders = append(f.orders, &so)
	return so.ID
}

// SetStatus sets the status of the sales order numbered number, as working
// it in Fishbowl would; fulfilling (60) takes its items off the shelves.
func (f *Fake) SetStatus(number string, status int) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	so := f.byNumber(number)
	if so == nil {
		return false
	}
	if status == statusFulfilled && allocates(so.Status) {
		for _, it := range so.Items {
			if p := f.parts[it.ProductNumber]; p != nil {
				p.take(it.Quantity)
			}
		}
	}
	so.Status = status
	return true
}

// take removes qty from the locations in order, the last going negative if
// need be.
func (p *part) take(qty decimal.Decimal) {
	if len(p.stock) == 0 {
		p.stock = []locationStock{{location: defaultLocation}}
	}
	for i := range p.stock {
		n := decimal.Min(qty, decimal.Max(p.stock[i].qty, decimal.Zero))
		if i == len(p.stock)-1 {
			n = qty
		}
		p.stock[i].qty = p.stock[i].qty.Sub(n)
		qty = qty.Sub(n)
	}
}

// LoseNextReply makes the next Sales Order import commit and then drop the
// connection without a reply.
func (f *Fake) LoseNextReply() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.loseNext = true
}

// Throttle makes the next request answered 429 Too Many Requests with
// Retry-After, as a proxy in front of Fishbowl would; Fishbowl documents no
// rate limit of its own.
func (f *Fake) Throttle(after time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.throttle = append(f.throttle, after)
}

// Stall makes the fake hold every later request without a reply until its
// client gives up or Release is called, and returns a channel that
// receives as each held request arrives.
func (f *Fake) Stall() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stalling = true
	return f.arrived
}

// Release stops stalling and lets the held requests go, unanswered. Call it
// before closing the server.
func (f *Fake) Release() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stalling {
		f.stalling = false
		close(f.release)
	}
}

// FailNext makes the next request to method and path answered with status
// and Fishbowl's error body carrying message, and header if not nil. Calls
// queue.
func (f *Fake) FailNext(method, path string, status int, message string, header http.Header) {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := method + " " + path
	f.failures[k] = append(f.failures[k], failure{status: status, message: message, header: header})
}

// ExpireSessions forgets every session, as a server restart or Fishbowl's
// own expiry would.
func (f *Fake) ExpireSessions() {
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.sessions)
}

// Logins returns how many logins succeeded.
func (f *Fake) Logins() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.logins
}

// Logouts returns how many sessions were logged out.
func (f *Fake) Logouts() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.logouts
}

// SeatsInUse returns how many sessions are open, each holding a seat.
func (f *Fake) SeatsInUse() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.sessions)
}

// Orders returns copies of the sales orders held.
func (f *Fake) Orders() []SalesOrder {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]SalesOrder, len(f.orders))
	for i, so := range f.orders {
		out[i] = *so
		out[i].Items = slices.Clone(so.Items)
	}
	return out
}

// Imports returns the Sales Order imports accepted.
func (f *Fake) Imports() []Import {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.imports)
}

// Customers returns the names of the customers the imports created.
func (f *Fake) Customers() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, n := range f.customers {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Requests returns what the fake saw of each request, in order.
func (f *Fake) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requests)
}

// byNumber returns the sales order numbered number (Fishbowl compares
// numbers without case). With f.mu held.
func (f *Fake) byNumber(number string) *SalesOrder {
	for _, so := range f.orders {
		if strings.EqualFold(so.Number, number) {
			return so
		}
	}
	return nil
}

// allocates reports whether an order in status s holds stock: issued and
// not yet shipped.
func allocates(s int) bool { return s == statusIssued || s == statusInProgress }

// available is what Fishbowl can still promise of p, by location: on hand
// less what issued orders hold, taken from the first locations first. With
// f.mu held.
func (f *Fake) available(p *part) []locationStock {
	held := decimal.Zero
	for _, so := range f.orders {
		if !allocates(so.Status) {
			continue
		}
		for _, it := range so.Items {
			if it.ProductNumber == p.number {
				held = held.Add(it.Quantity)
			}
		}
	}
	out := slices.Clone(p.stock)
	if len(out) == 0 {
		out = []locationStock{{location: defaultLocation}}
	}
	for i := range out {
		n := decimal.Min(held, decimal.Max(out[i].qty, decimal.Zero))
		if i == len(out)-1 {
			n = held
		}
		out[i].qty = out[i].qty.Sub(n)
		held = held.Sub(n)
	}
	return out
}
