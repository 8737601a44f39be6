package callback

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The headers of a signed callback.
const (
	HeaderTimestamp = "X-Ordergate-Timestamp"
	HeaderSignature = "X-Ordergate-Signature"
)

// DefaultTolerance is how far a callback's timestamp may be from the
// receiver's clock, either way, when Verify is given no tolerance.
const DefaultTolerance = 5 * time.Minute

// The errors Verify returns, wrapped with what exactly was wrong.
var (
	// ErrMissingHeader: the timestamp or the signature header is absent.
	ErrMissingHeader = errors.New("unsigned erp callback")
	// ErrSignature: the signature is malformed or matches none of the
	// secrets, or there is no secret to check it with.
	ErrSignature = errors.New("invalid erp callback signature")
	// ErrStale: the signature is right but the timestamp is outside the
	// tolerance: a replay, or a clock that is off.
	ErrStale = errors.New("erp callback timestamp out of range")
)

const scheme = "sha256="

// Sign returns the X-Ordergate-Signature value for body sent at ts:
// "sha256=" and the hex HMAC-SHA256, keyed with secret, of ts in Unix
// seconds, a dot and the body.
func Sign(secret []byte, ts time.Time, body []byte) string {
	return scheme + hex.EncodeToString(mac(secret, strconv.FormatInt(ts.Unix(), 10), body))
}

// Verify checks a callback's headers against body, the raw bytes received,
// under each of secrets (empty ones are ignored), and its timestamp against
// now within tolerance (DefaultTolerance if not positive). Every secret is
// compared in constant time, even after a match, so the timing does not
// tell which one matched. The signature is checked before the timestamp,
// so ErrStale means a callback that was genuinely signed.
func Verify(secrets [][]byte, header http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	ts := strings.TrimSpace(header.Get(HeaderTimestamp))
	sig := strings.TrimSpace(header.Get(HeaderSignature))
	switch {
	case ts == "" && sig == "":
		return fmt.Errorf("callback: %w: no %s or %s header; the erp must sign its callbacks with the shared secret", ErrMissingHeader, HeaderTimestamp, HeaderSignature)
	case ts == "":
		return fmt.Errorf("callback: %w: no %s header; the erp must send the Unix time it signed", ErrMissingHeader, HeaderTimestamp)
	case sig == "":
		return fmt.Errorf("callback: %w: no %s header; the erp must sign its callbacks with the shared secret", ErrMissingHeader, HeaderSignature)
	}
	sent, ok := unixSeconds(ts)
	if !ok {
		return fmt.Errorf("callback: %w: %s %q is not Unix seconds", ErrSignature, HeaderTimestamp, clip(ts))
	}
	hexSum, ok := cutPrefixFold(sig, scheme)
	if !ok {
		return fmt.Errorf("callback: %w: %s does not start with %q", ErrSignature, HeaderSignature, scheme)
	}
	got, err := hex.DecodeString(hexSum)
	if err != nil || len(got) != sha256.Size {
		return fmt.Errorf("callback: %w: %s is not sha256= and %d hex digits", ErrSignature, HeaderSignature, 2*sha256.Size)
	}
	usable, match := 0, false
	for _, s := range secrets {
		if len(s) == 0 {
			continue
		}
		usable++
		if hmac.Equal(got, mac(s, ts, body)) {
			match = true
		}
	}
	if usable == 0 {
		return fmt.Errorf("callback: %w: no callback secret is configured for this erp", ErrSignature)
	}
	if !match {
		return fmt.Errorf("callback: %w: matches none of %d secrets; check that the erp signs with a secret the gateway has, over the exact body it sends", ErrSignature, usable)
	}
	if d := now.Sub(sent); d > tolerance || d < -tolerance {
		return fmt.Errorf("callback: %w: signed at %s, %s from this gateway's clock (tolerance %s); a replay, or a clock that needs setting",
			ErrStale, sent.UTC().Format(time.RFC3339), d.Round(time.Second), tolerance)
	}
	return nil
}

func mac(secret []byte, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return m.Sum(nil)
}

// unixSeconds reads a timestamp of decimal digits only: no sign, no
// fraction, no spaces, so that what was signed has one spelling.
func unixSeconds(s string) (time.Time, bool) {
	if len(s) > 18 {
		return time.Time{}, false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return time.Time{}, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(n, 0), true
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return "", false
	}
	return s[len(prefix):], true
}

// clip shortens what an error echoes of a header a stranger sent.
func clip(s string) string {
	if len(s) > 32 {
		return s[:32] + "…"
	}
	return s
}
