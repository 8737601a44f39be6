package inventory_test

import (
	"fmt"
	"time"

	"github.com/ordergate/ordergate/internal/inventory"
)

// An acknowledged order stays held until an ERP figure read after the
// acknowledgment shows it.
func Example() {
	l, _ := inventory.New(inventory.Config{
		Channels: []inventory.Channel{{Name: "amazon", Buffer: 2}},
	})
	at := func(hhmm string) time.Time {
		t, _ := time.Parse("15:04", hhmm)
		return t
	}
	l.SetERP("A", 10, at("10:00"))
	fmt.Println("stock read:", l.Available("amazon", "A"))
	l.Reserve("shop/1001", []inventory.Line{{SKU: "A", Qty: 3}}, at("10:01"))
	fmt.Println("order received:", l.Available("amazon", "A"))
	l.Acknowledge("shop/1001", at("10:02"))
	fmt.Println("erp acknowledged:", l.Available("amazon", "A"))
	l.SetERP("A", 7, at("10:01"))
	fmt.Println("read sent before the ack:", l.Available("amazon", "A"))
	l.SetERP("A", 7, at("10:04"))
	fmt.Println("read sent after the ack:", l.Available("amazon", "A"))
	// Output:
	// stock read: 8
	// order received: 5
	// erp acknowledged: 5
	// read sent before the ack: 2
	// read sent after the ack: 5
}

// A bundle's figure is the least of its components' figures over the units
// each bundle takes.
func Example_bundle() {
	l, _ := inventory.New(inventory.Config{
		Channels: []inventory.Channel{{Name: "ebay", Buffer: 1}},
		Bundles:  []inventory.Bundle{{SKU: "GIFT-SET", Components: map[string]int{"MUG": 2, "TEA": 1}}},
	})
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	l.SetERP("MUG", 9, now)
	l.SetERP("TEA", 10, now)
	fmt.Println(l.Quote("ebay", "GIFT-SET").Available, "limited by", l.Quote("ebay", "GIFT-SET").Limiting)
	l.Reserve("amazon/114-1", []inventory.Line{{SKU: "GIFT-SET", Qty: 1}}, now)
	fmt.Println("MUG", l.Available("ebay", "MUG"), "TEA", l.Available("ebay", "TEA"), "GIFT-SET", l.Available("ebay", "GIFT-SET"))
	// Output:
	// 4 limited by MUG
	// MUG 6 TEA 8 GIFT-SET 3
}

// Two marketplaces share a low-stock SKU: each is told its share, counting
// what the other was told even before that push lands, and a sale on a
// channel reaches the ledger with the time it was placed.
func ExampleLedger_Claim() {
	l, _ := inventory.New(inventory.Config{Channels: []inventory.Channel{
		{Name: "amazon", Lag: 10 * time.Minute},
		{Name: "ebay", Lag: 10 * time.Minute},
	}})
	at := func(hhmm string) time.Time {
		t, _ := time.Parse("15:04", hhmm)
		return t
	}
	l.SetERP("A", 5, at("10:00"))
	fmt.Println("quote, each alone:", l.Available("amazon", "A"), l.Available("ebay", "A"))
	fmt.Println("amazon claims:", l.Claim("amazon", "A", at("10:01")).Available)
	fmt.Println("ebay claims:", l.Claim("ebay", "A", at("10:01")).Available)
	l.Told("amazon", "A", 3, at("10:02")) // the answer came back at 10:02
	l.Told("ebay", "A", 2, at("10:02"))
	l.ReserveSale("amazon/114-1", "amazon", []inventory.Line{{SKU: "A", Qty: 2}}, at("10:05"))
	q := l.Claim("amazon", "A", at("10:06"))
	fmt.Println("amazon after its sale:", q.Available, "keep:", q.Keep)
	l.SetERP("A", 8, at("10:07")) // 3 more arrive
	fmt.Println("ebay after the restock:", l.Claim("ebay", "A", at("10:08")).Available)
	// Output:
	// quote, each alone: 5 5
	// amazon claims: 3
	// ebay claims: 2
	// amazon after its sale: 3 keep: true
	// ebay after the restock: 3
}
