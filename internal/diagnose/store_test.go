package diagnose_test

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ordergate/ordergate/internal/diagnose"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
	"github.com/ordergate/ordergate/internal/store/sqlite"
)

// storeOrder is one order to put in a real store: when the storefront
// captured it, when the gateway received it, when the ERP acknowledged it
// (zero: not yet) and when its confirmation was sent (zero: not).
type storeOrder struct {
	id                              string
	captured, received, acked, sent time.Time
	lines                           []order.LineItem
	validated                       map[string]int
}

// fillStore puts the orders in a new SQLite store through the store's own
// API, one transaction each, as the gateway would have left them.
func fillStore(t testing.TB, path string, orders []storeOrder) {
	t.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, path, sqlite.Options{})
	must(t, err)
	defer s.Close()
	for _, so := range orders {
		d := store.Delivery{DedupKey: "create-" + so.id, Storefront: "shop1", Topic: "orders/create", DeliveryID: "d-" + so.id,
			OrderID: so.id, ReceivedAt: so.received, Body: []byte(`{"id":` + so.id + `}`)}
		_, err := s.Ingest(ctx, d, func(tx store.Tx, _ *order.Order) (*order.Order, error) {
			o := order.New(order.Order{Key: order.Key{Storefront: "shop1", ID: so.id}, Name: "#" + so.id, Currency: "USD",
				Total: decimal.RequireFromString("10.00"), Lines: so.lines, CapturedAt: so.captured, SourceUpdatedAt: so.captured}, so.received, "shopify", "orders/create")
			if so.acked.IsZero() {
				return o, nil
			}
			if err := o.Submit("SO-"+so.id, so.acked); err != nil {
				return nil, err
			}
			if err := o.Acknowledge(order.Ack{Ref: "SO-" + so.id, Validated: so.validated}, so.acked); err != nil {
				return nil, err
			}
			if so.sent.IsZero() {
				return o, nil
			}
			if err := o.Confirm(so.sent); err != nil {
				return nil, err
			}
			return o, tx.PutNotification(ctx, store.Notification{Key: o.Key, Kind: "confirmation", Status: store.NotifySent, Attempts: 1, MessageID: "<m>", UpdatedAt: so.sent})
		})
		must(t, err)
	}
}

func TestReadStore_PagesThroughEveryOrderEvenWhenReceiptTimesTie(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "og.db")
	start := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	var orders []storeOrder
	const n = 1100
	for i := range n {
		received := start.Add(time.Duration(i) * time.Second)
		// Forty orders share one receipt time around the first page's
		// end (the newest 1000 go first).
		if i >= 80 && i < 120 {
			received = start.Add(100 * time.Second)
		}
		orders = append(orders, storeOrder{id: strconv.Itoa(1000 + i), captured: received.Add(-2 * time.Second), received: received,
			acked: received.Add(90 * time.Second), sent: received.Add(91 * time.Second),
			lines: []order.LineItem{{SKU: "TEE", Quantity: 2, Price: decimal.RequireFromString("5")}}, validated: map[string]int{"TEE": 2}})
	}
	fillStore(t, path, orders)

	s, err := sqlite.Open(context.Background(), path, sqlite.Options{ReadOnly: true})
	must(t, err)
	defer s.Close()
	d := diagnose.New(diagnose.Options{})
	must(t, d.ReadStore(context.Background(), s, "sqlite:"+path, time.Time{}))
	rep := d.Report()
	if rep.JoinedOrders != n || rep.Sources[0].Rows != n || rep.Coverage.WebhookOrders != n {
		t.Fatalf("read %d orders, joined %d; want all %d", rep.Sources[0].Rows, rep.JoinedOrders, n)
	}
	web, erp := rep.Leg(diagnose.LegWebhook), rep.Leg(diagnose.LegERP)
	if web.PercentilesMS.Min != 2000 || web.PercentilesMS.Max != 2000 || erp.PercentilesMS.Min != 90_000 || erp.PercentilesMS.Max != 90_000 {
		t.Errorf("legs: webhook %+v, ERP %+v; want 2s and 1m30s exactly", web.PercentilesMS, erp.PercentilesMS)
	}
	if c := rep.Signals.ConfirmedBeforeERP; c.Confirmed != n || c.BeforeReceipt != 0 || c.WithoutReceipt != 0 {
		t.Errorf("confirmations %+v: want %d, none before the ERP", c, n)
	}
	if dm := rep.Signals.Demand; dm.StorefrontUnits != 2*n || dm.ERPUnitsInEnd != 2*n {
		t.Errorf("demand %+v: want %d units on both sides", dm, 2*n)
	}

	// --since: only the orders received since then.
	d = diagnose.New(diagnose.Options{})
	must(t, d.ReadStore(context.Background(), s, "sqlite:"+path, start.Add(1000*time.Second)))
	if rep := d.Report(); rep.Coverage.WebhookOrders != 100 {
		t.Errorf("since the 1000th second: %d orders, want 100", rep.Coverage.WebhookOrders)
	}
}
