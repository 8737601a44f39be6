package erpsim

import "time"

// The error codes of a 4xx reply's body.
const (
	CodeUnknownSKU        = "UNKNOWN_SKU"
	CodeInsufficientStock = "INSUFFICIENT_STOCK"
	CodeInvalidRequest    = "INVALID_REQUEST"
	CodeMalformed         = "MALFORMED_BODY"
	CodeNotFound          = "NOT_FOUND"
	CodeUnauthorized      = "UNAUTHORIZED"
	CodeRateLimited       = "RATE_LIMITED"
	CodeUnavailable       = "SERVICE_UNAVAILABLE"
	CodeInternal          = "INTERNAL_ERROR"
	CodeTimeout           = "GATEWAY_TIMEOUT"
)

const (
	statusAcknowledged = "acknowledged"
	statusPending      = "pending"
	statusCancelled    = "cancelled"
)

// Why a line is short, as the receipt says.
const (
	ShortBackordered = "backordered"
	ShortUnknownSKU  = "unknown_sku"
)

type createRequest struct {
	ExternalID    string        `json:"external_id"`
	CustomerEmail string        `json:"customer_email"`
	ShipTo        *Address      `json:"ship_to"`
	Lines         []requestLine `json:"lines"`
}

type requestLine struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
}

// receipt has the JSON shape of erp.Receipt; the simulator stands for an
// outside system, so it does not import ours.
type receipt struct {
	Ref        string        `json:"ref"`
	ExternalID string        `json:"external_id"`
	Status     string        `json:"status"`
	Lines      []receiptLine `json:"lines"`
	ShipBy     time.Time     `json:"ship_by,omitzero"`
}

type receiptLine struct {
	SKU       string `json:"sku"`
	Ordered   int    `json:"ordered"`
	Validated int    `json:"validated"`
	Short     string `json:"short,omitempty"`
}

type cancelRequest struct {
	Reason string `json:"reason"`
}

type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message,omitempty"`
}
