package bigcommerce

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

// unquote returns the text of a JSON string, or the raw text of any other
// JSON value (a number), so that numbers are read from their digits and
// never pass through float64.
func unquote(b []byte) (string, error) {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return "", err
		}
		return s, nil
	}
	return string(b), nil
}

// id is a BigCommerce id (order, product line, store) read straight from the
// JSON text. BigCommerce sends order ids as numbers; a quoted decimal is
// accepted too (the order transaction hooks quote theirs). Zero means absent.
type id struct{ n int64 }

func (v *id) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, null) {
		return nil
	}
	s, err := unquote(b)
	if err != nil {
		return err
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
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

// text is a value BigCommerce documents as a string but older payloads send
// as a number (store_id: "1025646" now, 1025646 in older docs). Either way
// the JSON text is kept as it was written.
type text struct{ s string }

func (t *text) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, null) {
		return nil
	}
	if len(b) > 0 && (b[0] == '{' || b[0] == '[') {
		return fmt.Errorf("%.40s is not a string or a number", b)
	}
	s, err := unquote(b)
	if err != nil {
		return err
	}
	t.s = s
	return nil
}

// money is an amount the v2 API sends as a decimal string with four places
// ("62.6793"). A bare JSON number is accepted too (the API's request side
// documents "Float, Float-As-String, Integer"), read from its text, never as
// a float. Only plain decimal notation is allowed: an exponent like
// 1e999999999 would make a tiny payload expand into an enormous number.
type money struct{ d decimal.Decimal }

func (m *money) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, null) {
		return nil
	}
	s, err := unquote(b)
	if err != nil {
		return err
	}
	if s == "" {
		return nil
	}
	d, err := storefront.ParseAmount(s)
	if err != nil {
		return err
	}
	m.d = d
	return nil
}

// quantity is a count of units: a JSON integer, or an integer in a string.
type quantity struct{ n int }

func (q *quantity) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, null) {
		return nil
	}
	s, err := unquote(b)
	if err != nil {
		return err
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 32)
	if err != nil {
		return fmt.Errorf("quantity %s is not an integer", b)
	}
	q.n = int(n)
	return nil
}

// dateLayouts are the shapes of the v2 API's dates: RFC 2822 with a numeric
// zone, as every documented example has it ("Tue, 05 Mar 2019 21:40:11
// +0000"), the same with a zone name, and RFC 3339, which the API accepts
// in filters and might one day send.
var dateLayouts = []string{time.RFC1123Z, time.RFC1123, "Mon, 2 Jan 2006 15:04:05 -0700", time.RFC3339Nano}

// date is a v2 API date. "" and null (date_shipped of an unshipped order)
// leave it zero.
type date struct{ t time.Time }

func (d *date) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, null) {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("date %.40s is not a string", b)
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			d.t = t
			return nil
		}
	}
	return fmt.Errorf("date %q is not RFC 2822", s)
}

// unixTime is a webhook's created_at: seconds since the epoch, as a number
// (or a quoted number). 0 and null leave it zero.
type unixTime struct{ t time.Time }

func (u *unixTime) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, null) {
		return nil
	}
	s, err := unquote(b)
	if err != nil {
		return err
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	// Bounded to years 1970..9999 so that the time formats and compares
	// sanely.
	if err != nil || n < 0 || n > 253402300799 {
		return fmt.Errorf("created_at %.40s is not a unix time in seconds", b)
	}
	if n > 0 {
		u.t = time.Unix(n, 0).UTC()
	}
	return nil
}
