package bigcommerce

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/storefront"
)

func TestDelivery_AssemblesTheHookAndTheFetchedOrder(t *testing.T) {
	t.Parallel()
	body := readTestdata(t, "webhook-store_order_created.json")
	h, err := ParseHook("bc1", body)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Decode("", readTestdata(t, "v2-order-get.json"), readTestdata(t, "v2-order-products-get.json"))
	if err != nil {
		t.Fatal(err)
	}
	d := Delivery("bc1", h, s.Order, body)
	wantOrder := s.Order
	wantOrder.Key.Storefront = "bc1"
	want := storefront.Delivery{
		Storefront:  "bc1",
		Kind:        "bigcommerce",
		Topic:       storefront.OrderCreated,
		RawTopic:    "store/order/created",
		DedupKey:    "1025646|store/order/created|dd70c0976e06b67aaf671e73f49dcb79230ebf9d",
		DeliveryID:  "dd70c0976e06b67aaf671e73f49dcb79230ebf9d",
		TriggeredAt: time.Unix(1561479335, 0),
		Body:        body,
		Order:       wantOrder,
	}
	if diff := orderDiff(want, d); diff != "" {
		t.Errorf("delivery (-want +got):\n%s", diff)
	}
	body[0] = 'X'
	if d.Body[0] == 'X' {
		t.Error("the delivery shares the caller's body buffer")
	}
}

func TestDelivery_CancelFromTheHookCarriesItsReason(t *testing.T) {
	t.Parallel()
	body := []byte(`{"scope":"store/order/statusUpdated","store_id":"1","data":{"type":"order","id":250,"status":{"previous_status_id":11,"new_status_id":5}},"hash":"h","created_at":1561479335}`)
	h, err := ParseHook("bc1", body)
	if err != nil {
		t.Fatal(err)
	}
	d := Delivery("bc1", h, order.Order{}, body)
	got := []any{d.Topic, d.CancelReason, d.CancelledAt.Unix(), d.Order.Key}
	want := []any{storefront.OrderCancelled, "status set to Cancelled in BigCommerce", int64(1561479335), order.Key{Storefront: "bc1", ID: "250"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("topic, reason, cancelled at, key (-want +got):\n%s", diff)
	}
}

func TestSnapshotDelivery_TheFetchedStatusDecides(t *testing.T) {
	t.Parallel()
	modified := time.Date(2025, 7, 1, 10, 0, 0, 0, time.UTC)
	hook := func(status string) []byte {
		return []byte(`{"scope":"store/order/statusUpdated","store_id":"1","data":{"type":"order","id":250` + status + `},"hash":"h","created_at":1561479335}`)
	}
	tests := []struct {
		name       string
		body       []byte
		fetched    int
		wantTopic  storefront.Topic
		wantReason string
	}{
		{"created, live", readTestdata(t, "webhook-store_order_created.json"), 11, storefront.OrderCreated, ""},
		{"updated, now cancelled", readTestdata(t, "webhook-store_order_updated.json"), 5, storefront.OrderCancelled, "status Cancelled in BigCommerce"},
		{"created, already declined", readTestdata(t, "webhook-store_order_created.json"), 6, storefront.OrderCancelled, "status Declined in BigCommerce"},
		{"status to cancelled, still cancelled", hook(`,"status":{"new_status_id":5}`), 5, storefront.OrderCancelled, "status Cancelled in BigCommerce"},
		{"status to cancelled, restored since", hook(`,"status":{"new_status_id":5}`), 11, storefront.OrderUpdated, ""},
		{"refunded is an update", hook(`,"status":{"new_status_id":4}`), 4, storefront.OrderUpdated, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h, err := ParseHook("bc1", tc.body)
			if err != nil {
				t.Fatal(err)
			}
			s := Snapshot{
				Order:    order.Order{Key: order.Key{Storefront: "bc1", ID: "250"}, SourceUpdatedAt: modified},
				StatusID: tc.fetched,
				Status:   StatusName(tc.fetched),
			}
			d := SnapshotDelivery("bc1", h, s, tc.body)
			if d.Topic != tc.wantTopic || d.CancelReason != tc.wantReason {
				t.Errorf("topic %s reason %q, want %s %q", d.Topic, d.CancelReason, tc.wantTopic, tc.wantReason)
			}
			if wantAt := tc.wantTopic == storefront.OrderCancelled; wantAt != d.CancelledAt.Equal(modified) || (!wantAt && !d.CancelledAt.IsZero()) {
				t.Errorf("cancelled at %v", d.CancelledAt)
			}
		})
	}
}

// A merchant's own label for a cancelling status is kept in the reason.
func TestSnapshotDelivery_KeepsTheMerchantsStatusLabel(t *testing.T) {
	t.Parallel()
	body := readTestdata(t, "webhook-store_order_updated.json")
	h, err := ParseHook("bc1", body)
	if err != nil {
		t.Fatal(err)
	}
	d := SnapshotDelivery("bc1", h, Snapshot{StatusID: 5, Status: "Cancelled - out of stock"}, body)
	if want := "status Cancelled in BigCommerce (Cancelled - out of stock)"; d.CancelReason != want {
		t.Errorf("reason %q, want %q", d.CancelReason, want)
	}
}
