package walmart

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
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
const Name = "walmart"

const maxBody = 1 << 20

// Client sets inventory for one Walmart seller. It is safe for concurrent
// use; it does no pacing of its own (the pusher keeps to Limits).
type Client struct {
	cfg    Config
	base   string
	hc     *http.Client
	tokens *oauth.Cache
	now    func() time.Time
}

var _ marketplace.Connector = (*Client)(nil)

// New returns a client for the account cfg names.
func New(cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("walmart: %w", err)
	}
	cfg.BaseURL = strings.TrimSuffix(cmp.Or(cfg.BaseURL, DefaultBaseURL), "/")
	cfg.ServiceName = cmp.Or(cfg.ServiceName, DefaultServiceName)
	cfg.Timeout = cmp.Or(cfg.Timeout, DefaultTimeout)
	if cfg.RequestsPerSecond == 0 {
		cfg.RequestsPerSecond, cfg.Burst = DefaultRequestsPerSecond, cmp.Or(cfg.Burst, DefaultBurst)
	}
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

// Name returns "walmart".
func (c *Client) Name() string { return Name }

// Limits is the configured pace, one SKU a request.
func (c *Client) Limits() marketplace.Limits {
	return marketplace.Limits{RequestsPerSecond: c.cfg.RequestsPerSecond, Burst: c.cfg.Burst, BatchSize: 1}
}

// SetQuantities puts each SKU's inventory, one request each, in order.
func (c *Client) SetQuantities(ctx context.Context, updates []marketplace.Update) []error {
	return marketplace.EachUpdate(Name, updates, func(u marketplace.Update) error { return c.put(ctx, u) })
}

// inventory is Walmart's single-item inventory body.
type inventory struct {
	SKU      string   `json:"sku"`
	Quantity quantity `json:"quantity"`
}

type quantity struct {
	Unit   string `json:"unit"`
	Amount int    `json:"amount"`
}

// put sets one SKU's inventory. A token Walmart refuses (401) is dropped
// and the request sent once more with a new one.
func (c *Client) put(ctx context.Context, u marketplace.Update) error {
	body, err := json.Marshal(inventory{SKU: u.SKU, Quantity: quantity{Unit: "EACH", Amount: u.Quantity}})
	if err != nil {
		return &marketplace.Error{Marketplace: Name, SKU: u.SKU, Kind: marketplace.ErrRejected, Message: "encode inventory", Err: err}
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	for retried := false; ; retried = true {
		tok, err := c.tokens.Token(ctx)
		if err != nil {
			return wrap(err, u.SKU)
		}
		status, hdr, reply, err := c.send(ctx, tok, u.SKU, body)
		if err != nil {
			return &marketplace.Error{Marketplace: Name, SKU: u.SKU, Kind: marketplace.ErrUnavailable, Message: "update inventory", Err: err}
		}
		if status == http.StatusUnauthorized && !retried {
			c.tokens.Forget(tok)
			continue
		}
		return c.result(u.SKU, status, hdr, reply)
	}
}

func (c *Client) send(ctx context.Context, tok, sku string, body []byte) (int, http.Header, []byte, error) {
	target := c.base + "/v3/inventory?" + url.Values{"sku": {sku}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, target, bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	c.headers(req)
	req.Header.Set("WM_SEC.ACCESS_TOKEN", tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, nil, oauth.Transport(ctx, err, c.cfg.ClientSecret)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("read reply: %w", oauth.Transport(ctx, err, c.cfg.ClientSecret))
	}
	return resp.StatusCode, resp.Header, b, nil
}

// headers sets what Walmart wants on every call. Header names are set
// as Walmart spells them (Go would canonicalise WM_SVC.NAME to Wm_svc.name;
// HTTP does not care, some proxies do).
func (c *Client) headers(req *http.Request) {
	req.Header["WM_SVC.NAME"] = []string{c.cfg.ServiceName}
	req.Header["WM_QOS.CORRELATION_ID"] = []string{correlationID()}
	if c.cfg.ChannelType != "" {
		req.Header["WM_CONSUMER.CHANNEL.TYPE"] = []string{c.cfg.ChannelType}
	}
	req.Header.Set("Accept", "application/json")
}

// result maps a reply: the one table of Walmart's statuses for an
// inventory update.
func (c *Client) result(sku string, status int, hdr http.Header, b []byte) error {
	if status == http.StatusOK {
		return nil
	}
	e := &marketplace.Error{Marketplace: Name, SKU: sku, Status: status, Kind: marketplace.StatusKind(status)}
	if status == http.StatusNotFound {
		e.Message = "no such item"
	}
	if list := oauth.ErrorList(b); len(list) > 0 {
		e.Code = list[0].Code
		words := cmp.Or(list[0].Description, list[0].Message)
		if list[0].Info != "" && list[0].Info != words {
			words = strings.TrimSpace(words + " " + list[0].Info)
		}
		e.Message = oauth.Redact(words, c.cfg.ClientSecret)
	}
	if e.Kind == marketplace.ErrThrottled {
		e.RetryAfter = marketplace.ParseRetryAfter(hdr, c.now())
	}
	return e
}

// fetchToken gets an access token by the client-credentials grant.
func (c *Client) fetchToken(ctx context.Context) (string, time.Duration, error) {
	form := url.Values{"grant_type": {"client_credentials"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/v3/token", strings.NewReader(form.Encode()))
	if err != nil {
		return "", 0, err
	}
	basic := base64.StdEncoding.EncodeToString([]byte(c.cfg.ClientID + ":" + c.cfg.ClientSecret))
	c.headers(req)
	req.Header.Set("Authorization", "Basic "+basic)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return oauth.Exchange(ctx, c.hc, req, Name, c.now(), c.cfg.ClientSecret, basic)
}

func wrap(err error, sku string) error {
	var me *marketplace.Error
	if errors.As(err, &me) {
		return me.WithSKU(sku)
	}
	return &marketplace.Error{Marketplace: Name, SKU: sku, Kind: marketplace.ErrUnavailable, Message: "get access token", Err: err}
}

// correlationID returns a random UUID (version 4).
func correlationID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
