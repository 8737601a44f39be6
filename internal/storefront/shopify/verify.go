package shopify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// ErrSignature is returned (wrapped) when a delivery's X-Shopify-Hmac-Sha256
// does not match any configured secret, or cannot be checked at all.
var ErrSignature = errors.New("invalid webhook signature")

// Sign returns the X-Shopify-Hmac-Sha256 value Shopify sends with body: the
// base64 of HMAC-SHA256 over the raw bytes, keyed with secret.
func Sign(body, secret []byte) string {
	return base64.StdEncoding.EncodeToString(mac(body, secret))
}

// Verify checks header, the X-Shopify-Hmac-Sha256 value, against body under
// each of secrets. More than one secret is how rotation works: Shopify may
// sign with the previous secret for up to an hour after a change. Empty
// secrets are ignored, since an empty key proves nothing.
//
// Every secret is compared, in constant time, even after a match, so the
// timing does not tell which one matched.
func Verify(body []byte, header string, secrets [][]byte) error {
	header = strings.TrimSpace(header)
	if header == "" {
		return fmt.Errorf("shopify: %w: empty %s header", ErrSignature, HeaderHmac)
	}
	got, err := base64.StdEncoding.DecodeString(header)
	if err != nil {
		return fmt.Errorf("shopify: %w: %s is not base64", ErrSignature, HeaderHmac)
	}
	if len(got) != sha256.Size {
		return fmt.Errorf("shopify: %w: %s decodes to %d bytes, want %d", ErrSignature, HeaderHmac, len(got), sha256.Size)
	}
	if len(body) == 0 {
		return fmt.Errorf("shopify: %w: empty body", ErrSignature)
	}
	usable, ok := 0, false
	for _, s := range secrets {
		if len(s) == 0 {
			continue
		}
		usable++
		if hmac.Equal(got, mac(body, s)) {
			ok = true
		}
	}
	if usable == 0 {
		return fmt.Errorf("shopify: %w: no webhook secret configured", ErrSignature)
	}
	if !ok {
		return fmt.Errorf("shopify: %w: matches none of %d secrets", ErrSignature, usable)
	}
	return nil
}

func mac(body, secret []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return m.Sum(nil)
}
