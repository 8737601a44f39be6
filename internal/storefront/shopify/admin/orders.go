package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/storefront"
)

// ListOrdersSince calls fn with every order of the shop created or updated
// at or after since, oldest update first, each decoded to the same
// order.Order the webhook decoder produces for it. fn's error stops the
// listing and is returned as is.
//
// An order updated while the listing runs moves behind the cursor and is
// seen again later in the same listing, so fn may see one order twice; the
// gate discards the older snapshot by SourceUpdatedAt. A zero since lists
// every order Shopify will list. Without the
// read_all_orders scope Shopify only lists the last 60 days of orders.
func (c *Client) ListOrdersSince(ctx context.Context, since time.Time, fn func(order.Order) error) error {
	return c.ListSnapshotsSince(ctx, since, func(s Snapshot) error { return fn(s.Order) })
}

// ListSnapshotsSince is ListOrdersSince with each order's cancellation
// details, for a reconciler that must notice cancellations too.
func (c *Client) ListSnapshotsSince(ctx context.Context, since time.Time, fn func(Snapshot) error) error {
	// Whole seconds, rounded down, so that nothing updated within the
	// second of since is missed; the filter is inclusive.
	search := ""
	if !since.IsZero() {
		search = fmt.Sprintf("updated_at:>='%s'", since.UTC().Truncate(time.Second).Format(time.RFC3339))
	}
	first, lines := ordersPerPage, linesPerOrder
	cursor := ""
	for {
		var data struct {
			Orders struct {
				PageInfo pageInfo          `json:"pageInfo"`
				Nodes    []json.RawMessage `json:"nodes"`
			} `json:"orders"`
		}
		vars := map[string]any{"first": first, "search": search, "lines": lines}
		if cursor != "" {
			vars["cursor"] = cursor
		}
		err := c.do(ctx, request{op: "OrdersSince", query: ordersQuery, vars: vars, cost: ordersCost(first, lines)}, &data)
		if shrink(err, &first, &lines) {
			continue
		}
		if err != nil {
			return err
		}
		for _, raw := range data.Orders.Nodes {
			s, err := c.decodeListed(ctx, raw)
			if err != nil {
				return err
			}
			if err := fn(s); err != nil {
				return err
			}
		}
		if !data.Orders.PageInfo.HasNextPage {
			return nil
		}
		if data.Orders.PageInfo.EndCursor == "" || data.Orders.PageInfo.EndCursor == cursor {
			return fmt.Errorf("shopify admin: OrdersSince: hasNextPage without a new endCursor")
		}
		cursor = data.Orders.PageInfo.EndCursor
	}
}

// shrink halves the page sizes after MAX_COST_EXCEEDED (Shopify priced the
// query above its single-query limit: its field costs are its own to set),
// orders first, then lines. It reports false when err is something else
// or both sizes are already 1.
func shrink(err error, first, lines *int) bool {
	var ge *GraphQLError
	if !errors.As(err, &ge) || !ge.HasCode("MAX_COST_EXCEEDED") {
		return false
	}
	switch {
	case *first > 1:
		*first /= 2
	case *lines > 1:
		*lines /= 2
	default:
		return false
	}
	return true
}

// decodeListed decodes one order of a page and fetches the rest of its
// lines when the page held only the first of them.
func (c *Client) decodeListed(ctx context.Context, raw json.RawMessage) (Snapshot, error) {
	var n orderNode
	if err := json.Unmarshal(raw, &n); err != nil {
		return Snapshot{}, fmt.Errorf("shopify admin: OrdersSince: %w", malformed(err))
	}
	s, err := n.snapshot(c.cfg.Storefront)
	if err != nil {
		return Snapshot{}, fmt.Errorf("shopify admin: OrdersSince: %w", err)
	}
	more := n.LineItems.PageInfo
	size := linesPerPage
	for more.HasNextPage {
		if n.ID == "" || more.EndCursor == "" {
			return Snapshot{}, fmt.Errorf("shopify admin: order %s: more line items but no id or cursor to fetch them by", s.Order.Key.ID)
		}
		page, err := c.orderLines(ctx, n.ID, more.EndCursor, size)
		if one := 1; shrink(err, &one, &size) {
			continue // the same cursor, fewer lines
		}
		if err != nil {
			return Snapshot{}, fmt.Errorf("shopify admin: order %s: %w", s.Order.Key.ID, err)
		}
		lines, ships, err := decodeLines(s.Order.Key.ID, len(s.Order.Lines), page.Nodes)
		if err != nil {
			return Snapshot{}, fmt.Errorf("shopify admin: %w", err)
		}
		s.Order.Lines = append(s.Order.Lines, lines...)
		s.Order.NeedsShipping = s.Order.NeedsShipping || ships
		if page.PageInfo.HasNextPage && page.PageInfo.EndCursor == more.EndCursor {
			return Snapshot{}, fmt.Errorf("shopify admin: order %s: line items hasNextPage without a new endCursor", s.Order.Key.ID)
		}
		more = page.PageInfo
	}
	storefront.CleanText(&s.Order)
	return s, nil
}

func (c *Client) orderLines(ctx context.Context, gid, cursor string, size int) (lineItemPage, error) {
	var data struct {
		Order *struct {
			LineItems lineItemPage `json:"lineItems"`
		} `json:"order"`
	}
	vars := map[string]any{"id": gid, "cursor": cursor, "lines": size}
	if err := c.do(ctx, request{op: "OrderLineItems", query: orderLinesQuery, vars: vars, cost: orderLinesCost(size)}, &data); err != nil {
		return lineItemPage{}, err
	}
	if data.Order == nil {
		return lineItemPage{}, fmt.Errorf("order %s vanished while its line items were read", gid)
	}
	return data.Order.LineItems, nil
}
