package bigcommerce

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/storefront"
)

func TestParseHook_RealCallbacks(t *testing.T) {
	t.Parallel()
	fired := time.Unix(1561479335, 0).UTC()
	tests := []struct {
		file string
		want Hook
	}{
		{"webhook-store_order_created.json", Hook{
			Storefront: "bc1", Scope: "store/order/created", Topic: storefront.OrderCreated,
			StoreID: "1025646", Producer: "stores/{store_hash}", OrderID: "250",
			Hash: "dd70c0976e06b67aaf671e73f49dcb79230ebf9d", CreatedAt: fired,
			DedupKey: "1025646|store/order/created|dd70c0976e06b67aaf671e73f49dcb79230ebf9d",
		}},
		{"webhook-store_order_updated.json", Hook{
			Storefront: "bc1", Scope: "store/order/updated", Topic: storefront.OrderUpdated,
			StoreID: "1025646", Producer: "stores/{store_hash}", OrderID: "250",
			Hash: "dd70c0976e06b67aaf671e73f49dcb79230ebf9d", CreatedAt: fired,
			DedupKey: "1025646|store/order/updated|dd70c0976e06b67aaf671e73f49dcb79230ebf9d",
		}},
		{"webhook-store_order_statusUpdated.json", Hook{
			Storefront: "bc1", Scope: "store/order/statusUpdated", Topic: storefront.OrderUpdated,
			StoreID: "1025646", Producer: "stores/{store_hash}", OrderID: "250",
			Hash: "7ee67cd1cf2ca60bc1aa9e5fe957d2de373be4ca", CreatedAt: fired,
			Status:   &StatusChange{PreviousID: 0, NewID: 11},
			DedupKey: "1025646|store/order/statusUpdated|7ee67cd1cf2ca60bc1aa9e5fe957d2de373be4ca",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			got, err := ParseHook("bc1", readTestdata(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("hook (-want +got):\n%s", diff)
			}
		})
	}
}

// BigCommerce's own created and updated samples share one hash: a dedup key
// of the hash alone would drop the update as a repeat of the create.
func TestParseHook_CreatedAndUpdatedWithOneHashAreNotDuplicates(t *testing.T) {
	t.Parallel()
	c, err := ParseHook("bc1", readTestdata(t, "webhook-store_order_created.json"))
	if err != nil {
		t.Fatal(err)
	}
	u, err := ParseHook("bc1", readTestdata(t, "webhook-store_order_updated.json"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Hash != u.Hash {
		t.Fatalf("the fixtures no longer share a hash: %s, %s", c.Hash, u.Hash)
	}
	if c.DedupKey == u.DedupKey {
		t.Errorf("created and updated share dedup key %q", c.DedupKey)
	}
	again, err := ParseHook("bc1", readTestdata(t, "webhook-store_order_created.json"))
	if err != nil {
		t.Fatal(err)
	}
	if again.DedupKey != c.DedupKey {
		t.Errorf("a repeat of one callback has dedup key %q, first %q", again.DedupKey, c.DedupKey)
	}
}

func TestParseHook_StatusChangeToCancelledOrDeclinedCancels(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status string // the data.status member, or "" for none
		want   storefront.Topic
	}{
		{`"status":{"previous_status_id":11,"new_status_id":5}`, storefront.OrderCancelled},
		{`"status":{"previous_status_id":7,"new_status_id":6}`, storefront.OrderCancelled},
		{`"status":{"new_status_id":5}`, storefront.OrderCancelled},
		{`"status":{"previous_status_id":2,"new_status_id":4}`, storefront.OrderUpdated},  // Refunded
		{`"status":{"previous_status_id":2,"new_status_id":14}`, storefront.OrderUpdated}, // Partially Refunded
		{`"status":{"previous_status_id":0,"new_status_id":11}`, storefront.OrderUpdated},
		{`"status":{"previous_status_id":5,"new_status_id":11}`, storefront.OrderUpdated}, // restored
		{`"status":null`, storefront.OrderUpdated},
		{``, storefront.OrderUpdated},
	}
	for _, tc := range tests {
		t.Run(tc.status, func(t *testing.T) {
			t.Parallel()
			data := `"type":"order","id":250`
			if tc.status != "" {
				data += "," + tc.status
			}
			body := fmt.Sprintf(`{"scope":"store/order/statusUpdated","store_id":"1","data":{%s},"hash":"h1","created_at":1561479335}`, data)
			h, err := ParseHook("bc1", []byte(body))
			if err != nil {
				t.Fatal(err)
			}
			if h.Topic != tc.want {
				t.Errorf("topic = %s, want %s", h.Topic, tc.want)
			}
		})
	}
}

// A status change on store/order/updated is not read: only statusUpdated
// documents data.status.
func TestParseHook_StatusOnlyReadFromStatusUpdated(t *testing.T) {
	t.Parallel()
	body := `{"scope":"store/order/updated","store_id":"1","data":{"type":"order","id":250,"status":{"new_status_id":5}},"hash":"h1","created_at":1}`
	h, err := ParseHook("bc1", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if h.Topic != storefront.OrderUpdated || h.Status != nil {
		t.Errorf("topic %s, status %+v; want order_updated and no status", h.Topic, h.Status)
	}
}

func TestParseHook_OtherScopesAreUnsupported(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, body string }{
		{"product inventory fixture", string(readTestdata(t, "webhook-store_product_inventory_order_updated.json"))},
		{"sku inventory fixture", string(readTestdata(t, "webhook-store_sku_inventory_order_updated.json"))},
		{"archived", `{"scope":"store/order/archived","store_id":"1","data":{"type":"order","id":250},"hash":"h","created_at":1}`},
		{"message", `{"scope":"store/order/message/created","store_id":"1","data":{"type":"order","id":250,"message":{"order_message_id":3}},"hash":"h","created_at":1}`},
		{"refund", `{"scope":"store/order/refund/created","store_id":"1","data":{"type":"order","id":250,"refund":{"refund_id":3}},"hash":"h","created_at":1}`},
		{"transaction", `{"scope":"store/order/transaction/created","store_id":"1","data":{"type":"transaction","order_id":"250"},"hash":"h","created_at":1}`},
		{"no scope", `{"store_id":"1","data":{"type":"order","id":250},"hash":"h"}`},
		{"scope in another case", `{"scope":"STORE/ORDER/CREATED","data":{"type":"order","id":250},"hash":"h"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseHook("bc1", []byte(tc.body))
			if !errors.Is(err, ErrUnsupportedTopic) {
				t.Errorf("ParseHook = %v, want ErrUnsupportedTopic", err)
			}
		})
	}
}

func TestParseHook_MalformedBodies(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, body string }{
		{"not json", `scope=store/order/created`},
		{"empty", ``},
		{"array", `[]`},
		{"no data.id", `{"scope":"store/order/created","data":{"type":"order"},"hash":"h"}`},
		{"id 0", `{"scope":"store/order/created","data":{"type":"order","id":0},"hash":"h"}`},
		{"negative id", `{"scope":"store/order/created","data":{"type":"order","id":-4},"hash":"h"}`},
		{"fractional id", `{"scope":"store/order/created","data":{"type":"order","id":250.5},"hash":"h"}`},
		{"id as float text", `{"scope":"store/order/created","data":{"type":"order","id":2.5e2},"hash":"h"}`},
		{"id beyond int64", `{"scope":"store/order/created","data":{"type":"order","id":99999999999999999999},"hash":"h"}`},
		{"no hash", `{"scope":"store/order/created","data":{"type":"order","id":250}}`},
		{"blank hash", `{"scope":"store/order/created","data":{"type":"order","id":250},"hash":"  "}`},
		{"not an order", `{"scope":"store/order/created","data":{"type":"product","id":250},"hash":"h"}`},
		{"created_at text", `{"scope":"store/order/created","data":{"type":"order","id":250},"hash":"h","created_at":"yesterday"}`},
		{"store_id object", `{"scope":"store/order/created","store_id":{},"data":{"type":"order","id":250},"hash":"h"}`},
		{"status id text", `{"scope":"store/order/statusUpdated","data":{"type":"order","id":250,"status":{"new_status_id":"five"}},"hash":"h"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseHook("bc1", []byte(tc.body))
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("ParseHook = %v, want ErrMalformed", err)
			}
		})
	}
}

func TestParseHook_IDsAndStoreIDsExactInEitherShape(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, storeID, id string
		wantStore, wantID string
	}{
		{"store_id string (current docs)", `"1025646"`, `250`, "1025646", "250"},
		{"store_id number (older docs)", `1025646`, `250`, "1025646", "250"},
		{"quoted order id", `"1"`, `"250"`, "1", "250"},
		{"id above 2^53", `"1"`, `9007199254740993`, "1", "9007199254740993"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			body := fmt.Sprintf(`{"scope":"store/order/created","store_id":%s,"data":{"type":"order","id":%s},"hash":"h","created_at":1561479335}`, tc.storeID, tc.id)
			h, err := ParseHook("bc1", []byte(body))
			if err != nil {
				t.Fatal(err)
			}
			if h.StoreID != tc.wantStore || h.OrderID != tc.wantID {
				t.Errorf("store %q order %q, want %q %q", h.StoreID, h.OrderID, tc.wantStore, tc.wantID)
			}
			if h.DedupKey != tc.wantStore+"|store/order/created|h" {
				t.Errorf("dedup key %q", h.DedupKey)
			}
		})
	}
}
