package admin

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

// unsigned is an UnsignedInt64 as the Admin API serialises it: a string of
// base-10 digits (a bare JSON number is accepted too, read from its text,
// never through float64). Empty means absent.
type unsigned struct{ s string }

func (u *unsigned) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, null) {
		return nil
	}
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return fmt.Errorf("%s is not an unsigned 64-bit integer", b)
	}
	if n > 0 {
		u.s = strconv.FormatUint(n, 10)
	}
	return nil
}

// gidTail returns the numeric id at the end of a global id of the given
// type, "gid://shopify/Order/450789469" → "450789469", in canonical decimal.
// It reports false for anything else (another type, a query string, a
// non-numeric or zero tail).
func gidTail(gid, typ string) (string, bool) {
	rest, ok := strings.CutPrefix(gid, "gid://shopify/"+typ+"/")
	if !ok {
		return "", false
	}
	n, err := strconv.ParseUint(rest, 10, 64)
	if err != nil || n == 0 {
		return "", false
	}
	return strconv.FormatUint(n, 10), true
}

// money is a Decimal scalar (MoneyV2.amount), serialised as a string
// ("359.97"). A bare JSON number is accepted too, read from its text. Only
// plain decimal notation is allowed, as in the webhook decoder: an exponent
// like 1e999999999 would make a tiny payload expand into an enormous number.
type money struct {
	d   decimal.Decimal
	set bool
}

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
	m.d, m.set = d, true
	return nil
}

// timestamp is a DateTime scalar, ISO-8601 ("2019-07-03T20:47:55Z"). null
// and "" leave it zero.
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
