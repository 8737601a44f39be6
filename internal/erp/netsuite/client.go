package netsuite

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/order"
)

// Client talks to one NetSuite account's REST web services.
type Client struct {
	base            *url.URL
	hc              *http.Client
	timeout         time.Duration
	now             func() time.Time
	auth            authorizer
	customerID      string
	subsidiaryID    string
	customers       *customerCache
	locationID      string
	pendingApproval bool
	async           bool
	pollInterval    time.Duration
	asyncWait       time.Duration
	items           items
}

var _ erp.Client = (*Client)(nil)

// New returns a client for the account cfg names, after cfg.Validate.
func New(cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("netsuite: %w", err)
	}
	baseURL := cfg.BaseURL
	if baseURL == "" {
		baseURL = DefaultBaseURL(cfg.Account)
	}
	base, err := parseBaseURL(baseURL)
	if err != nil {
		return nil, fmt.Errorf("netsuite: base_url: %w", err)
	}
	c := &Client{
		base:            base,
		hc:              cfg.HTTPClient,
		timeout:         cmpOr(cfg.Timeout, DefaultTimeout),
		now:             cfg.Now,
		customerID:      cfg.CustomerID,
		subsidiaryID:    cfg.SubsidiaryID,
		customers:       newCustomerCache(customerCacheSize),
		locationID:      cfg.LocationID,
		pendingApproval: cfg.PendingApproval,
		async:           cfg.Async,
		pollInterval:    cmpOr(cfg.PollInterval, DefaultPollInterval),
		asyncWait:       cmpOr(cfg.AsyncWait, DefaultAsyncWait),
		items:           items{bySKU: map[string]string{}, byID: map[string]string{}},
	}
	if c.hc == nil {
		c.hc = &http.Client{Timeout: c.timeout}
	}
	if c.now == nil {
		c.now = time.Now
	}
	switch cfg.AuthMethod {
	case AuthOAuth2M2M:
		s, err := loadSigner(cfg.PrivateKeyFile)
		if err != nil {
			return nil, fmt.Errorf("netsuite: auth.private_key_file: %w", err)
		}
		c.auth = &m2m{
			hc: c.hc, tokenURL: base.String() + tokenPath, clientID: cfg.ClientID, certID: cfg.CertificateID,
			scopes: cfg.scopes(), signer: s, timeout: c.timeout, now: c.now, rand: rand.Reader,
			sem: make(chan struct{}, 1),
		}
	case AuthTBA:
		c.auth = &tba{
			realm: realm(cfg.Account), consumerKey: cfg.ConsumerKey, consumerSecret: cfg.ConsumerSecret,
			tokenID: cfg.TokenID, tokenSecret: cfg.TokenSecret, now: c.now, nonce: newNonce,
		}
	}
	return c, nil
}

func cmpOr(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// Submit upserts the sales order under the order's external id and reads
// it back. The upsert replaces the item sublist, so a repeat converges on
// the same one order with the same lines instead of adding a second set.
// Without Config.CustomerID the order's customer is found or created
// first (see customerFor).
func (c *Client) Submit(ctx context.Context, o order.Order) (erp.Receipt, error) {
	id := o.Key.ExternalID()
	rc, err := c.submit(ctx, o, false)
	if err != nil {
		return erp.Receipt{}, fmt.Errorf("netsuite: create sales order %s: %w", id, err)
	}
	return rc, nil
}

func (c *Client) submit(ctx context.Context, o order.Order, fresh bool) (erp.Receipt, error) {
	if len(o.Lines) == 0 {
		return erp.Receipt{}, errors.New("the order has no lines")
	}
	var skus []string
	seen := map[string]bool{}
	for _, l := range o.Lines {
		if !seen[l.SKU] {
			seen[l.SKU] = true
			skus = append(skus, l.SKU)
		}
	}
	ids, cachedItems, err := c.resolve(ctx, skus, fresh)
	if err != nil {
		return erp.Receipt{}, err
	}
	var unknown []string
	for _, s := range skus {
		if _, ok := ids[s]; !ok {
			unknown = append(unknown, s)
		}
	}
	if len(unknown) > 0 {
		return erp.Receipt{}, &erp.Error{Kind: erp.ErrRejected, Code: erp.CodeUnknownSKU,
			Message: "netsuite has no item with the name/number " + strings.Join(unknown, ", ")}
	}

	// The customer after the items, so that an order refused for an
	// unknown SKU creates no customer.
	entity, cachedCustomer, err := c.customerFor(ctx, o, fresh)
	if err != nil {
		return erp.Receipt{}, err
	}

	body := salesOrderBody{
		Entity:          ref{ID: entity},
		OrderStatus:     statusPendingFulfillment,
		OtherRefNum:     o.Name,
		Email:           o.Customer.Email,
		ShippingAddress: shipAddress(o.ShipTo),
	}
	if c.pendingApproval {
		body.OrderStatus = statusPendingApproval
	}
	if c.locationID != "" {
		body.Location = &ref{ID: c.locationID}
	}
	lineSKUs := make([]string, len(o.Lines))
	for i, l := range o.Lines {
		if l.Quantity <= 0 {
			return erp.Receipt{}, fmt.Errorf("line %d (%s) has quantity %d", i, l.SKU, l.Quantity)
		}
		body.Item.Items = append(body.Item.Items, itemLineBody{
			Item: ref{ID: ids[l.SKU]}, Quantity: l.Quantity, Rate: rate(l.Price),
		})
		lineSKUs[i] = l.SKU
	}

	eid := netsuiteExternalID(o.Key.ExternalID())
	if c.async {
		err = c.createAsync(ctx, eid, body, lineSKUs)
	} else {
		err = c.create(ctx, eid, body, lineSKUs)
	}
	var e *erp.Error
	staleItem := cachedItems && errors.As(err, &e) && e.Kind == erp.ErrRejected && e.Code == erp.CodeUnknownSKU
	staleCustomer := cachedCustomer && errRefusalAt(err, "entity")
	if err != nil && !fresh && (staleItem || staleCustomer) {
		// NetSuite refused an id we had cached: the item may have been
		// replaced under the same name, the customer deleted or merged
		// into another. Nothing was created; look the ids up afresh and
		// try once more.
		if staleItem {
			c.items.forget(skus)
		}
		if staleCustomer {
			c.customers.forget(customerExternalID(o))
		}
		return c.submit(ctx, o, true)
	}
	if err != nil {
		return erp.Receipt{}, err
	}
	rc, err := c.lookup(ctx, o.Key.ExternalID())
	if err != nil {
		// The order is in NetSuite; only its receipt is missing. The
		// gate's lookup before any retry will read it.
		return erp.Receipt{}, inDoubt(err, "created, but reading it back failed")
	}
	return rc, nil
}

// rate is a price as a JSON number, exactly as the decimal has it.
func rate(p decimal.Decimal) json.Number { return json.Number(p.String()) }

// create is the synchronous upsert: PUT …/salesOrder/eid:{id}?replace=item,
// answered 204 with the record's url in Location.
func (c *Client) create(ctx context.Context, eid string, body salesOrderBody, skus []string) error {
	rep, err := c.send(ctx, request{
		op:     opCreate,
		method: http.MethodPut,
		path:   salesOrderPath + "eid:" + eid,
		query:  url.Values{"replace": {"item"}},
		body:   body,
	})
	if err != nil {
		return err
	}
	if rep.status == http.StatusNoContent || rep.status == http.StatusOK || rep.status == http.StatusCreated {
		return nil
	}
	return c.classify(rep, failure{op: opCreate, skus: skus})
}

// inDoubt makes err an in-doubt failure, keeping its words and, if it came
// from a context, that context's error for errors.Is.
func inDoubt(err error, what string) error {
	e := &erp.Error{Kind: erp.ErrInDoubt, Message: what + ": " + err.Error()}
	var ee *erp.Error
	if errors.As(err, &ee) && ee.Kind == erp.ErrInDoubt {
		return err
	}
	for _, ctxErr := range []error{context.Canceled, context.DeadlineExceeded} {
		if errors.Is(err, ctxErr) {
			return fmt.Errorf("%w: %w", e, ctxErr)
		}
	}
	return e
}

// Lookup reads the sales order held under externalID, with its lines.
func (c *Client) Lookup(ctx context.Context, externalID string) (erp.Receipt, error) {
	rc, err := c.lookup(ctx, externalID)
	if err != nil {
		return erp.Receipt{}, fmt.Errorf("netsuite: look up sales order %s: %w", externalID, err)
	}
	return rc, nil
}

func (c *Client) lookup(ctx context.Context, externalID string) (erp.Receipt, error) {
	rec, err := c.getOrder(ctx, externalID)
	if err != nil {
		return erp.Receipt{}, err
	}
	var ids []string
	for _, l := range rec.Item.Items {
		ids = append(ids, l.Item.ID)
	}
	skus, err := c.skusOf(ctx, ids)
	if err != nil {
		return erp.Receipt{}, err
	}
	return receipt(*rec, externalID, skus), nil
}

// getOrder is GET …/salesOrder/eid:{id}?expandSubResources=true, which
// brings the item lines with their committed and backordered quantities.
func (c *Client) getOrder(ctx context.Context, externalID string) (*salesOrderRecord, error) {
	rep, err := c.send(ctx, request{
		op:     opRead,
		method: http.MethodGet,
		path:   salesOrderPath + "eid:" + netsuiteExternalID(externalID),
		query:  url.Values{"expandSubResources": {"true"}},
	})
	if err != nil {
		return nil, err
	}
	if rep.status != http.StatusOK {
		return nil, c.classify(rep, failure{op: opRead, notFound: true})
	}
	var rec salesOrderRecord
	if err := decode(rep, &rec, opRead); err != nil {
		return nil, err
	}
	if !internalIDPattern.MatchString(string(rec.ID)) {
		return nil, &erp.Error{Kind: erp.ErrUnavailable, Message: fmt.Sprintf("sales order without an internal id: %q", rec.ID)}
	}
	return &rec, nil
}

// Cancel closes every open line of the sales order. Closing is how NetSuite
// cancels an order it has approved: the record and its history stay, the
// committed stock is released, and the order shows as Closed (H), which
// Lookup reports as cancelled. An order already cancelled or closed is left
// as it is; one that has been fulfilled or billed is refused.
func (c *Client) Cancel(ctx context.Context, externalID, reason string) error {
	if err := c.cancel(ctx, externalID); err != nil {
		return fmt.Errorf("netsuite: cancel sales order %s (%s): %w", externalID, reason, err)
	}
	return nil
}

func (c *Client) cancel(ctx context.Context, externalID string) error {
	rec, err := c.getOrder(ctx, externalID)
	if err != nil {
		return err
	}
	switch st := rec.OrderStatus.ID; st {
	case statusCancelled, statusClosed:
		return nil
	case statusPendingApproval, statusPendingFulfillment:
	default:
		name := rec.OrderStatus.RefName
		if name == "" {
			name = "status " + st
		}
		return &erp.Error{Kind: erp.ErrRejected, Message: "the order is " + name +
			" in NetSuite: it has been fulfilled or billed, which closing it would not undo; cancel it there by hand"}
	}
	var body closeLinesBody
	for _, l := range rec.Item.Items {
		if !l.IsClosed {
			body.Item.Items = append(body.Item.Items, closeLine{Line: l.Line, IsClosed: true})
		}
	}
	if len(body.Item.Items) == 0 {
		return nil
	}
	rep, err := c.send(ctx, request{
		op:     opRead,
		method: http.MethodPatch,
		path:   salesOrderPath + string(rec.ID),
		body:   body,
	})
	if err != nil {
		return err
	}
	if rep.status == http.StatusNoContent || rep.status == http.StatusOK {
		return nil
	}
	return c.classify(rep, failure{op: opRead, notFound: true, refusal: true})
}

// Availability returns, for each SKU NetSuite knows, the quantity available
// summed over all locations (SuiteQL over inventoryitemlocations).
func (c *Client) Availability(ctx context.Context, skus []string) (map[string]int, error) {
	out := make(map[string]int, len(skus))
	if len(skus) == 0 {
		return out, nil
	}
	rows, err := c.queryItems(ctx, "item.itemid", skus)
	if err != nil {
		return nil, fmt.Errorf("netsuite: availability of %d skus: %w", len(skus), err)
	}
	c.items.put(rows)
	for _, r := range rows {
		n := 0
		if r.Available != nil && r.Available.IsPositive() {
			n = int(r.Available.Floor().IntPart())
		}
		out[string(r.SKU)] = n
	}
	return out, nil
}
