package shopify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ordergate/ordergate/internal/storefront"
)

var null = []byte("null")

// id is a Shopify id read straight from the JSON text into an int64, so that
// ids above 2^53 survive. Shopify sends them as numbers; a quoted decimal is
// accepted too. Zero means absent.
type id struct{ n int64 }

func (v *id) UnmarshalJSON(b []byte) error {
	n, err := storefront.ParseID(b)
	if err != nil {
		return err
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
	d, err := storefront.ParseAmount(s)
	if err != nil {
		return err
	}
	m.d = d
	return nil
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
