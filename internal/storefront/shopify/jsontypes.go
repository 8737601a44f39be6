package shopify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

var null = []byte("null")

// id is a Shopify id read straight from the JSON text into an int64, so that
// ids above 2^53 survive. Shopify sends them as numbers; a quoted decimal is
// accepted too. Zero means absent.
type id struct{ n int64 }

func (v *id) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, null) {
		return nil
	}
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return fmt.Errorf("id %s is not a non-negative 64-bit integer", b)
	}
	v.n = n
	return nil
}

// String returns the id in decimal, or "" when absent.
func (v id) String() string {
	if v.n == 0 {
		return ""
	}
	return strconv.FormatInt(v.n, 10)
}

// money is an amount Shopify sends as a decimal string ("359.97"). A bare
// JSON number is accepted too, read from its text, never as a float. Only
// plain decimal notation is allowed: an exponent like 1e999999999 would make
// a tiny payload expand into an enormous number when printed.
type money struct{ d decimal.Decimal }

func (m *money) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, null) {
		return nil
	}
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	if !plainDecimal(s) {
		return fmt.Errorf("amount %q is not a decimal", s)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return fmt.Errorf("amount %q: %w", s, err)
	}
	m.d = d
	return nil
}

// plainDecimal reports whether s is an optionally signed run of at most 40
// digits with at most one decimal point, digits on both sides of it.
func plainDecimal(s string) bool {
	if len(s) > 0 && s[0] == '-' {
		s = s[1:]
	}
	if s == "" || len(s) > 40 {
		return false
	}
	digits, point := 0, -1
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && point < 0 && i > 0 && i < len(s)-1:
			point = i
		default:
			return false
		}
	}
	return digits > 0
}

// timestamp is an ISO-8601 time with offset, as Shopify sends it
// ("2021-12-31T19:00:00-05:00"). null and "" leave it zero.
type timestamp struct{ t time.Time }

func (ts *timestamp) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, null) {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("time %s is not a string", b)
	}
	if s == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("time %q is not RFC 3339", s)
	}
	ts.t = t
	return nil
}
