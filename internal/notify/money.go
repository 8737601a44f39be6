package notify

import (
	"strings"

	"github.com/shopspring/decimal"
)

// minorUnits lists the ISO 4217 currencies that do not have two decimal
// places. Every other currency is shown with two.
var minorUnits = map[string]int32{
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0,
	"KRW": 0, "PYG": 0, "RWF": 0, "UGX": 0, "VND": 0, "VUV": 0, "XAF": 0,
	"XOF": 0, "XPF": 0,
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}

// formatMoney writes an amount as "USD 1,234.50": the currency code first,
// because a "$" alone does not say which dollar. The amount is rounded to the
// currency's minor unit, half away from zero, and never passes through a
// float.
func formatMoney(d decimal.Decimal, currency string) string {
	currency = strings.ToUpper(strings.TrimSpace(currency))
	places, ok := minorUnits[currency]
	if !ok {
		places = 2
	}
	s := d.StringFixed(places)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := sign + b.String()
	if frac != "" {
		out += "." + frac
	}
	if currency == "" {
		return out
	}
	return currency + " " + out
}
