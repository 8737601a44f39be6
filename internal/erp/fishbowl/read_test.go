package fishbowl_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/erp/fishbowl"
	"github.com/ordergate/ordergate/internal/erp/fishbowl/fishbowlfake"
)

func TestLookup_EachFishbowlStatusMapsToAReceipt(t *testing.T) {
	t.Parallel()
	cases := []struct {
		status    int
		want      erp.Status
		validated int
		reason    string
	}{
		{10, erp.StatusPending, 0, ""}, // Estimate: recorded, not issued
		{20, erp.StatusAcknowledged, 2, ""},
		{25, erp.StatusAcknowledged, 2, ""},
		{60, erp.StatusAcknowledged, 2, ""}, // Fulfilled: shipped
		{80, erp.StatusCancelled, 0, "the sales order is void in Fishbowl"},
		{85, erp.StatusCancelled, 0, "the sales order is cancelled in Fishbowl"},
		{90, erp.StatusRejected, 0, "the sales order expired in Fishbowl"},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.status), func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			b.fake.SetStock("A", 5)
			b.fake.AddSalesOrder(fishbowlfake.SalesOrder{Number: "og-shop-1", Status: 20, CustomerName: "Ada",
				Items: []fishbowlfake.Item{{ProductNumber: "A", Quantity: decimal.NewFromInt(2)}}})
			b.fake.SetStatus("og-shop-1", c.status)

			got, err := b.client.Lookup(t.Context(), "og-shop-1")
			if err != nil {
				t.Fatalf("Lookup: %v", err)
			}
			want := erp.Receipt{Ref: "og-shop-1", ExternalID: "og-shop-1", Status: c.want, Reason: c.reason,
				Lines: []erp.Line{{SKU: "A", Ordered: 2, Validated: c.validated}}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("receipt (-want +got):\n%s", diff)
			}
		})
	}
}

// docServer serves Fishbowl's documented replies: the login and inventory
// examples of its API pages, and a sales order as a newer server may name
// its status and types, with quantities as strings.
func docServer(t *testing.T) *httptest.Server {
	t.Helper()
	read := func(name string) []byte {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	login, inventory := read("login-response.json"), read("inventory-search.json")
	mux := http.NewServeMux()
	reply := func(body []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/api/login" && r.Header.Get("Authorization") != "Bearer 7dd6bcf7-5e92-4c25-86c9-54af4a831d54" {
				w.WriteHeader(http.StatusUnauthorized)
				w.Write(read("error-401-invalid-token.json"))
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.Write(body)
		}
	}
	mux.Handle("POST /api/login", reply(login))
	mux.Handle("POST /api/logout", reply(nil))
	mux.Handle("GET /api/parts/inventory", reply(inventory))
	mux.Handle("GET /api/sales-orders", reply([]byte(`{"totalCount":2,"totalPages":1,"pageNumber":1,"pageSize":100,"results":[
		{"id":6,"number":"og-s-10","status":"Issued"},{"id":7,"number":"og-s-1","status":"Issued"}]}`)))
	mux.Handle("GET /api/sales-orders/7", reply([]byte(`{"id":7,"number":"og-s-1","status":"Issued","items":[
		{"productNumber":"B201","quantity":"2","itemType":"Sale"},
		{"productNumber":"C201","quantity":"60.0","itemType":10},
		{"productNumber":"SHIP","quantity":"1","itemType":"Shipping"}]}`)))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func docClient(t *testing.T, srv *httptest.Server) *fishbowl.Client {
	t.Helper()
	c, err := fishbowl.New(fishbowl.Config{BaseURL: srv.URL, Username: "JohnSmith", Password: "password12345",
		AppName: "App Name", AppID: "12345", Timeout: time.Second, HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(t.Context()) })
	return c
}

func TestAvailability_ReadsFishbowlsDocumentedInventoryReply(t *testing.T) {
	t.Parallel()
	c := docClient(t, docServer(t))
	got, err := c.Availability(t.Context(), []string{"B201", "RF201", "F20", "NOPE"})
	if err != nil {
		t.Fatalf("Availability: %v", err)
	}
	// The server ignores the number filter and sends every row: only
	// exact part numbers count, and each SKU is summed once.
	if diff := cmp.Diff(map[string]int{"B201": 242, "RF201": 56}, got); diff != "" {
		t.Errorf("Availability (-want +got):\n%s", diff)
	}
}

func TestLookup_ReadsStatusNamesAndQuantitiesAsStrings(t *testing.T) {
	t.Parallel()
	c := docClient(t, docServer(t))
	got, err := c.Lookup(t.Context(), "og-s-1")
	if err != nil {
		t.Fatalf("Lookup: %v", err)
	}
	want := erp.Receipt{Ref: "og-s-1", ExternalID: "og-s-1", Status: erp.StatusAcknowledged, Lines: []erp.Line{
		{SKU: "B201", Ordered: 2, Validated: 2},
		{SKU: "C201", Ordered: 60, Validated: 60}, // 46 left after the order's 60
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("receipt (-want +got):\n%s", diff)
	}
}

func TestAvailability_ManySKUsReadTheWholeInventoryPageByPage(t *testing.T) {
	t.Parallel()
	b := setup(t, func(fc *fishbowlfake.Config, _ *fishbowl.Config) { fc.MaxPageSize = 7 })
	var skus []string
	want := map[string]int{}
	for i := range 30 {
		sku := fmt.Sprintf("P-%02d", i)
		b.fake.SetStock(sku, i)
		if i%3 != 0 {
			skus = append(skus, sku)
			want[sku] = i
		}
	}
	skus = append(skus, "NOPE")

	got, err := b.client.Availability(t.Context(), skus)
	if err != nil {
		t.Fatalf("Availability: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Availability (-want +got):\n%s", diff)
	}
	var pages int
	for _, r := range b.fake.Requests() {
		if r.Path != "/api/parts/inventory" {
			continue
		}
		pages++
		if strings.Contains(r.RawQuery, "number=") || !strings.Contains(r.RawQuery, "includeZeroQuantities=true") {
			t.Errorf("inventory query %q: want the whole inventory, zero quantities included", r.RawQuery)
		}
	}
	if pages != 5 { // 30 parts at 7 a page
		t.Errorf("read %d pages, want 5", pages)
	}
}

func TestAvailability_OfNoSKUsCallsNothing(t *testing.T) {
	t.Parallel()
	b := setup(t)
	got, err := b.client.Availability(t.Context(), nil)
	if err != nil || len(got) != 0 {
		t.Fatalf("Availability(nil) = %v, %v; want empty", got, err)
	}
	if n := len(b.fake.Requests()); n != 0 {
		t.Errorf("sent %d requests, want none (no session, no seat)", n)
	}
}
