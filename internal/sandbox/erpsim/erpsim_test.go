package erpsim_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
)

func serve(t *testing.T, cfg erpsim.Config) (*erpsim.ERP, *httptest.Server) {
	t.Helper()
	sim := erpsim.New(cfg)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	t.Cleanup(sim.Close)
	return sim, srv
}

// call sends one request and returns the status and the body decoded as a
// generic JSON value.
func call(t *testing.T, srv *httptest.Server, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s %s: reply %q is not a JSON object: %v", method, path, b, err)
	}
	return resp.StatusCode, v
}

func TestAPI_RepliesAsDocumented(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		method string
		path   string
		body   string
		status int
		code   string // the error body's code, if an error
	}{
		{"MalformedBodyIs400", "POST", "/v1/sales-orders", `{"external_id": `, 400, erpsim.CodeMalformed},
		{"FractionalQuantityIs400", "POST", "/v1/sales-orders", `{"external_id":"x","lines":[{"sku":"A","quantity":1.5}]}`, 400, erpsim.CodeMalformed},
		{"MissingExternalIDIs422", "POST", "/v1/sales-orders", `{"lines":[{"sku":"A","quantity":1}]}`, 422, erpsim.CodeInvalidRequest},
		{"UnknownSKUIs422", "POST", "/v1/sales-orders", `{"external_id":"x","lines":[{"sku":"NOPE","quantity":1}]}`, 422, erpsim.CodeUnknownSKU},
		{"NotEnoughStockIs422", "POST", "/v1/sales-orders", `{"external_id":"x","lines":[{"sku":"A","quantity":4}]}`, 422, erpsim.CodeInsufficientStock},
		{"CreateIs201", "POST", "/v1/sales-orders", `{"external_id":"x","customer_email":"a@example.com","lines":[{"sku":"A","quantity":3}]}`, 201, ""},
		{"LookupOfNothingIs404", "GET", "/v1/sales-orders?external_id=none", "", 404, erpsim.CodeNotFound},
		{"LookupWithoutExternalIDIs400", "GET", "/v1/sales-orders", "", 400, erpsim.CodeInvalidRequest},
		{"AvailabilityIs200", "GET", "/v1/availability?sku=A", "", 200, ""},
		{"RecordsIs200", "GET", "/v1/records", "", 200, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			sim, srv := serve(t, erpsim.Config{Stock: map[string]int{"A": 3}})
			status, body := call(t, srv, c.method, c.path, c.body)
			if status != c.status {
				t.Errorf("status = %d, want %d (body %v)", status, c.status, body)
			}
			if got, _ := body["code"].(string); got != c.code {
				t.Errorf("code = %q, want %q", got, c.code)
			}
			if c.status != 201 && len(sim.Orders()) != 0 {
				t.Errorf("orders created: %v", sim.Orders())
			}
		})
	}
}

func TestCreate_ReplyHasTheReceiptShape(t *testing.T) {
	t.Parallel()
	_, srv := serve(t, erpsim.Config{})
	status, got := call(t, srv, "POST", "/v1/sales-orders", `{"external_id":"og-s-1","lines":[{"sku":"A","quantity":2}]}`)
	if status != 201 {
		t.Fatalf("status = %d", status)
	}
	if _, ok := got["ship_by"].(string); !ok {
		t.Errorf("ship_by missing in %v", got)
	}
	delete(got, "ship_by")
	want := map[string]any{
		"ref": "SO-000001", "external_id": "og-s-1", "status": "acknowledged",
		"lines": []any{map[string]any{"sku": "A", "ordered": 2.0, "validated": 2.0}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("receipt (-want +got):\n%s", diff)
	}
}

func TestAvailability_OmitsUnknownSKUs(t *testing.T) {
	t.Parallel()
	_, srv := serve(t, erpsim.Config{Stock: map[string]int{"A": 10, "B": 0}, UnknownSKUs: []string{"B"}})
	_, got := call(t, srv, "GET", "/v1/availability?sku=A&sku=B&sku=C", "")
	if diff := cmp.Diff(map[string]any{"A": 10.0}, got); diff != "" {
		t.Errorf("availability (-want +got):\n%s", diff)
	}
}

func TestFaults_SameSeedGivesSameOutcomes(t *testing.T) {
	t.Parallel()
	outcomes := func() []int {
		_, srv := serve(t, erpsim.Config{Seed: 7, Faults: erpsim.Faults{ErrorRate: 0.3, ThrottleRate: 0.3}})
		var out []int
		for range 30 {
			status, _ := call(t, srv, "POST", "/v1/sales-orders", `{"external_id":"x","lines":[{"sku":"A","quantity":1}]}`)
			out = append(out, status)
		}
		return out
	}
	first, second := outcomes(), outcomes()
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("two runs with seed 7 differ (-first +second):\n%s", diff)
	}
}

func TestSetFaults_AppliesFromTheNextRequest(t *testing.T) {
	t.Parallel()
	sim, srv := serve(t, erpsim.Config{})
	body := `{"external_id":"x","lines":[{"sku":"A","quantity":1}]}`
	if status, _ := call(t, srv, "POST", "/v1/sales-orders", body); status != 201 {
		t.Fatalf("status before faults = %d, want 201", status)
	}
	sim.SetFaults(erpsim.Faults{ErrorRate: 1})
	if status, _ := call(t, srv, "POST", "/v1/sales-orders", body); status != 503 {
		t.Errorf("status with ErrorRate 1 = %d, want 503", status)
	}
	if got := sim.Faults(); got != (erpsim.FaultCounts{Error: 1}) {
		t.Errorf("faults = %+v, want 1 error", got)
	}
	if got := sim.Requests(); got != (erpsim.RequestCounts{Create: 2}) {
		t.Errorf("requests = %+v, want 2 creates", got)
	}
}

func TestAPIKey_RequiredWhenSet(t *testing.T) {
	t.Parallel()
	_, srv := serve(t, erpsim.Config{APIKey: "k"})
	if status, body := call(t, srv, "GET", "/v1/records", ""); status != 401 || body["code"] != erpsim.CodeUnauthorized {
		t.Errorf("without a key: %d %v, want 401 %s", status, body, erpsim.CodeUnauthorized)
	}
	if _, err := erpsim.FetchRecords(t.Context(), srv.Client(), srv.URL, "k"); err != nil {
		t.Errorf("FetchRecords with the key: %v", err)
	}
}

func TestPlanFaults_SwitchesAfterEachCreateThenClears(t *testing.T) {
	t.Parallel()
	sim, srv := serve(t, erpsim.Config{})
	sim.PlanFaults(erpsim.Faults{}, erpsim.Faults{ErrorRate: 1})
	body := `{"external_id":"x","lines":[{"sku":"A","quantity":1}]}`
	steps := []struct {
		method, path string
		want         int
	}{
		{"GET", "/v1/sales-orders?external_id=x", 404}, // plan[0]: no faults; a read does not advance the plan
		{"POST", "/v1/sales-orders", 201},              // the first create, under plan[0]
		{"GET", "/v1/sales-orders?external_id=x", 503}, // plan[1] applies to reads too
		{"POST", "/v1/sales-orders", 503},              // the second create, under plan[1]
		{"GET", "/v1/sales-orders?external_id=x", 200}, // the plan has run out: no faults
	}
	for i, s := range steps {
		b := ""
		if s.method == "POST" {
			b = body
		}
		if status, _ := call(t, srv, s.method, s.path, b); status != s.want {
			t.Fatalf("step %d: %s %s = %d, want %d", i, s.method, s.path, status, s.want)
		}
	}
}

func TestClock_StandsStillUntilAdvanced(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)
	c := erpsim.NewClock(t0)
	if !c.Now().Equal(t0) {
		t.Fatalf("Now = %v, want %v", c.Now(), t0)
	}
	c.Advance(time.Hour)
	if want := t0.Add(time.Hour); !c.Now().Equal(want) {
		t.Fatalf("after Advance: %v, want %v", c.Now(), want)
	}
}

// The ship-to a create carries is kept in the order's record, in the
// records served to another process too; a create without one, or with an
// empty one, records none.
func TestCreate_RecordsTheShipTo(t *testing.T) {
	t.Parallel()
	sim, srv := serve(t, erpsim.Config{Stock: map[string]int{"A": 9}})
	bodies := []string{
		`{"external_id":"og-s-1","ship_to":{"name":"Ann Lee","company":"Lee Ltd","line1":"1 High St","line2":"Flat 2","city":"Leeds","region":"West Yorkshire","postal_code":"LS1 1AA","country":"United Kingdom","country_code":"GB","phone":"0113 496 0000"},"lines":[{"sku":"A","quantity":1}]}`,
		`{"external_id":"og-s-2","lines":[{"sku":"A","quantity":1}]}`,
		`{"external_id":"og-s-3","ship_to":{},"lines":[{"sku":"A","quantity":1}]}`,
	}
	for _, b := range bodies {
		if status, body := call(t, srv, "POST", "/v1/sales-orders", b); status != 201 {
			t.Fatalf("create %s = %d %v", b, status, body)
		}
	}
	want := []*erpsim.Address{
		{Name: "Ann Lee", Company: "Lee Ltd", Line1: "1 High St", Line2: "Flat 2", City: "Leeds", Region: "West Yorkshire",
			PostalCode: "LS1 1AA", Country: "United Kingdom", CountryCode: "GB", Phone: "0113 496 0000"},
		nil,
		nil,
	}
	var got []*erpsim.Address
	for _, o := range sim.Orders() {
		got = append(got, o.ShipTo)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ship-tos recorded (-want +got):\n%s", diff)
	}
	recs, err := erpsim.FetchRecords(t.Context(), srv.Client(), srv.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want[0], recs.Orders[0].ShipTo); diff != "" {
		t.Errorf("ship-to in /v1/records (-want +got):\n%s", diff)
	}
}

func TestCalls_RecordEachRequestWithItsFaultAndStatus(t *testing.T) {
	t.Parallel()
	sim, srv := serve(t, erpsim.Config{})
	sim.PlanFaults(erpsim.Faults{ErrorRate: 1}, erpsim.Faults{ThrottleRate: 1, RetryAfter: time.Millisecond}, erpsim.Faults{})
	body := `{"external_id":"og-shop1-1","lines":[{"sku":"A","quantity":1}]}`
	for _, want := range []int{503, 429, 201} {
		if got, _ := call(t, srv, "POST", "/v1/sales-orders", body); got != want {
			t.Fatalf("create: status %d, want %d", got, want)
		}
	}
	call(t, srv, "GET", "/v1/sales-orders?external_id=og-shop1-1", "")
	call(t, srv, "GET", "/v1/sales-orders?external_id=og-shop1-2", "")
	call(t, srv, "POST", "/v1/sales-orders/cancel?external_id=og-shop1-1", `{"reason":"customer"}`)

	type row struct {
		Op, ExternalID string
		Status         int
		Fault          string
		Failed         bool
	}
	var got []row
	for _, c := range sim.Records().Calls {
		if c.At.IsZero() {
			t.Errorf("call %+v has no time", c)
		}
		got = append(got, row{c.Op, c.ExternalID, c.Status, c.Fault, c.Failed()})
	}
	want := []row{
		{erpsim.OpCreate, "og-shop1-1", 503, erpsim.FaultError, true},
		{erpsim.OpCreate, "og-shop1-1", 429, erpsim.FaultThrottle, true},
		{erpsim.OpCreate, "og-shop1-1", 201, "", false},
		{erpsim.OpLookup, "og-shop1-1", 200, "", false},
		{erpsim.OpLookup, "og-shop1-2", 404, "", false},
		{erpsim.OpCancel, "og-shop1-1", 200, "", false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

func TestCalls_AnInDoubtCreateIsRecordedWithTheReplyItLost(t *testing.T) {
	t.Parallel()
	sim, srv := serve(t, erpsim.Config{Faults: erpsim.Faults{InDoubtRate: 1}})
	for range 6 {
		req, _ := http.NewRequest("POST", srv.URL+"/v1/sales-orders", strings.NewReader(`{"external_id":"og-shop1-1","lines":[{"sku":"A","quantity":1}]}`))
		if resp, err := srv.Client().Do(req); err == nil {
			resp.Body.Close()
		}
	}
	calls := sim.Records().Calls
	if len(calls) != 6 {
		t.Fatalf("%d calls recorded, want 6", len(calls))
	}
	for _, c := range calls {
		if c.Fault != erpsim.FaultInDoubt || (c.Status != 0 && c.Status != 500) || !c.Failed() {
			t.Errorf("call %+v: want an in-doubt fault with status 500 or none", c)
		}
	}
}
