package woocommerce

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/storefront"
)

const (
	// ordersPath is the REST v3 orders collection under the site address.
	ordersPath = "/wp-json/wc/v3/orders"
	// perPage is WooCommerce's largest page (per_page maximum 100).
	perPage = 100
)

// Snapshot is one order as the REST API returned it.
type Snapshot struct {
	Order order.Order
	// Status is WooCommerce's order status: pending, processing, on-hold,
	// completed, cancelled, refunded, failed, trash, or a plugin's own.
	Status string
	// Body is the order's JSON as received.
	Body []byte

	modified string // date_modified_gmt as sent
}

// Delivery returns the snapshot as a delivery the gate can ingest, for
// backfilling an order whose webhook never came (WooCommerce does not
// retry a failed delivery). Its topic is OrderCreated, which the gate takes
// as the order when it has none and merges by date_modified_gmt when it
// has; or OrderCancelled when the status is cancelled or trash, by the
// same rule as Parse. The dedup key is
// rest|storefront|order id|date_modified_gmt (the store's dedup keys are
// global), so a snapshot backfilled twice is stored once.
func (s Snapshot) Delivery() storefront.Delivery {
	d := storefront.Delivery{
		Storefront: s.Order.Key.Storefront,
		Kind:       Kind,
		Topic:      storefront.OrderCreated,
		RawTopic:   "backfill",
		DedupKey:   "rest|" + s.Order.Key.Storefront + "|" + s.Order.Key.ID + "|" + s.modified,
		DeliveryID: "GET " + ordersPath,
		Body:       bytes.Clone(s.Body),
		Order:      s.Order,
	}
	if reason, at, ok := cancelledBy(s.Status, s.Order.SourceUpdatedAt); ok {
		d.Topic, d.CancelReason, d.CancelledAt = storefront.OrderCancelled, reason, at
	}
	return d
}

// ListModifiedSince calls fn with every order modified at or after since,
// oldest change first, and stops at fn's first error.
func (c *Client) ListModifiedSince(ctx context.Context, since time.Time, fn func(order.Order) error) error {
	return c.ListSnapshotsModifiedSince(ctx, since, func(s Snapshot) error { return fn(s.Order) })
}

// ListSnapshotsModifiedSince is ListModifiedSince with each order's status
// and raw JSON.
//
// It asks GET /wp-json/wc/v3/orders with modified_after, dates_are_gmt=true,
// orderby=modified, order=asc, per_page=100 and page, and follows
// X-WP-TotalPages. WordPress stores times to the second and its
// modified_after is exclusive, so the client asks from one second before
// since (truncated to the second): an order changed in since's own second
// is not missed, and one changed a moment before may come too. The time is
// sent without a zone, in UTC: WordPress converts a time with a zone into
// the site's time zone and would then compare it with the GMT column.
//
// Paging by offset over orders that change while they are listed would
// skip one: an order modified mid-way moves to the end and the rest shift
// up a place. So after each page the client starts again at page 1 from
// the latest modification time it has seen, skipping orders it has
// already given fn (same id and date_modified_gmt); it pages on from the
// same time only when a whole page shares one second. An order modified
// while it is listed is given to fn again, with its new time. If the shop
// does not sort by modification time (a plugin overriding the query), the
// client notices and falls back to plain paging.
//
// An order that does not decode is skipped and the listing goes on; the
// error returned at the end names each one (and wraps ErrMalformed).
func (c *Client) ListSnapshotsModifiedSince(ctx context.Context, since time.Time, fn func(Snapshot) error) error {
	cursor := since.UTC().Truncate(time.Second)
	page, keyset := 1, true
	seen := map[string]time.Time{} // id|date_modified_gmt → its time
	badSeen := map[string]bool{}
	var bad []error
	for {
		h, body, err := c.get(ctx, ordersPath, listQuery(cursor, page))
		if err != nil {
			return err
		}
		var rows []json.RawMessage
		if err := json.Unmarshal(body, &rows); err != nil {
			return fmt.Errorf("woocommerce: GET %s page %d: %w: the reply is not a JSON array of orders (%s)", ordersPath, page, ErrMalformed, firstLine(body))
		}
		next, prev := cursor, time.Time{}
		for _, raw := range rows {
			s, err := c.decodeSnapshot(raw)
			if err != nil {
				if k := string(raw); !badSeen[k] {
					badSeen[k] = true
					bad = append(bad, err)
				}
				continue
			}
			at := s.Order.SourceUpdatedAt
			if at.Before(prev) {
				keyset = false
			}
			prev = at
			k := s.Order.Key.ID + "|" + s.modified
			if _, dup := seen[k]; dup {
				continue
			}
			seen[k] = at
			if err := fn(s); err != nil {
				return err
			}
			if at.After(next) {
				next = at
			}
		}
		if lastPage(h.Get("X-WP-TotalPages"), page, len(rows)) {
			break
		}
		if keyset && next.After(cursor) {
			cursor, page = next, 1
			for k, at := range seen {
				if at.Before(cursor) {
					delete(seen, k) // the next query cannot return it unchanged
				}
			}
			continue
		}
		page++
	}
	if len(bad) > 0 {
		return fmt.Errorf("woocommerce: %d orders modified since %s could not be decoded: %w", len(bad), since.UTC().Format(time.RFC3339), errors.Join(bad...))
	}
	return nil
}

// listQuery is the orders query from cursor's second on, page page.
func listQuery(cursor time.Time, page int) url.Values {
	q := url.Values{
		"dates_are_gmt": {"true"},
		"per_page":      {strconv.Itoa(perPage)},
		"page":          {strconv.Itoa(page)},
		"orderby":       {"modified"},
		"order":         {"asc"},
	}
	if cursor.Year() > 1970 { // otherwise: from the beginning
		q.Set("modified_after", cursor.Add(-time.Second).Format(gmtLayout))
	}
	return q
}

// lastPage reports whether page was the last: X-WP-TotalPages says so, or
// the page was empty, or (without the header) short.
func lastPage(totalPages string, page, rows int) bool {
	if rows == 0 {
		return true
	}
	if n, err := strconv.Atoi(strings.TrimSpace(totalPages)); err == nil {
		return page >= n
	}
	return rows < perPage
}

// GetOrder returns one order by its id.
func (c *Client) GetOrder(ctx context.Context, id string) (order.Order, error) {
	s, err := c.GetSnapshot(ctx, id)
	return s.Order, err
}

// GetSnapshot returns one order by its id, with its status and JSON. An
// order that does not exist, or was deleted for good, is ErrNotFound; a
// trashed one is returned with status "trash".
func (c *Client) GetSnapshot(ctx context.Context, id string) (Snapshot, error) {
	if n, err := strconv.ParseInt(id, 10, 64); err != nil || n <= 0 || strconv.FormatInt(n, 10) != id {
		return Snapshot{}, fmt.Errorf("woocommerce: order id %q is not a positive integer", id)
	}
	_, body, err := c.get(ctx, ordersPath+"/"+id, nil)
	if err != nil {
		return Snapshot{}, err
	}
	s, err := c.decodeSnapshot(body)
	if err != nil {
		return Snapshot{}, err
	}
	if s.Order.Key.ID != id {
		return Snapshot{}, fmt.Errorf("woocommerce: GET %s/%s: %w: the reply is order %s", ordersPath, id, ErrMalformed, s.Order.Key.ID)
	}
	return s, nil
}

func (c *Client) decodeSnapshot(raw []byte) (Snapshot, error) {
	p, err := decode(raw)
	if err == nil {
		var o order.Order
		if o, err = p.order(c.name); err == nil {
			return Snapshot{Order: o, Status: p.Status, Body: bytes.Clone(raw), modified: p.DateModifiedGMT.raw}, nil
		}
	}
	var peek struct {
		ID json.RawMessage `json:"id"`
	}
	_ = json.Unmarshal(raw, &peek)
	return Snapshot{}, fmt.Errorf("woocommerce: order %s: %w", bytes.TrimSpace(peek.ID), err)
}
