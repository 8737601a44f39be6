package bigcommerce

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// DefaultHeader is the custom header ordergate asks BigCommerce to send on
// every callback, holding the shared secret. The hook is created with
// "headers": {"X-Ordergate-Token": "<secret>"}.
const DefaultHeader = "X-Ordergate-Token"

// Errors Verify returns (wrapped).
var (
	// ErrMissingHeader means the callback lacks the configured header (or
	// it is empty): the hook was created without it, or the request did not
	// come from BigCommerce.
	ErrMissingHeader = errors.New("missing header")
	// ErrSignature means the header is present but matches none of the
	// configured secrets, or no secret is configured at all.
	ErrSignature = errors.New("invalid webhook token")
)

// Verify checks the custom header name (DefaultHeader when empty) of a
// callback against each of secrets. BigCommerce signs nothing in the body
// of a store-level hook: what authenticates the callback is the header
// value configured on the hook, sent back verbatim on every delivery. More
// than one secret is how rotation works: update the hooks' headers one by
// one while both the old and the new secret are accepted. Empty secrets are
// ignored, since an empty token proves nothing.
//
// The comparison is of SHA-256 digests, in constant time, against every
// secret even after a match, so that neither the timing nor an early exit
// tells an attacker how much of a guess, or which secret, was right.
func Verify(header http.Header, name string, secrets [][]byte) error {
	if name == "" {
		name = DefaultHeader
	}
	got := headerValue(header, name)
	if got == "" {
		return fmt.Errorf("bigcommerce: %w: %s", ErrMissingHeader, name)
	}
	sum := sha256.Sum256([]byte(got))
	usable, ok := 0, false
	for _, s := range secrets {
		if len(s) == 0 {
			continue
		}
		usable++
		want := sha256.Sum256(s)
		if hmac.Equal(sum[:], want[:]) {
			ok = true
		}
	}
	if usable == 0 {
		return fmt.Errorf("bigcommerce: %w: no webhook secret configured", ErrSignature)
	}
	if !ok {
		return fmt.Errorf("bigcommerce: %w: %s matches none of %d secrets", ErrSignature, name, usable)
	}
	return nil
}

// headerValue returns the first value of name in h, ignoring case. net/http
// canonicalises incoming names, but a Header built by hand (or by a proxy
// that lowercased an HTTP/2 request) may not be canonical.
func headerValue(h http.Header, name string) string {
	if v := h.Get(name); v != "" {
		return strings.TrimSpace(v)
	}
	for k, vs := range h {
		if len(vs) > 0 && strings.EqualFold(k, name) {
			return strings.TrimSpace(vs[0])
		}
	}
	return ""
}
