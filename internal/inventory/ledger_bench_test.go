package inventory_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/inventory"
)

// benchLedger is a ledger of skus SKUs with ERP figures and held orders
// reserved against them, as a busy day leaves it.
func benchLedger(b *testing.B, skus, held int) (*inventory.Ledger, time.Time) {
	b.Helper()
	l, err := inventory.New(inventory.Config{Channels: []inventory.Channel{{Name: "amazon", Buffer: 2}, {Name: "ebay", Buffer: 1}}})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)
	for i := range skus {
		l.SetERP(fmt.Sprintf("SKU-%d", i), 1_000_000, now)
	}
	for i := range held {
		if err := l.Reserve(fmt.Sprintf("held/%d", i), []inventory.Line{{SKU: fmt.Sprintf("SKU-%d", i%skus), Qty: 1}}, now); err != nil {
			b.Fatal(err)
		}
	}
	return l, now
}

// BenchmarkReserveRelease is one order's hold taken and given back, on a
// ledger of 10,000 SKUs and 10,000 held orders.
func BenchmarkReserveRelease(b *testing.B) {
	l, now := benchLedger(b, 10_000, 10_000)
	lines := []inventory.Line{{SKU: "SKU-1", Qty: 2}, {SKU: "SKU-2", Qty: 1}}
	b.ReportAllocs()
	for b.Loop() {
		if err := l.Reserve("shop/1", lines, now); err != nil {
			b.Fatal(err)
		}
		l.Release("shop/1")
	}
}

// BenchmarkQuote is what a marketplace push asks of the ledger per SKU.
func BenchmarkQuote(b *testing.B) {
	l, _ := benchLedger(b, 10_000, 10_000)
	b.ReportAllocs()
	for b.Loop() {
		if q := l.Quote("amazon", "SKU-7"); !q.Known {
			b.Fatal("SKU-7 not known")
		}
	}
}
