package fishbowl

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/order"
)

// Client talks to one Fishbowl server. It is safe for concurrent use.
type Client struct {
	base         *url.URL
	hc           *http.Client
	timeout      time.Duration
	idle         time.Duration
	now          func() time.Time
	creds        loginRequest
	customerName string
	// afterFunc arms the idle-logout timer; time.AfterFunc but in tests.
	afterFunc func(time.Duration, func()) stopper

	loginTurn chan struct{} // held while logging in

	mu        sync.Mutex
	token     string // the open session's; "" if none
	inflight  int    // calls using the session now
	lastUse   time.Time
	idleTimer stopper
	closed    bool
}

var _ erp.Client = (*Client)(nil)

// New returns a client for the Fishbowl server cfg names. It does not call
// Fishbowl: the first call that needs a session logs in.
func New(cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("fishbowl config: %w", err)
	}
	base, _ := url.Parse(strings.TrimSuffix(cfg.BaseURL, "/")) // Validate parsed it
	appID, _ := parseAppID(cfg.AppID)
	c := &Client{
		base:    base,
		hc:      cfg.HTTPClient,
		timeout: cfg.Timeout,
		idle:    cfg.IdleLogout,
		now:     cfg.Now,
		creds: loginRequest{
			AppName:        strings.TrimSpace(cfg.AppName),
			AppDescription: cfg.AppDescription,
			AppID:          appID,
			Username:       cfg.Username,
			Password:       cfg.Password,
		},
		customerName: cfg.CustomerName,
		afterFunc:    func(d time.Duration, f func()) stopper { return time.AfterFunc(d, f) },
		loginTurn:    make(chan struct{}, 1),
	}
	if c.timeout == 0 {
		c.timeout = DefaultTimeout
	}
	if c.idle == 0 {
		c.idle = DefaultIdleLogout
	}
	if c.hc == nil {
		c.hc = &http.Client{Timeout: c.timeout}
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.creds.AppDescription == "" {
		c.creds.AppDescription = DefaultAppDescription
	}
	return c, nil
}

// Submit creates the sales order by Fishbowl's Sales Order CSV import, under
// the number SONumber(o.Key.ExternalID()), issued (status 20), and returns
// what Fishbowl then holds.
//
// Fishbowl keeps sales order numbers unique, which makes Submit idempotent:
// it looks the number up before importing, and after an import Fishbowl
// refused, so that an order an earlier attempt created is returned, not
// created again.
func (c *Client) Submit(ctx context.Context, o order.Order) (erp.Receipt, error) {
	rc, err := c.submit(ctx, o)
	if err != nil {
		return erp.Receipt{}, fmt.Errorf("fishbowl: create sales order %s: %w", o.Key.ExternalID(), err)
	}
	return rc, nil
}

func (c *Client) submit(ctx context.Context, o order.Order) (erp.Receipt, error) {
	id := o.Key.ExternalID()
	want, err := wantedLines(o)
	if err != nil {
		return erp.Receipt{}, err
	}
	num := SONumber(id)
	so, err := c.findSO(ctx, num, opSubmit)
	switch {
	case err == nil:
		return c.acknowledge(ctx, id, so, want)
	case !errors.Is(err, erp.ErrNotFound):
		return erp.Receipt{}, err
	}
	body, err := salesOrderCSV(o, num, c.customerName)
	if err != nil {
		return erp.Receipt{}, err
	}
	imp := request{method: http.MethodPost, path: "/api/import/Sales-Order", body: body,
		contentType: "text/csv; charset=utf-8", what: "the Sales Order import (Sales Order module and imports)"}
	if err := c.do(ctx, imp, opCreate, nil); err != nil {
		var refused *erp.Error
		if !errors.As(err, &refused) || refused.Kind != erp.ErrRejected {
			return erp.Receipt{}, err
		}
		// A refusal may be Fishbowl refusing a number it already holds,
		// because an earlier attempt got there first.
		so, ferr := c.findSO(ctx, num, opSubmit)
		if ferr == nil {
			return c.acknowledge(ctx, id, so, want)
		}
		if !errors.Is(ferr, erp.ErrNotFound) {
			return erp.Receipt{}, ferr
		}
		return erp.Receipt{}, c.classify(ctx, refused, slices.Collect(maps.Keys(want)))
	}
	so, err = c.findSO(ctx, num, opSubmit)
	if errors.Is(err, erp.ErrNotFound) {
		return erp.Receipt{}, &erp.Error{Kind: erp.ErrInDoubt, Message: fmt.Sprintf("Fishbowl accepted the import but holds no sales order numbered %s", num)}
	}
	if err != nil {
		return erp.Receipt{}, err
	}
	return c.acknowledge(ctx, id, so, want)
}

// acknowledge checks the sales order Fishbowl holds for a Submit against
// the order and returns its receipt.
func (c *Client) acknowledge(ctx context.Context, externalID string, so salesOrder, want map[string]int) (erp.Receipt, error) {
	rc, err := c.receipt(ctx, externalID, so, opSubmit)
	if err != nil {
		return erp.Receipt{}, err
	}
	switch rc.Status {
	case erp.StatusCancelled, erp.StatusRejected:
		return erp.Receipt{}, &erp.Error{Kind: erp.ErrRejected, Code: "so_" + so.Status.name(),
			Message: fmt.Sprintf("Fishbowl already holds sales order %s with status %s; it will not be created again", so.Number, so.Status)}
	}
	if got := orderedBySKU(rc.Lines); !maps.Equal(got, want) {
		// Someone else's order under our number, or ours edited in
		// Fishbowl: not for the gate to decide, so no kind; the order
		// goes overdue where someone will see this.
		return erp.Receipt{}, fmt.Errorf("Fishbowl sales order %s holds %v, the order asks for %v", so.Number, got, want)
	}
	return rc, nil
}

// classify codes a refused import erp.CodeUnknownSKU or erp.CodeNoStock
// when Fishbowl's words, or for a 402 its inventory, say that was what was
// wrong.
func (c *Client) classify(ctx context.Context, e *erp.Error, skus []string) error {
	lower := strings.ToLower(e.Message)
	unknown := containsAny(lower, "not found", "does not exist", "doesn't exist", "unknown", "invalid")
	for _, sku := range skus {
		if unknown && mentions(lower, strings.ToLower(sku)) {
			e.Code = erp.CodeUnknownSKU
			return e
		}
	}
	if containsAny(lower, "not enough", "insufficient", "short", "out of stock", "quantity available") {
		e.Code = erp.CodeNoStock
		return e
	}
	if e.Code != codeRequestFailed {
		return e // 400: a file Fishbowl could not read, whatever its parts
	}
	// Fishbowl fails the whole import if it lacks a product; its
	// inventory, which lists every part, says whether that was it.
	have, err := c.inventory(ctx, skus, opRead)
	if err != nil {
		return e
	}
	var missing []string
	for _, sku := range skus {
		if _, ok := have[sku]; !ok {
			missing = append(missing, sku)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		e.Code = erp.CodeUnknownSKU
		e.Message += "; not in Fishbowl's inventory: " + strings.Join(missing, ", ")
	}
	return e
}

// mentions reports whether s names word as a whole, not as part of a
// longer part number.
func mentions(s, word string) bool {
	for i := 0; word != ""; {
		j := strings.Index(s[i:], word)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(word)
		if (start == 0 || !partNumberByte(s[start-1])) && (end == len(s) || !partNumberByte(s[end])) {
			return true
		}
		i = start + 1
	}
	return false
}

func partNumberByte(b byte) bool {
	return b == '-' || b == '_' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// wantedLines returns the quantity of each SKU the order asks for, or a
// rejection if the order cannot become a sales order.
func wantedLines(o order.Order) (map[string]int, error) {
	if len(o.Lines) == 0 {
		return nil, &erp.Error{Kind: erp.ErrRejected, Code: "no_lines", Message: "the order has no lines"}
	}
	want := make(map[string]int, len(o.Lines))
	for i, l := range o.Lines {
		if strings.TrimSpace(l.SKU) == "" {
			return nil, &erp.Error{Kind: erp.ErrRejected, Code: erp.CodeUnknownSKU, Message: fmt.Sprintf("line %d has no SKU", i+1)}
		}
		if l.Quantity <= 0 {
			return nil, &erp.Error{Kind: erp.ErrRejected, Code: "bad_quantity", Message: fmt.Sprintf("line %d (%s) has quantity %d", i+1, l.SKU, l.Quantity)}
		}
		want[l.SKU] += l.Quantity
	}
	return want, nil
}

// Lookup finds the sales order numbered SONumber(externalID).
func (c *Client) Lookup(ctx context.Context, externalID string) (erp.Receipt, error) {
	so, err := c.findSO(ctx, SONumber(externalID), opLookup)
	if err != nil {
		return erp.Receipt{}, fmt.Errorf("fishbowl: look up sales order %s: %w", externalID, err)
	}
	rc, err := c.receipt(ctx, externalID, so, opRead)
	if err != nil {
		return erp.Receipt{}, fmt.Errorf("fishbowl: look up sales order %s: %w", externalID, err)
	}
	return rc, nil
}

// Cancel voids the sales order (status 80), which releases what it
// allocated: POST /api/sales-orders/{id}/void. Fishbowl's void takes no
// reason, so reason is not sent. An order already void or cancelled is left
// as it is.
func (c *Client) Cancel(ctx context.Context, externalID, reason string) error {
	if err := c.cancel(ctx, externalID); err != nil {
		return fmt.Errorf("fishbowl: void sales order %s: %w", externalID, err)
	}
	return nil
}

func (c *Client) cancel(ctx context.Context, externalID string) error {
	num := SONumber(externalID)
	so, err := c.findSO(ctx, num, opLookup)
	if err != nil {
		return err
	}
	if so.Status.cancelled() {
		return nil
	}
	void := request{method: http.MethodPost, path: "/api/sales-orders/" + strconv.Itoa(so.ID) + "/void", what: "sales orders (Sales Order module, void)"}
	err = c.do(ctx, void, opVoid, nil)
	if err == nil || !errors.Is(err, erp.ErrRejected) {
		return err
	}
	// Refused: perhaps because someone voided it meanwhile.
	if again, ferr := c.findSO(ctx, num, opLookup); ferr == nil && again.Status.cancelled() {
		return nil
	}
	return err
}

// Availability returns the units of each SKU Fishbowl can still promise:
// the quantity its part inventory reports, summed over locations, floored to
// whole units and never below zero. SKUs Fishbowl has no part for are
// absent.
func (c *Client) Availability(ctx context.Context, skus []string) (map[string]int, error) {
	out := make(map[string]int, len(skus))
	if len(skus) == 0 {
		return out, nil
	}
	qty, err := c.inventory(ctx, skus, opRead)
	if err != nil {
		return nil, fmt.Errorf("fishbowl: availability of %d skus: %w", len(skus), err)
	}
	for sku, q := range qty {
		out[sku] = int(max(q.Floor().IntPart(), 0))
	}
	return out, nil
}
