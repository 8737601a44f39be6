package netsuite_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/erp/netsuite"
	"github.com/ordergate/ordergate/internal/erp/netsuite/netsuitefake"
	"github.com/ordergate/ordergate/internal/order"
)

const customerPath = "/services/rest/record/v1/customer/"

// noCustomerID is the client without customer_id, so that each order's
// customer is found or created.
func noCustomerID(c *netsuite.Config) { c.CustomerID = "" }

// customerCalls returns, in order, each request about customers: "PUT
// <path>", "GET <path>", or "SQL <query>" for SuiteQL over customer.
func (b bundle) customerCalls() []string {
	var out []string
	for _, r := range b.fake.Requests() {
		switch {
		case strings.HasPrefix(r.Path, customerPath):
			out = append(out, r.Method+" "+strings.TrimPrefix(r.Path, customerPath))
		case r.Path == suiteQLPath:
			var q struct{ Q string }
			json.Unmarshal(r.Body, &q)
			if strings.Contains(strings.ToLower(q.Q), "customer") {
				out = append(out, "SQL "+q.Q)
			}
		}
	}
	return out
}

// newCustomers returns the customers the fake holds other than the one it
// starts with (customer_id's 107).
func (b bundle) newCustomers() []netsuitefake.Customer {
	var out []netsuitefake.Customer
	for _, c := range b.fake.Customers() {
		if c.ID != customerID {
			out = append(out, c)
		}
	}
	return out
}

func orderFor(id, name, email, phone string) order.Order {
	o := newOrder(id, line("A", 1))
	o.Customer = order.Customer{Name: name, Email: email, Phone: phone}
	return o
}

func TestCustomer_NewEmailCreatesOneCustomerAndTheOrderIsEnteredForIt(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{client: noCustomerID})
	b.fake.SetStock("A", 5)
	if _, err := b.client.Submit(t.Context(), orderFor("1", "Mary Ann Buyer", "Mary.Ann@Example.com", "+1 (555) 010-0199")); err != nil {
		t.Fatalf("Submit: %v", err)
	}
	got := b.newCustomers()
	if len(got) != 1 {
		t.Fatalf("new customers = %+v, want 1", got)
	}
	c := got[0]
	want := netsuitefake.Customer{ID: c.ID, ExternalID: c.ExternalID, IsPerson: true, FirstName: "Mary Ann", LastName: "Buyer",
		Email: "Mary.Ann@Example.com", Phone: "+1 (555) 010-0199"}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("customer (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(c.ExternalID, "og-cust-") || len(c.ExternalID) != len("og-cust-")+20 {
		t.Errorf("customer external id = %q, want og-cust- and 20 hex digits", c.ExternalID)
	}
	if orders := b.fake.Orders(); len(orders) != 1 || orders[0].Entity != c.ID {
		t.Errorf("orders = %+v, want one entered for customer %s", orders, c.ID)
	}
	// Found by neither external id nor e-mail, then upserted by external
	// id; its internal id comes from Location, so it is not read back.
	wantCalls := []string{
		"SQL SELECT id FROM customer WHERE externalid = '" + c.ExternalID + "'",
		"SQL SELECT id FROM customer WHERE LOWER(email) = 'mary.ann@example.com' AND isinactive = 'F' ORDER BY id",
		"PUT eid:" + c.ExternalID,
	}
	if diff := cmp.Diff(wantCalls, b.customerCalls()); diff != "" {
		t.Errorf("customer requests (-want +got):\n%s", diff)
	}
	var body any
	json.Unmarshal(b.requests(http.MethodPut, customerPath)[0].Body, &body)
	var wantBody any
	json.Unmarshal([]byte(`{"isPerson": true, "firstName": "Mary Ann", "lastName": "Buyer",
		"email": "Mary.Ann@Example.com", "phone": "+1 (555) 010-0199"}`), &wantBody)
	if diff := cmp.Diff(wantBody, body); diff != "" {
		t.Errorf("customer PUT body (-want +got):\n%s", diff)
	}
	// The customer before the sales order.
	reqs := b.fake.Requests()
	custAt, soAt := -1, -1
	for i, r := range reqs {
		if r.Method == http.MethodPut && strings.HasPrefix(r.Path, customerPath) {
			custAt = i
		}
		if r.Method == http.MethodPut && strings.HasPrefix(r.Path, salesOrderPath) {
			soAt = i
		}
	}
	if custAt < 0 || soAt < custAt {
		t.Errorf("customer PUT at %d, sales order PUT at %d: want the customer first", custAt, soAt)
	}
}

func TestCustomer_SecondOrderForTheSameEmailInAnotherCaseReusesIt(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{client: noCustomerID})
	b.fake.SetStock("A", 5)
	if _, err := b.client.Submit(t.Context(), orderFor("1", "Ada Buyer", "ada@example.com", "")); err != nil {
		t.Fatalf("Submit: %v", err)
	}
	calls := len(b.customerCalls())
	if _, err := b.client.Submit(t.Context(), orderFor("2", "Ada B.", " ADA@Example.COM ", "")); err != nil {
		t.Fatalf("second Submit: %v", err)
	}
	if n := len(b.customerCalls()); n != calls {
		t.Errorf("second order asked %d more customer requests, want none: the customer is cached", n-calls)
	}

	// Another client (a replica, a restart) has nothing cached: it finds
	// the customer by external id.
	other, err := netsuite.New(b.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Submit(t.Context(), orderFor("3", "", "Ada@EXAMPLE.com", "")); err != nil {
		t.Fatalf("Submit on another client: %v", err)
	}
	custs := b.newCustomers()
	if len(custs) != 1 {
		t.Fatalf("new customers = %+v, want 1", custs)
	}
	for _, o := range b.fake.Orders() {
		if o.Entity != custs[0].ID {
			t.Errorf("order %s entered for %s, want %s", o.ExternalID, o.Entity, custs[0].ID)
		}
	}
	if n := len(b.requests(http.MethodPut, customerPath)); n != 1 {
		t.Errorf("customer PUTs = %d, want 1", n)
	}
	if got := b.customerCalls()[calls:]; len(got) != 1 || !strings.Contains(got[0], "externalid = '"+custs[0].ExternalID+"'") {
		t.Errorf("other client's customer requests = %q, want the one look-up by external id", got)
	}
}

func TestCustomer_ConcurrentOrdersForOneEmailMakeOneCustomer(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{client: noCustomerID})
	b.fake.SetStock("A", 50)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = b.client.Submit(t.Context(), orderFor(string(rune('a'+i)), "Ada Buyer", "ada@example.com", ""))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Submit %d: %v", i, err)
		}
	}
	if n := len(b.requests(http.MethodPut, customerPath)); n != 1 {
		t.Errorf("customer PUTs = %d, want 1", n)
	}
	if n := len(b.newCustomers()); n != 1 {
		t.Errorf("new customers = %d, want 1", n)
	}
}

func TestCustomer_LostReplyOnTheCustomerUpsertThenRetryCreatesOneCustomer(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		// lag makes NetSuite's SuiteQL miss the new customer on the
		// retry, so that it is the upsert by external id that keeps it
		// to one.
		lag bool
	}{{"FoundByExternalID", false}, {"UpsertedAgain", true}} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, opts{client: noCustomerID})
			b.fake.SetStock("A", 5)
			o := orderFor("1", "Ada Buyer", "ada@example.com", "")
			b.fake.LoseNextCustomerReply()
			_, err := b.client.Submit(t.Context(), o)
			// No sales order can exist yet: retry, no need to look up.
			if !errors.Is(err, erp.ErrUnavailable) || errors.Is(err, erp.ErrInDoubt) {
				t.Fatalf("Submit = %v, want unavailable, not in doubt", err)
			}
			if n := len(b.fake.Orders()); n != 0 {
				t.Fatalf("orders = %d, want none", n)
			}
			if n := len(b.newCustomers()); n != 1 {
				t.Fatalf("new customers = %d, want the 1 the fake committed", n)
			}
			if c.lag {
				empty := []byte(`{"links": [], "count": 0, "hasMore": false, "items": [], "offset": 0, "totalResults": 0}`)
				// By external id, by e-mail; the SKU is cached.
				for range 2 {
					b.fake.Inject(netsuitefake.Reply{Method: http.MethodPost, Path: suiteQLPath, Status: 200, Body: empty})
				}
			}
			if _, err := b.client.Submit(t.Context(), o); err != nil {
				t.Fatalf("Submit again: %v", err)
			}
			custs := b.newCustomers()
			if len(custs) != 1 {
				t.Fatalf("new customers = %+v, want 1", custs)
			}
			if orders := b.fake.Orders(); len(orders) != 1 || orders[0].Entity != custs[0].ID {
				t.Errorf("orders = %+v, want one for customer %s", orders, custs[0].ID)
			}
			wantPuts := map[bool]int{false: 1, true: 2}[c.lag]
			if n := len(b.requests(http.MethodPut, customerPath)); n != wantPuts {
				t.Errorf("customer PUTs = %d, want %d", n, wantPuts)
			}
		})
	}
}

func TestCustomer_OneWorldWithoutSubsidiaryIDSaysToSetIt(t *testing.T) {
	t.Parallel()
	oneWorld := func(f *netsuitefake.Config) { f.RequireSubsidiary, f.Subsidiaries = true, []string{"1", "3"} }
	t.Run("RefusedByTheFake", func(t *testing.T) {
		t.Parallel()
		b := setup(t, opts{fake: oneWorld, client: noCustomerID})
		b.fake.SetStock("A", 5)
		_, err := b.client.Submit(t.Context(), orderFor("1", "Ada Buyer", "ada@example.com", ""))
		var e *erp.Error
		if err == nil || errors.As(err, &e) {
			t.Fatalf("Submit = %v, want a plain error: the config lacks subsidiary_id", err)
		}
		for _, w := range []string{"set subsidiary_id", "OneWorld", "Primary Subsidiary"} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q does not say %q", err, w)
			}
		}
		if n := len(b.newCustomers()); n != 0 {
			t.Errorf("new customers = %d", n)
		}
		if n := len(b.requests(http.MethodPut, salesOrderPath)); n != 0 {
			t.Errorf("sales order PUTs = %d, want none", n)
		}
	})
	t.Run("WordsWithoutAPath", func(t *testing.T) {
		t.Parallel()
		b := setup(t, opts{auth: authTBA, client: noCustomerID})
		b.fake.SetStock("A", 5)
		b.fake.Inject(netsuitefake.Reply{Method: http.MethodPut, Path: customerPath, Status: 400,
			Body: netsuitefake.ErrorBody(400, "Bad Request", "USER_ERROR", "Please enter value(s) for: Primary Subsidiary", "")})
		_, err := b.client.Submit(t.Context(), orderFor("1", "Ada Buyer", "ada@example.com", ""))
		var e *erp.Error
		if err == nil || errors.As(err, &e) || !strings.Contains(err.Error(), "set subsidiary_id") {
			t.Fatalf("Submit = %v, want a plain error saying to set subsidiary_id", err)
		}
	})
	t.Run("WithSubsidiaryID", func(t *testing.T) {
		t.Parallel()
		b := setup(t, opts{fake: oneWorld, client: func(c *netsuite.Config) { c.CustomerID, c.SubsidiaryID = "", "3" }})
		b.fake.SetStock("A", 5)
		if _, err := b.client.Submit(t.Context(), orderFor("1", "Ada Buyer", "ada@example.com", "")); err != nil {
			t.Fatalf("Submit: %v", err)
		}
		if custs := b.newCustomers(); len(custs) != 1 || custs[0].Subsidiary != "3" {
			t.Errorf("new customers = %+v, want one in subsidiary 3", custs)
		}
	})
	t.Run("WrongSubsidiaryID", func(t *testing.T) {
		t.Parallel()
		b := setup(t, opts{fake: oneWorld, client: func(c *netsuite.Config) { c.CustomerID, c.SubsidiaryID = "", "9" }})
		b.fake.SetStock("A", 5)
		_, err := b.client.Submit(t.Context(), orderFor("1", "Ada Buyer", "ada@example.com", ""))
		var e *erp.Error
		if err == nil || errors.As(err, &e) || !strings.Contains(err.Error(), "check subsidiary_id (9)") {
			t.Fatalf("Submit = %v, want a plain error saying to check subsidiary_id", err)
		}
	})
}

func TestCustomer_WithCustomerIDNothingAboutCustomersIsCalled(t *testing.T) {
	t.Parallel()
	for _, async := range []bool{false, true} {
		t.Run(map[bool]string{false: "Sync", true: "Async"}[async], func(t *testing.T) {
			t.Parallel()
			b := setup(t, opts{client: func(c *netsuite.Config) { c.Async = async }})
			b.fake.SetStock("A", 5)
			if _, err := b.client.Submit(t.Context(), orderFor("1", "Ada Buyer", "ada@example.com", "+1 555 010 0199")); err != nil {
				t.Fatalf("Submit: %v", err)
			}
			if _, err := b.client.Lookup(t.Context(), "og-shop-1"); err != nil {
				t.Fatalf("Lookup: %v", err)
			}
			if err := b.client.Cancel(t.Context(), "og-shop-1", "test"); err != nil {
				t.Fatalf("Cancel: %v", err)
			}
			if calls := b.customerCalls(); len(calls) != 0 {
				t.Errorf("customer requests = %q, want none", calls)
			}
			if orders := b.fake.Orders(); len(orders) != 1 || orders[0].Entity != customerID {
				t.Errorf("orders = %+v, want one for customer_id %s", orders, customerID)
			}
			if n := len(b.newCustomers()); n != 0 {
				t.Errorf("new customers = %d", n)
			}
		})
	}
}

func TestCustomer_ExistingCustomerIsFoundByEmailFirstActiveByID(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{client: noCustomerID})
	b.fake.SetStock("A", 5)
	b.fake.AddCustomer(netsuitefake.Customer{IsPerson: true, FirstName: "Old", LastName: "Ada", Email: "ada@example.com", Inactive: true})
	first := b.fake.AddCustomer(netsuitefake.Customer{IsPerson: true, FirstName: "Ada", LastName: "Buyer", Email: "Ada@Example.com"})
	b.fake.AddCustomer(netsuitefake.Customer{IsPerson: true, FirstName: "Ada", LastName: "Dup", Email: "ada@example.com"})
	b.fake.AddCustomer(netsuitefake.Customer{IsPerson: true, FirstName: "Bob", LastName: "Other", Email: "bob@example.com"})
	before := b.fake.Customers()
	if _, err := b.client.Submit(t.Context(), orderFor("1", "Ada Buyer", "ada@example.com", "")); err != nil {
		t.Fatalf("Submit: %v", err)
	}
	if orders := b.fake.Orders(); len(orders) != 1 || orders[0].Entity != first {
		t.Errorf("orders = %+v, want one for %s, the first active customer with the e-mail", orders, first)
	}
	if diff := cmp.Diff(before, b.fake.Customers()); diff != "" {
		t.Errorf("customers changed (-before +after):\n%s", diff)
	}
}

func TestCustomer_NamesPhoneAndOrdersWithoutEmail(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{client: noCustomerID})
	b.fake.SetStock("A", 50)
	submit := func(o order.Order) {
		t.Helper()
		if _, err := b.client.Submit(t.Context(), o); err != nil {
			t.Fatalf("Submit %s: %v", o.Key.ID, err)
		}
	}
	submit(orderFor("1", "", "cher@example.com", "call me after 5"))
	submit(orderFor("2", "Prince", "", "555-01"))
	submit(orderFor("3", "", "", ""))
	submit(orderFor("2", "Prince", "", "")) // the same order again: its customer again
	submit(orderFor("4", "Prince", "", "")) // another order without e-mail: another customer
	var got []string
	for _, c := range b.newCustomers() {
		got = append(got, c.FirstName+"|"+c.LastName+"|"+c.Email+"|"+c.Phone)
	}
	want := []string{
		"cher|-|cher@example.com|", // the e-mail's local part; a phone NetSuite would refuse left off
		"Prince|-||",
		"Order|og-shop-3||",
		"Prince|-||",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("customers (-want +got):\n%s", diff)
	}
	if orders := b.fake.Orders(); len(orders) != 4 {
		t.Errorf("orders = %d, want 4", len(orders))
	}
}

func TestCustomer_CachedCustomerDeletedInNetSuiteIsFoundOrCreatedAgainOnce(t *testing.T) {
	t.Parallel()
	for _, async := range []bool{false, true} {
		t.Run(map[bool]string{false: "Sync", true: "Async"}[async], func(t *testing.T) {
			t.Parallel()
			b := setup(t, opts{client: func(c *netsuite.Config) { c.CustomerID, c.Async = "", async }})
			b.fake.SetStock("A", 5)
			if _, err := b.client.Submit(t.Context(), orderFor("1", "Ada Buyer", "ada@example.com", "")); err != nil {
				t.Fatalf("Submit: %v", err)
			}
			old := b.newCustomers()[0].ID
			b.fake.DeleteCustomer(old)
			if _, err := b.client.Submit(t.Context(), orderFor("2", "Ada Buyer", "ada@example.com", "")); err != nil {
				t.Fatalf("Submit after the customer was deleted: %v", err)
			}
			custs := b.newCustomers()
			if len(custs) != 1 || custs[0].ID == old {
				t.Fatalf("new customers = %+v, want one other than %s", custs, old)
			}
			orders := b.fake.Orders()
			if len(orders) != 2 || orders[1].Entity != custs[0].ID {
				t.Errorf("orders = %+v, want the second for %s", orders, custs[0].ID)
			}
		})
	}
}

func TestCustomer_InactiveCustomerIsAPlainErrorSayingWhat(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{client: noCustomerID})
	b.fake.SetStock("A", 5)
	o := orderFor("1", "Ada Buyer", "ada@example.com", "")
	b.fake.AddCustomer(netsuitefake.Customer{ExternalID: customerEID(t, b, o), IsPerson: true, FirstName: "Ada", LastName: "Buyer", Inactive: true})
	_, err := b.client.Submit(t.Context(), o)
	var e *erp.Error
	if err == nil || errors.As(err, &e) {
		t.Fatalf("Submit = %v, want a plain error", err)
	}
	for _, w := range []string{"INVALID_CONTENT at entity", "customer found or created for the order", "set customer_id"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
}

// customerEID returns the customer external id the client uses for o, by
// letting it create the customer on a fake of its own.
func customerEID(t *testing.T, b bundle, o order.Order) string {
	t.Helper()
	other := setup(t, opts{auth: authTBA, client: noCustomerID})
	other.fake.SetStock("A", 5)
	if _, err := other.client.Submit(t.Context(), o); err != nil {
		t.Fatal(err)
	}
	return other.newCustomers()[0].ExternalID
}

// TestCustomer_FailuresBeforeTheSalesOrderAreNeverInDoubt: nothing about the
// customer can leave a sales order behind, so its failures are retried
// without a lookup first.
func TestCustomer_FailuresBeforeTheSalesOrderAreNeverInDoubt(t *testing.T) {
	t.Parallel()
	body := netsuitefake.ErrorBody
	cases := []struct {
		name  string
		reply netsuitefake.Reply
		kind  error
		words []string
	}{
		{"ServerErrorOnTheLookUp", netsuitefake.Reply{Method: http.MethodPost, Path: suiteQLPath, Status: 500,
			Body: body(500, "Internal Server Error", "UNEXPECTED_ERROR", "An unexpected error occurred.", "")},
			erp.ErrUnavailable, []string{"look up by external id"}},
		{"ServerErrorOnTheUpsert", netsuitefake.Reply{Method: http.MethodPut, Path: customerPath, Status: 500,
			Body: body(500, "Internal Server Error", "UNEXPECTED_ERROR", "An unexpected error occurred.", "")},
			erp.ErrUnavailable, []string{"create:", "An unexpected error occurred."}},
		{"ThrottledUpsert", netsuitefake.Reply{Method: http.MethodPut, Path: customerPath, Status: 429},
			erp.ErrThrottled, nil},
		{"ForbiddenUpsertNamesThePermission", netsuitefake.Reply{Method: http.MethodPut, Path: customerPath, Status: 403,
			Body: body(403, "Forbidden", "INSUFFICIENT_PERMISSION", "Permission Violation: You need the 'Lists -> Customers' permission.", "")},
			erp.ErrAuth, []string{"Customers (full, unless customer_id is set)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, opts{auth: authTBA, client: noCustomerID})
			b.fake.SetStock("A", 5)
			if _, err := b.client.Availability(t.Context(), []string{"A"}); err != nil { // the SKU look-up, cached
				t.Fatal(err)
			}
			b.fake.Inject(c.reply)
			_, err := b.client.Submit(t.Context(), orderFor("1", "Ada Buyer", "ada@example.com", ""))
			if !errors.Is(err, c.kind) || errors.Is(err, erp.ErrInDoubt) {
				t.Fatalf("Submit = %v, want %v and not in doubt", err, c.kind)
			}
			for _, w := range c.words {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if n := len(b.requests(http.MethodPut, salesOrderPath)); n != 0 {
				t.Errorf("sales order PUTs = %d, want none", n)
			}
		})
	}
	t.Run("CancelledDuringTheUpsert", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		// The customer upsert arrives, the caller goes away, and no
		// reply ever comes.
		release := make(chan struct{})
		stall := func(h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, customerPath) {
					cancel()
					select {
					case <-r.Context().Done():
					case <-release:
					}
					return
				}
				h.ServeHTTP(w, r)
			})
		}
		b := setup(t, opts{auth: authTBA, client: noCustomerID, wrap: stall})
		t.Cleanup(func() { close(release) }) // before the server closes, which waits for its handlers
		b.fake.SetStock("A", 5)
		_, err := b.client.Submit(ctx, orderFor("1", "Ada Buyer", "ada@example.com", ""))
		if !errors.Is(err, context.Canceled) || !errors.Is(err, erp.ErrUnavailable) || errors.Is(err, erp.ErrInDoubt) {
			t.Fatalf("Submit = %v, want cancelled and unavailable, not in doubt", err)
		}
		if n := len(b.requests(http.MethodPut, salesOrderPath)); n != 0 {
			t.Errorf("sales order PUTs = %d", n)
		}
	})
}

// noLocation drops the Location header of every reply.
type noLocation struct{ http.ResponseWriter }

func (w noLocation) WriteHeader(code int) {
	w.Header().Del("Location")
	w.ResponseWriter.WriteHeader(code)
}

func TestCustomer_WithoutLocationTheIDIsReadBackByExternalID(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{client: noCustomerID, wrap: func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, customerPath) {
				w = noLocation{w}
			}
			h.ServeHTTP(w, r)
		})
	}})
	b.fake.SetStock("A", 5)
	if _, err := b.client.Submit(t.Context(), orderFor("1", "Ada Buyer", "ada@example.com", "")); err != nil {
		t.Fatalf("Submit: %v", err)
	}
	custs := b.newCustomers()
	if len(custs) != 1 {
		t.Fatalf("new customers = %+v, want 1", custs)
	}
	calls := b.customerCalls()
	if want := "GET eid:" + custs[0].ExternalID; len(calls) != 4 || calls[3] != want {
		t.Errorf("customer requests = %q, want the upsert followed by %q", calls, want)
	}
	if orders := b.fake.Orders(); len(orders) != 1 || orders[0].Entity != custs[0].ID {
		t.Errorf("orders = %+v, want one for %s", orders, custs[0].ID)
	}
}
