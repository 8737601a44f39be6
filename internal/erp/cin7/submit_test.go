package cin7_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/erp/cin7"
	"github.com/ordergate/ordergate/internal/erp/cin7/cin7fake"
)

// Cin7 backorders silently what it cannot allocate, and the sale comes back
// BACKORDERED: that is an acknowledgment with the short line marked, never a
// clean one.
func TestSubmit_BackorderedSaleIsAcknowledgedWithShortLines(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.erp.SetStockAt("A", "Main Warehouse", 1)
	b.erp.SetStockAt("A", "Second Warehouse", 1)
	b.erp.SetStock("B", 5)

	rc, err := b.client.Submit(t.Context(), testOrder("1", "A", 5, "B", 2))
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	if rc.Status != erp.StatusAcknowledged {
		t.Errorf("status = %q, want acknowledged", rc.Status)
	}
	want := []erp.Line{
		{SKU: "A", Ordered: 5, Validated: 2, Short: erp.ShortBackordered},
		{SKU: "B", Ordered: 2, Validated: 2},
	}
	if diff := cmp.Diff(want, rc.Lines); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	if got := rc.Ack().Validated; got["A"] != 2 || got["B"] != 2 {
		t.Errorf("Ack().Validated = %v, want A 2, B 2", got)
	}
	sales := b.erp.Sales()
	if len(sales) != 1 || sales[0].Status != "BACKORDERED" || sales[0].Backordered["A"] != 3 {
		t.Errorf("the fake holds %+v, want one BACKORDERED sale with 3 of A on backorder", sales)
	}
}

// The requests Submit sends: look up first, create the sale with the quote
// skipped and our external id, authorise its order with the lines, read it
// back.
func TestSubmit_CreatesTheSaleSkippingTheQuoteThenAuthorisesItsOrder(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	bodies := map[string]map[string]any{}
	b := setupWrapped(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost {
				raw, _ := io.ReadAll(r.Body)
				var v map[string]any
				d := json.NewDecoder(bytes.NewReader(raw))
				d.UseNumber()
				d.Decode(&v)
				mu.Lock()
				bodies[strings.ToLower(r.URL.Path)] = v
				mu.Unlock()
				r.Body = io.NopCloser(bytes.NewReader(raw))
			}
			next.ServeHTTP(w, r)
		})
	}, func(_ *cin7fake.Config, c *cin7.Config) { c.TaxRule = "Tax Exempt" })
	b.erp.SetStock("A", 10)
	o := testOrder("1001", "A", 2)
	o.Lines[0].Price = mustDecimal("19.99")

	rc, err := b.client.Submit(t.Context(), o)
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	wantCalls := []string{"GET /salelist", "POST /sale", "POST /sale/order", "GET /sale"}
	if diff := cmp.Diff(wantCalls, requests(b.erp)); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	s := bodies["/externalapi/v2/sale"]
	wantSale := map[string]any{
		"Customer": "Ada Buyer", "Email": "ada@example.com", "SkipQuote": true,
		"ExternalID": "og-shop-1001", "CustomerReference": "#1001", "TaxRule": "Tax Exempt",
	}
	if diff := cmp.Diff(wantSale, s); diff != "" {
		t.Errorf("POST /sale body (-want +got):\n%s", diff)
	}
	ord := bodies["/externalapi/v2/sale/order"]
	wantOrder := map[string]any{
		"SaleID": rc.Ref, "Status": "AUTHORISED",
		"Lines": []any{map[string]any{
			"SKU": "A", "Name": "Item A", "Quantity": json.Number("2"), "Price": json.Number("19.99"),
			"Discount": json.Number("0"), "Tax": json.Number("0"), "TaxRule": "Tax Exempt", "Total": json.Number("39.98"),
		}},
		"TotalBeforeTax": json.Number("39.98"), "Tax": json.Number("0"), "Total": json.Number("39.98"),
	}
	if diff := cmp.Diff(wantOrder, ord); diff != "" {
		t.Errorf("POST /sale/order body (-want +got):\n%s", diff)
	}
}

// A configured customer takes the sale, with the order's customer as its
// contact.
func TestSubmit_ConfiguredCustomerTakesTheSale(t *testing.T) {
	t.Parallel()
	var got struct{ Customer, Contact string }
	b := setupWrapped(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && strings.EqualFold(r.URL.Path, cin7fake.Prefix+"/sale") {
				raw, _ := io.ReadAll(r.Body)
				json.Unmarshal(raw, &got)
				r.Body = io.NopCloser(bytes.NewReader(raw))
			}
			next.ServeHTTP(w, r)
		})
	}, func(_ *cin7fake.Config, c *cin7.Config) { c.Customer = "Web Store" })
	b.erp.SetStock("A", 1)
	if _, err := b.client.Submit(t.Context(), testOrder("1", "A", 1)); err != nil {
		t.Fatalf("Submit: %v", err)
	}
	if got.Customer != "Web Store" || got.Contact != "Ada Buyer" {
		t.Errorf("sale made out to %+v, want customer Web Store, contact Ada Buyer", got)
	}
}

// The client stops between creating the sale and authorising its order
// (here: the reply to POST /sale is lost). Lookup then finds the draft and
// says pending; the next Submit authorises that sale instead of making a
// second.
func TestSubmit_LostSaleReplyIsPendingUntilSubmitFinishesIt(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.erp.SetStock("A", 10)
	o := testOrder("1", "A", 2)
	b.erp.LoseNextReply(cin7fake.PathSale)

	_, err := b.client.Submit(t.Context(), o)
	var e *erp.Error
	if !errors.As(err, &e) || !errors.Is(err, erp.ErrInDoubt) {
		t.Fatalf("Submit whose reply was lost: %v, want an *erp.Error that is ErrInDoubt", err)
	}
	draft, err := b.client.Lookup(t.Context(), o.Key.ExternalID())
	if err != nil {
		t.Fatalf("Lookup of the draft: %v", err)
	}
	if draft.Status != erp.StatusIncomplete || draft.Ref == "" || len(draft.Lines) != 0 {
		t.Errorf("Lookup of the draft = %+v, want pending with its ref and no lines", draft)
	}
	if n, _ := b.erp.Available("A"); n != 10 {
		t.Errorf("available = %d, want 10: a draft reserves nothing", n)
	}

	before := len(b.erp.Requests())
	rc, err := b.client.Submit(t.Context(), o)
	if err != nil {
		t.Fatalf("second Submit: %v", err)
	}
	if rc.Status != erp.StatusAcknowledged || rc.Ref != draft.Ref {
		t.Errorf("second Submit = %+v, want acknowledged under the draft's ref %s", rc, draft.Ref)
	}
	wantCalls := []string{"GET /salelist", "GET /sale", "POST /sale/order", "GET /sale"}
	if diff := cmp.Diff(wantCalls, requests(b.erp)[before:]); diff != "" {
		t.Errorf("second Submit's requests (-want +got):\n%s", diff)
	}
	if sales := b.erp.Sales(); len(sales) != 1 || sales[0].Status != "ORDERED" {
		t.Errorf("the fake holds %+v, want the one sale, ORDERED", sales)
	}
	if n, _ := b.erp.Available("A"); n != 8 {
		t.Errorf("available = %d, want 8", n)
	}
}

// A lost reply to the authorisation: the next Submit adopts the order as
// Cin7 holds it and reserves nothing twice.
func TestSubmit_LostOrderReplyThenSubmitAdoptsTheOrder(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.erp.SetStock("A", 10)
	o := testOrder("1", "A", 2)
	b.erp.LoseNextReply(cin7fake.PathSaleOrder)
	if _, err := b.client.Submit(t.Context(), o); !errors.Is(err, erp.ErrInDoubt) {
		t.Fatalf("Submit: %v, want ErrInDoubt", err)
	}
	before := len(b.erp.Requests())
	rc, err := b.client.Submit(t.Context(), o)
	if err != nil || rc.Status != erp.StatusAcknowledged {
		t.Fatalf("second Submit = %+v, %v; want acknowledged", rc, err)
	}
	if diff := cmp.Diff([]string{"GET /salelist", "GET /sale"}, requests(b.erp)[before:]); diff != "" {
		t.Errorf("second Submit's requests (-want +got):\n%s", diff)
	}
	if n, _ := b.erp.Available("A"); n != 8 || len(b.erp.Sales()) != 1 {
		t.Errorf("available %d with %d sales, want 8 with 1", n, len(b.erp.Sales()))
	}
}

// A timeout on the authorisation is in doubt too, and says it timed out.
func TestSubmit_TimeoutOnTheOrderIsInDoubt(t *testing.T) {
	t.Parallel()
	b := setupWrapped(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && strings.HasSuffix(strings.ToLower(r.URL.Path), "/sale/order") {
				next.ServeHTTP(httptestDiscard{}, r) // Cin7 commits …
				<-r.Context().Done()                 // … and answers too late
				return
			}
			next.ServeHTTP(w, r)
		})
	}, func(_ *cin7fake.Config, c *cin7.Config) { c.Timeout = 200 * time.Millisecond })
	b.erp.SetStock("A", 10)
	o := testOrder("1", "A", 2)
	_, err := b.client.Submit(t.Context(), o)
	if !errors.Is(err, erp.ErrInDoubt) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Submit: %v, want ErrInDoubt wrapping the deadline", err)
	}
	rc, err := b.client.Lookup(t.Context(), o.Key.ExternalID())
	if err != nil || rc.Status != erp.StatusAcknowledged {
		t.Errorf("Lookup = %+v, %v; want the order acknowledged", rc, err)
	}
}

// httptestDiscard is a ResponseWriter that throws the reply away.
type httptestDiscard struct{}

func (httptestDiscard) Header() http.Header         { return http.Header{} }
func (httptestDiscard) Write(b []byte) (int, error) { return len(b), nil }
func (httptestDiscard) WriteHeader(int)             {}

// Cin7 refuses an order with a SKU it does not know. Submit finds which,
// voids the sale so that nothing half-made stays live, and rejects.
func TestSubmit_UnknownSKUVoidsTheSaleAndRejects(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.erp.SetStock("A", 10)
	o := testOrder("1", "A", 1, "GHOST", 1, "GHOST", 2)

	_, err := b.client.Submit(t.Context(), o)
	var e *erp.Error
	if !errors.As(err, &e) || !errors.Is(err, erp.ErrRejected) || e.Code != erp.CodeUnknownSKU {
		t.Fatalf("Submit: %v, want an *erp.Error that is ErrRejected with code %s", err, erp.CodeUnknownSKU)
	}
	for _, w := range []string{"GHOST", "Product not found: SKU 'GHOST'", "Cin7 code 400"} {
		if !strings.Contains(e.Message, w) {
			t.Errorf("message %q does not contain %q", e.Message, w)
		}
	}
	if strings.Contains(e.Message, "SKU A") {
		t.Errorf("message %q blames the known SKU", e.Message)
	}
	wantCalls := []string{"GET /salelist", "POST /sale", "POST /sale/order", "GET /product", "GET /product", "DELETE /sale"}
	if diff := cmp.Diff(wantCalls, requests(b.erp)); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if sales := b.erp.Sales(); len(sales) != 1 || sales[0].Status != "VOIDED" {
		t.Errorf("the fake holds %+v, want the one sale, VOIDED", sales)
	}
	rc, err := b.client.Lookup(t.Context(), o.Key.ExternalID())
	if err != nil || rc.Status != erp.StatusRejected || rc.Reason == "" {
		t.Errorf("Lookup = %+v, %v; want rejected with a reason", rc, err)
	}
	if n, _ := b.erp.Available("A"); n != 10 {
		t.Errorf("available = %d, want 10", n)
	}
}

// Once the SKU exists, replaying the rejected order makes a fresh sale: the
// voided one never was an order. Lookup then finds the live one.
func TestSubmit_ReplayAfterAnUnknownSKUMakesAFreshSale(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := testOrder("1", "GHOST", 1)
	if _, err := b.client.Submit(t.Context(), o); !errors.Is(err, erp.ErrRejected) {
		t.Fatalf("Submit: %v, want ErrRejected", err)
	}
	b.erp.SetStock("GHOST", 3)
	rc, err := b.client.Submit(t.Context(), o)
	if err != nil || rc.Status != erp.StatusAcknowledged {
		t.Fatalf("replay = %+v, %v; want acknowledged", rc, err)
	}
	found, err := b.client.Lookup(t.Context(), o.Key.ExternalID())
	if err != nil || found.Ref != rc.Ref || found.Status != erp.StatusAcknowledged {
		t.Errorf("Lookup = %+v, %v; want the live sale %s", found, err, rc.Ref)
	}
	var statuses []string
	for _, s := range b.erp.Sales() {
		statuses = append(statuses, s.Status)
	}
	if diff := cmp.Diff([]string{"VOIDED", "ORDERED"}, statuses); diff != "" {
		t.Errorf("sales (-want +got):\n%s", diff)
	}
}

// A 400 for any other reason is not the order's fault: no rejection, the
// draft stays (pending) and the next Submit places its order.
func TestSubmit_OtherRefusalIsNoRejectionAndKeepsTheDraft(t *testing.T) {
	t.Parallel()
	refuse := true
	var mu sync.Mutex
	b := setupWrapped(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			now := refuse && r.Method == http.MethodPost && strings.HasSuffix(strings.ToLower(r.URL.Path), "/sale/order")
			refuse = refuse && !now
			mu.Unlock()
			if now {
				w.WriteHeader(http.StatusBadRequest)
				w.Write([]byte(`[{"ErrorCode":400,"Exception":"Tax rule 'GST' not found"}]`))
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	b.erp.SetStock("A", 10)
	o := testOrder("1", "A", 2)

	_, err := b.client.Submit(t.Context(), o)
	var e *erp.Error
	if err == nil || errors.As(err, &e) {
		t.Fatalf("Submit: %v, want a plain error (no erp kind)", err)
	}
	if !strings.Contains(err.Error(), "Tax rule 'GST' not found") {
		t.Errorf("error %q lost Cin7's words", err)
	}
	if rc, err := b.client.Lookup(t.Context(), o.Key.ExternalID()); err != nil || rc.Status != erp.StatusIncomplete {
		t.Errorf("Lookup = %+v, %v; want pending", rc, err)
	}
	rc, err := b.client.Submit(t.Context(), o)
	if err != nil || rc.Status != erp.StatusAcknowledged {
		t.Fatalf("second Submit = %+v, %v; want acknowledged", rc, err)
	}
	if len(b.erp.Sales()) != 1 {
		t.Errorf("the fake holds %d sales, want 1", len(b.erp.Sales()))
	}
}

// Throttled between creating the sale and authorising it: the caller waits
// and submits again, and the same sale is finished.
func TestSubmit_ThrottledMidwayResumesTheSameSale(t *testing.T) {
	t.Parallel()
	o := testOrder("1", "A", 2)
	// The third request is the authorisation.
	var n int
	var mu sync.Mutex
	b := setupWrapped(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			n++
			third := n == 3
			mu.Unlock()
			if third {
				w.WriteHeader(http.StatusServiceUnavailable)
				w.Write([]byte(`[{"ErrorCode":503,"Exception":"You reached 60 calls per minute API limit"}]`))
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	b.erp.SetStock("A", 10)
	if _, err := b.client.Submit(t.Context(), o); !errors.Is(err, erp.ErrThrottled) {
		t.Fatalf("Submit: %v, want ErrThrottled", err)
	}
	rc, err := b.client.Submit(t.Context(), o)
	if err != nil || rc.Status != erp.StatusAcknowledged {
		t.Fatalf("second Submit = %+v, %v; want acknowledged", rc, err)
	}
	if sales := b.erp.Sales(); len(sales) != 1 {
		t.Errorf("the fake holds %d sales, want 1", len(sales))
	}
}

// An order cancelled in Cin7 is not made again.
func TestSubmit_CancelledSaleIsNotMadeAgain(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.erp.SetStock("A", 10)
	o := testOrder("1", "A", 2)
	if _, err := b.client.Submit(t.Context(), o); err != nil {
		t.Fatalf("Submit: %v", err)
	}
	if err := b.client.Cancel(t.Context(), o.Key.ExternalID(), "test"); err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	_, err := b.client.Submit(t.Context(), o)
	if !errors.Is(err, erp.ErrRejected) || !strings.Contains(err.Error(), "voided") {
		t.Fatalf("Submit after Cancel: %v, want ErrRejected saying the sale is voided", err)
	}
	if len(b.erp.Sales()) != 1 {
		t.Errorf("the fake holds %d sales, want 1", len(b.erp.Sales()))
	}
}

// An order with nothing to place is refused before Cin7 is called.
func TestSubmit_OrderWithNoLinesIsRejectedWithoutACall(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.client.Submit(t.Context(), testOrder("1", "A", 0))
	if !errors.Is(err, erp.ErrRejected) {
		t.Fatalf("Submit: %v, want ErrRejected", err)
	}
	if n := len(b.erp.Requests()); n != 0 {
		t.Errorf("the fake saw %d requests, want none", n)
	}
}
