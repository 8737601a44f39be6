package admin

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/ordergate/ordergate/internal/storefront"
)

const tagsAddMutation = `mutation TagsAdd($id: ID!, $tags: [String!]!) {
  tagsAdd(id: $id, tags: $tags) {
    node { id }
    userErrors { field message }
  }
}`

// OrderGID is the Admin API's global id of the order whose REST id (as
// webhooks and legacyResourceId carry it) is id.
func OrderGID(id string) string { return "gid://shopify/Order/" + id }

// AddOrderTags adds tags to the order whose REST id is orderID, with
// tagsAdd; the order's other tags stay. It needs the write_orders access
// scope. Shopify keeps an order's tags as a set, so adding a tag the order
// has already changes nothing: unlike the other mutations, this one is
// retried when its outcome is unknown (5xx, a broken connection), and
// calling it again is always safe.
//
// A refusal — the mutation ran and answered userErrors — is a *TagsError,
// which wraps storefront.ErrRefused: asking again will not help. So does
// ErrForbidden (the token lacks write_orders) here, as asking again will
// not help until the scope is granted.
func (c *Client) AddOrderTags(ctx context.Context, orderID string, tags ...string) error {
	if _, err := strconv.ParseUint(orderID, 10, 64); err != nil {
		return fmt.Errorf("shopify admin: add tags to order %q: not a Shopify order id", orderID)
	}
	if len(tags) == 0 {
		return nil
	}
	var data struct {
		TagsAdd *struct {
			Node *struct {
				ID string `json:"id"`
			} `json:"node"`
			UserErrors []struct {
				Field   []string `json:"field"`
				Message string   `json:"message"`
			} `json:"userErrors"`
		} `json:"tagsAdd"`
	}
	vars := map[string]any{"id": OrderGID(orderID), "tags": tags}
	req := request{op: "TagsAdd", query: tagsAddMutation, vars: vars, cost: mutationCost, scope: "write_orders"}
	if err := c.do(ctx, req, &data); errors.Is(err, ErrForbidden) {
		// Not retried: the scope must be granted first.
		return fmt.Errorf("%w (tagging order %s): %w", err, orderID, storefront.ErrRefused)
	} else if err != nil {
		return fmt.Errorf("%w (tagging order %s)", err, orderID)
	}
	p := data.TagsAdd
	if p == nil {
		return fmt.Errorf("shopify admin: tag order %s: reply has no payload", orderID)
	}
	if len(p.UserErrors) > 0 {
		e := &TagsError{OrderID: orderID, Tags: tags}
		for _, ue := range p.UserErrors {
			e.UserErrors = append(e.UserErrors, UserError{Field: ue.Field, Message: ue.Message})
		}
		return e
	}
	return nil
}

// TagsError is a tagsAdd Shopify refused: the mutation ran and answered
// userErrors. It wraps storefront.ErrRefused.
type TagsError struct {
	OrderID    string
	Tags       []string
	UserErrors []UserError
}

func (e *TagsError) Error() string {
	msgs := make([]string, len(e.UserErrors))
	for i, ue := range e.UserErrors {
		msgs[i] = ue.String()
	}
	return fmt.Sprintf("shopify admin: add tags %s to order %s refused: %s", strings.Join(e.Tags, ", "), e.OrderID, strings.Join(msgs, "; "))
}

// Unwrap returns storefront.ErrRefused.
func (e *TagsError) Unwrap() error { return storefront.ErrRefused }
