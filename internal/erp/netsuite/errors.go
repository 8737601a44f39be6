package netsuite

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ordergate/ordergate/internal/erp"
)

// errorBody is NetSuite's REST error shape (RFC 7807 with o:errorDetails).
type errorBody struct {
	Type    string        `json:"type"`
	Title   string        `json:"title"`
	Status  int           `json:"status"`
	Details []errorDetail `json:"o:errorDetails"`
}

type errorDetail struct {
	Detail     string `json:"detail"`
	Code       string `json:"o:errorCode"`
	Path       string `json:"o:errorPath,omitempty"`
	URLPath    string `json:"o:urlPath,omitempty"`
	Header     string `json:"o:errorHeader,omitempty"`
	QueryParam string `json:"o:errorQueryParam,omitempty"`
}

var (
	codeField  = regexp.MustCompile(`"o:errorCode"\s*:\s*"([^"\\]*)"`)
	pathField  = regexp.MustCompile(`"o:errorPath"\s*:\s*"([^"\\]*)"`)
	titleField = regexp.MustCompile(`"title"\s*:\s*"([^"\\]*)"`)
	spaces     = regexp.MustCompile(`\s+`)
)

// decodeErrorBody reads an error reply. NetSuite's own documentation
// publishes error bodies that are not JSON (the idempotency conflict puts
// unescaped quotes inside "detail"); for such a body the codes, paths and
// title are scanned for field by field, and the raw text, squeezed, stands
// in for the detail, so that the code still decides the kind and the
// words still reach the operator.
func decodeErrorBody(b []byte) errorBody {
	var eb errorBody
	if err := json.Unmarshal(b, &eb); err == nil {
		return eb
	}
	eb = errorBody{}
	if m := titleField.FindSubmatch(b); m != nil {
		eb.Title = string(m[1])
	}
	codes, paths := codeField.FindAllSubmatch(b, -1), pathField.FindAllSubmatch(b, -1)
	raw := spaces.ReplaceAllString(strings.TrimSpace(string(b)), " ")
	if len(raw) > 300 {
		raw = raw[:300] + "…"
	}
	for i, m := range codes {
		d := errorDetail{Code: string(m[1])}
		if i < len(paths) {
			d.Path = string(paths[i][1])
		}
		eb.Details = append(eb.Details, d)
	}
	if len(eb.Details) == 0 {
		eb.Details = []errorDetail{{}}
	}
	eb.Details[0].Detail = raw
	return eb
}

// codes that say NetSuite is over its limits. CONCURRENCY_LIMIT_EXCEEDED is
// what client libraries report for REST; NetSuite's pages only name HTTP
// 429 for REST and SSS_REQUEST_LIMIT_EXCEEDED for RESTlets.
var throttleCodes = map[string]bool{
	"CONCURRENCY_LIMIT_EXCEEDED": true,
	"SSS_REQUEST_LIMIT_EXCEEDED": true,
}

// itemLine matches an error path on the item sublist, e.g.
// item.items[0].item (the item reference) or item.items[2].quantity.
var itemLine = regexp.MustCompile(`^item\.items\[(\d+)\](?:\.(\w+))?`)

// itemField matches NetSuite's words for a bad value in the item field
// when it names no path: "… for the following field: item".
var itemField = regexp.MustCompile(`(?i)(field: item\b|invalid item\b|item reference)`)

// failure says how to read an error reply for one request.
type failure struct {
	op       op
	notFound bool     // 404 is erp.ErrNotFound (lookups)
	refusal  bool     // any other 4xx is NetSuite refusing the action (cancel)
	skus     []string // the SKU of each item line sent, for item errors
	customer bool     // the request wrote a customer record: no item errors, subsidiary hints
}

// refusal is NetSuite refusing a request for a reason that is not the
// order's: a bad setting, a customer record it will not take, a field the
// account does not have. It is a plain error, no *erp.Error; paths are the
// o:errorPath values NetSuite named.
type refusal struct {
	msg   string
	paths []string
}

func (r *refusal) Error() string { return r.msg }

func (r *refusal) at(path string) bool { return slices.Contains(r.paths, path) }

// classify maps an error reply to what the gate must do. This is the one
// table of NetSuite's statuses and error codes.
func (c *Client) classify(rep *reply, f failure) error {
	eb := decodeErrorBody(rep.body)
	words := describe(rep.status, eb)
	code := ""
	if len(eb.Details) > 0 {
		code = eb.Details[0].Code
	}
	throttled := rep.status == http.StatusTooManyRequests
	for _, d := range eb.Details {
		if throttleCodes[d.Code] {
			throttled, code = true, d.Code
		}
	}
	switch s := rep.status; {
	case throttled:
		return &erp.Error{Kind: erp.ErrThrottled, Code: code, Message: words,
			RetryAfter: retryAfter(rep.header.Get("Retry-After"), c.now())}
	case s == http.StatusUnauthorized || code == "INVALID_LOGIN":
		return &erp.Error{Kind: erp.ErrAuth, Code: code, Message: words + "; " + c.auth.hint()}
	case s == http.StatusForbidden:
		return &erp.Error{Kind: erp.ErrAuth, Code: code, Message: words +
			"; the integration's role lacks a permission: it needs REST Web Services, Log in using Access Tokens or OAuth 2.0, Sales Order (full), Items, Customers (full, unless customer_id is set) and SuiteAnalytics Workbook (for SuiteQL)"}
	case s == http.StatusNotFound && f.notFound:
		return &erp.Error{Kind: erp.ErrNotFound, Code: code, Message: words}
	case s >= 500:
		return &erp.Error{Kind: f.op.unclear(), Code: code, Message: words}
	}
	// A customer record is no item's fault, whatever its words.
	if e := itemRejection(eb, f.skus, words); e != nil && !f.customer && rep.status >= 400 && rep.status < 500 {
		return e
	}
	if f.refusal && rep.status >= 400 && rep.status < 500 {
		return &erp.Error{Kind: erp.ErrRejected, Code: code, Message: words}
	}
	// NetSuite refused a request that is not the order's fault (a bad
	// customer_id, a field the account does not have, a OneWorld account
	// without subsidiary_id, …). No sales order was created and retrying
	// will not help until someone fixes the config, so it is no
	// rejection: the gate retries, the order goes overdue where someone
	// sees it, and these words say what to fix. A customer record NetSuite
	// will not take (an e-mail it finds invalid, say) is treated the same:
	// that is the order's data, but rejecting the order for it would tell
	// the buyer their order failed over a detail of our bookkeeping.
	r := &refusal{msg: "netsuite refused the request: " + words + c.configHint(eb, f)}
	for _, d := range eb.Details {
		if d.Path != "" {
			r.paths = append(r.paths, d.Path)
		}
	}
	return r
}

// itemRejection returns the rejection for an error about the order's items:
// an item NetSuite does not know, or a line it refuses. Nil if no detail is
// about the item sublist.
func itemRejection(eb errorBody, skus []string, words string) *erp.Error {
	for _, d := range eb.Details {
		line, aboutRef := -1, false
		switch m := itemLine.FindStringSubmatch(d.Path); {
		case m != nil:
			line, _ = strconv.Atoi(m[1])
			aboutRef = m[2] == "" || m[2] == "item"
		case d.Path == "item":
			// The sublist as a whole (no lines, say): the order's fault,
			// but no one item's.
		case d.Path == "" && itemField.MatchString(d.Detail):
			aboutRef = true
		default:
			continue
		}
		e := &erp.Error{Kind: erp.ErrRejected, Code: d.Code, Message: words}
		if line >= 0 && line < len(skus) {
			e.Message = "sku " + skus[line] + ": " + words
		}
		if aboutRef {
			e.Code = erp.CodeUnknownSKU
			e.Message += " (netsuite code " + d.Code + ")"
		}
		return e
	}
	return nil
}

// describe renders NetSuite's words for an error: status, codes, paths and
// details, as an operator would want them in the timeline.
func describe(status int, eb errorBody) string {
	var parts []string
	for _, d := range eb.Details {
		var p strings.Builder
		if d.Code != "" {
			p.WriteString(d.Code)
		}
		for _, where := range []string{d.Path, d.URLPath, d.Header, d.QueryParam} {
			if where != "" {
				p.WriteString(" at " + where)
				break
			}
		}
		if d.Detail != "" {
			if p.Len() > 0 {
				p.WriteString(": ")
			}
			p.WriteString(d.Detail)
		}
		if p.Len() > 0 {
			parts = append(parts, p.String())
		}
	}
	s := fmt.Sprintf("http %d", status)
	if eb.Title != "" {
		s += " " + eb.Title
	}
	if len(parts) > 0 {
		s += ": " + strings.Join(parts, "; ")
	}
	return s
}

// configHint names the setting to check when NetSuite refuses a field we
// take from the configuration. On a customer record, an error about the
// subsidiary (by its path, or by its words where NetSuite names no path)
// is a OneWorld account that needs subsidiary_id, or a wrong one.
func (c *Client) configHint(eb errorBody, f failure) string {
	for _, d := range eb.Details {
		switch {
		case f.customer && (d.Path == "subsidiary" || strings.Contains(strings.ToLower(d.Detail), "subsidiary")):
			if c.subsidiaryID == "" {
				return "; NetSuite wants a subsidiary for each new customer (a OneWorld account): set subsidiary_id to the internal id of the subsidiary the store's customers belong to"
			}
			return "; check subsidiary_id (" + c.subsidiaryID + ")"
		case f.customer:
		case d.Path == "entity" && c.customerID != "":
			return "; check customer_id"
		case d.Path == "entity":
			return "; NetSuite refused the customer found or created for the order (made inactive, say, or in a subsidiary the order cannot use): fix that customer in NetSuite, or set customer_id"
		case d.Path == "location":
			return "; check location_id"
		}
	}
	if f.customer {
		return "; this is the customer record created for the order (set customer_id to enter every order for one customer instead)"
	}
	return ""
}

// maxRetryAfter bounds what a Retry-After header can ask for.
const maxRetryAfter = 24 * time.Hour

// retryAfter reads a Retry-After header, seconds or an HTTP date; 0 if
// absent or unreadable. NetSuite documents none for REST, so this is for
// what a proxy in front of it may send.
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(h, 64); err == nil {
		if !(secs > 0) { // also NaN
			return 0
		}
		return time.Duration(min(secs, maxRetryAfter.Seconds()) * float64(time.Second))
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return min(t.Sub(now), maxRetryAfter)
	}
	return 0
}
