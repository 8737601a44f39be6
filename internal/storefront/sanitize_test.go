package storefront

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/ordergate/ordergate/internal/order"
)

func TestCheckOrder(t *testing.T) {
	t.Parallel()
	lines := func(ls ...order.LineItem) order.Order {
		return order.Order{Key: order.Key{ID: "1"}, Total: decimal.NewFromInt(1), Lines: ls}
	}
	tests := []struct {
		name string
		o    order.Order
		want string // "" for no error
	}{
		{"fine", lines(order.LineItem{LineID: "a", Quantity: 1}, order.LineItem{LineID: "b", Quantity: MaxQuantity}), ""},
		{"no line ids may repeat", lines(order.LineItem{Quantity: 1}, order.LineItem{Quantity: 1}), ""},
		{"zero quantity", lines(order.LineItem{LineID: "a"}), ""},
		{"negative line price is the connector's call", lines(order.LineItem{LineID: "a", Quantity: 1, Price: decimal.NewFromInt(-1)}), ""},
		{"over the cap", lines(order.LineItem{LineID: "a", Quantity: MaxQuantity + 1}), "order 1 line 0: quantity 10000001 is over 10000000"},
		{"negative", lines(order.LineItem{LineID: "a", Quantity: -1}), "order 1 line 0: negative quantity -1"},
		{"repeated id", lines(order.LineItem{LineID: "a", Quantity: 1}, order.LineItem{LineID: "b"}, order.LineItem{LineID: "a"}), "order 1 lines 0 and 2: the same line id a"},
		{"negative total", order.Order{Key: order.Key{ID: "1"}, Total: decimal.NewFromInt(-5)}, "order 1: negative total -5"},
	}
	for _, tt := range tests {
		err := CheckOrder(tt.o)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("%s: CheckOrder = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestCleanText(t *testing.T) {
	t.Parallel()
	o := order.Order{
		Name:     "#1\x00",
		Customer: order.Customer{Name: "Zoë\r\n山田", Email: " z@example.com\x07", Phone: "+1\t555"},
		ShipTo:   &order.Address{Line1: "1 Main St\x1b[2J", City: "Zürich\u0085"},
		Lines:    []order.LineItem{{SKU: "A\x00B", Title: "Mug 🚀\x7f"}},
	}
	CleanText(&o)
	type text struct {
		Name     string
		Customer order.Customer
		ShipTo   order.Address
		Lines    []order.LineItem
	}
	want := text{
		Name:     "#1",
		Customer: order.Customer{Name: "Zoë  山田", Email: "z@example.com", Phone: "+1 555"},
		ShipTo:   order.Address{Line1: "1 Main St [2J", City: "Zürich"},
		Lines:    []order.LineItem{{SKU: "A B", Title: "Mug 🚀"}},
	}
	if diff := cmp.Diff(want, text{o.Name, o.Customer, *o.ShipTo, o.Lines}); diff != "" {
		t.Errorf("CleanText (-want +got):\n%s", diff)
	}
	// Text without control characters is left exactly as it is.
	plain := order.Order{Name: " #2 ", Customer: order.Customer{Name: "\u202eevil"}}
	CleanText(&plain)
	if plain.Name != " #2 " || !strings.HasPrefix(plain.Customer.Name, "\u202e") {
		t.Errorf("clean text changed: %q %q", plain.Name, plain.Customer.Name)
	}
}
