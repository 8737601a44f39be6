package storefront

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/ordergate/ordergate/internal/order"
)

// MaxQuantity is the most units one line may order. No storefront caps a
// line's quantity, but the gateway sums quantities (stock in flight, the
// marketplace ledger) in int: with lines capped here and bodies capped in
// bytes, no sum over any orders the gateway could hold overflows, and a
// quantity no shop sells is refused rather than reserved against stock.
const MaxQuantity = 10_000_000

// CheckOrder refuses what no storefront sends for a real order: a line
// quantity outside 0..MaxQuantity, a negative total, two lines with the
// same id. A negative line price is left to each connector: WooCommerce
// allows one (a product priced as a discount); Shopify never sends one.
// The connectors wrap its error in their ErrMalformed.
func CheckOrder(o order.Order) error {
	var errs []error
	if o.Total.IsNegative() {
		errs = append(errs, fmt.Errorf("order %s: negative total %s", o.Key.ID, o.Total))
	}
	seen := make(map[string]int, len(o.Lines))
	for i, li := range o.Lines {
		switch {
		case li.Quantity < 0:
			errs = append(errs, fmt.Errorf("order %s line %d: negative quantity %d", o.Key.ID, i, li.Quantity))
		case li.Quantity > MaxQuantity:
			errs = append(errs, fmt.Errorf("order %s line %d: quantity %d is over %d", o.Key.ID, i, li.Quantity, MaxQuantity))
		}
		if li.LineID == "" {
			continue
		}
		if j, dup := seen[li.LineID]; dup {
			errs = append(errs, fmt.Errorf("order %s lines %d and %d: the same line id %s", o.Key.ID, j, i, li.LineID))
		}
		seen[li.LineID] = i
	}
	return errors.Join(errs...)
}

// CleanText replaces control characters (C0, DEL and C1, tabs and line
// breaks included) in the order's free text — its name, the customer, the
// ship-to address, each line's SKU and title — with spaces, and trims.
// None belongs in a name or an address; a NUL cannot be stored in a
// PostgreSQL jsonb document at all, so left in it would make the order
// impossible to store and its webhook fail for ever; the others can break
// a log line, a mail header or an ERP's import.
func CleanText(o *order.Order) {
	fields := []*string{&o.Name, &o.Currency, &o.Customer.Name, &o.Customer.Email, &o.Customer.Phone}
	if a := o.ShipTo; a != nil {
		fields = append(fields, &a.Name, &a.Company, &a.Line1, &a.Line2, &a.City, &a.Region,
			&a.RegionCode, &a.PostalCode, &a.Country, &a.CountryCode, &a.Phone)
	}
	for i := range o.Lines {
		fields = append(fields, &o.Lines[i].SKU, &o.Lines[i].Title)
	}
	for _, f := range fields {
		if strings.IndexFunc(*f, unicode.IsControl) >= 0 {
			*f = strings.TrimSpace(strings.Map(func(r rune) rune {
				if unicode.IsControl(r) {
					return ' '
				}
				return r
			}, *f))
		}
	}
}
