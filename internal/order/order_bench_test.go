package order_test

import (
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/order"
)

// BenchmarkLifecycle is the gated path's transitions, each guarded and
// recorded on the timeline: received → submitted → acknowledged (with the
// validated quantities copied onto the lines) → confirmed.
func BenchmarkLifecycle(b *testing.B) {
	at := time.Date(2026, 11, 27, 14, 2, 0, 0, time.UTC)
	src := order.Order{
		Key:      order.Key{Storefront: "shop1", ID: "1042"},
		Name:     "#1042",
		Customer: order.Customer{Name: "Ada Lovelace", Email: "ada@example.com"},
		Lines:    []order.LineItem{{SKU: "TSHIRT-M", Quantity: 2}, {SKU: "MUG-BLUE", Quantity: 1}},
	}
	ack := order.Ack{Ref: "SO-1", Validated: map[string]int{"TSHIRT-M": 2, "MUG-BLUE": 1}, ShipBy: at.Add(48 * time.Hour)}
	b.ReportAllocs()
	for b.Loop() {
		o := order.New(src, at, "shopify", "orders/create")
		if err := o.Submit("SO-1", at); err != nil {
			b.Fatal(err)
		}
		if err := o.Acknowledge(ack, at); err != nil {
			b.Fatal(err)
		}
		if err := o.Confirm(at); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNext is the transition table's guard alone.
func BenchmarkNext(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := order.Next(order.Submitted, order.Acknowledge); err != nil {
			b.Fatal(err)
		}
	}
}
