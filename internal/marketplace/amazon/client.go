package amazon

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ordergate/ordergate/internal/marketplace"
	"github.com/ordergate/ordergate/internal/marketplace/internal/oauth"
)

// Name is the marketplace's name in errors and records.
const Name = "amazon"

// maxBody caps what is read of a reply.
const maxBody = 1 << 20

// Client sets listing quantities for one selling partner. It is safe for
// concurrent use; it does no pacing of its own (the pusher keeps to
// Limits).
type Client struct {
	cfg      Config
	endpoint string
	hc       *http.Client
	tokens   *oauth.Cache
	now      func() time.Time
}

var _ marketplace.Connector = (*Client)(nil)

// New returns a client for the seller cfg names.
func New(cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("amazon: %w", err)
	}
	cfg.Endpoint = strings.TrimSuffix(cmp.Or(cfg.Endpoint, DefaultEndpoint), "/")
	cfg.TokenURL = cmp.Or(cfg.TokenURL, DefaultTokenURL)
	cfg.FulfillmentChannel = cmp.Or(cfg.FulfillmentChannel, DefaultFulfillmentChannel)
	cfg.PatchOp = cmp.Or(cfg.PatchOp, "merge")
	cfg.Timeout = cmp.Or(cfg.Timeout, DefaultTimeout)
	if cfg.RequestsPerSecond == 0 {
		cfg.RequestsPerSecond, cfg.Burst = DefaultRequestsPerSecond, cmp.Or(cfg.Burst, DefaultBurst)
	}
	c := &Client{cfg: cfg, endpoint: cfg.Endpoint, hc: cfg.HTTPClient, now: cfg.Now}
	if c.hc == nil {
		c.hc = &http.Client{Timeout: cfg.Timeout}
	}
	if c.now == nil {
		c.now = time.Now
	}
	c.tokens = oauth.NewCache(c.fetchToken, c.now)
	return c, nil
}

// Name returns "amazon".
func (c *Client) Name() string { return Name }

// Limits is the account's rate for listing patches, one SKU a request.
func (c *Client) Limits() marketplace.Limits {
	return marketplace.Limits{RequestsPerSecond: c.cfg.RequestsPerSecond, Burst: c.cfg.Burst, BatchSize: 1}
}

// SetQuantities patches each SKU's fulfillment_availability, one request
// each, in order.
func (c *Client) SetQuantities(ctx context.Context, updates []marketplace.Update) []error {
	return marketplace.EachUpdate(Name, updates, func(u marketplace.Update) error { return c.patch(ctx, u) })
}

// patchRequest is ListingsItemPatchRequest.
type patchRequest struct {
	ProductType string      `json:"productType"`
	Patches     []patchOper `json:"patches"`
}

type patchOper struct {
	Op    string         `json:"op"`
	Path  string         `json:"path"`
	Value []availability `json:"value"`
}

type availability struct {
	FulfillmentChannelCode string `json:"fulfillment_channel_code"`
	Quantity               int    `json:"quantity"`
}

// submission is ListingsItemSubmissionResponse.
type submission struct {
	SKU          string  `json:"sku"`
	Status       string  `json:"status"`
	SubmissionID string  `json:"submissionId"`
	Issues       []issue `json:"issues"`
}

type issue struct {
	Code           string   `json:"code"`
	Message        string   `json:"message"`
	Severity       string   `json:"severity"`
	AttributeNames []string `json:"attributeNames"`
}

// errorList is SP-API's ErrorList.
type errorList struct {
	Errors []struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Details string `json:"details"`
	} `json:"errors"`
}

// patch sets one SKU's quantity. A token Amazon refuses (403, or 401) is
// dropped and the patch sent once more with a new one.
func (c *Client) patch(ctx context.Context, u marketplace.Update) error {
	pt := cmp.Or(c.cfg.ProductTypes[u.SKU], c.cfg.ProductType)
	if pt == "" {
		return &marketplace.Error{Marketplace: Name, SKU: u.SKU, Kind: marketplace.ErrRejected,
			Message: "no product type for the sku (product_type or product_types in the config)"}
	}
	body, err := json.Marshal(patchRequest{ProductType: pt, Patches: []patchOper{{
		Op: c.cfg.PatchOp, Path: "/attributes/fulfillment_availability",
		Value: []availability{{FulfillmentChannelCode: c.cfg.FulfillmentChannel, Quantity: u.Quantity}},
	}}})
	if err != nil {
		return &marketplace.Error{Marketplace: Name, SKU: u.SKU, Kind: marketplace.ErrRejected, Message: "encode patch", Err: err}
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	for retried := false; ; retried = true {
		tok, err := c.tokens.Token(ctx)
		if err != nil {
			return c.wrap(err, u.SKU)
		}
		status, hdr, reply, err := c.send(ctx, tok, u.SKU, body)
		if err != nil {
			return &marketplace.Error{Marketplace: Name, SKU: u.SKU, Kind: marketplace.ErrUnavailable, Message: "patch listing", Err: err}
		}
		if (status == http.StatusForbidden || status == http.StatusUnauthorized) && !retried {
			c.tokens.Forget(tok)
			continue
		}
		return c.result(u.SKU, status, hdr, reply)
	}
}

// send makes the PATCH request and reads its reply.
func (c *Client) send(ctx context.Context, tok, sku string, body []byte) (int, http.Header, []byte, error) {
	q := url.Values{"marketplaceIds": {strings.Join(c.cfg.MarketplaceIDs, ",")}}
	target := c.endpoint + "/listings/2021-08-01/items/" + url.PathEscape(c.cfg.SellerID) + "/" + url.PathEscape(sku) + "?" + q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPatch, target, bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("x-amz-access-token", tok)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "ordergate (Language=Go)")
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, nil, oauth.Transport(ctx, err, c.secrets()...)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("read reply: %w", oauth.Transport(ctx, err, c.secrets()...))
	}
	return resp.StatusCode, resp.Header, b, nil
}

// result maps a reply. This is the one table of SP-API's statuses for a
// listing patch (its model documents 200, 400, 403, 413, 415, 429, 500,
// 503).
func (c *Client) result(sku string, status int, hdr http.Header, b []byte) error {
	e := &marketplace.Error{Marketplace: Name, SKU: sku, Status: status}
	if status == http.StatusOK {
		var s submission
		if err := json.Unmarshal(b, &s); err != nil {
			e.Kind, e.Message = marketplace.ErrUnavailable, "the reply is not a listings submission: "+err.Error()
			return e
		}
		switch s.Status {
		case "ACCEPTED":
			return nil
		case "INVALID":
			e.Kind = marketplace.ErrRejected
			var words []string
			for _, is := range s.Issues {
				if is.Severity == "ERROR" {
					e.Code = cmp.Or(e.Code, is.Code)
					words = append(words, is.Message)
				}
			}
			e.Message = "listing submission invalid: " + oauth.Redact(strings.Join(words, "; "), c.secrets()...)
			return e
		default:
			e.Kind, e.Message = marketplace.ErrUnavailable, fmt.Sprintf("unexpected submission status %q", s.Status)
			return e
		}
	}
	e.Kind = marketplace.StatusKind(status)
	var el errorList
	if json.Unmarshal(b, &el) == nil && len(el.Errors) > 0 {
		e.Code = el.Errors[0].Code
		e.Message = oauth.Redact(strings.TrimSuffix(el.Errors[0].Message+" "+el.Errors[0].Details, " "), c.secrets()...)
	}
	if e.Kind == marketplace.ErrThrottled {
		e.RetryAfter = marketplace.ParseRetryAfter(hdr, c.now())
	}
	return e
}

// fetchToken exchanges the refresh token at Login with Amazon.
func (c *Client) fetchToken(ctx context.Context) (string, time.Duration, error) {
	form := url.Values{
		"grant_type":    {"refresh_token"},
		"refresh_token": {c.cfg.RefreshToken},
		"client_id":     {c.cfg.ClientID},
		"client_secret": {c.cfg.ClientSecret},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded;charset=UTF-8")
	req.Header.Set("Accept", "application/json")
	return oauth.Exchange(ctx, c.hc, req, Name, c.now(), c.secrets()...)
}

// wrap names the SKU in an error from getting a token.
func (c *Client) wrap(err error, sku string) error {
	var me *marketplace.Error
	if errors.As(err, &me) {
		return me.WithSKU(sku)
	}
	return &marketplace.Error{Marketplace: Name, SKU: sku, Kind: marketplace.ErrUnavailable, Message: "get access token", Err: err}
}

func (c *Client) secrets() []string {
	return []string{c.cfg.ClientSecret, c.cfg.RefreshToken}
}
