package erpsim

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"time"
)

// ERP is the simulated ERP: an http.Handler serving the API described in the
// package doc, and the accessors tests use to see what it recorded. It is
// safe for concurrent use.
type ERP struct {
	cfg  Config
	now  func() time.Time
	mux  *http.ServeMux
	stop chan struct{}
	once sync.Once

	mu         sync.Mutex
	rng        *rand.Rand
	faults     Faults
	plan       []Faults // see PlanFaults
	planned    int
	stock      map[string]int
	unknown    map[string]bool
	open       bool // every SKU exists, with defStock units until touched
	defStock   int
	seq        int
	orders     []Order
	first      map[string]int // external id → index of its first order
	rejections []Rejection
	faultCount FaultCounts
	requests   RequestCounts
	callbacks  []CallbackRecord
	calls      []Call
}

// New returns a simulated ERP configured by cfg.
func New(cfg Config) *ERP {
	e := &ERP{
		cfg:      cfg,
		now:      cfg.Now,
		stop:     make(chan struct{}),
		rng:      rand.New(rand.NewPCG(uint64(cfg.Seed), 0x6f72646572676174)),
		faults:   cfg.Faults,
		stock:    make(map[string]int, len(cfg.Stock)),
		unknown:  make(map[string]bool, len(cfg.UnknownSKUs)),
		open:     len(cfg.Stock) == 0,
		defStock: cfg.DefaultStock,
		first:    make(map[string]int),
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.defStock == 0 {
		e.defStock = DefaultStock
	}
	if e.cfg.ShipDays == 0 {
		e.cfg.ShipDays = DefaultShipDays
	}
	for sku, n := range cfg.Stock {
		e.stock[sku] = n
	}
	for _, sku := range cfg.UnknownSKUs {
		e.unknown[sku] = true
	}
	e.routes()
	return e
}

// ServeHTTP serves the simulated ERP API.
func (e *ERP) ServeHTTP(w http.ResponseWriter, r *http.Request) { e.mux.ServeHTTP(w, r) }

// Close releases every request held by latency or a timeout fault; they are
// answered 503. Call it before closing the server, which waits for them.
func (e *ERP) Close() { e.once.Do(func() { close(e.stop) }) }

// SetFaults replaces the fault rates from the next request on.
func (e *ERP) SetFaults(f Faults) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = f
}

// SetStock makes sku known with qty units available.
func (e *ERP) SetStock(sku string, qty int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.unknown, sku)
	e.stock[sku] = qty
}

// Available returns the units of sku available, and whether the SKU exists.
func (e *ERP) Available(sku string) (int, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.available(sku)
}

// Orders returns every order created, oldest first, each with its AckedAt.
func (e *ERP) Orders() []Order {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.ordersNow()
}

// Rejections returns every refused create, oldest first.
func (e *ERP) Rejections() []Rejection {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.rejections)
}

// Faults returns how many faults of each kind were applied.
func (e *ERP) Faults() FaultCounts {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.faultCount
}

// Requests returns how many API requests of each kind arrived.
func (e *ERP) Requests() RequestCounts {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.requests
}

// DuplicateExternalIDs returns, sorted, the external ids with more than one
// order. It is empty unless some create was repeated without a lookup.
func (e *ERP) DuplicateExternalIDs() []string { return e.Records().DuplicateExternalIDs() }

// Records returns a copy of everything recorded.
func (e *ERP) Records() Records {
	e.mu.Lock()
	defer e.mu.Unlock()
	stock := make(map[string]int, len(e.stock))
	for sku, n := range e.stock {
		stock[sku] = n
	}
	return Records{
		Orders:     e.ordersNow(),
		Rejections: slices.Clone(e.rejections),
		Faults:     e.faultCount,
		Requests:   e.requests,
		Stock:      stock,
		Callbacks:  slices.Clone(e.callbacks),
		Calls:      slices.Clone(e.calls),
	}
}

// ordersNow copies the orders, each with its AckedAt as of now. With e.mu
// held.
func (e *ERP) ordersNow() []Order {
	now := e.now()
	out := make([]Order, len(e.orders))
	for i, o := range e.orders {
		o.Lines = slices.Clone(o.Lines)
		o.AckedAt = e.ackedAt(o, now)
		out[i] = o
	}
	return out
}

// ackedAt is when o was acknowledged, as of now: the moment its receipt
// first said "acknowledged". Zero if it has not yet, or never did because it
// was cancelled first.
func (e *ERP) ackedAt(o Order, now time.Time) time.Time {
	at := o.CreatedAt
	if e.cfg.AckDelay > 0 {
		at = at.Add(e.cfg.AckDelay)
	}
	if now.Before(at) || (o.Cancelled() && o.CancelledAt.Before(at)) {
		return time.Time{}
	}
	return at
}

// available is Available with e.mu held.
func (e *ERP) available(sku string) (int, bool) {
	if e.unknown[sku] {
		return 0, false
	}
	if n, ok := e.stock[sku]; ok {
		return n, true
	}
	if e.open {
		return e.defStock, true
	}
	return 0, false
}

// create records the order in req, or the reason it is refused. A create
// under an in-doubt fault is marked so. With e.mu held.
func (e *ERP) create(req createRequest, inDoubt bool) (Order, bool, *apiError) {
	now := e.now()
	if aerr := validate(req); aerr != nil {
		e.reject(req.ExternalID, aerr, now)
		return Order{}, false, aerr
	}
	if i, ok := e.first[req.ExternalID]; ok && e.cfg.Idempotent {
		return e.orders[i], false, nil
	}
	want := make(map[string]int)
	var skus []string
	for _, l := range req.Lines {
		if _, ok := want[l.SKU]; !ok {
			skus = append(skus, l.SKU)
		}
		want[l.SKU] += l.Quantity
	}
	// reserve is what each SKU gets; a SKU missing from it is unknown.
	reserve := make(map[string]int, len(skus))
	for _, sku := range skus {
		have, ok := e.available(sku)
		switch {
		case !ok && !e.cfg.PartialUnknown:
			aerr := &apiError{Code: CodeUnknownSKU, Message: fmt.Sprintf("sku %q is not in the item master", sku)}
			e.reject(req.ExternalID, aerr, now)
			return Order{}, false, aerr
		case !ok:
			continue
		case have < want[sku] && !e.cfg.Backorder:
			aerr := &apiError{Code: CodeInsufficientStock, Message: fmt.Sprintf("sku %q: %d ordered, %d available", sku, want[sku], max(have, 0))}
			e.reject(req.ExternalID, aerr, now)
			return Order{}, false, aerr
		}
		reserve[sku] = min(max(have, 0), want[sku])
	}
	if len(reserve) == 0 {
		aerr := &apiError{Code: CodeUnknownSKU, Message: "no sku of the order is in the item master"}
		e.reject(req.ExternalID, aerr, now)
		return Order{}, false, aerr
	}
	for sku, n := range reserve {
		have, _ := e.available(sku)
		e.stock[sku] = have - n
	}
	e.seq++
	o := Order{
		Ref:           fmt.Sprintf("SO-%06d", e.seq),
		ExternalID:    req.ExternalID,
		CustomerEmail: req.CustomerEmail,
		ShipTo:        shipTo(req.ShipTo),
		CreatedAt:     now,
		InDoubt:       inDoubt,
	}
	// Each SKU's reserved units go to its lines in order.
	for _, l := range req.Lines {
		ln := Line{SKU: l.SKU, Quantity: l.Quantity}
		if left, known := reserve[l.SKU]; !known {
			ln.Short = ShortUnknownSKU
		} else {
			ln.Reserved = min(left, l.Quantity)
			reserve[l.SKU] = left - ln.Reserved
			if ln.Reserved < ln.Quantity {
				ln.Short = ShortBackordered
			}
		}
		o.Lines = append(o.Lines, ln)
	}
	if _, ok := e.first[o.ExternalID]; !ok {
		e.first[o.ExternalID] = len(e.orders)
	}
	e.orders = append(e.orders, o)
	return o, true, nil
}

// cancel cancels the first order under externalID and releases what it
// reserved; cancelling a cancelled order changes nothing. With e.mu held.
func (e *ERP) cancel(externalID, reason string) (Order, bool) {
	i, ok := e.first[externalID]
	if !ok {
		return Order{}, false
	}
	o := &e.orders[i]
	if o.Cancelled() {
		return *o, true
	}
	o.CancelledAt, o.CancelReason = e.now(), reason
	for _, l := range o.Lines {
		if l.Reserved > 0 {
			have, _ := e.available(l.SKU)
			e.stock[l.SKU] = have + l.Reserved
		}
	}
	return *o, true
}

func (e *ERP) reject(externalID string, aerr *apiError, at time.Time) {
	e.rejections = append(e.rejections, Rejection{ExternalID: externalID, Code: aerr.Code, Message: aerr.Message, At: at})
}

func validate(req createRequest) *apiError {
	invalid := func(format string, args ...any) *apiError {
		return &apiError{Code: CodeInvalidRequest, Message: fmt.Sprintf(format, args...)}
	}
	if req.ExternalID == "" {
		return invalid("external_id is required")
	}
	if len(req.Lines) == 0 {
		return invalid("lines: at least one line is required")
	}
	for i, l := range req.Lines {
		if l.SKU == "" {
			return invalid("lines[%d].sku is required", i)
		}
		if l.Quantity <= 0 {
			return invalid("lines[%d].quantity must be positive, got %d", i, l.Quantity)
		}
	}
	return nil
}

// shipTo is the address a create carried, nil when it carried none or an
// empty one, so that the records show an address only where there was one.
func shipTo(a *Address) *Address {
	if a == nil || *a == (Address{}) {
		return nil
	}
	c := *a
	return &c
}

// acknowledged reports whether o's AckDelay has passed.
func (e *ERP) acknowledged(o Order) bool {
	return e.cfg.AckDelay <= 0 || !e.now().Before(o.CreatedAt.Add(e.cfg.AckDelay))
}

// receipt is what the API says about o now.
func (e *ERP) receipt(o Order) receipt {
	r := receipt{Ref: o.Ref, ExternalID: o.ExternalID, Status: statusAcknowledged}
	ack := e.acknowledged(o)
	switch {
	case o.Cancelled():
		r.Status = statusCancelled
	case !ack:
		r.Status = statusPending
	case e.cfg.ShipDays > 0:
		r.ShipBy = o.CreatedAt.AddDate(0, 0, e.cfg.ShipDays).UTC().Truncate(time.Second)
	}
	for _, l := range o.Lines {
		rl := receiptLine{SKU: l.SKU, Ordered: l.Quantity}
		if ack {
			rl.Validated, rl.Short = l.Reserved, l.Short
		}
		r.Lines = append(r.Lines, rl)
	}
	return r
}

// lookup returns the first order under externalID. With e.mu held.
func (e *ERP) lookup(externalID string) (Order, bool) {
	i, ok := e.first[externalID]
	if !ok {
		return Order{}, false
	}
	return e.orders[i], true
}
