package sandbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/marketplace"
	"github.com/ordergate/ordergate/internal/marketplace/marketplacetest"
	"github.com/ordergate/ordergate/internal/marketplace/sandbox"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	marketplacetest.Run(t, func(t *testing.T) marketplacetest.Harness {
		m := sandbox.New(sandbox.Config{})
		return marketplacetest.Harness{
			Connector:  m,
			AddListing: func(string) {},
			Quantity:   m.Listed,
			// The sandbox lists any SKU it is told about; it has no unknown SKU.
			UnknownSKU: "",
		}
	})
}

func TestSell_NeverMoreThanTheLastPushLessSoldSince(t *testing.T) {
	t.Parallel()
	m := sandbox.New(sandbox.Config{Name: "mp"})
	if got := m.Sell("A", 1); got != 0 {
		t.Errorf("Sell before any push = %d, want 0", got)
	}
	push := func(q int) {
		t.Helper()
		if err := m.SetQuantities(context.Background(), []marketplace.Update{{SKU: "A", Quantity: q}})[0]; err != nil {
			t.Fatal(err)
		}
	}
	push(5)
	for _, c := range []struct{ ask, want, listed int }{{3, 3, 2}, {4, 2, 0}, {1, 0, 0}} {
		if got := m.Sell("A", c.ask); got != c.want {
			t.Errorf("Sell(%d) = %d, want %d", c.ask, got, c.want)
		}
		if got, _ := m.Listed("A"); got != c.listed {
			t.Errorf("Listed = %d, want %d", got, c.listed)
		}
	}
	push(2) // the marketplace is told afresh: 2 more may sell
	if got := m.Sell("A", 9); got != 2 {
		t.Errorf("Sell after a new push = %d, want 2", got)
	}
	if got := m.Sold("A"); got != 7 {
		t.Errorf("Sold = %d, want 7", got)
	}
}

func TestOrders_FeedFromATime(t *testing.T) {
	t.Parallel()
	clk := marketplacetest.NewClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	m := sandbox.New(sandbox.Config{Name: "mp", Now: clk.Now})
	m.SetQuantities(context.Background(), []marketplace.Update{{SKU: "A", Quantity: 10}, {SKU: "B", Quantity: 1}})
	m.Sell("A", 2)
	clk.Advance(time.Minute)
	since := clk.Now()
	m.Sell("B", 3)
	m.Sell("B", 1) // none left: no order
	got := m.Orders(since)
	want := []sandbox.Order{{ID: "mp-000002", Marketplace: "mp", SKU: "B", Quantity: 1, PlacedAt: since}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Orders (-want +got):\n%s", diff)
	}
	if n := len(m.Orders(time.Time{})); n != 2 {
		t.Errorf("%d orders in all, want 2", n)
	}
}
