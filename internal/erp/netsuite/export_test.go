package netsuite

import (
	"context"

	"github.com/ordergate/ordergate/internal/order"
)

// WarmCustomer finds or creates the customer of o as Submit would, and
// caches it, for tests that need Submit's next request to be the create.
func (c *Client) WarmCustomer(ctx context.Context, o order.Order) error {
	_, _, err := c.customerFor(ctx, o, false)
	return err
}
