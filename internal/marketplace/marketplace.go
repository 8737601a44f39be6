package marketplace

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Update sets the quantity a marketplace lists of one SKU.
type Update struct {
	SKU      string
	Quantity int
}

// Connector sets listing quantities on one marketplace account. Each
// marketplace (amazon/, walmart/, ebay/, sandbox/) implements it and passes
// the conformance suite in marketplacetest/.
type Connector interface {
	// Name names the marketplace in errors and records: "amazon".
	Name() string
	// Limits says how the marketplace lets itself be called.
	Limits() Limits
	// SetQuantities sets each update's quantity and returns one error per
	// update, in order, nil where the marketplace took it. The caller
	// paces the calls: a connector sends what it is given at once, one
	// request per update or per Limits().BatchSize updates, and never
	// waits for a rate limit itself. Setting a quantity is idempotent.
	SetQuantities(ctx context.Context, updates []Update) []error
}

// Limits is how a marketplace lets itself be called. The zero value means
// no limit and one update per request.
type Limits struct {
	// RequestsPerSecond and Burst are a token bucket for the account's
	// quantity requests: Burst requests at once, then RequestsPerSecond.
	// 0 means no limit of our own (the marketplace's 429s still count).
	RequestsPerSecond float64
	Burst             int
	// BatchSize is the most updates one request carries; 0 means 1.
	BatchSize int
	// RevisionsPerDay is the most quantity changes one listing may take
	// in a day; 0 means no such limit.
	RevisionsPerDay int
	// DayZone is where that day begins and ends; nil means UTC.
	DayZone *time.Location
}

// Sentinel errors, for errors.Is. Connectors wrap them in *Error.
var (
	ErrThrottled   = errors.New("throttled")                        // wait RetryAfter (or back off), then send again
	ErrUnavailable = errors.New("unavailable")                      // 5xx, a timeout, a refused connection: send again later
	ErrRejected    = errors.New("rejected")                         // the marketplace refused this update: sending it again will not help
	ErrAuth        = errors.New("refused our credentials or token") // fatal until the config changes
)

// Error is a marketplace failure for one SKU. Its text names the
// marketplace and the SKU; it never holds a secret or a token.
type Error struct {
	Marketplace string
	SKU         string        // empty for a failure before any SKU (a token)
	Kind        error         // one of the sentinels
	Status      int           // the HTTP status, 0 if none came
	Code        string        // the marketplace's own error code, if any
	Message     string        // the marketplace's words, or ours
	RetryAfter  time.Duration // for ErrThrottled, when the marketplace says
	Err         error         // the cause underneath (a transport or context error), if any
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Marketplace)
	if e.SKU != "" {
		b.WriteString(": sku " + e.SKU)
	}
	b.WriteString(": " + e.Kind.Error())
	switch {
	case e.Status != 0 && e.Code != "":
		fmt.Fprintf(&b, " (http %d, %s)", e.Status, e.Code)
	case e.Status != 0:
		fmt.Fprintf(&b, " (http %d)", e.Status)
	case e.Code != "":
		fmt.Fprintf(&b, " (%s)", e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the kind and the cause, so that both errors.Is(err,
// ErrUnavailable) and errors.Is(err, context.DeadlineExceeded) hold.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Kind, e.Err}
	}
	return []error{e.Kind}
}

// WithSKU returns a copy of e naming sku, for a failure of a whole request
// reported once per update.
func (e *Error) WithSKU(sku string) *Error {
	c := *e
	c.SKU = sku
	return &c
}

// RetryAfter returns how long the marketplace asked us to wait, or 0.
func RetryAfter(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

// StatusKind is the usual meaning of an HTTP status from a marketplace:
// 429 throttled, 5xx (and 408) unavailable, 401 and 403 auth, any other
// 4xx rejected. Connectors start from it and override what their
// marketplace means otherwise.
func StatusKind(status int) error {
	switch {
	case status == http.StatusTooManyRequests:
		return ErrThrottled
	case status >= 500, status == http.StatusRequestTimeout:
		return ErrUnavailable
	case status == http.StatusUnauthorized, status == http.StatusForbidden:
		return ErrAuth
	default:
		return ErrRejected
	}
}

// ParseRetryAfter reads a Retry-After header, in seconds or as an HTTP
// date; 0 when absent or unreadable.
func ParseRetryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		return max(0, time.Duration(s)*time.Second)
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(0, t.Sub(now))
	}
	return 0
}

// CheckUpdates returns, per update, an ErrRejected for one no marketplace
// could take (an empty SKU, a negative quantity), or nil. Connectors call
// it before sending.
func CheckUpdates(name string, updates []Update) []error {
	errs := make([]error, len(updates))
	for i, u := range updates {
		switch {
		case u.SKU == "":
			errs[i] = &Error{Marketplace: name, Kind: ErrRejected, Message: "empty sku"}
		case u.Quantity < 0:
			errs[i] = &Error{Marketplace: name, SKU: u.SKU, Kind: ErrRejected, Message: fmt.Sprintf("negative quantity %d", u.Quantity)}
		}
	}
	return errs
}

// EachUpdate is SetQuantities for a marketplace that takes one SKU a
// request: send runs, in order, for each update CheckUpdates lets through.
func EachUpdate(name string, updates []Update, send func(Update) error) []error {
	errs := CheckUpdates(name, updates)
	for i, u := range updates {
		if errs[i] == nil {
			errs[i] = send(u)
		}
	}
	return errs
}
