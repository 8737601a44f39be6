package ebay

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ordergate/ordergate/internal/marketplace"
	"github.com/ordergate/ordergate/internal/marketplace/internal/oauth"
)

// Name is the marketplace's name in errors and records.
const Name = "ebay"

const maxBody = 4 << 20

// Client sets quantities for one eBay seller. It is safe for concurrent
// use; it does no pacing of its own (the pusher keeps to Limits).
type Client struct {
	cfg    Config
	base   string
	hc     *http.Client
	tokens *oauth.Cache
	now    func() time.Time
}

var _ marketplace.Connector = (*Client)(nil)

// New returns a client for the seller cfg names.
func New(cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("ebay: %w", err)
	}
	cfg.BaseURL = strings.TrimSuffix(cmp.Or(cfg.BaseURL, DefaultBaseURL), "/")
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{DefaultScope}
	}
	cfg.BatchSize = cmp.Or(cfg.BatchSize, MaxBatchSize)
	cfg.Timeout = cmp.Or(cfg.Timeout, DefaultTimeout)
	c := &Client{cfg: cfg, base: cfg.BaseURL, hc: cfg.HTTPClient, now: cfg.Now}
	if c.hc == nil {
		c.hc = &http.Client{Timeout: cfg.Timeout}
	}
	if c.now == nil {
		c.now = time.Now
	}
	c.tokens = oauth.NewCache(c.fetchToken, c.now)
	return c, nil
}

// Name returns "ebay".
func (c *Client) Name() string { return Name }

// Limits is BatchSize SKUs a call and 250 revisions per listing per day.
func (c *Client) Limits() marketplace.Limits {
	return marketplace.Limits{RequestsPerSecond: c.cfg.RequestsPerSecond, Burst: c.cfg.Burst,
		BatchSize: c.cfg.BatchSize, RevisionsPerDay: RevisionsPerDay, DayZone: c.cfg.DayZone}
}

// SetQuantities sends the updates BatchSize SKUs a call (a SKU named twice
// starts a new call, so that eBay never sees one SKU twice in a call).
func (c *Client) SetQuantities(ctx context.Context, updates []marketplace.Update) []error {
	errs := marketplace.CheckUpdates(Name, updates)
	var batch []int // indexes into updates
	inBatch := map[string]bool{}
	flush := func() {
		if len(batch) > 0 {
			c.bulk(ctx, updates, batch, errs)
		}
		batch, inBatch = nil, map[string]bool{}
	}
	for i, u := range updates {
		if errs[i] != nil {
			continue
		}
		if len(batch) == c.cfg.BatchSize || inBatch[u.SKU] {
			flush()
		}
		batch = append(batch, i)
		inBatch[u.SKU] = true
	}
	flush()
	return errs
}

// The request and reply of bulkUpdatePriceQuantity.
type (
	bulkRequest struct {
		Requests []priceQuantity `json:"requests"`
	}
	priceQuantity struct {
		SKU                        string          `json:"sku"`
		ShipToLocationAvailability shipTo          `json:"shipToLocationAvailability"`
		Offers                     []offerQuantity `json:"offers,omitempty"`
	}
	shipTo struct {
		Quantity int `json:"quantity"`
	}
	offerQuantity struct {
		OfferID           string `json:"offerId"`
		AvailableQuantity int    `json:"availableQuantity"`
	}
	bulkReply struct {
		Responses []struct {
			SKU        string     `json:"sku"`
			OfferID    string     `json:"offerId"`
			StatusCode int        `json:"statusCode"`
			Errors     []apiError `json:"errors"`
		} `json:"responses"`
	}
	apiError struct {
		ErrorID     int    `json:"errorId"`
		Domain      string `json:"domain"`
		Category    string `json:"category"`
		Message     string `json:"message"`
		LongMessage string `json:"longMessage"`
	}
	errorReply struct {
		Errors []apiError `json:"errors"`
	}
)

// bulk sends one call for the updates at idx and books each result in errs.
func (c *Client) bulk(ctx context.Context, updates []marketplace.Update, idx []int, errs []error) {
	req := bulkRequest{}
	for _, i := range idx {
		u := updates[i]
		pq := priceQuantity{SKU: u.SKU, ShipToLocationAvailability: shipTo{Quantity: u.Quantity}}
		for _, id := range c.cfg.Offers[u.SKU] {
			pq.Offers = append(pq.Offers, offerQuantity{OfferID: id, AvailableQuantity: u.Quantity})
		}
		req.Requests = append(req.Requests, pq)
	}
	status, hdr, reply, err := c.call(ctx, req)
	if err != nil {
		for _, i := range idx {
			errs[i] = c.wrap(err, updates[i].SKU)
		}
		return
	}
	if status == http.StatusOK || status == http.StatusMultiStatus {
		c.perItem(updates, idx, reply, status, errs)
		return
	}
	if status == http.StatusBadRequest && len(idx) > 1 {
		for _, i := range idx { // find the SKU eBay objects to
			c.bulk(ctx, updates, []int{i}, errs)
		}
		return
	}
	e := &marketplace.Error{Marketplace: Name, Status: status, Kind: marketplace.StatusKind(status)}
	var er errorReply
	if json.Unmarshal(reply, &er) == nil && len(er.Errors) > 0 {
		e.Code, e.Message = strconv.Itoa(er.Errors[0].ErrorID), c.words(er.Errors[0])
	}
	if e.Kind == marketplace.ErrThrottled {
		e.RetryAfter = marketplace.ParseRetryAfter(hdr, c.now())
	}
	for _, i := range idx {
		errs[i] = e.WithSKU(updates[i].SKU)
	}
}

// perItem books a 200 or 207 reply entry by entry.
func (c *Client) perItem(updates []marketplace.Update, idx []int, reply []byte, status int, errs []error) {
	var r bulkReply
	if err := json.Unmarshal(reply, &r); err != nil {
		for _, i := range idx {
			errs[i] = &marketplace.Error{Marketplace: Name, SKU: updates[i].SKU, Kind: marketplace.ErrUnavailable, Status: status,
				Message: "the reply is not a bulk price and quantity response: " + err.Error()}
		}
		return
	}
	for _, i := range idx {
		sku := updates[i].SKU
		var err *marketplace.Error
		seen := false
		for _, x := range r.Responses {
			if x.SKU != sku {
				continue
			}
			seen = true
			if x.StatusCode == http.StatusOK {
				continue
			}
			e := &marketplace.Error{Marketplace: Name, SKU: sku, Status: x.StatusCode, Kind: marketplace.StatusKind(x.StatusCode)}
			if len(x.Errors) > 0 {
				e.Code, e.Message = strconv.Itoa(x.Errors[0].ErrorID), c.words(x.Errors[0])
				if x.Errors[0].ErrorID == 25001 {
					e.Kind = marketplace.ErrUnavailable // eBay's "system error": try again
				}
			}
			if x.OfferID != "" {
				e.Message = "offer " + x.OfferID + ": " + e.Message
			}
			if err == nil || severity(e.Kind) > severity(err.Kind) {
				err = e
			}
		}
		switch {
		case err != nil:
			errs[i] = err
		case !seen:
			errs[i] = &marketplace.Error{Marketplace: Name, SKU: sku, Kind: marketplace.ErrUnavailable, Status: status,
				Message: "the reply has no entry for the sku"}
		}
	}
}

// severity orders the kinds for a SKU with several failed entries: a
// rejection of any of its offers is what someone must look at.
func severity(kind error) int {
	switch kind {
	case marketplace.ErrRejected:
		return 3
	case marketplace.ErrAuth:
		return 2
	case marketplace.ErrThrottled:
		return 1
	}
	return 0
}

func (c *Client) words(e apiError) string {
	return oauth.Redact(cmp.Or(e.LongMessage, e.Message), c.secrets()...)
}

// call posts one bulk request, renewing the token once on a 401.
func (c *Client) call(ctx context.Context, req bulkRequest) (int, http.Header, []byte, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return 0, nil, nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	for retried := false; ; retried = true {
		tok, err := c.tokens.Token(ctx)
		if err != nil {
			return 0, nil, nil, err
		}
		status, hdr, reply, err := c.send(ctx, tok, body)
		if err != nil {
			return 0, nil, nil, &marketplace.Error{Marketplace: Name, Kind: marketplace.ErrUnavailable, Message: "bulk update price quantity", Err: err}
		}
		if status == http.StatusUnauthorized && !retried {
			c.tokens.Forget(tok)
			continue
		}
		return status, hdr, reply, nil
	}
}

func (c *Client) send(ctx context.Context, tok string, body []byte) (int, http.Header, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/sell/inventory/v1/bulk_update_price_quantity", bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
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

// fetchToken renews the user access token with the refresh token.
func (c *Client) fetchToken(ctx context.Context) (string, time.Duration, error) {
	form := url.Values{
		"grant_type":    {"refresh_token"},
		"refresh_token": {c.cfg.RefreshToken},
		"scope":         {strings.Join(c.cfg.Scopes, " ")},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/identity/v1/oauth2/token", strings.NewReader(form.Encode()))
	if err != nil {
		return "", 0, err
	}
	req.Header.Set("Authorization", "Basic "+c.basic())
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	return oauth.Exchange(ctx, c.hc, req, Name, c.now(), c.secrets()...)
}

func (c *Client) basic() string {
	return base64.StdEncoding.EncodeToString([]byte(c.cfg.ClientID + ":" + c.cfg.ClientSecret))
}

func (c *Client) secrets() []string {
	return []string{c.cfg.ClientSecret, c.cfg.RefreshToken, c.basic()}
}

// wrap names the SKU in a failure of the whole call.
func (c *Client) wrap(err error, sku string) error {
	var me *marketplace.Error
	if errors.As(err, &me) {
		return me.WithSKU(sku)
	}
	return &marketplace.Error{Marketplace: Name, SKU: sku, Kind: marketplace.ErrUnavailable, Message: "bulk update price quantity", Err: err}
}
