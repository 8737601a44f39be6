package woocommerce

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// ErrSignature is returned (wrapped) when a delivery's X-WC-Webhook-Signature
// does not match any configured secret, or cannot be checked at all.
var ErrSignature = errors.New("invalid webhook signature")

// Sign returns the X-WC-Webhook-Signature value WooCommerce sends with body:
// the base64 of HMAC-SHA256 over the raw bytes, keyed with secret
// (WC_Webhook::generate_signature).
func Sign(body, secret []byte) string {
	return base64.StdEncoding.EncodeToString(mac(body, secret))
}

// Verify checks the X-WC-Webhook-Signature header in h against body under
// each of secrets. body must be the request's bytes exactly as received:
// WooCommerce signs PHP's JSON (compact, "/" written as "\/", non-ASCII as
// \uXXXX), which no Go encoder reproduces, so a body decoded and encoded
// again will not verify. More than one secret is how rotation works. Empty
// secrets are ignored, since an empty key proves nothing.
//
// WooCommerce keys the HMAC with wp_specialchars_decode(secret): a secret
// holding "&amp;", "&quot;", "&#039;" and the like is signed with the
// characters they stand for. Each secret is therefore tried as written and,
// when it differs, decoded the same way, so that either the value typed
// into WooCommerce or the one it stored works.
//
// Every candidate is compared, in constant time, even after a match, so
// the timing does not tell which one matched. A missing header wraps both
// ErrSignature and ErrMissingHeader.
func Verify(secrets [][]byte, h http.Header, body []byte) error {
	sig := header(h, HeaderSignature)
	if sig == "" {
		return fmt.Errorf("woocommerce: %w: %w: %s", ErrSignature, ErrMissingHeader, HeaderSignature)
	}
	got, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		return fmt.Errorf("woocommerce: %w: %s is not base64", ErrSignature, HeaderSignature)
	}
	if len(got) != sha256.Size {
		// The algorithm is filterable (woocommerce_webhook_hash_algorithm);
		// a digest of another length means the shop changed it.
		return fmt.Errorf("woocommerce: %w: %s decodes to %d bytes, want %d (HMAC-SHA256; has the shop changed woocommerce_webhook_hash_algorithm?)",
			ErrSignature, HeaderSignature, len(got), sha256.Size)
	}
	if len(body) == 0 {
		return fmt.Errorf("woocommerce: %w: empty body", ErrSignature)
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
		if d := specialcharsDecode(s); !bytes.Equal(d, s) && len(d) > 0 {
			if hmac.Equal(got, mac(body, d)) {
				ok = true
			}
		}
	}
	if usable == 0 {
		return fmt.Errorf("woocommerce: %w: no webhook secret configured", ErrSignature)
	}
	if !ok {
		return fmt.Errorf("woocommerce: %w: matches none of %d secrets", ErrSignature, usable)
	}
	return nil
}

func mac(body, secret []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return m.Sum(nil)
}

// The zero-padding normalisations of WordPress's wp_specialchars_decode with
// ENT_QUOTES, applied in its order before the table lookup.
var specialcharsPadding = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`&#0*39;`), "&#039;"},
	{regexp.MustCompile(`(?i)&#x0*27;`), "&#x27;"},
	{regexp.MustCompile(`&#0*34;`), "&#034;"},
	{regexp.MustCompile(`(?i)&#x0*22;`), "&#x22;"},
	{regexp.MustCompile(`&#0*60;`), "&#060;"},
	{regexp.MustCompile(`&#0*62;`), "&#062;"},
	{regexp.MustCompile(`&#0*38;`), "&#038;"},
	{regexp.MustCompile(`(?i)&#x0*26;`), "&#x26;"},
}

// specialcharsTable is wp_specialchars_decode's translation table for
// ENT_QUOTES. No entry is a prefix of another, so PHP's strtr (longest
// match first, no rescanning of replaced text) is a left-to-right scan.
var specialcharsTable = []struct{ from, to string }{
	{"&#039;", "'"}, {"&#x27;", "'"},
	{"&quot;", `"`}, {"&#034;", `"`}, {"&#x22;", `"`},
	{"&lt;", "<"}, {"&#060;", "<"}, {"&gt;", ">"}, {"&#062;", ">"},
	{"&amp;", "&"}, {"&#038;", "&"}, {"&#x26;", "&"},
}

// specialcharsDecode is WordPress's wp_specialchars_decode($s, ENT_QUOTES):
// it turns the entities of &, <, >, " and ' back into the characters, and
// leaves every other entity alone.
func specialcharsDecode(s []byte) []byte {
	if !bytes.Contains(s, []byte("&")) {
		return s
	}
	str := string(s)
	for _, p := range specialcharsPadding {
		str = p.re.ReplaceAllLiteralString(str, p.with)
	}
	var b strings.Builder
	for i := 0; i < len(str); {
		if str[i] == '&' {
			matched := false
			for _, e := range specialcharsTable {
				if strings.HasPrefix(str[i:], e.from) {
					b.WriteString(e.to)
					i += len(e.from)
					matched = true
					break
				}
			}
			if matched {
				continue
			}
		}
		b.WriteByte(str[i])
		i++
	}
	return []byte(b.String())
}
