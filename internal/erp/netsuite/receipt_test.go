package netsuite

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/erp"
)

// A sales order as NetSuite returns it with expandSubResources=true; the
// lines vary per case.
func record(t *testing.T, status string, lines string) salesOrderRecord {
	t.Helper()
	var rec salesOrderRecord
	body := `{"id": "647", "externalId": "og-shop-1", "tranId": "SO647", "shipDate": "2026-03-05",
		"orderStatus": ` + status + `, "item": {"items": [` + lines + `]}}`
	if err := json.Unmarshal([]byte(body), &rec); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return rec
}

func TestReceipt_StatusesAndLinesMapToOurs(t *testing.T) {
	t.Parallel()
	const full = `{"line": 1, "item": {"id": "98", "refName": "A"}, "quantity": 2.0, "quantityCommitted": 2.0, "quantityBackOrdered": 0.0, "quantityFulfilled": 0.0, "isClosed": false}`
	const short = `{"line": 1, "item": {"id": "98", "refName": "A"}, "quantity": 3.0, "quantityCommitted": 1.0, "quantityBackOrdered": 2.0, "isClosed": false}`
	cases := []struct {
		name   string
		status string
		lines  string
		want   erp.Status
		line   erp.Line
	}{
		{"PendingApprovalIsPending", `{"id": "A", "refName": "Pending Approval"}`, full, erp.StatusPending, erp.Line{SKU: "A", Ordered: 2}},
		{"PendingFulfillmentIsAcknowledged", `{"id": "B", "refName": "Pending Fulfillment"}`, full, erp.StatusAcknowledged, erp.Line{SKU: "A", Ordered: 2, Validated: 2}},
		{"SimpleEnumFormat", `"B"`, full, erp.StatusAcknowledged, erp.Line{SKU: "A", Ordered: 2, Validated: 2}},
		{"BackorderedIsShort", `{"id": "B"}`, short, erp.StatusAcknowledged, erp.Line{SKU: "A", Ordered: 3, Validated: 1, Short: erp.ShortBackordered}},
		{"CommittedOnlyWithoutBackorderField", `{"id": "B"}`,
			`{"line": 1, "item": {"id": "98"}, "quantity": 3, "quantityCommitted": "2"}`,
			erp.StatusAcknowledged, erp.Line{SKU: "A", Ordered: 3, Validated: 2, Short: erp.ShortBackordered}},
		// No commitment fields at all: never taken for a clean line.
		{"NoQuantitiesIsNotValidated", `{"id": "B"}`,
			`{"line": 1, "item": {"id": "98"}, "quantity": 3}`,
			erp.StatusAcknowledged, erp.Line{SKU: "A", Ordered: 3, Validated: 0, Short: erp.ShortBackordered}},
		{"ClosedLineOfAnOpenOrderIsShort", `{"id": "B"}`,
			`{"line": 1, "item": {"id": "98"}, "quantity": 2, "quantityCommitted": 0, "quantityBackOrdered": 0, "isClosed": true}`,
			erp.StatusAcknowledged, erp.Line{SKU: "A", Ordered: 2, Validated: 0, Short: erp.ShortBackordered}},
		{"PartlyFulfilledCountsWhatShipped", `{"id": "D", "refName": "Partially Fulfilled"}`,
			`{"line": 1, "item": {"id": "98"}, "quantity": 4, "quantityCommitted": 1, "quantityFulfilled": 2, "quantityBackOrdered": 1}`,
			erp.StatusAcknowledged, erp.Line{SKU: "A", Ordered: 4, Validated: 3, Short: erp.ShortBackordered}},
		{"BilledIsAcknowledged", `{"id": "G", "refName": "Billed"}`,
			`{"line": 1, "item": {"id": "98"}, "quantity": 2, "quantityFulfilled": 2, "quantityBackOrdered": 0}`,
			erp.StatusAcknowledged, erp.Line{SKU: "A", Ordered: 2, Validated: 2}},
		{"CancelledIsCancelled", `{"id": "C", "refName": "Cancelled"}`, full, erp.StatusCancelled, erp.Line{SKU: "A", Ordered: 2}},
		{"ClosedIsCancelled", `{"id": "H", "refName": "Closed"}`, full, erp.StatusCancelled, erp.Line{SKU: "A", Ordered: 2}},
		{"UnknownStatusIsPending", `{"id": "Z"}`, full, erp.StatusPending, erp.Line{SKU: "A", Ordered: 2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			rc := receipt(record(t, c.status, c.lines), "og-shop-1", map[string]string{"98": "A"})
			want := erp.Receipt{Ref: "647", ExternalID: "og-shop-1", Status: c.want, Lines: []erp.Line{c.line},
				ShipBy: time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)}
			if diff := cmp.Diff(want, rc); diff != "" {
				t.Errorf("receipt (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReceipt_ItemNetSuiteNoLongerKnowsKeepsItsName(t *testing.T) {
	t.Parallel()
	rc := receipt(record(t, `"B"`, `{"line": 1, "item": {"id": "555", "refName": "OLD-TEE"}, "quantity": 1, "quantityBackOrdered": 0}`), "og-shop-1", nil)
	if rc.Lines[0].SKU != "OLD-TEE" {
		t.Errorf("SKU = %q, want NetSuite's name for the item", rc.Lines[0].SKU)
	}
}
