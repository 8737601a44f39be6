package storefront

import "errors"

// ErrRefused says the storefront ran a change and refused it for good — a
// Shopify mutation's userErrors, say — so that asking again will not help.
// Callers record it and do not retry.
var ErrRefused = errors.New("refused by the storefront")
