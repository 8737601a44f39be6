// Package erp is the seam between the gate and an ERP: create a sales order,
// look it up by our external id, cancel it, and read availability per SKU.
// Each ERP (netsuite/, cin7/, fishbowl/, sandbox/) implements Client and
// passes the conformance suite in erptest/.
//
// Errors say what the gate must do next, by kind: a rejection is final, a
// throttle waits, an in-doubt create must be looked up before any retry, and
// anything else is retried.
package erp

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ordergate/ordergate/internal/order"
)

// Client is an ERP as the gate sees it.
type Client interface {
	// Submit creates the sales order under o.Key.ExternalID(). Where the ERP
	// has idempotency of its own (NetSuite upsert by external id) the client
	// uses it; where it has none a second Submit could create a second order,
	// which is why the gate looks the order up before every retry.
	Submit(ctx context.Context, o order.Order) (Receipt, error)
	// Lookup finds the sales order by our external id; ErrNotFound if the
	// ERP has none.
	Lookup(ctx context.Context, externalID string) (Receipt, error)
	// Cancel cancels (voids, closes) the sales order held under our
	// external id, releasing what it reserved. It is idempotent: cancelling
	// an order already cancelled succeeds. ErrNotFound if the ERP has no
	// such order; ErrRejected if the ERP refuses (already fulfilled,
	// invoiced, …), with its words in the message.
	Cancel(ctx context.Context, externalID, reason string) error
	// Availability returns the available quantity of each SKU the ERP knows.
	// A SKU the ERP does not know is absent from the map.
	Availability(ctx context.Context, skus []string) (map[string]int, error)
}

// Status says how far the ERP has got with an order.
type Status string

const (
	// StatusAcknowledged: recorded and its stock validated.
	StatusAcknowledged Status = "acknowledged"
	// StatusPending: recorded, validation not done yet; poll with Lookup.
	StatusPending Status = "pending"
	// StatusRejected: recorded as refused (Lookup only; Submit returns ErrRejected).
	StatusRejected Status = "rejected"
	// StatusCancelled: the order was cancelled in the ERP (Lookup only).
	StatusCancelled Status = "cancelled"
	// StatusIncomplete: a create that takes several calls stopped part-way
	// (a Cin7 sale created but never authorised). The ERP will not move it
	// on by itself; Submit again finishes it, never making a second
	// (Lookup only).
	StatusIncomplete Status = "incomplete"
)

// Receipt is what the ERP holds for one order.
type Receipt struct {
	Ref        string    `json:"ref"` // the ERP's own id
	ExternalID string    `json:"external_id"`
	Status     Status    `json:"status"`
	Lines      []Line    `json:"lines"`
	ShipBy     time.Time `json:"ship_by,omitzero"`
	Reason     string    `json:"reason,omitempty"` // for StatusRejected
}

// Line is the ERP's view of one line: what was ordered and what it accepted.
// A line with Validated < Ordered is short: the ERP recorded the order but
// cannot ship all of that line now (a backorder, or a line it refused), and
// Short says why. An acknowledged receipt with a short line is never a clean
// acknowledgment; the storefront's policy decides what the customer hears.
type Line struct {
	SKU       string `json:"sku"`
	Ordered   int    `json:"ordered"`
	Validated int    `json:"validated"`
	Short     string `json:"short,omitempty"` // ShortBackordered or ShortUnknownSKU, when Validated < Ordered
}

// Why a line is short.
const (
	// ShortBackordered: the SKU exists but not enough is available; the
	// ERP holds the rest as a backorder.
	ShortBackordered = "backordered"
	// ShortUnknownSKU: the ERP does not know the SKU and accepted the
	// rest of the order without it.
	ShortUnknownSKU = "unknown_sku"
)

// Shortfall returns the lines the ERP did not accept in full.
func (r Receipt) Shortfall() []Line {
	var short []Line
	for _, l := range r.Lines {
		if l.Validated < l.Ordered {
			short = append(short, l)
		}
	}
	return short
}

// Ack turns an acknowledged receipt into the domain's acknowledgment.
func (r Receipt) Ack() order.Ack {
	v := make(map[string]int, len(r.Lines))
	short := make(map[string]string)
	for _, l := range r.Lines {
		v[l.SKU] += l.Validated
		if l.Validated < l.Ordered && l.Short != "" {
			short[l.SKU] = l.Short
		}
	}
	return order.Ack{Ref: r.Ref, Validated: v, Short: short, ShipBy: r.ShipBy}
}

// Sentinel errors, for errors.Is. Clients wrap them in *Error.
var (
	ErrRejected    = errors.New("rejected by the erp")         // final: invalid SKU, not enough stock, … (Code says which: CodeUnknownSKU, CodeNoStock)
	ErrThrottled   = errors.New("throttled by the erp")        // wait RetryAfter, then try again
	ErrInDoubt     = errors.New("outcome unknown")             // may have been created: look up before retrying
	ErrNotFound    = errors.New("not found in the erp")        // Lookup only
	ErrUnavailable = errors.New("erp unavailable")             // 5xx, refused connection: retry
	ErrAuth        = errors.New("erp refused our credentials") // fatal until config changes
)

// Codes for rejections the gate and the customer's message tell apart. An ERP's
// own code goes in Error.Code when it has no equivalent here.
const (
	CodeUnknownSKU = "unknown_sku"
	CodeNoStock    = "insufficient_stock"
)

// Error is an ERP failure with what the gate needs to act on it.
type Error struct {
	Kind       error         // one of the sentinels above
	RetryAfter time.Duration // for ErrThrottled, when the ERP says
	Code       string        // the ERP's own error code, if any
	Message    string        // the ERP's words
}

func (e *Error) Error() string {
	s := e.Kind.Error()
	if e.Code != "" {
		s += " (" + e.Code + ")"
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

func (e *Error) Unwrap() error { return e.Kind }

// Errorf returns an *Error of the given kind.
func Errorf(kind error, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// RetryAfter returns how long the ERP asked us to wait, or 0.
func RetryAfter(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}
