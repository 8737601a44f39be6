package woocommerce

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const (
	// maxBody caps what is read of a reply: a page of 100 orders is a few
	// hundred kilobytes.
	maxBody = 32 << 20
	// maxAttempts is how many times one request is sent while the shop
	// answers 429 or 503.
	maxAttempts = 5
	// maxRetryAfter is the longest Retry-After the client waits out; a
	// longer one (WordPress's maintenance mode asks 600 s) gives up at
	// once, for the caller's next run.
	maxRetryAfter = 15 * time.Minute
)

// apiError is the WordPress REST error body, which WooCommerce uses too:
// {"code": "…", "message": "…", "data": {"status": n}}.
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// get sends one GET for path with q, answering 429 and 503 by waiting
// (Retry-After, or 1 s, 2 s, 4 s, … without one) and sending it again, up
// to maxAttempts in all. It returns the headers and body of a 200.
func (c *Client) get(ctx context.Context, path string, q url.Values) (http.Header, []byte, error) {
	u := *c.base
	u.Path += path
	u.RawQuery = q.Encode()
	for attempt := 1; ; attempt++ {
		resp, body, err := c.once(ctx, u.String())
		if err != nil {
			return nil, nil, fmt.Errorf("woocommerce: GET %s: %w", path, err)
		}
		if resp.StatusCode == http.StatusOK {
			return resp.Header, body, nil
		}
		if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable {
			return nil, nil, c.statusError(path, resp, body)
		}
		wait, said := retryAfter(resp.Header.Get("Retry-After"), c.now())
		if !said {
			wait = time.Second << (attempt - 1)
		}
		why := fmt.Sprintf("http %d (%s)", resp.StatusCode, firstLine(body))
		switch {
		case attempt >= maxAttempts:
			return nil, nil, fmt.Errorf("woocommerce: GET %s: %w: %s, still after %d attempts; retry after %s", path, ErrThrottled, why, attempt, wait)
		case wait > maxRetryAfter:
			return nil, nil, fmt.Errorf("woocommerce: GET %s: %w: %s, retry after %s", path, ErrThrottled, why, wait)
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return nil, nil, fmt.Errorf("woocommerce: GET %s: %w: %s, retry after %s, past the deadline", path, ErrThrottled, why, wait)
		}
		if err := c.sleep(ctx, wait); err != nil {
			return nil, nil, fmt.Errorf("woocommerce: GET %s: waiting %s after %s: %w", path, wait, why, err)
		}
	}
}

// once sends one request and reads the whole reply.
func (c *Client) once(ctx context.Context, u string) (*http.Response, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, err
	}
	req.SetBasicAuth(c.key, c.secret)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "ordergate")
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, nil, fmt.Errorf("read reply: %w", err)
	}
	if len(body) > maxBody {
		return nil, nil, fmt.Errorf("reply larger than %d bytes", maxBody)
	}
	return resp, body, nil
}

// statusError maps a reply other than 200, 429 and 503: the one table of
// WooCommerce's statuses.
func (c *Client) statusError(path string, resp *http.Response, body []byte) error {
	s := resp.StatusCode
	var e apiError
	_ = json.Unmarshal(body, &e)
	words := e.Message
	if words == "" {
		words = firstLine(body)
	}
	if e.Code != "" {
		words = e.Code + ": " + words
	}
	prefix := fmt.Sprintf("woocommerce: GET %s: http %d", path, s)
	switch {
	case s == http.StatusUnauthorized || s == http.StatusForbidden:
		hint := "check auth.consumer_key and auth.consumer_secret, and that the key has Read or Read/Write permission " +
			"(WooCommerce › Settings › Advanced › REST API) and its user may still view orders"
		if e.Code == "woocommerce_rest_cannot_view" {
			// WooCommerce saw no key it knows: a wrong key, or a server
			// that drops the Authorization header before PHP sees it.
			hint += "; WooCommerce saw no valid key at all, which a server that drops the Authorization header also causes"
		}
		if c.base.Scheme == "http" {
			hint += "; over plain http WooCommerce ignores Basic auth, so base_url must be https"
		}
		return fmt.Errorf("%s: %w: %s: %s", prefix, ErrAuth, words, hint)
	case s == http.StatusNotFound && strings.HasPrefix(e.Code, "woocommerce_rest_") && strings.HasSuffix(e.Code, "_invalid_id"):
		return fmt.Errorf("%s: %w: %s", prefix, ErrNotFound, words)
	case s == http.StatusNotFound:
		return fmt.Errorf("%s: %s: no such route: check base_url (%s; the API is under /wp-json) and that WooCommerce is active", prefix, words, c.base)
	case s >= 300 && s < 400:
		return fmt.Errorf("%s: base_url redirects to %s: set base_url to the address WordPress answers on", prefix, resp.Header.Get("Location"))
	}
	return fmt.Errorf("%s: %s", prefix, words)
}

// retryAfter reads a Retry-After header, seconds or an HTTP date, and
// reports whether it said anything usable.
func retryAfter(h string, now time.Time) (time.Duration, bool) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(h, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(24*time.Hour/time.Second) {
			secs = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// firstLine is the start of a body for an error message.
func firstLine(b []byte) string {
	s := strings.TrimSpace(string(b))
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	if s == "" {
		s = "no body"
	}
	return s
}
