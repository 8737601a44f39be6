package bigcommerce

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"github.com/ordergate/ordergate/internal/order"
)

// PageLimit is the page size the client asks for: the v2 API's largest
// (its default is 50).
const PageLimit = 250

// maxProductPages bounds the product pages of one order (62,500 lines).
const maxProductPages = 250

// orderID is the shape of a v2 order id: a positive integer.
var orderID = regexp.MustCompile(`^[1-9][0-9]{0,18}$`)

// Fetch reads one order, GET /v2/orders/{id}, its products, GET
// /v2/orders/{id}/products, page by page, and its ship-to, the first of
// GET /v2/orders/{id}/shipping_addresses (not asked when the order's
// shipping_address_count is 0). An order the store does not have is
// ErrNotFound.
func (c *Client) Fetch(ctx context.Context, id string) (Snapshot, error) {
	if !orderID.MatchString(id) {
		return Snapshot{}, fmt.Errorf("bigcommerce: get order: %w: order id %q is not a positive integer", ErrMalformed, id)
	}
	status, body, err := c.get(ctx, "/v2/orders/"+id, nil)
	if err != nil {
		return Snapshot{}, fmt.Errorf("bigcommerce: get order %s: %w", id, err)
	}
	if status == http.StatusNoContent || len(bytes.TrimSpace(body)) == 0 {
		return Snapshot{}, fmt.Errorf("bigcommerce: get order %s: %w: empty reply", id, ErrNotFound)
	}
	var p orderPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return Snapshot{}, fmt.Errorf("bigcommerce: get order %s: %w: %v", id, ErrMalformed, err)
	}
	if got := p.ID.String(); got != id {
		return Snapshot{}, fmt.Errorf("bigcommerce: get order %s: %w: the reply is order %q", id, ErrMalformed, got)
	}
	return c.complete(ctx, p)
}

// GetOrder is Fetch without the status: the order alone.
func (c *Client) GetOrder(ctx context.Context, id string) (order.Order, error) {
	s, err := c.Fetch(ctx, id)
	return s.Order, err
}

// complete fetches the products and the ship-to of an order read from the
// API and builds its snapshot.
func (c *Client) complete(ctx context.Context, p orderPayload) (Snapshot, error) {
	id := p.ID.String()
	products, err := c.products(ctx, id)
	if err != nil {
		return Snapshot{}, fmt.Errorf("bigcommerce: get order %s products: %w", id, err)
	}
	s, err := p.snapshot(c.storefront, products)
	if err != nil {
		return Snapshot{}, fmt.Errorf("bigcommerce: order %s: %w", id, err)
	}
	if p.hasNoShippingAddress() {
		return s, nil
	}
	if s.Order.ShipTo, err = c.shipTo(ctx, id); err != nil {
		return Snapshot{}, fmt.Errorf("bigcommerce: get order %s shipping addresses: %w", id, err)
	}
	return s, nil
}

// shipTo reads the first page of an order's shipping addresses and returns
// the first, the ship-to; nil for a 204 (none). One page of PageLimit is
// asked for, though only the first address is used, so that a store with
// many addresses on one order costs one request all the same.
func (c *Client) shipTo(ctx context.Context, id string) (*order.Address, error) {
	q := url.Values{"limit": {strconv.Itoa(PageLimit)}, "page": {"1"}}
	status, body, err := c.get(ctx, "/v2/orders/"+id+"/shipping_addresses", q)
	if err != nil {
		return nil, err
	}
	if status == http.StatusNoContent {
		return nil, nil
	}
	return DecodeShippingAddresses(body)
}

// products reads every page of an order's products. A page shorter than
// PageLimit, an empty page or a 204 ends the list.
func (c *Client) products(ctx context.Context, id string) ([]productPayload, error) {
	var all []productPayload
	prev := ""
	for page := 1; page <= maxProductPages; page++ {
		q := url.Values{"limit": {strconv.Itoa(PageLimit)}, "page": {strconv.Itoa(page)}}
		status, body, err := c.get(ctx, "/v2/orders/"+id+"/products", q)
		if err != nil {
			return nil, err
		}
		if status == http.StatusNoContent {
			return all, nil
		}
		ps, err := decodeProducts(body)
		if err != nil {
			return nil, fmt.Errorf("page %d: %w", page, err)
		}
		if len(ps) == 0 {
			return all, nil
		}
		if f := ps[0].ID.String(); f != "" && f == prev {
			return nil, fmt.Errorf("page %d repeats page %d: the API ignored the page parameter", page, page-1)
		}
		prev = ps[0].ID.String()
		all = append(all, ps...)
		if len(ps) < PageLimit {
			return all, nil
		}
	}
	return nil, fmt.Errorf("more than %d pages of products", maxProductPages)
}

// ListModifiedSince calls fn with every order modified at or after since
// (all orders when since is zero), oldest modification first, each with its
// products. It stops at the first error fn returns and returns it.
func (c *Client) ListModifiedSince(ctx context.Context, since time.Time, fn func(order.Order) error) error {
	return c.EachModifiedSince(ctx, since, func(s Snapshot) error { return fn(s.Order) })
}

// EachModifiedSince is ListModifiedSince with each order's status: GET
// /v2/orders?min_date_modified=…&sort=date_modified:asc&limit=250&page=N
// until a 204, an empty page or a short one.
//
// The v2 API pages by offset. An order modified while the list is read
// moves to its end, which shifts the later ones back by one, so that one
// order at a page boundary can be missed; it is not lost, since its new
// date_modified is at or after the largest one this pass saw: run the next
// pass from that (BigCommerce dates are to the second; since is rounded
// down to one).
func (c *Client) EachModifiedSince(ctx context.Context, since time.Time, fn func(Snapshot) error) error {
	q := url.Values{
		"sort":  {"date_modified:asc"},
		"limit": {strconv.Itoa(PageLimit)},
	}
	if !since.IsZero() {
		q.Set("min_date_modified", since.UTC().Truncate(time.Second).Format(time.RFC1123Z))
	}
	prev := ""
	for page := 1; ; page++ {
		q.Set("page", strconv.Itoa(page))
		status, body, err := c.get(ctx, "/v2/orders", q)
		if err != nil {
			return fmt.Errorf("bigcommerce: list orders modified since %s, page %d: %w", stamp(since), page, err)
		}
		if status == http.StatusNoContent || len(bytes.TrimSpace(body)) == 0 {
			return nil
		}
		var list []orderPayload
		if err := json.Unmarshal(body, &list); err != nil {
			return fmt.Errorf("bigcommerce: list orders, page %d: %w: %v", page, ErrMalformed, err)
		}
		if len(list) == 0 {
			return nil
		}
		if f := list[0].ID.String(); f == prev {
			return fmt.Errorf("bigcommerce: list orders: page %d repeats page %d: the API ignored the page parameter", page, page-1)
		}
		prev = list[0].ID.String()
		for _, p := range list {
			s, err := c.complete(ctx, p)
			if err != nil {
				return err
			}
			if err := fn(s); err != nil {
				return err
			}
		}
		if len(list) < PageLimit {
			return nil
		}
	}
}
