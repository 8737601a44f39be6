package woocommerce

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ordergate/ordergate/internal/storefront"
)

var null = []byte("null")

// id is a WooCommerce id (an integer in the JSON) read straight from the
// text into an int64, never through a float. A quoted decimal is accepted
// too. Zero means absent.
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

// text is a string WooCommerce documents as a string but a plugin may send
// as a number (an order "number", a SKU): a number is kept as its JSON
// text. null is "".
type text string

func (t *text) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, null) {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = text(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("%s is neither a string nor a number", b)
	}
	*t = text(n)
	return nil
}

// count is the number of elements of a JSON array, or of members of an
// object: PHP writes a list whose keys are not 0, 1, 2… as an object.
// null is 0.
type count int

func (c *count) UnmarshalJSON(b []byte) error {
	var items []json.RawMessage
	if err := json.Unmarshal(b, &items); err == nil {
		*c = count(len(items))
		return nil
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(b, &members); err != nil {
		return fmt.Errorf("%.40s is neither a list nor an object", b)
	}
	*c = count(len(members))
	return nil
}

// money is an amount WooCommerce sends as a decimal string ("29.35"). A
// bare JSON number is accepted too, read from its text, never as a float.
// Only plain decimal notation is allowed: an exponent like 1e999999999
// would make a tiny payload expand into an enormous number when printed.
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
	if s == "" {
		return nil // WooCommerce writes "" for an amount never set
	}
	d, err := storefront.ParseAmount(s)
	if err != nil {
		return err
	}
	m.d = d
	return nil
}

// maxExponent bounds the exponent of a number in exponent form. PHP writes
// a float below 1e-4 or from 1e15 on that way ("1.0e-5"); a price is never
// near either bound, and a larger exponent is refused so that a few bytes
// cannot become a number of millions of digits.
const maxExponent = 30

// exact is a JSON number kept exactly as written, as WooCommerce's line
// "price" (a PHP float: 3, 12.5, 3.3333333333333335, or 1.0e-5 in
// exponent form). It is read from its text into a decimal, never through
// float64, which would round what the text says. A quoted number is
// accepted too. present says whether the member was there and not null.
type exact struct {
	d       decimal.Decimal
	present bool
}

func (e *exact) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, null) {
		return nil
	}
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	mant, exp, ok := splitExponent(s)
	if !ok || !storefront.PlainDecimal(mant) {
		return fmt.Errorf("number %q is not a decimal", s)
	}
	d, err := decimal.NewFromString(mant)
	if err != nil {
		return fmt.Errorf("number %q: %w", s, err)
	}
	if exp != 0 {
		d = d.Shift(int32(exp))
	}
	e.d, e.present = d, true
	return nil
}

// splitExponent splits "1.0e-5" into "1.0" and -5. It refuses an exponent
// beyond ±maxExponent or longer than four characters.
func splitExponent(s string) (mant string, exp int, ok bool) {
	i := strings.IndexAny(s, "eE")
	if i < 0 {
		return s, 0, true
	}
	mant, es := s[:i], s[i+1:]
	if len(es) > 0 && (es[0] == '+' || es[0] == '-') {
		if len(es) == 1 {
			return "", 0, false
		}
		if es[0] == '+' {
			es = es[1:]
		}
	}
	if len(es) == 0 || len(es) > 4 {
		return "", 0, false
	}
	n, err := strconv.Atoi(es)
	if err != nil || n < -maxExponent || n > maxExponent {
		return "", 0, false
	}
	return mant, n, true
}

// gmtTime is one of WooCommerce's *_gmt dates: ISO 8601 in UTC without a
// zone ("2017-03-22T19:28:08"). A time with a zone or offset is accepted
// too. null and "" leave it zero. raw keeps the text as sent, for the
// dedup key.
type gmtTime struct {
	t   time.Time
	raw string
}

// gmtLayout is how WooCommerce writes its dates (wc_rest_prepare_date_response).
const gmtLayout = "2006-01-02T15:04:05"

func (g *gmtTime) UnmarshalJSON(b []byte) error {
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
	t, err := time.ParseInLocation(gmtLayout, s, time.UTC)
	if err != nil {
		if t, err = time.Parse(time.RFC3339Nano, s); err != nil {
			return fmt.Errorf("time %q is not ISO 8601", s)
		}
	}
	g.t, g.raw = t.UTC(), s
	return nil
}
