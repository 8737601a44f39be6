package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
)

func TestAPI_RequiresTheBearerToken(t *testing.T) {
	t.Parallel()
	b := setup(t, options{})
	tests := []struct {
		name   string
		header string // Authorization
		want   int
	}{
		{"NoTokenIs401", "", http.StatusUnauthorized},
		{"EmptyBearerIs401", "Bearer ", http.StatusUnauthorized},
		{"WrongTokenIs401", "Bearer not-the-token", http.StatusUnauthorized},
		{"TokenPrefixIs401", "Bearer " + adminToken[:len(adminToken)-1], http.StatusUnauthorized},
		{"OtherSchemeIs401", "Basic " + adminToken, http.StatusUnauthorized},
		{"RightTokenIs200", "Bearer " + adminToken, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, path := range []string{"/api/v1/orders", "/api/v1/orders/shop1/1"} {
				req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, b.srv.URL+path, nil)
				if err != nil {
					t.Fatal(err)
				}
				if tt.header != "" {
					req.Header.Set("Authorization", tt.header)
				}
				r := b.do(t, req)
				want := tt.want
				if path == "/api/v1/orders/shop1/1" && want == http.StatusOK {
					want = http.StatusNotFound // let in, and there is no such order
				}
				if r.status != want {
					t.Errorf("GET %s: %d %s, want %d", path, r.status, r.body, want)
				}
				if r.status == http.StatusUnauthorized && !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("GET %s: 401 without a Bearer challenge", path)
				}
			}
		})
	}
}

// listed is the shape of /api/v1/orders.
type listed struct {
	Orders []struct {
		OrderID string      `json:"order_id"`
		State   order.State `json:"state"`
	} `json:"orders"`
	Next string `json:"next"`
}

func TestAPI_ListOrdersFilters(t *testing.T) {
	t.Parallel()
	// One order the ERP takes and one it refuses (an unknown SKU).
	b := setup(t, options{erp: erpsim.Config{UnknownSKUs: []string{"IPOD2008RED"}}})
	var keys []order.Key
	for i, file := range []string{sample, "rest-order-get-450789469.json"} {
		body := readTestdata(t, file)
		if r := b.post(t, shop1, signed("orders/create", "evt-"+file, body, oldSecret), body); r.status != http.StatusOK {
			t.Fatalf("delivery %d: %d %s", i, r.status, r.body)
		}
		keys = append(keys, keyOf(t, shop1, body))
	}
	for _, k := range keys {
		b.waitSettled(t, k)
	}
	confirmed, rejected := keys[0].ID, keys[1].ID

	tests := []struct {
		query      string
		wantStatus int
		wantIDs    []string // newest first
		wantNext   bool
		wantError  string
	}{
		{"", http.StatusOK, []string{rejected, confirmed}, false, ""},
		{"?state=confirmed", http.StatusOK, []string{confirmed}, false, ""},
		{"?state=rejected", http.StatusOK, []string{rejected}, false, ""},
		{"?state=received", http.StatusOK, []string{}, false, ""},
		{"?storefront=shop2", http.StatusOK, []string{}, false, ""},
		{"?email=BOB.NORMAN@mail.example.com", http.StatusOK, []string{rejected}, false, ""},
		{"?limit=1", http.StatusOK, []string{rejected}, true, ""},
		{"?attention=true", http.StatusOK, []string{rejected}, false, ""},
		{"?attention=false", http.StatusOK, []string{rejected, confirmed}, false, ""},
		{"?overdue=true", http.StatusOK, []string{}, false, ""},
		{"?attention=yes", http.StatusBadRequest, nil, false, "attention"},
		{"?overdue=maybe", http.StatusBadRequest, nil, false, "overdue"},
		{"?state=bogus", http.StatusBadRequest, nil, false, "state"},
		{"?state=overdue", http.StatusBadRequest, nil, false, "state"},
		{"?limit=0", http.StatusBadRequest, nil, false, "limit"},
		{"?before=yesterday", http.StatusBadRequest, nil, false, "before"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			t.Parallel()
			r := b.get(t, "/api/v1/orders"+tt.query, adminToken)
			if r.status != tt.wantStatus {
				t.Fatalf("%d %s, want %d", r.status, r.body, tt.wantStatus)
			}
			if tt.wantError != "" {
				if !strings.HasPrefix(r.field(t, "error"), tt.wantError) {
					t.Errorf("error %q, want it to name %q", r.field(t, "error"), tt.wantError)
				}
				return
			}
			var got listed
			if err := json.Unmarshal(r.body, &got); err != nil {
				t.Fatalf("reply %s: %v", r.body, err)
			}
			ids := []string{}
			for _, o := range got.Orders {
				ids = append(ids, o.OrderID)
			}
			if diff := cmp.Diff(tt.wantIDs, ids); diff != "" {
				t.Errorf("order ids (-want +got):\n%s", diff)
			}
			if (got.Next != "") != tt.wantNext {
				t.Errorf("next %q, want one: %v", got.Next, tt.wantNext)
			}
		})
	}
	// The next page starts after the last order of this one.
	var first listed
	json.Unmarshal(b.get(t, "/api/v1/orders?limit=1", adminToken).body, &first)
	var second listed
	r := b.get(t, "/api/v1/orders?limit=1&before="+first.Next, adminToken)
	if err := json.Unmarshal(r.body, &second); err != nil || len(second.Orders) != 1 || second.Orders[0].OrderID != confirmed {
		t.Errorf("second page %d %s, want the confirmed order %s", r.status, r.body, confirmed)
	}
}

func TestAPI_GetOrderShowsStateLinesAndTheWholeTimeline(t *testing.T) {
	t.Parallel()
	// The first create meets a 503, so the timeline holds a failed attempt.
	b := setup(t, options{erpPlan: []erpsim.Faults{{ErrorRate: 1}}})
	body := readTestdata(t, sample)
	if r := b.post(t, shop1, signed("orders/create", "evt-1", body, oldSecret), body); r.status != http.StatusOK {
		t.Fatalf("delivery: %d %s", r.status, r.body)
	}
	key := keyOf(t, shop1, body)
	b.waitSettled(t, key)

	r := b.get(t, "/api/v1/orders/shop1/"+key.ID, adminToken)
	if r.status != http.StatusOK {
		t.Fatalf("%d %s, want 200", r.status, r.body)
	}
	// Read as raw JSON, so that the types on the wire are checked: ids and
	// money are strings, never floats that lose digits.
	var got struct {
		Storefront string           `json:"storefront"`
		OrderID    string           `json:"order_id"`
		State      string           `json:"state"`
		Total      json.RawMessage  `json:"total"`
		ExternalID string           `json:"external_id"`
		ERPRef     string           `json:"erp_ref"`
		Attempts   int              `json:"erp_attempts"`
		Attention  string           `json:"attention"`
		Lines      []map[string]any `json:"lines"`
		Timeline   []order.Event    `json:"timeline"`
	}
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatalf("reply %s: %v", r.body, err)
	}
	erpOrders := b.sim.Records().OrdersFor(key.ExternalID())
	if len(erpOrders) != 1 {
		t.Fatalf("erp holds %d orders, want 1", len(erpOrders))
	}
	if got.Storefront != shop1 || got.OrderID != "820982911946154508" || got.State != "confirmed" ||
		got.ExternalID != key.ExternalID() || got.ERPRef != erpOrders[0].Ref || got.Attempts != 2 || got.Attention != "" {
		t.Errorf("order %s/%s state %s external id %s erp ref %q attempts %d attention %q; want shop1/820982911946154508 confirmed %s %q 2 \"\"",
			got.Storefront, got.OrderID, got.State, got.ExternalID, got.ERPRef, got.Attempts, got.Attention, key.ExternalID(), erpOrders[0].Ref)
	}
	if string(got.Total) != `"359.97"` {
		t.Errorf("total %s, want the decimal string \"359.97\"", got.Total)
	}
	wantLines := []map[string]any{
		{"line_id": "487817672276298554", "sku": "SKU2006-001", "title": "Aviator sunglasses", "quantity": 1.0, "price": "89.99", "validated": 1.0},
		{"line_id": "976318377106520349", "sku": "SKU2006-020", "title": "Mid-century lounger", "quantity": 1.0, "price": "159.99", "validated": 1.0},
		{"line_id": "315789986012684393", "sku": "SKU2006-035", "title": "Coffee table", "quantity": 1.0, "price": "119.99", "validated": 1.0},
	}
	if diff := cmp.Diff(wantLines, got.Lines); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}

	var gotKinds []order.EventKind
	for _, e := range got.Timeline {
		gotKinds = append(gotKinds, e.Kind)
		if e.At.IsZero() {
			t.Errorf("timeline entry %s has no time", e.Kind)
		}
	}
	wantKinds := []order.EventKind{
		order.EventReceived, order.EventSubmitAttempt, order.EventSubmitFailed, order.EventSubmitAttempt, order.EventLookup,
		order.EventSubmitted, order.EventAcknowledged, order.EventNotifyAttempt, order.EventNotified, order.EventConfirmed,
	}
	if diff := cmp.Diff(wantKinds, gotKinds); diff != "" {
		t.Fatalf("timeline kinds (-want +got):\n%s", diff)
	}
	if failed := got.Timeline[2]; failed.Attempt != 1 || !strings.Contains(failed.Error, "http 503") {
		t.Errorf("failed attempt shown as %+v, want attempt 1 with the erp's 503", failed)
	}
}

func TestAPI_UnknownOrderIs404(t *testing.T) {
	t.Parallel()
	b := setup(t, options{})
	for _, path := range []string{"/api/v1/orders/shop1/1", "/api/v1/orders/nope/1"} {
		r := b.get(t, path, adminToken)
		if r.status != http.StatusNotFound || !strings.Contains(r.field(t, "error"), "/1") {
			t.Errorf("GET %s: %d %s, want 404 naming the order", path, r.status, r.body)
		}
	}
}

func TestHealth_ReadyOnlyWhileTheStoreAnswers(t *testing.T) {
	t.Parallel()
	b := setup(t, options{})
	tests := []struct {
		path      string
		open      int // with the store open
		afterStop int // once it is closed
	}{
		{"/healthz", http.StatusOK, http.StatusOK},
		{"/readyz", http.StatusOK, http.StatusServiceUnavailable},
	}
	for _, tt := range tests {
		if r := b.get(t, tt.path, ""); r.status != tt.open {
			t.Errorf("GET %s with the store open: %d %s, want %d", tt.path, r.status, r.body, tt.open)
		}
	}
	b.closeStore(t)
	for _, tt := range tests {
		if r := b.get(t, tt.path, ""); r.status != tt.afterStop {
			t.Errorf("GET %s with the store closed: %d %s, want %d", tt.path, r.status, r.body, tt.afterStop)
		}
	}
}

// An order past its SLA and unsettled is listed as overdue and shown so;
// one that settled is not, whatever happened on the way.
func TestAPI_ListsOverdueOrdersAndShowsWhenTheyBecameSo(t *testing.T) {
	t.Parallel()
	// The ERP leaves one order pending for an hour and refuses the other
	// (an unknown SKU); the SLA passes at once.
	b := setup(t, options{erp: erpsim.Config{AckDelay: time.Hour, UnknownSKUs: []string{"IPOD2008RED"}}, ackPoll: time.Hour, sla: time.Millisecond})
	pending, refused := b.deliver(t, sample), b.deliver(t, rest)
	b.waitFor(t, pending, "submitted and overdue", func(o *order.Order) bool { return o.State() == order.Submitted && o.Overdue() })
	b.waitSettled(t, refused)

	var got listed
	r := b.get(t, "/api/v1/orders?overdue=true", adminToken)
	if err := json.Unmarshal(r.body, &got); err != nil || r.status != http.StatusOK {
		t.Fatalf("reply %d %s: %v", r.status, r.body, err)
	}
	if len(got.Orders) != 1 || got.Orders[0].OrderID != pending.ID {
		t.Errorf("overdue orders %+v, want only %s", got.Orders, pending.ID)
	}

	type shown struct {
		State     order.State `json:"state"`
		Overdue   *bool       `json:"overdue"`
		OverdueAt *time.Time  `json:"overdue_at"`
	}
	for _, tt := range []struct {
		key         order.Key
		wantState   order.State
		wantOverdue bool
	}{
		{pending, order.Submitted, true},
		{refused, order.Rejected, false},
	} {
		var o shown
		r := b.get(t, "/api/v1/orders/"+tt.key.Storefront+"/"+tt.key.ID, adminToken)
		if err := json.Unmarshal(r.body, &o); err != nil {
			t.Fatalf("reply %d %s: %v", r.status, r.body, err)
		}
		if o.State != tt.wantState || o.Overdue == nil || *o.Overdue != tt.wantOverdue {
			t.Errorf("order %s shown %s overdue %v, want %s overdue %v", tt.key, o.State, o.Overdue, tt.wantState, tt.wantOverdue)
		}
		if tt.wantOverdue && (o.OverdueAt == nil || o.OverdueAt.IsZero()) {
			t.Errorf("overdue order %s shown without overdue_at", tt.key)
		}
	}
}
