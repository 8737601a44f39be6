package erpsim

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Order is a sales order the simulator created.
type Order struct {
	Ref           string `json:"ref"`
	ExternalID    string `json:"external_id"`
	CustomerEmail string `json:"customer_email,omitempty"`
	// ShipTo is the ship-to address the create carried; nil when it
	// carried none.
	ShipTo    *Address  `json:"ship_to,omitempty"`
	Lines     []Line    `json:"lines"`
	CreatedAt time.Time `json:"created_at"`
	// AckedAt is when the ERP acknowledged the order: CreatedAt when
	// Config.AckDelay is 0 (the create's reply is the acknowledgment),
	// otherwise CreatedAt + AckDelay once that has passed. It is zero while
	// the order is still pending, and for an order cancelled before its
	// AckDelay passed, which was never acknowledged. It is worked out when
	// the records are read (Records, Orders), not stored.
	AckedAt time.Time `json:"acked_at,omitzero"`
	// InDoubt says the order was created under an in-doubt fault: its
	// creator never heard that it exists.
	InDoubt bool `json:"in_doubt,omitempty"`
	// CancelledAt is when the order was cancelled; zero while it stands.
	CancelledAt time.Time `json:"cancelled_at,omitzero"`
	// CancelReason is what the canceller said.
	CancelReason string `json:"cancel_reason,omitempty"`
}

// Cancelled reports whether the order was cancelled.
func (o Order) Cancelled() bool { return !o.CancelledAt.IsZero() }

// Address is a ship-to address as a create carries it, in the JSON shape
// of ordergate's order.Address (the simulator stands for an outside
// system, so it does not import it). Every field may be empty.
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

// Line is one line of a created order: what was ordered and how much of it
// the ERP reserved. A line reserved short says why.
type Line struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
	Reserved int    `json:"reserved"`
	Short    string `json:"short,omitempty"` // ShortBackordered or ShortUnknownSKU
}

// Rejection is a create the simulator refused; nothing was created.
type Rejection struct {
	ExternalID string    `json:"external_id"`
	Code       string    `json:"code"`
	Message    string    `json:"message"`
	At         time.Time `json:"at"`
}

// FaultCounts is how many faults of each kind were applied.
type FaultCounts struct {
	Error    int `json:"error"`
	Throttle int `json:"throttle"`
	Timeout  int `json:"timeout"`
	InDoubt  int `json:"in_doubt"`
}

// RequestCounts is how many API requests of each kind arrived.
type RequestCounts struct {
	Create       int `json:"create"`
	Lookup       int `json:"lookup"`
	Availability int `json:"availability"`
	Cancel       int `json:"cancel"`
}

// Records is everything the simulator recorded, as served by /v1/records.
type Records struct {
	Orders     []Order        `json:"orders"`
	Rejections []Rejection    `json:"rejections"`
	Faults     FaultCounts    `json:"faults"`
	Requests   RequestCounts  `json:"requests"`
	Stock      map[string]int `json:"stock"` // SKUs with stock set or reserved so far
	// Callbacks are the acknowledgments announced to Config.Callback.
	Callbacks []CallbackRecord `json:"callbacks,omitempty"`
	// Calls are the creates, lookups and cancels received, oldest first.
	Calls []Call `json:"calls,omitempty"`
}

// CallbackRecord is one announced acknowledgment and how its POSTs went.
type CallbackRecord struct {
	ExternalID string    `json:"external_id"`
	At         time.Time `json:"at"`     // when the last attempt ended
	Tries      int       `json:"tries"`  // POSTs made
	Status     int       `json:"status"` // the last POST's HTTP status; 0 if it never got one
}

// DuplicateExternalIDs returns, sorted, the external ids that have more than
// one order: each is a storefront order the ERP holds twice.
func (r Records) DuplicateExternalIDs() []string {
	n := make(map[string]int, len(r.Orders))
	for _, o := range r.Orders {
		n[o.ExternalID]++
	}
	var dup []string
	for id, c := range n {
		if c > 1 {
			dup = append(dup, id)
		}
	}
	slices.Sort(dup)
	return dup
}

// OrdersFor returns the orders held under externalID, oldest first.
func (r Records) OrdersFor(externalID string) []Order {
	var out []Order
	for _, o := range r.Orders {
		if o.ExternalID == externalID {
			out = append(out, o)
		}
	}
	return out
}

// FetchRecords reads the records of a simulator served at baseURL, for a
// test whose simulator runs in another process. A nil hc means
// http.DefaultClient; apiKey is the simulator's Config.APIKey, if any.
func FetchRecords(ctx context.Context, hc *http.Client, baseURL, apiKey string) (Records, error) {
	if hc == nil {
		hc = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(baseURL, "/")+"/v1/records", nil)
	if err != nil {
		return Records{}, fmt.Errorf("erpsim: fetch records: %w", err)
	}
	if apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+apiKey)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return Records{}, fmt.Errorf("erpsim: fetch records: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		return Records{}, fmt.Errorf("erpsim: fetch records: status %d: %s", resp.StatusCode, strings.TrimSpace(string(b)))
	}
	var r Records
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return Records{}, fmt.Errorf("erpsim: fetch records: decode: %w", err)
	}
	return r, nil
}
