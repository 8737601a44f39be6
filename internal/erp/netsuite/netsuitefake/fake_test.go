package netsuitefake_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/erp/netsuite/netsuitefake"
)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func jsonEqual(t *testing.T, what string, want, got []byte) {
	t.Helper()
	var w, g any
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("%s: want: %v", what, err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: got %s: %v", what, got, err)
	}
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("%s (-published +fake):\n%s", what, diff)
	}
}

// The fake answers the requests Oracle publishes with the replies Oracle
// publishes for them.
func TestFake_AnswersPublishedRequestsAsPublished(t *testing.T) {
	t.Parallel()
	fake := netsuitefake.New(netsuitefake.Config{Account: "DEMO123", CustomerID: "110", StaticToken: "tok"})
	fake.SetStock("TEE", 5) // internal id 98, as in the published request
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	put := func(path string, body []byte, auth string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPut, srv.URL+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}

	resp := put("/services/rest/record/v1/salesOrder/eid:SO-1", fixture(t, "salesorder-create-request-orderStatus-B.json"), "Bearer tok")
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Location") != srv.URL+"/services/rest/record/v1/salesOrder/647" {
		t.Errorf("create = %d, Location %q; want 204 with the record's url", resp.StatusCode, resp.Header.Get("Location"))
	}
	if got := fake.Orders(); len(got) != 1 || got[0].Status != "B" || got[0].Lines[0].Committed != 1 {
		t.Errorf("orders = %+v, want one in B with its unit committed", got)
	}

	// The published invalid-item request names customer 107; make it
	// this account's customer so that only the item is wrong.
	invalid := bytes.Replace(fixture(t, "salesorder-create-request-invalid-item.json"), []byte(`"id": 107`), []byte(`"id": 110`), 1)
	resp = put("/services/rest/record/v1/salesOrder/eid:SO-2", invalid, "Bearer tok")
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("invalid item = %d, want 400", resp.StatusCode)
	}
	jsonEqual(t, "invalid item reply", fixture(t, "error-400-invalid-content-salesorder-item.json"), body)

	resp = put("/services/rest/record/v1/salesOrder/eid:SO-3", fixture(t, "salesorder-create-request-orderStatus-B.json"), "Bearer not-a-token")
	body, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("bad token = %d, want 401", resp.StatusCode)
	}
	jsonEqual(t, "invalid login reply", fixture(t, "error-401-invalid-login.json"), body)
	if !bytes.Equal(fixture(t, "error-401-invalid-login.json"), []byte(netsuitefake.InvalidLoginBody())) {
		t.Error("the fake's 401 body is not the published one byte for byte")
	}
}

// Customers: the upsert by external id creates once and then updates, GET
// reads by id or eid, SuiteQL finds by externalid or by e-mail in any case
// (active only, by id), and a OneWorld account refuses a new customer
// without a subsidiary.
func TestFake_CustomersUpsertGetAndSuiteQL(t *testing.T) {
	t.Parallel()
	fake := netsuitefake.New(netsuitefake.Config{Account: "DEMO123", StaticToken: "tok", RequireSubsidiary: true, Subsidiaries: []string{"1", "3"}})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	do := func(method, path, body string, header ...string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer tok")
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	const path = "/services/rest/record/v1/customer/eid:og-cust-1"
	resp, body := do(http.MethodPut, path, `{"isPerson": true, "firstName": "Ada", "lastName": "Buyer", "email": "Ada@Example.com"}`)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), `"o:errorPath": "subsidiary"`) || !strings.Contains(string(body), "Primary Subsidiary") {
		t.Fatalf("upsert without a subsidiary = %d %s, want 400 at subsidiary", resp.StatusCode, body)
	}
	for range 2 {
		resp, body = do(http.MethodPut, path, `{"isPerson": true, "firstName": "Ada", "lastName": "Buyer", "email": "Ada@Example.com", "subsidiary": {"id": "3"}}`)
		if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Location") != srv.URL+"/services/rest/record/v1/customer/1001" {
			t.Fatalf("upsert = %d %s, Location %q; want 204 naming customer 1001", resp.StatusCode, body, resp.Header.Get("Location"))
		}
	}
	if got := fake.Customers(); len(got) != 2 || got[1].ID != "1001" || got[1].Subsidiary != "3" {
		t.Fatalf("customers = %+v, want 107 and 1001 in subsidiary 3", got)
	}
	resp, body = do(http.MethodGet, path, "")
	var rec struct {
		ID         string `json:"id"`
		ExternalID string `json:"externalId"`
	}
	if json.Unmarshal(body, &rec); resp.StatusCode != http.StatusOK || rec.ID != "1001" || rec.ExternalID != "og-cust-1" {
		t.Errorf("GET by eid = %d %s", resp.StatusCode, body)
	}
	fake.AddCustomer(netsuitefake.Customer{IsPerson: true, FirstName: "Old", LastName: "Ada", Email: "ada@example.com", Inactive: true})
	fake.AddCustomer(netsuitefake.Customer{IsPerson: true, FirstName: "Ada", LastName: "Again", Email: "ADA@example.com"})
	query := func(q string) []string {
		t.Helper()
		b, _ := json.Marshal(map[string]string{"q": q})
		resp, body := do(http.MethodPost, "/services/rest/query/v1/suiteql?limit=1000&offset=0", string(b), "Prefer", "transient")
		var page struct{ Items []struct{ ID string } }
		if json.Unmarshal(body, &page); resp.StatusCode != http.StatusOK {
			t.Fatalf("%s = %d %s", q, resp.StatusCode, body)
		}
		var ids []string
		for _, it := range page.Items {
			ids = append(ids, it.ID)
		}
		return ids
	}
	if got := query("SELECT id FROM customer WHERE externalid = 'og-cust-1'"); !slices.Equal(got, []string{"1001"}) {
		t.Errorf("by externalid = %v", got)
	}
	if got := query("SELECT id FROM customer WHERE LOWER(email) = 'ada@example.com' AND isinactive = 'F' ORDER BY id"); !slices.Equal(got, []string{"1001", "1003"}) {
		t.Errorf("by e-mail = %v, want the active ones by id", got)
	}
	b, _ := json.Marshal(map[string]string{"q": "SELECT id FROM customer"})
	if resp, _ := do(http.MethodPost, "/services/rest/query/v1/suiteql", string(b), "Prefer", "transient"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a query the fake does not know = %d, want 400", resp.StatusCode)
	}
}

// The shippingAddress subrecord is recorded as written; its country, a
// select keyed by two-letter codes, takes the code as an id or as
// {"id": …} and refuses a name.
func TestFake_RecordsTheShippingAddress(t *testing.T) {
	t.Parallel()
	fake := netsuitefake.New(netsuitefake.Config{Account: "DEMO123", CustomerID: "110", StaticToken: "tok"})
	fake.SetStock("TEE", 5)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	put := func(eid, address string) int {
		t.Helper()
		body := `{"entity":{"id":"110"},"orderStatus":"B","shippingAddress":` + address + `,"item":{"items":[{"item":{"id":98},"quantity":1}]}}`
		req, _ := http.NewRequest(http.MethodPut, srv.URL+"/services/rest/record/v1/salesOrder/eid:"+eid, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer tok")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := put("a", `{"addressee":"Ann Lee","addr1":"1 High St","city":"Leeds","zip":"LS1 1AA","country":"GB","addrPhone":"0113 496 0000"}`); s != http.StatusNoContent {
		t.Fatalf("PUT = %d, want 204", s)
	}
	if s := put("b", `{"addr1":"2 High St","country":{"id":"GB"}}`); s != http.StatusNoContent {
		t.Fatalf("PUT with {id} = %d, want 204", s)
	}
	if s := put("c", `{"addr1":"3 High St","country":"United Kingdom"}`); s != http.StatusBadRequest {
		t.Fatalf("PUT with a country name = %d, want 400", s)
	}
	var got []*netsuitefake.Address
	for _, o := range fake.Orders() {
		got = append(got, o.ShipTo)
	}
	want := []*netsuitefake.Address{
		{Addressee: "Ann Lee", Addr1: "1 High St", City: "Leeds", Zip: "LS1 1AA", Country: "GB", AddrPhone: "0113 496 0000"},
		{Addr1: "2 High St", Country: "GB"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("shipping addresses (-want +got):\n%s", diff)
	}
}
