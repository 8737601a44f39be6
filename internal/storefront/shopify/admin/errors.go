package admin

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ordergate/ordergate/internal/storefront/shopify"
)

// Errors the client returns (wrapped), for callers to branch on.
var (
	// ErrUnauthorized means Shopify refused the access token (HTTP 401):
	// it is wrong, revoked, or the app was uninstalled.
	ErrUnauthorized = errors.New("access token refused")
	// ErrForbidden means the token is valid but lacks an access scope
	// (HTTP 403, or a GraphQL ACCESS_DENIED error). The message names the
	// scope.
	ErrForbidden = errors.New("access scope missing")
	// ErrThrottled means Shopify kept throttling after every allowed
	// retry.
	ErrThrottled = errors.New("throttled")
	// ErrUnavailable means Shopify kept failing (5xx, or the connection)
	// after every allowed retry.
	ErrUnavailable = errors.New("shopify unavailable")
)

// GraphQLError is a GraphQL error other than THROTTLED, as Shopify returned
// it. Messages holds each error's message with its code, in order.
type GraphQLError struct {
	Operation string
	Codes     []string
	Messages  []string
}

func (e *GraphQLError) Error() string {
	return fmt.Sprintf("shopify admin: %s: %s", e.Operation, strings.Join(e.Messages, "; "))
}

// HasCode reports whether any of the errors carried code.
func (e *GraphQLError) HasCode(code string) bool {
	return slices.Contains(e.Codes, code)
}

// SubscriptionError is a webhookSubscriptionCreate Shopify refused: the
// mutation ran and answered userErrors.
type SubscriptionError struct {
	Topic       string
	CallbackURL string
	UserErrors  []UserError
}

func (e *SubscriptionError) Error() string {
	msgs := make([]string, len(e.UserErrors))
	for i, ue := range e.UserErrors {
		msgs[i] = ue.String()
	}
	return fmt.Sprintf("shopify admin: create %s subscription to %s refused: %s", e.Topic, e.CallbackURL, strings.Join(msgs, "; "))
}

// UserError is a userErrors entry of a mutation's payload: the mutation ran
// and refused the input.
type UserError struct {
	Field   []string
	Message string
}

func (e UserError) String() string {
	if len(e.Field) == 0 {
		return e.Message
	}
	return strings.Join(e.Field, ".") + ": " + e.Message
}

func malformed(err error) error { return fmt.Errorf("%w: %v", shopify.ErrMalformed, err) }
