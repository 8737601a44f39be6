package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/reconcile"
)

func TestReconcile_RunsRecoversAndIsKept(t *testing.T) {
	t.Parallel()
	b := setup(t, options{})
	// An order whose webhook never came: only the store's API has it.
	modified := time.Now().UTC().Add(-time.Minute).Truncate(time.Second)
	body := fmt.Sprintf(`{"id":7001,"customer_id":11,"date_created":%q,"date_modified":%q,"status_id":11,"status":"Awaiting Fulfillment",`+
		`"total_inc_tax":"12.5000","currency_code":"USD","is_deleted":false,"billing_address":{"first_name":"Ada","last_name":"Lovelace","email":"ada@example.com"}}`,
		modified.Format(time.RFC1123Z), modified.Format(time.RFC1123Z))
	products := `[{"id":1,"order_id":7001,"product_id":77,"name":"Gift card","sku":"GIFT-25","type":"digital","base_price":"12.5000","quantity":1}]`
	if err := b.bc.PutOrder([]byte(body), []byte(products)); err != nil {
		t.Fatal(err)
	}

	// A read-only token may not run one.
	ro := postReconcile(t, b, readOnlyToken, "", `{"since": "`+modified.Add(-time.Hour).Format(time.RFC3339)+`"}`)
	if ro.status != http.StatusForbidden {
		t.Fatalf("read-only POST /api/v1/reconcile: %d %s, want 403", ro.status, ro.body)
	}
	if bad := postReconcile(t, b, adminToken, "alice", `{"sincе": "x"}`); bad.status != http.StatusBadRequest {
		t.Errorf("unknown field: %d %s, want 400", bad.status, bad.body)
	}

	r := postReconcile(t, b, adminToken, "alice", `{"since": "`+modified.Add(-time.Hour).Format(time.RFC3339)+`"}`)
	if r.status != http.StatusOK {
		t.Fatalf("POST /api/v1/reconcile: %d %s", r.status, r.body)
	}
	var rep reconcile.Report
	if err := json.Unmarshal(r.body, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Trigger != "api:alice" || rep.Counts[reconcile.MissingInGateway] != 1 || rep.Recovered != 1 {
		t.Fatalf("report %+v, want alice's run recovering 7001", rep)
	}
	b.waitState(t, order.Key{Storefront: bc1, ID: "7001"}, order.Confirmed)

	list := b.get(t, "/api/v1/reconcile/runs", readOnlyToken)
	if list.status != http.StatusOK || !strings.Contains(string(list.body), rep.ID) {
		t.Errorf("GET runs (read-only): %d %s, want the run listed", list.status, list.body)
	}
	one := b.get(t, "/api/v1/reconcile/runs/"+rep.ID, adminToken)
	if one.status != http.StatusOK || one.field(t, "id") != rep.ID {
		t.Errorf("GET the run: %d %s", one.status, one.body)
	}
	if none := b.get(t, "/api/v1/reconcile/runs/nope", adminToken); none.status != http.StatusNotFound {
		t.Errorf("GET an unknown run: %d, want 404", none.status)
	}
}

func postReconcile(t *testing.T, b *bundle, token, actor, body string) reply {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, b.srv.URL+"/api/v1/reconcile", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	if actor != "" {
		req.Header.Set(HeaderActor, actor)
	}
	return b.do(t, req)
}
