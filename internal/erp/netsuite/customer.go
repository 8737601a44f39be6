package netsuite

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/order"
)

const customerPath = "/services/rest/record/v1/customer/"

// customerCacheSize bounds how many customers a client remembers (their
// external id and internal id, some 60 bytes each); the least recently
// used are forgotten first and are looked up again when next needed.
const customerCacheSize = 10_000

// nameLimit is what is kept of a first or last name: NetSuite's entity
// name fields take 32 characters [unverified: the field length is from
// the records browser's usual entity limits, not a page we cite].
const nameLimit = 32

// customerExternalID returns the external id of the customer record an
// order is entered for when Config.CustomerID is empty: "og-cust-" and 20
// hex digits (80 bits) of a SHA-256.
//
// With an e-mail it hashes the e-mail, trimmed and in lower case, so that
// every order from one address, in any case and from any storefront, goes
// to one customer. A hash rather than the address itself, because NetSuite
// takes only letters, digits, '_' and '-' in an external id, and so that
// the id carries no personal data.
//
// Without an e-mail it hashes the storefront and the order id, so that
// the order gets a customer of its own. Nothing else identifies a person
// reliably (a name is shared, a phone number is shared and written many
// ways), and merging two people's orders is worse than one customer
// record per order without an e-mail; the record is still found again by
// a retry of the same order.
func customerExternalID(o order.Order) string {
	h := sha256.New()
	if email := normalEmail(o.Customer.Email); email != "" {
		h.Write([]byte("email\x00" + email))
	} else {
		h.Write([]byte("order\x00" + o.Key.Storefront + "\x00" + o.Key.ID))
	}
	return "og-cust-" + hex.EncodeToString(h.Sum(nil)[:10])
}

func normalEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// customerNames returns the first and last name of the person record
// created for an order; NetSuite requires both of a person. The order's
// customer name is split at its last space: "Mary Ann Smith" is Mary Ann,
// Smith. An order without a name uses the local part of its e-mail (ada
// of ada@example.com), and one with neither "Order" and the order's
// external id. A one-word name is the first name, with "-" as the last.
// Each is cut to 32 characters.
func customerNames(o order.Order) (first, last string) {
	words := strings.Fields(o.Customer.Name)
	if len(words) == 0 {
		email := strings.TrimSpace(o.Customer.Email)
		if at := strings.LastIndexByte(email, '@'); at >= 0 {
			email = email[:at]
		}
		words = strings.Fields(email)
	}
	if len(words) == 0 {
		words = []string{"Order", o.Key.ExternalID()}
	}
	if len(words) == 1 {
		return clip(words[0]), "-"
	}
	return clip(strings.Join(words[:len(words)-1], " ")), clip(words[len(words)-1])
}

func clip(s string) string {
	if utf8.RuneCountInString(s) <= nameLimit {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:nameLimit]))
}

var phoneChars = regexp.MustCompile(`^\+?[0-9 ().-]+$`)

// customerPhone returns the order's phone if NetSuite will take it (it
// refuses a phone number of fewer than seven digits), else "": a phone
// written some other way ("call after 5") is left off rather than have
// NetSuite refuse the customer and with it the order.
func customerPhone(p string) string {
	p = strings.TrimSpace(p)
	digits := 0
	for _, r := range p {
		if '0' <= r && r <= '9' {
			digits++
		}
	}
	if digits < 7 || len(p) > 32 || !phoneChars.MatchString(p) {
		return ""
	}
	return p
}

// customerBody is the customer record Submit upserts.
type customerBody struct {
	IsPerson   bool   `json:"isPerson"`
	FirstName  string `json:"firstName"`
	LastName   string `json:"lastName"`
	Email      string `json:"email,omitempty"`
	Phone      string `json:"phone,omitempty"`
	Subsidiary *ref   `json:"subsidiary,omitempty"`
}

// idRow is a SuiteQL row of one id.
type idRow struct {
	ID flexString `json:"id"`
}

// customerFor returns the internal id of the customer to enter o for, and
// whether it came from the cache. With Config.CustomerID it is that, and
// nothing is asked of NetSuite. Otherwise: the cache, then SuiteQL by our
// customer external id, then SuiteQL by e-mail, then the upsert. With
// fresh the cache is not read.
//
// No failure here can leave a sales order behind (this attempt has sent
// none yet; one from an earlier attempt is what the sales order upsert
// converges on), so every unclear outcome is erp.ErrUnavailable, never
// erp.ErrInDoubt: even a customer upsert whose reply was lost, since the
// retry finds that customer by its external id, or upserts onto it.
func (c *Client) customerFor(ctx context.Context, o order.Order, fresh bool) (id string, cached bool, err error) {
	if c.customerID != "" {
		return c.customerID, false, nil
	}
	eid := customerExternalID(o)
	if !fresh {
		if id, ok := c.customers.get(eid); ok {
			return id, true, nil
		}
	}
	id, err = c.customers.do(ctx, eid, func() (string, error) { return c.findOrCreateCustomer(ctx, eid, o) })
	if err != nil {
		return "", false, fmt.Errorf("customer %s: %w", eid, err)
	}
	return id, false, nil
}

func (c *Client) findOrCreateCustomer(ctx context.Context, eid string, o order.Order) (string, error) {
	id, err := c.findCustomer(ctx, "SELECT id FROM customer WHERE externalid = "+quote(eid))
	if err != nil {
		return "", fmt.Errorf("look up by external id: %w", err)
	}
	if id != "" {
		return id, nil
	}
	if email := normalEmail(o.Customer.Email); email != "" {
		// A customer someone entered before us, or another integration
		// did: the first active one with the e-mail, by internal id,
		// which is the oldest. Its external id is left as it is: it may
		// be another integration's to keep.
		id, err := c.findCustomer(ctx, "SELECT id FROM customer WHERE LOWER(email) = "+quote(email)+" AND isinactive = 'F' ORDER BY id")
		if err != nil {
			return "", fmt.Errorf("look up by e-mail: %w", err)
		}
		if id != "" {
			return id, nil
		}
	}
	id, err = c.upsertCustomer(ctx, eid, o)
	if err != nil {
		return "", fmt.Errorf("create: %w", err)
	}
	return id, nil
}

// findCustomer runs a SuiteQL query for customer ids and returns the
// first, or "" if there is none.
func (c *Client) findCustomer(ctx context.Context, q string) (string, error) {
	page, err := suiteQL[idRow](ctx, c, q, 0)
	if err != nil {
		return "", err
	}
	for _, r := range page.Items {
		if internalIDPattern.MatchString(string(r.ID)) {
			return string(r.ID), nil
		}
	}
	return "", nil
}

// upsertCustomer is PUT …/customer/eid:{id}: a person with the order's
// names, e-mail and phone, in Config.SubsidiaryID if set. NetSuite answers
// 204 with the record's url in Location, which names its internal id;
// without a usable Location the record is read back by external id.
func (c *Client) upsertCustomer(ctx context.Context, eid string, o order.Order) (string, error) {
	first, last := customerNames(o)
	body := customerBody{
		IsPerson:  true,
		FirstName: first,
		LastName:  last,
		Email:     strings.TrimSpace(o.Customer.Email),
		Phone:     customerPhone(o.Customer.Phone),
	}
	if c.subsidiaryID != "" {
		body.Subsidiary = &ref{ID: c.subsidiaryID}
	}
	rep, err := c.send(ctx, request{op: opRead, method: http.MethodPut, path: customerPath + "eid:" + eid, body: body})
	if err != nil {
		return "", err
	}
	if rep.status != http.StatusNoContent && rep.status != http.StatusOK && rep.status != http.StatusCreated {
		return "", c.classify(rep, failure{op: opRead, customer: true})
	}
	if p, err := c.pathOf(rep.header.Get("Location")); err == nil {
		if id, ok := strings.CutPrefix(p, customerPath); ok && internalIDPattern.MatchString(id) {
			return id, nil
		}
	}
	return c.getCustomerID(ctx, eid)
}

// getCustomerID is GET …/customer/eid:{id}, for the internal id.
func (c *Client) getCustomerID(ctx context.Context, eid string) (string, error) {
	rep, err := c.send(ctx, request{op: opRead, method: http.MethodGet, path: customerPath + "eid:" + eid})
	if err != nil {
		return "", err
	}
	switch rep.status {
	case http.StatusOK:
	case http.StatusNotFound:
		return "", &erp.Error{Kind: erp.ErrUnavailable, Message: "netsuite took the customer but does not find it by its external id yet"}
	default:
		return "", c.classify(rep, failure{op: opRead, customer: true})
	}
	var rec idRow
	if err := decode(rep, &rec, opRead); err != nil {
		return "", err
	}
	if !internalIDPattern.MatchString(string(rec.ID)) {
		return "", &erp.Error{Kind: erp.ErrUnavailable, Message: fmt.Sprintf("customer without an internal id: %q", rec.ID)}
	}
	return string(rec.ID), nil
}

// customerCache maps our customer external ids to NetSuite internal ids,
// keeping the customerCacheSize most recently used. It also lets one
// look-up per external id run at a time, so that two orders from one
// address arriving together do not both create the customer. (Across
// replicas they may: the upsert by external id makes the second an
// update, or NetSuite refuses it as a duplicate and the retry finds the
// first.)
type customerCache struct {
	mu      sync.Mutex
	max     int
	lru     *list.List // of *customerEntry, most recent first
	byEID   map[string]*list.Element
	flights map[string]*customerFlight
	onWait  func() // for tests: called as a call starts waiting for another
}

type customerEntry struct{ eid, id string }

type customerFlight struct {
	done chan struct{}
	id   string
	err  error
}

func newCustomerCache(max int) *customerCache {
	return &customerCache{max: max, lru: list.New(), byEID: map[string]*list.Element{}, flights: map[string]*customerFlight{}}
}

func (cc *customerCache) get(eid string) (string, bool) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	e, ok := cc.byEID[eid]
	if !ok {
		return "", false
	}
	cc.lru.MoveToFront(e)
	return e.Value.(*customerEntry).id, true
}

func (cc *customerCache) put(eid, id string) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if e, ok := cc.byEID[eid]; ok {
		e.Value.(*customerEntry).id = id
		cc.lru.MoveToFront(e)
		return
	}
	cc.byEID[eid] = cc.lru.PushFront(&customerEntry{eid: eid, id: id})
	for cc.lru.Len() > cc.max {
		last := cc.lru.Back()
		cc.lru.Remove(last)
		delete(cc.byEID, last.Value.(*customerEntry).eid)
	}
}

func (cc *customerCache) forget(eid string) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if e, ok := cc.byEID[eid]; ok {
		cc.lru.Remove(e)
		delete(cc.byEID, eid)
	}
}

func (cc *customerCache) len() int {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return cc.lru.Len()
}

// do runs find for eid unless a call for it is already running, in which
// case it waits for that one's answer; if that one failed (its caller went
// away, say), it runs find itself. A found id is cached.
func (cc *customerCache) do(ctx context.Context, eid string, find func() (string, error)) (string, error) {
	for {
		cc.mu.Lock()
		f, running := cc.flights[eid]
		if !running {
			f = &customerFlight{done: make(chan struct{})}
			cc.flights[eid] = f
			cc.mu.Unlock()
			f.id, f.err = find()
			if f.err == nil {
				cc.put(eid, f.id)
			}
			cc.mu.Lock()
			delete(cc.flights, eid)
			cc.mu.Unlock()
			close(f.done)
			return f.id, f.err
		}
		onWait := cc.onWait
		cc.mu.Unlock()
		if onWait != nil {
			onWait()
		}
		select {
		case <-f.done:
			if f.err == nil {
				return f.id, nil
			}
		case <-ctx.Done():
			return "", fmt.Errorf("%w: waiting for another look-up of the same customer: %w",
				&erp.Error{Kind: erp.ErrUnavailable}, ctx.Err())
		}
	}
}

// errRefusalAt reports whether err is NetSuite refusing a field at path.
func errRefusalAt(err error, path string) bool {
	var r *refusal
	return errors.As(err, &r) && r.at(path)
}
