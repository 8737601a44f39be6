package sandbox_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
)

func newOrder(id string, lines ...order.LineItem) order.Order {
	return order.Order{
		Key:      order.Key{Storefront: "shop", ID: id},
		Customer: order.Customer{Email: "ada@example.com"},
		Lines:    lines,
	}
}

func line(sku string, qty int) order.LineItem { return order.LineItem{SKU: sku, Quantity: qty} }

var t0 = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

func TestSubmit_AcknowledgedReceiptHasValidatedLinesAndShipBy(t *testing.T) {
	t.Parallel()
	b := setup(t, erpsim.Config{ShipDays: 3, Now: func() time.Time { return t0 }}, 0)

	got, err := b.client.Submit(t.Context(), newOrder("1001", line("A", 2), line("B", 1)))
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	want := erp.Receipt{
		Ref:        "SO-000001",
		ExternalID: "og-shop-1001",
		Status:     erp.StatusAcknowledged,
		Lines:      []erp.Line{{SKU: "A", Ordered: 2, Validated: 2}, {SKU: "B", Ordered: 1, Validated: 1}},
		ShipBy:     t0.AddDate(0, 0, 3),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("receipt (-want +got):\n%s", diff)
	}
	wantOrders := []erpsim.Order{{
		Ref: "SO-000001", ExternalID: "og-shop-1001", CustomerEmail: "ada@example.com",
		Lines: []erpsim.Line{{SKU: "A", Quantity: 2, Reserved: 2}, {SKU: "B", Quantity: 1, Reserved: 1}}, CreatedAt: t0, AckedAt: t0,
	}}
	if diff := cmp.Diff(wantOrders, b.sim.Orders()); diff != "" {
		t.Errorf("recorded orders (-want +got):\n%s", diff)
	}
}

func TestSubmit_PendingUntilAckDelayPasses(t *testing.T) {
	t.Parallel()
	clk := erpsim.NewClock(t0)
	b := setup(t, erpsim.Config{AckDelay: time.Minute, Now: clk.Now}, 0)
	o := newOrder("1002", line("A", 2))

	got, err := b.client.Submit(t.Context(), o)
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	wantPending := erp.Receipt{Ref: "SO-000001", ExternalID: "og-shop-1002", Status: erp.StatusPending,
		Lines: []erp.Line{{SKU: "A", Ordered: 2, Validated: 0}}}
	if diff := cmp.Diff(wantPending, got); diff != "" {
		t.Errorf("receipt at creation (-want +got):\n%s", diff)
	}

	clk.Advance(59 * time.Second)
	if got, err := b.client.Lookup(t.Context(), "og-shop-1002"); err != nil || got.Status != erp.StatusPending {
		t.Errorf("Lookup before the delay = %v, %v; want pending", got.Status, err)
	}
	clk.Advance(time.Second)
	got, err = b.client.Lookup(t.Context(), "og-shop-1002")
	if err != nil {
		t.Fatalf("Lookup: %v", err)
	}
	if got.Status != erp.StatusAcknowledged || got.Lines[0].Validated != 2 || got.ShipBy.IsZero() {
		t.Errorf("Lookup after the delay = %+v; want acknowledged, 2 validated, a ship date", got)
	}
}

func TestSubmit_ReservesStock(t *testing.T) {
	t.Parallel()
	b := setup(t, erpsim.Config{Stock: map[string]int{"A": 5, "B": 1}}, 0)

	if _, err := b.client.Submit(t.Context(), newOrder("1", line("A", 2), line("A", 1), line("B", 1))); err != nil {
		t.Fatalf("Submit: %v", err)
	}
	got, err := b.client.Availability(t.Context(), []string{"A", "B"})
	if err != nil {
		t.Fatalf("Availability: %v", err)
	}
	if diff := cmp.Diff(map[string]int{"A": 2, "B": 0}, got); diff != "" {
		t.Errorf("availability after the order (-want +got):\n%s", diff)
	}
	_, err = b.client.Submit(t.Context(), newOrder("2", line("B", 1)))
	if !errors.Is(err, erp.ErrRejected) {
		t.Errorf("Submit beyond the stock left: got %v, want ErrRejected (no backorders)", err)
	}
}

func TestSubmit_RefusedOrdersAreRejectedWithTheERPCode(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		order order.Order
		code  string
	}{
		{"UnknownSKU", newOrder("1", line("A", 1), line("GHOST", 1)), erpsim.CodeUnknownSKU},
		{"NotEnoughStock", newOrder("2", line("A", 4)), erpsim.CodeInsufficientStock},
		{"NotEnoughStockOverTwoLines", newOrder("3", line("A", 2), line("A", 2)), erpsim.CodeInsufficientStock},
		{"NoLines", newOrder("4"), erpsim.CodeInvalidRequest},
		{"ZeroQuantity", newOrder("5", line("A", 0)), erpsim.CodeInvalidRequest},
		{"EmptySKU", newOrder("6", line("", 1)), erpsim.CodeInvalidRequest},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, erpsim.Config{Stock: map[string]int{"A": 3}}, 0)

			_, err := b.client.Submit(t.Context(), c.order)
			var e *erp.Error
			if !errors.As(err, &e) || e.Kind != erp.ErrRejected || e.Code != c.code {
				t.Fatalf("Submit: got %v, want a rejection with code %s", err, c.code)
			}
			if want := "sandbox erp: create sales order " + c.order.Key.ExternalID() + ": "; !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error %q does not start with %q", err, want)
			}
			if got := b.sim.Orders(); len(got) != 0 {
				t.Errorf("orders created: %v", got)
			}
			if n, _ := b.sim.Available("A"); n != 3 {
				t.Errorf("stock of A = %d after a refused order, want 3", n)
			}
			rej := b.sim.Rejections()
			if len(rej) != 1 || rej[0].Code != c.code || rej[0].ExternalID != c.order.Key.ExternalID() {
				t.Errorf("rejections recorded = %+v, want one with code %s", rej, c.code)
			}
		})
	}
}

func TestSubmit_InDoubtCreatesTheOrderButLosesTheReply(t *testing.T) {
	t.Parallel()
	b := setup(t, erpsim.Config{Faults: erpsim.Faults{InDoubtRate: 1}, Seed: 1}, 0)

	var replies, hangups int
	const n = 12
	for i := range n {
		o := newOrder("in-doubt-"+string(rune('a'+i)), line("A", 1))
		_, err := b.client.Submit(t.Context(), o)
		if !errors.Is(err, erp.ErrInDoubt) {
			t.Fatalf("Submit: got %v, want ErrInDoubt", err)
		}
		if strings.Contains(err.Error(), "http 500") {
			replies++
		} else {
			hangups++
		}
		// The order exists: the lookup the gate makes before a retry finds it.
		if _, err := b.client.Lookup(t.Context(), o.Key.ExternalID()); err != nil {
			t.Errorf("Lookup after an in-doubt create: %v", err)
		}
	}
	orders := b.sim.Orders()
	if len(orders) != n {
		t.Fatalf("orders created = %d, want %d", len(orders), n)
	}
	for _, o := range orders {
		if !o.InDoubt {
			t.Errorf("order %s not marked in doubt", o.Ref)
		}
	}
	if got := b.sim.Faults(); got != (erpsim.FaultCounts{InDoubt: n}) {
		t.Errorf("fault counts = %+v, want %d in doubt", got, n)
	}
	if replies == 0 || hangups == 0 {
		t.Errorf("lost replies: %d as 500, %d as hang-ups; want both kinds (seed 1)", replies, hangups)
	}
}

func TestSubmit_ThrottleCarriesRetryAfter(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		retryAfter time.Duration
		want       time.Duration
	}{
		{"Default", 0, erpsim.DefaultRetryAfter},
		{"WholeSeconds", 3 * time.Second, 3 * time.Second},
		{"BelowASecond", 250 * time.Millisecond, 250 * time.Millisecond},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, erpsim.Config{Faults: erpsim.Faults{ThrottleRate: 1, RetryAfter: c.retryAfter}}, 0)

			_, err := b.client.Submit(t.Context(), newOrder("1", line("A", 1)))
			if !errors.Is(err, erp.ErrThrottled) {
				t.Fatalf("Submit: got %v, want ErrThrottled", err)
			}
			if got := erp.RetryAfter(err); got != c.want {
				t.Errorf("RetryAfter = %s, want %s", got, c.want)
			}
			if got := b.sim.Orders(); len(got) != 0 {
				t.Errorf("a throttled create made orders: %v", got)
			}
		})
	}
}

func TestSubmit_UnclearOutcomesAreInDoubtAndCreateNothing(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		faults  erpsim.Faults
		timeout time.Duration // the client's
		cause   error         // also wrapped, if not nil
	}{
		{"ServiceUnavailable", erpsim.Faults{ErrorRate: 1}, 0, nil},
		{"ERPTimesOut", erpsim.Faults{TimeoutRate: 1, Timeout: 10 * time.Millisecond}, 0, nil},
		{"ClientTimesOut", erpsim.Faults{TimeoutRate: 1, Timeout: time.Minute}, 50 * time.Millisecond, context.DeadlineExceeded},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, erpsim.Config{Faults: c.faults}, c.timeout)

			_, err := b.client.Submit(t.Context(), newOrder("1", line("A", 1)))
			if !errors.Is(err, erp.ErrInDoubt) {
				t.Fatalf("Submit: got %v, want ErrInDoubt", err)
			}
			if c.cause != nil && !errors.Is(err, c.cause) {
				t.Errorf("Submit: got %v, want it to wrap %v", err, c.cause)
			}
			if got := b.sim.Orders(); len(got) != 0 {
				t.Errorf("orders created: %v", got)
			}
		})
	}
}

func TestNotIdempotent_SecondCreateMakesSecondOrder(t *testing.T) {
	t.Parallel()
	b := setup(t, erpsim.Config{}, 0)
	o := newOrder("1001", line("A", 1))

	first, err := b.client.Submit(t.Context(), o)
	if err != nil {
		t.Fatalf("first Submit: %v", err)
	}
	second, err := b.client.Submit(t.Context(), o)
	if err != nil {
		t.Fatalf("second Submit: %v", err)
	}
	if first.Ref == second.Ref {
		t.Errorf("both creates returned %s; want two sales orders", first.Ref)
	}
	if diff := cmp.Diff([]string{"og-shop-1001"}, b.sim.DuplicateExternalIDs()); diff != "" {
		t.Errorf("DuplicateExternalIDs (-want +got):\n%s", diff)
	}
	found, err := b.client.Lookup(t.Context(), "og-shop-1001")
	if err != nil || found.Ref != first.Ref {
		t.Errorf("Lookup = %s, %v; want the first order %s", found.Ref, err, first.Ref)
	}
}

func TestIdempotent_SecondCreateReturnsTheFirstOrder(t *testing.T) {
	t.Parallel()
	b := setup(t, erpsim.Config{Idempotent: true, Stock: map[string]int{"A": 1}}, 0)
	o := newOrder("1001", line("A", 1))

	first, err := b.client.Submit(t.Context(), o)
	if err != nil {
		t.Fatalf("first Submit: %v", err)
	}
	// The stock is gone, so only a repeat that creates nothing can succeed.
	second, err := b.client.Submit(t.Context(), o)
	if err != nil {
		t.Fatalf("second Submit: %v", err)
	}
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("repeat create (-first +second):\n%s", diff)
	}
	if got := len(b.sim.Orders()); got != 1 {
		t.Errorf("orders = %d, want 1", got)
	}
}

func TestSubmit_CarriesTheShipTo(t *testing.T) {
	t.Parallel()
	b := setup(t, erpsim.Config{}, 0)
	o := newOrder("1002", line("A", 1))
	o.ShipTo = &order.Address{Name: "Ada Lovelace", Line1: "12 Harbor Lane", City: "Portland", RegionCode: "ME", PostalCode: "04101", CountryCode: "US"}
	if _, err := b.client.Submit(t.Context(), o); err != nil {
		t.Fatal(err)
	}
	held := b.sim.Records().OrdersFor(o.Key.ExternalID())
	want := &erpsim.Address{Name: "Ada Lovelace", Line1: "12 Harbor Lane", City: "Portland", RegionCode: "ME", PostalCode: "04101", CountryCode: "US"}
	if len(held) != 1 || !cmp.Equal(want, held[0].ShipTo) {
		t.Errorf("erp holds %+v, want one order shipping to %+v", held, want)
	}
}
