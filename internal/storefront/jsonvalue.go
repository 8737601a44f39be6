package storefront

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/shopspring/decimal"
)

// The connectors read ids and money straight from the JSON text, never
// through float64: ids pass 2^53 and amounts must stay exact. These are the
// shared pieces of their decoders.

var jsonNull = []byte("null")

// ParseID reads a non-negative 64-bit id from a JSON number or a quoted
// decimal. null gives 0, which the connectors take as absent.
func ParseID(b []byte) (int64, error) {
	if bytes.Equal(b, jsonNull) {
		return 0, nil
	}
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return 0, err
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("id %s is not a non-negative 64-bit integer", b)
	}
	return n, nil
}

// ParseAmount reads an amount written in plain decimal notation ("359.97").
// An exponent is refused, so that a few bytes like 1e999999999 cannot make
// an enormous number when printed.
func ParseAmount(s string) (decimal.Decimal, error) {
	if !PlainDecimal(s) {
		return decimal.Decimal{}, fmt.Errorf("amount %q is not a decimal", s)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, fmt.Errorf("amount %q: %w", s, err)
	}
	return d, nil
}

// PlainDecimal reports whether s is an optionally signed run of at most 40
// digits with at most one decimal point, digits on both sides of it.
func PlainDecimal(s string) bool {
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
