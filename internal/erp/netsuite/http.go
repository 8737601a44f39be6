package netsuite

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/ordergate/ordergate/internal/erp"
)

// maxBody caps what is read of a reply: a sales order with its lines
// expanded is the largest we ask for.
const maxBody = 4 << 20

// op says which way an unclear outcome leans: a create that may have
// happened is in doubt; anything else can simply be tried again.
type op int

const (
	opRead op = iota
	opCreate
)

// unclear is the kind of a failure that tells nothing of the outcome.
func (o op) unclear() error {
	if o == opCreate {
		return erp.ErrInDoubt
	}
	return erp.ErrUnavailable
}

// request is one call to NetSuite.
type request struct {
	op     op
	method string
	path   string // under the base url, e.g. /services/rest/record/v1/salesOrder/eid:X
	query  url.Values
	body   any // sent as JSON when not nil
	header map[string]string
}

// reply is NetSuite's answer, read in full.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// send makes the request, signing it, and once more with fresh
// credentials if NetSuite answers 401 (an access token it expired early, a
// TBA nonce it saw on a request the transport resent). A transport failure is an *erp.Error of the request's
// unclear kind that also wraps its cause, so that errors.Is(err,
// context.Canceled) holds; any status is returned as a reply.
func (c *Client) send(ctx context.Context, r request) (*reply, error) {
	for attempt := 0; ; attempt++ {
		rep, req, err := c.sendOnce(ctx, r)
		if err != nil {
			return nil, err
		}
		if rep.status == http.StatusUnauthorized && attempt == 0 && c.auth.retry(req) {
			continue
		}
		return rep, nil
	}
}

func (c *Client) sendOnce(ctx context.Context, r request) (*reply, *http.Request, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	u := *c.base
	u.Path = c.base.Path + r.path
	u.RawPath = ""
	u.RawQuery = r.query.Encode()
	var body io.Reader
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return nil, nil, fmt.Errorf("encode request: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return nil, nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("User-Agent", "ordergate")
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	if err := c.auth.authorize(ctx, req); err != nil {
		return nil, nil, err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", &erp.Error{Kind: r.op.unclear()}, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: read reply: %w", &erp.Error{Kind: r.op.unclear()}, err)
	}
	if len(b) > maxBody {
		return nil, nil, fmt.Errorf("%w: reply larger than %d bytes", &erp.Error{Kind: r.op.unclear()}, maxBody)
	}
	return &reply{status: resp.StatusCode, header: resp.Header, body: b}, req, nil
}

// decode reads a JSON reply into out; a reply that is not what NetSuite
// documents is an unclear outcome.
func decode(rep *reply, out any, o op) error {
	if err := json.Unmarshal(rep.body, out); err != nil {
		return fmt.Errorf("%w: decode reply (http %d): %w", &erp.Error{Kind: o.unclear()}, rep.status, err)
	}
	return nil
}

// pathOf returns the path of a link NetSuite gave (a Location header or a
// links[].href), relative to the base url. Only the path is kept: links
// are followed on the configured host, so that credentials never go to a
// host named in a reply.
func (c *Client) pathOf(link string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(link))
	if err != nil || u.Path == "" {
		return "", fmt.Errorf("unusable link %q", link)
	}
	p := u.Path
	if c.base.Path != "" {
		p = strings.TrimPrefix(p, c.base.Path)
	}
	if !strings.HasPrefix(p, "/services/rest/") {
		return "", fmt.Errorf("link %q is not a NetSuite REST path", link)
	}
	return p, nil
}
