package order

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Key identifies an order across the gateway: the configured storefront's name
// and the storefront's own order id, kept as a string (Shopify's ids exceed
// 2^53 and must never pass through a float).
type Key struct {
	Storefront string `json:"storefront"`
	ID         string `json:"order_id"`
}

func (k Key) String() string { return k.Storefront + "/" + k.ID }

// ExternalID is the id the ERP knows the order by. It is stable for the life
// of the order, so that a lookup after an in-doubt create finds it.
func (k Key) ExternalID() string { return "og-" + k.Storefront + "-" + k.ID }

// Customer is who the confirmation goes to.
type Customer struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// Address is a postal address as the storefront gave it. Every field may
// be empty; Region and Country are names, RegionCode and CountryCode their
// codes (ISO 3166-2 subdivision, ISO 3166-1 alpha-2) when the storefront
// gives them.
type Address struct {
	Name        string `json:"name,omitempty"`
	Company     string `json:"company,omitempty"`
	Line1       string `json:"line1,omitempty"`
	Line2       string `json:"line2,omitempty"`
	City        string `json:"city,omitempty"`
	Region      string `json:"region,omitempty"`
	RegionCode  string `json:"region_code,omitempty"`
	PostalCode  string `json:"postal_code,omitempty"`
	Country     string `json:"country,omitempty"`
	CountryCode string `json:"country_code,omitempty"`
	Phone       string `json:"phone,omitempty"`
}

// Missing names what a carrier needs that the address lacks — a street
// line, a city, a country — or returns "" when it has them all. A nil
// address lacks everything.
func (a *Address) Missing() string {
	if a == nil {
		return "no address"
	}
	var gaps []string
	if strings.TrimSpace(a.Line1) == "" && strings.TrimSpace(a.Line2) == "" {
		gaps = append(gaps, "street")
	}
	if strings.TrimSpace(a.City) == "" {
		gaps = append(gaps, "city")
	}
	if strings.TrimSpace(a.Country) == "" && strings.TrimSpace(a.CountryCode) == "" {
		gaps = append(gaps, "country")
	}
	if len(gaps) == 0 {
		return ""
	}
	return "no " + strings.Join(gaps, ", ")
}

// LineItem is one line of an order. Price is a decimal, never a float.
type LineItem struct {
	LineID   string          `json:"line_id,omitempty"`
	SKU      string          `json:"sku"`
	Title    string          `json:"title,omitempty"`
	Quantity int             `json:"quantity"`
	Price    decimal.Decimal `json:"price"`
	// Validated is the quantity the ERP accepted, set on acknowledgment.
	Validated *int `json:"validated,omitempty"`
	// Short says why Validated is below Quantity: ShortBackordered (the
	// rest ships later) or ShortUnknownSKU (the ERP does not carry it).
	Short string `json:"short,omitempty"`
}

// Why a line was acknowledged short.
const (
	ShortBackordered = "backordered"
	ShortUnknownSKU  = "unknown_sku"
)

// Ack is what the ERP said when it acknowledged an order.
type Ack struct {
	Ref string // the ERP's own id for the sales order
	// Validated maps a SKU to the quantity the ERP accepted.
	Validated map[string]int
	// Short maps a SKU to why the ERP accepted less of it than ordered.
	Short map[string]string
	// ShipBy is the expected ship date, when the ERP gives one.
	ShipBy time.Time
}

// Order is a storefront order on its way to the ERP and the customer.
//
// Its state changes only through the transition methods, each of which
// appends to the timeline; Pending returns what was appended since the order
// was loaded, for the store to persist in the same transaction.
type Order struct {
	Key      Key
	Name     string // what the customer sees, e.g. "#1001"
	Customer Customer
	Currency string
	Total    decimal.Decimal
	Lines    []LineItem
	// ShipTo is where the order ships, nil when the storefront gave no
	// shipping address.
	ShipTo *Address
	// NeedsShipping says some line is a physical good to ship; an order of
	// gift cards or downloads needs no address.
	NeedsShipping bool

	CapturedAt      time.Time // when the storefront took the order
	SourceUpdatedAt time.Time // the storefront's updated_at of the snapshot we hold
	ReceivedAt      time.Time // when the gateway stored it

	ERPRef         string
	AcknowledgedAt time.Time
	ShipBy         time.Time
	SettledAt      time.Time
	Reason         string // why it was rejected or cancelled

	// Attempts counts ERP submit attempts. Any attempt after the first looks
	// the order up in the ERP before creating it (invariant I2).
	Attempts int
	// SubmitLease is when the submit attempt in flight gives up its claim:
	// until then no other submit of this order may call the ERP, since it
	// could look the order up before the first create lands and create it
	// again.
	SubmitLease time.Time
	// Attention says why an operator must look at the order; empty when
	// nothing is wrong.
	Attention string
	// OverdueAt is when the order passed its confirmation SLA unsettled;
	// zero if it never did. An order is overdue while this is set and it
	// is not settled.
	OverdueAt time.Time
	// ConfirmedAt is when the gate's confirmation went out; zero if it
	// never did (SettledAt is overwritten by a later cancel).
	ConfirmedAt time.Time
	// Cutover is what the parallel run before cutover records.
	Cutover Cutover

	state   State
	pending []Event
}

// New returns an order in state Received, with its first timeline entry.
func New(o Order, at time.Time, source, detail string) *Order {
	o.state = Received
	o.ReceivedAt = at
	o.pending = nil
	o.Record(Event{At: at, Kind: EventReceived, Source: source, Detail: detail})
	return &o
}

// Restore rebuilds an order loaded from storage in the given state. It does
// not validate the state against history; the store is trusted.
func Restore(o Order, s State) *Order {
	o.state = s
	o.pending = nil
	return &o
}

// State returns where the order stands.
func (o *Order) State() State { return o.state }

// Record appends an entry to the timeline without changing state.
func (o *Order) Record(e Event) { o.pending = append(o.pending, e) }

// Pending returns the timeline entries appended since the order was created
// or restored.
func (o *Order) Pending() []Event { return o.pending }

func (o *Order) move(t Transition, e Event) error {
	next, err := Next(o.state, t)
	if err != nil {
		return fmt.Errorf("order %s: %w", o.Key, err)
	}
	o.state = next
	o.Record(e)
	return nil
}

// Submit records that the ERP has taken the order under ref.
func (o *Order) Submit(ref string, at time.Time) error {
	if err := o.move(Submit, Event{At: at, Kind: EventSubmitted, Source: "erp", Detail: "erp ref " + ref}); err != nil {
		return err
	}
	o.ERPRef = ref
	if o.Cutover.ERPSeenAt.IsZero() {
		o.Cutover.ERPSeenAt = at
	}
	return nil
}

// Acknowledge records that the ERP has recorded the order and validated its
// stock. The validated quantities are copied onto the lines.
func (o *Order) Acknowledge(ack Ack, at time.Time) error {
	if err := o.move(Acknowledge, Event{At: at, Kind: EventAcknowledged, Source: "erp", Detail: "erp ref " + ack.Ref}); err != nil {
		return err
	}
	if ack.Ref != "" {
		o.ERPRef = ack.Ref
	}
	o.AcknowledgedAt = at
	o.ShipBy = ack.ShipBy
	// The ERP reports per SKU; a SKU on several lines is filled in line
	// order.
	left := make(map[string]int, len(ack.Validated))
	for sku, q := range ack.Validated {
		left[sku] = q
	}
	for i := range o.Lines {
		l := &o.Lines[i]
		q, ok := left[l.SKU]
		if !ok {
			continue
		}
		v := min(q, l.Quantity)
		left[l.SKU] = q - v
		l.Validated = &v
		if v < l.Quantity {
			l.Short = ack.Short[l.SKU]
			if l.Short == "" {
				l.Short = ShortBackordered
			}
		}
	}
	return nil
}

// ShortLines returns the lines acknowledged for less than was ordered.
func (o *Order) ShortLines() []LineItem {
	var short []LineItem
	for _, l := range o.Lines {
		if l.Validated != nil && *l.Validated < l.Quantity {
			short = append(short, l)
		}
	}
	return short
}

// Reopen sends a rejected or stuck order back to received, for another pass
// through the ERP handoff. It keeps Attempts, so the next submit looks the
// order up in the ERP before creating it.
func (o *Order) Reopen(why, source string, at time.Time) error {
	if err := o.move(Reopen, Event{At: at, Kind: EventReopened, Source: source, Detail: why}); err != nil {
		return err
	}
	o.Reason, o.SettledAt = "", time.Time{}
	return nil
}

// Confirm records that the customer's confirmation went out.
func (o *Order) Confirm(at time.Time) error {
	if err := o.move(Confirm, Event{At: at, Kind: EventConfirmed, Source: "gate"}); err != nil {
		return err
	}
	o.SettledAt, o.ConfirmedAt = at, at
	return nil
}

// Reject records that the ERP refused the order, and why.
func (o *Order) Reject(reason string, at time.Time) error {
	if err := o.move(Reject, Event{At: at, Kind: EventRejected, Source: "erp", Detail: reason}); err != nil {
		return err
	}
	o.Reason = reason
	o.SettledAt = at
	return nil
}

// Cancel records that the storefront (or an operator) cancelled the order.
func (o *Order) Cancel(reason, source string, at time.Time) error {
	if err := o.move(Cancel, Event{At: at, Kind: EventCancelled, Source: source, Detail: reason}); err != nil {
		return err
	}
	o.Reason = reason
	o.SettledAt = at
	return nil
}

// Flag marks the order for an operator's attention, with the reason on the
// timeline. The state does not change.
func (o *Order) Flag(reason, source string, at time.Time) {
	o.Attention = reason
	o.Record(Event{At: at, Kind: EventAttention, Source: source, Detail: "needs attention: " + reason})
}

// Release clears the attention flag, saying who did and why.
func (o *Order) Release(detail, source string, at time.Time) {
	if o.Attention == "" {
		return
	}
	o.Record(Event{At: at, Kind: EventAttention, Source: source, Detail: "released (was: " + o.Attention + ")" + detail})
	o.Attention = ""
}

// MarkOverdue records that the order passed its confirmation SLA unsettled.
// It reports false, changing nothing, if the order is settled or was
// already marked.
func (o *Order) MarkOverdue(sla time.Duration, at time.Time) bool {
	return o.MarkOverdueBy(sla, at, "")
}

// MarkOverdueBy is MarkOverdue, with what found the order overdue (for
// example "the sla sweep") named in the timeline entry's detail, so that
// an operator can tell the order's own SLA check from a later safety net.
// An empty by names nothing.
func (o *Order) MarkOverdueBy(sla time.Duration, at time.Time, by string) bool {
	if o.state.Settled() || !o.OverdueAt.IsZero() {
		return false
	}
	o.OverdueAt = at
	detail := fmt.Sprintf("not settled %s after it was received (SLA %s); still %s", at.Sub(o.ReceivedAt).Round(time.Second), sla, o.state)
	if by != "" {
		detail += "; marked overdue by " + by
	}
	o.Record(Event{At: at, Kind: EventOverdue, Source: "gate", Detail: detail})
	return true
}

// Overdue reports whether the order passed its SLA and is still unsettled.
func (o *Order) Overdue() bool { return !o.OverdueAt.IsZero() && !o.state.Settled() }

// Units returns the total quantity over all lines.
func (o *Order) Units() int {
	n := 0
	for _, l := range o.Lines {
		n += l.Quantity
	}
	return n
}

// Merge takes a storefront snapshot of the same order. A snapshot older than
// (or as old as) the one held is discarded; a newer one replaces the lines and
// contact while the order has not yet gone to the ERP, and after that is only
// recorded, since the ERP holds what was sent. It reports whether the
// snapshot was newer.
func (o *Order) Merge(s Order, source string, at time.Time) bool {
	if !s.SourceUpdatedAt.After(o.SourceUpdatedAt) {
		o.Record(Event{At: at, Kind: EventStale, Source: source,
			Detail: fmt.Sprintf("snapshot of %s is not newer than %s", stamp(s.SourceUpdatedAt), stamp(o.SourceUpdatedAt))})
		return false
	}
	o.SourceUpdatedAt = s.SourceUpdatedAt
	if o.state != Received || o.Attempts > 0 {
		// Once an attempt to submit has begun the ERP may hold the earlier
		// version; changing ours behind its back would confirm lines the
		// ERP never saw.
		o.Record(Event{At: at, Kind: EventUpdated, Source: source,
			Detail: "newer snapshot recorded; not applied, the order has already gone to the erp"})
		return true
	}
	o.Name, o.Customer, o.Currency, o.Total, o.Lines = s.Name, s.Customer, s.Currency, s.Total, s.Lines
	o.ShipTo, o.NeedsShipping = s.ShipTo, s.NeedsShipping
	if !s.CapturedAt.IsZero() {
		o.CapturedAt = s.CapturedAt
	}
	o.Record(Event{At: at, Kind: EventUpdated, Source: source, Detail: "newer snapshot applied"})
	return true
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "(none)"
	}
	return t.UTC().Format(time.RFC3339)
}
