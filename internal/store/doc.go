package store

import (
	"encoding/json"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ordergate/ordergate/internal/order"
)

// Document is the part of an order kept as one JSON column: what is read
// whole and never queried by. Implementations share it so both databases
// store the same shape.
type Document struct {
	Customer order.Customer   `json:"customer"`
	Currency string           `json:"currency,omitempty"`
	Total    decimal.Decimal  `json:"total"`
	Lines    []order.LineItem `json:"lines"`
	ShipBy   time.Time        `json:"ship_by,omitzero"`
	Reason   string           `json:"reason,omitempty"`
	// SubmitLease is order.Order.SubmitLease.
	SubmitLease time.Time `json:"submit_lease,omitzero"`
	// ShipTo is order.Order.ShipTo.
	ShipTo *order.Address `json:"ship_to,omitempty"`
	// NeedsShipping is order.Order.NeedsShipping.
	NeedsShipping bool `json:"needs_shipping,omitempty"`
	// ConfirmedAt is order.Order.ConfirmedAt.
	ConfirmedAt time.Time `json:"confirmed_at,omitzero"`
	// Cutover is order.Order.Cutover.
	Cutover order.Cutover `json:"cutover,omitzero"`
}

// EncodeDocument returns the JSON document of o.
func EncodeDocument(o *order.Order) ([]byte, error) {
	return json.Marshal(Document{Customer: o.Customer, Currency: o.Currency, Total: o.Total, Lines: o.Lines, ShipBy: o.ShipBy, Reason: o.Reason,
		SubmitLease: o.SubmitLease, ShipTo: o.ShipTo, NeedsShipping: o.NeedsShipping, ConfirmedAt: o.ConfirmedAt, Cutover: o.Cutover})
}

// DecodeDocument fills o from its JSON document.
func DecodeDocument(b []byte, o *order.Order) error {
	var d Document
	if err := json.Unmarshal(b, &d); err != nil {
		return err
	}
	o.Customer, o.Currency, o.Total, o.Lines, o.ShipBy, o.Reason = d.Customer, d.Currency, d.Total, d.Lines, d.ShipBy, d.Reason
	o.SubmitLease, o.ShipTo, o.NeedsShipping = d.SubmitLease, d.ShipTo, d.NeedsShipping
	o.ConfirmedAt, o.Cutover = d.ConfirmedAt, d.Cutover
	return nil
}
