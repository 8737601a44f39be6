// Package sandbox is the erp.Client for the sandbox ERP (internal/sandbox/erpsim)
// or anything else speaking its API over HTTP. It makes configs with
// `kind: sandbox` run with no outside accounts.
//
// The sandbox ERP has no idempotency of its own, so Submit reports every
// create whose outcome it cannot know (transport error, timeout, 5xx) as
// erp.ErrInDoubt, and the gate looks the order up before trying again.
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/order"
)

// DefaultTimeout bounds each request when Config.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// Config says where the sandbox ERP is and how to reach it.
type Config struct {
	// BaseURL is the ERP's root, e.g. http://127.0.0.1:8081. Required.
	BaseURL string
	// Timeout bounds each request; 0 means DefaultTimeout.
	Timeout time.Duration
	// HTTPClient makes the requests; nil means a client of our own.
	HTTPClient *http.Client
	// APIKey, if set, is sent as a bearer token.
	APIKey string
}

// Client talks to the sandbox ERP.
type Client struct {
	base    *url.URL
	hc      *http.Client
	timeout time.Duration
	apiKey  string
}

var _ erp.Client = (*Client)(nil)

// New returns a client for the sandbox ERP at cfg.BaseURL.
func New(cfg Config) (*Client, error) {
	if cfg.BaseURL == "" {
		return nil, errors.New("sandbox erp: base_url: required")
	}
	u, err := url.Parse(strings.TrimSuffix(cfg.BaseURL, "/"))
	if err != nil {
		return nil, fmt.Errorf("sandbox erp: base_url: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("sandbox erp: base_url: %q is not an absolute http or https url", cfg.BaseURL)
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("sandbox erp: timeout: must not be negative, got %s", cfg.Timeout)
	}
	c := &Client{base: u, hc: cfg.HTTPClient, timeout: cfg.Timeout, apiKey: cfg.APIKey}
	if c.hc == nil {
		c.hc = &http.Client{}
	}
	if c.timeout == 0 {
		c.timeout = DefaultTimeout
	}
	return c, nil
}

type createRequest struct {
	ExternalID    string         `json:"external_id"`
	CustomerEmail string         `json:"customer_email,omitempty"`
	Lines         []requestLine  `json:"lines"`
	ShipTo        *order.Address `json:"ship_to,omitempty"`
}

type requestLine struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
}

// Submit creates the sales order. The sandbox ERP does not deduplicate: a
// second Submit of the same order creates a second sales order.
func (c *Client) Submit(ctx context.Context, o order.Order) (erp.Receipt, error) {
	id := o.Key.ExternalID()
	req := createRequest{ExternalID: id, CustomerEmail: o.Customer.Email, Lines: make([]requestLine, 0, len(o.Lines)), ShipTo: o.ShipTo}
	for _, l := range o.Lines {
		req.Lines = append(req.Lines, requestLine{SKU: l.SKU, Quantity: l.Quantity})
	}
	var rc erp.Receipt
	if err := c.do(ctx, http.MethodPost, "/v1/sales-orders", nil, req, &rc, submitKind); err != nil {
		return erp.Receipt{}, fmt.Errorf("sandbox erp: create sales order %s: %w", id, err)
	}
	return rc, nil
}

// Lookup finds the sales order by external id; if the ERP holds several it
// returns the first.
func (c *Client) Lookup(ctx context.Context, externalID string) (erp.Receipt, error) {
	var rc erp.Receipt
	q := url.Values{"external_id": {externalID}}
	if err := c.do(ctx, http.MethodGet, "/v1/sales-orders", q, nil, &rc, lookupKind); err != nil {
		return erp.Receipt{}, fmt.Errorf("sandbox erp: look up sales order %s: %w", externalID, err)
	}
	return rc, nil
}

// maxSKUsPerRequest keeps availability URLs well short of server limits.
const maxSKUsPerRequest = 100

// Availability returns the available units of each SKU the ERP knows.
func (c *Client) Availability(ctx context.Context, skus []string) (map[string]int, error) {
	out := make(map[string]int, len(skus))
	for start := 0; start < len(skus); start += maxSKUsPerRequest {
		chunk := skus[start:min(start+maxSKUsPerRequest, len(skus))]
		var got map[string]int
		if err := c.do(ctx, http.MethodGet, "/v1/availability", url.Values{"sku": chunk}, nil, &got, readKind); err != nil {
			return nil, fmt.Errorf("sandbox erp: availability of %d skus: %w", len(skus), err)
		}
		for sku, n := range got {
			out[sku] = n
		}
	}
	return out, nil
}

type cancelRequest struct {
	Reason string `json:"reason,omitempty"`
}

// Cancel cancels the sales order and releases its stock; cancelling one
// already cancelled succeeds.
func (c *Client) Cancel(ctx context.Context, externalID, reason string) error {
	var rc erp.Receipt
	q := url.Values{"external_id": {externalID}}
	if err := c.do(ctx, http.MethodPost, "/v1/sales-orders/cancel", q, cancelRequest{Reason: reason}, &rc, cancelKind); err != nil {
		return fmt.Errorf("sandbox erp: cancel sales order %s: %w", externalID, err)
	}
	return nil
}
