package admin

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// HeaderAccessToken carries the Admin API access token on every request.
const HeaderAccessToken = "X-Shopify-Access-Token"

// Retry bounds. An attempt is one HTTP exchange; waits before a request for
// the cost bucket to refill are not attempts.
const (
	maxAttempts     = 6
	firstBackoff    = 500 * time.Millisecond
	maxBackoff      = 8 * time.Second
	defaultRetry    = time.Second // a 429 without Retry-After, a THROTTLED without cost data
	maxRetryAfter   = 10 * time.Minute
	maxResponseSize = 32 << 20
)

// Client is a client of one shop's Admin GraphQL API. It is safe for
// concurrent use; concurrent calls share one view of the shop's cost bucket.
type Client struct {
	cfg Config

	mu     sync.Mutex
	bucket bucket
}

// NewClient returns a client for cfg, or cfg's validation errors.
func NewClient(cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Client{cfg: cfg.withDefaults()}, nil
}

// request is one GraphQL operation.
type request struct {
	op       string // the operation's name, as in the document
	query    string
	vars     map[string]any
	cost     int  // the requested cost this client expects Shopify to charge
	mutation bool // not retried when its outcome is unknown
	// scope is the access scope the operation needs, when it is not
	// read_orders, for the messages that tell the operator what to grant.
	scope string
}

// response is a GraphQL reply. Shopify puts extensions beside data and
// errors, never inside an error.
type response struct {
	Data       json.RawMessage `json:"data"`
	Errors     []gqlError      `json:"errors"`
	Extensions struct {
		Cost *queryCost `json:"cost"`
	} `json:"extensions"`
}

type gqlError struct {
	Message    string `json:"message"`
	Extensions struct {
		Code           string `json:"code"`
		RequiredAccess string `json:"requiredAccess"`
	} `json:"extensions"`
}

// queryCost is extensions.cost. Shopify has sent the throttle numbers both
// as integers and as floats ("1000.0"); actualQueryCost is null when the
// query did not run.
type queryCost struct {
	RequestedQueryCost float64  `json:"requestedQueryCost"`
	ActualQueryCost    *float64 `json:"actualQueryCost"`
	ThrottleStatus     struct {
		MaximumAvailable   float64 `json:"maximumAvailable"`
		CurrentlyAvailable float64 `json:"currentlyAvailable"`
		RestoreRate        float64 `json:"restoreRate"`
	} `json:"throttleStatus"`
}

// do runs req, waiting for the cost bucket and retrying within bounds, and
// decodes its data into out.
func (c *Client) do(ctx context.Context, req request, out any) error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("shopify admin: %s: "+format, append([]any{req.op}, args...)...)
	}
	for attempt := 1; ; attempt++ {
		if err := c.cfg.Sleep(ctx, c.budgetWait(req.cost)); err != nil {
			return fail("waiting for the rate limit: %w", err)
		}
		status, header, body, err := c.post(ctx, req)
		var wait time.Duration
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return fail("%w", ctx.Err())
			}
			if req.mutation {
				return fail("outcome unknown, not retried: %w: %v", ErrUnavailable, err)
			}
			if attempt >= maxAttempts {
				return fail("%w after %d attempts: %v", ErrUnavailable, attempt, err)
			}
			wait = backoff(attempt)
		case status == http.StatusUnauthorized:
			return fail("%w (HTTP 401: %s): check auth.access_token; the app must be installed on the shop with the read_orders access scope", ErrUnauthorized, excerpt(body))
		case status == http.StatusForbidden && req.scope != "":
			return fail("%w (HTTP 403: %s): grant the app the %s access scope", ErrForbidden, excerpt(body), req.scope)
		case status == http.StatusForbidden:
			return fail("%w (HTTP 403: %s): grant the app the read_orders access scope (and read_all_orders to backfill orders older than 60 days)", ErrForbidden, excerpt(body))
		case status == http.StatusTooManyRequests:
			if attempt >= maxAttempts {
				return fail("%w: HTTP 429 after %d attempts", ErrThrottled, attempt)
			}
			wait = retryAfter(header.Get("Retry-After"), c.cfg.Now())
		case status >= 500:
			if req.mutation {
				return fail("outcome unknown, not retried: %w: HTTP %d%s", ErrUnavailable, status, requestID(header))
			}
			if attempt >= maxAttempts {
				return fail("%w: HTTP %d after %d attempts%s", ErrUnavailable, status, attempt, requestID(header))
			}
			wait = backoff(attempt)
		case status != http.StatusOK:
			return fail("unexpected HTTP %d%s: %s", status, requestID(header), excerpt(body))
		default:
			var resp response
			if err := json.Unmarshal(body, &resp); err != nil {
				return fail("reply is not GraphQL JSON: %v", err)
			}
			c.observe(resp.Extensions.Cost)
			if !throttled(resp.Errors) {
				return c.result(req, resp, out)
			}
			if attempt >= maxAttempts {
				return fail("%w after %d attempts", ErrThrottled, attempt)
			}
			wait = throttleWait(resp.Extensions.Cost)
		}
		if err := c.cfg.Sleep(ctx, wait); err != nil {
			return fail("waiting to retry: %w", err)
		}
	}
}

func (c *Client) result(req request, resp response, out any) error {
	if len(resp.Errors) > 0 {
		e := &GraphQLError{Operation: req.op}
		var denied []string
		for _, ge := range resp.Errors {
			e.Codes = append(e.Codes, ge.Extensions.Code)
			msg := ge.Message
			if ge.Extensions.Code != "" {
				msg += " (" + ge.Extensions.Code + ")"
			}
			e.Messages = append(e.Messages, msg)
			if ge.Extensions.Code == "ACCESS_DENIED" {
				denied = append(denied, ge.Message)
			}
		}
		if len(denied) > 0 {
			scope := cmp.Or(req.scope, "read_orders")
			return fmt.Errorf("shopify admin: %s: %w: %s: grant the app the %s access scope", req.op, ErrForbidden, strings.Join(denied, "; "), scope)
		}
		return e
	}
	if len(resp.Data) == 0 || bytes.Equal(resp.Data, null) {
		return fmt.Errorf("shopify admin: %s: reply has no data", req.op)
	}
	if err := json.Unmarshal(resp.Data, out); err != nil {
		return fmt.Errorf("shopify admin: %s: %w", req.op, err)
	}
	return nil
}

func (c *Client) post(ctx context.Context, req request) (int, http.Header, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	payload, err := json.Marshal(struct {
		Query         string         `json:"query"`
		OperationName string         `json:"operationName"`
		Variables     map[string]any `json:"variables,omitempty"`
	}{req.query, req.op, req.vars})
	if err != nil {
		return 0, nil, nil, err
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.BaseURL, bytes.NewReader(payload))
	if err != nil {
		return 0, nil, nil, err
	}
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("Accept", "application/json")
	hr.Header.Set(HeaderAccessToken, c.cfg.AccessToken)
	res, err := c.cfg.HTTPClient.Do(hr)
	if err != nil {
		return 0, nil, nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, maxResponseSize+1))
	if err != nil {
		return 0, nil, nil, err
	}
	if len(body) > maxResponseSize {
		return 0, nil, nil, errors.New("reply larger than 32 MiB")
	}
	return res.StatusCode, res.Header, body, nil
}

// throttled reports whether Shopify refused the query for want of budget.
// Current replies carry extensions.code THROTTLED; older ones only the
// message "Throttled".
func throttled(errs []gqlError) bool {
	for _, e := range errs {
		if e.Extensions.Code == "THROTTLED" || (e.Extensions.Code == "" && e.Message == "Throttled") {
			return true
		}
	}
	return false
}

func backoff(attempt int) time.Duration {
	d := firstBackoff << (attempt - 1)
	if d > maxBackoff || d <= 0 {
		d = maxBackoff
	}
	return d
}

func requestID(h http.Header) string {
	if id := h.Get("X-Request-Id"); id != "" {
		return " (request id " + id + ")"
	}
	return ""
}

// excerpt returns the start of an error body, for messages; it never holds
// the token, which only ever travels in a request header.
func excerpt(body []byte) string {
	s := strings.TrimSpace(string(body))
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	if s == "" {
		return "empty body"
	}
	return s
}
