package netsuite_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/erp/netsuite"
	"github.com/ordergate/ordergate/internal/erp/netsuite/netsuitefake"
)

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestErrors_EachDocumentedShapeMapsToItsKind sends NetSuite's error
// replies, the published ones and the documented shapes, as the answer to
// a create or a lookup, and checks what the gate is told.
func TestErrors_EachDocumentedShapeMapsToItsKind(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	body := netsuitefake.ErrorBody
	cases := []struct {
		name   string
		method string // http.MethodPut: the reply to Submit's create; GET: to Lookup
		reply  netsuitefake.Reply
		// want: the kind (nil: a plain error, no *erp.Error), the code,
		// RetryAfter, and words the message keeps.
		times      int // how often the reply is given; 0 means once
		kind       error
		code       string
		retryAfter time.Duration
		words      []string
	}{
		{
			name: "PublishedInvalidItemIsUnknownSKU", method: http.MethodPut,
			reply: netsuitefake.Reply{Status: 400, Body: readFile(t, "error-400-invalid-content-salesorder-item.json")},
			kind:  erp.ErrRejected, code: erp.CodeUnknownSKU,
			words: []string{"sku A:", "INVALID_CONTENT", "item.items[0].item", "Invalid Field Value 9999"},
		},
		{
			name: "InvalidKeyOrRefOnSecondItemIsUnknownSKU", method: http.MethodPut,
			reply: netsuitefake.Reply{Status: 400, Body: body(400, "Bad Request", "INVALID_KEY_OR_REF", "Invalid item reference key 555.", "item.items[1].item")},
			kind:  erp.ErrRejected, code: erp.CodeUnknownSKU,
			words: []string{"sku B:", "INVALID_KEY_OR_REF", "Invalid item reference key 555."},
		},
		{
			name: "InvalidItemWithoutPathIsUnknownSKU", method: http.MethodPut,
			reply: netsuitefake.Reply{Status: 400, Body: body(400, "Bad Request", "INVALID_CONTENT", "You have entered an Invalid Field Value 98 for the following field: item", "")},
			kind:  erp.ErrRejected, code: erp.CodeUnknownSKU,
			words: []string{"INVALID_CONTENT", "for the following field: item"},
		},
		{
			name: "UserErrorOnALineQuantityIsRejectedWithNetSuitesCode", method: http.MethodPut,
			reply: netsuitefake.Reply{Status: 400, Body: body(400, "Bad Request", "USER_ERROR", "The quantity must be a whole number.", "item.items[0].quantity")},
			kind:  erp.ErrRejected, code: "USER_ERROR",
			words: []string{"sku A:", "The quantity must be a whole number."},
		},
		{
			name: "BadCustomerIsTheConfigsFaultNotTheOrders", method: http.MethodPut,
			reply: netsuitefake.Reply{Status: 400, Body: body(400, "Bad Request", "INVALID_CONTENT", "You have entered an Invalid Field Value 9 for the following field: entity", "entity")},
			kind:  nil,
			words: []string{"INVALID_CONTENT at entity", "check customer_id"},
		},
		{
			name: "PublishedInvalidLoginIsAuth", method: http.MethodPut,
			reply: netsuitefake.Reply{Status: 401, Body: readFile(t, "error-401-invalid-login.json")},
			times: 2, // refused again after signing afresh
			kind:  erp.ErrAuth, code: "INVALID_LOGIN",
			words: []string{"Invalid login attempt", "auth.consumer_key", "auth.token_id"},
		},
		{
			name: "ForbiddenIsAuthNamingThePermissions", method: http.MethodGet,
			reply: netsuitefake.Reply{Status: 403, Body: body(403, "Forbidden", "INSUFFICIENT_PERMISSION", "Permission Violation: You need the 'Transactions -> Sales Order' permission.", "")},
			kind:  erp.ErrAuth, code: "INSUFFICIENT_PERMISSION",
			words: []string{"Permission Violation", "Sales Order (full)"},
		},
		{
			name: "TooManyRequestsWithoutRetryAfterIsThrottledWithNoWait", method: http.MethodPut,
			reply: netsuitefake.Reply{Status: 429, Body: body(429, "Too Many Requests", "CONCURRENCY_LIMIT_EXCEEDED", "Request blocked.", "")},
			kind:  erp.ErrThrottled, code: "CONCURRENCY_LIMIT_EXCEEDED", retryAfter: 0,
		},
		{
			name: "TooManyRequestsWithRetryAfterSeconds", method: http.MethodGet,
			reply: netsuitefake.Reply{Status: 429, Header: http.Header{"Retry-After": {"7"}}},
			kind:  erp.ErrThrottled, retryAfter: 7 * time.Second,
		},
		{
			name: "TooManyRequestsWithRetryAfterDateUsesTheClock", method: http.MethodGet,
			reply: netsuitefake.Reply{Status: 429, Header: http.Header{"Retry-After": {t0.Add(90 * time.Second).Format(http.TimeFormat)}}},
			kind:  erp.ErrThrottled, retryAfter: 90 * time.Second,
		},
		{
			name: "RESTletLimitCodeOn400IsThrottled", method: http.MethodPut,
			reply: netsuitefake.Reply{Status: 400, Body: body(400, "Bad Request", "SSS_REQUEST_LIMIT_EXCEEDED", "Request limit exceeded.", "")},
			kind:  erp.ErrThrottled, code: "SSS_REQUEST_LIMIT_EXCEEDED",
		},
		{
			name: "ServerErrorOnCreateIsInDoubt", method: http.MethodPut,
			reply: netsuitefake.Reply{Status: 500, Body: body(500, "Internal Server Error", "UNEXPECTED_ERROR", "An unexpected error occurred.", "")},
			kind:  erp.ErrInDoubt, code: "UNEXPECTED_ERROR", words: []string{"An unexpected error occurred."},
		},
		{
			name: "ServerErrorOnLookupIsUnavailable", method: http.MethodGet,
			reply: netsuitefake.Reply{Status: 503, Body: []byte("<html><body>Service Temporarily Unavailable</body></html>")},
			kind:  erp.ErrUnavailable, words: []string{"http 503", "Service Temporarily Unavailable"},
		},
		{
			name: "NotFoundOnLookup", method: http.MethodGet,
			reply: netsuitefake.Reply{Status: 404, Body: body(404, "Not Found", "NONEXISTENT_ID", "The record instance does not exist.", "")},
			kind:  erp.ErrNotFound, code: "NONEXISTENT_ID",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, opts{auth: authTBA, client: func(n *netsuite.Config) { n.Now = func() time.Time { return t0 } },
				fake: func(f *netsuitefake.Config) { f.Now = func() time.Time { return t0 } }})
			b.fake.SetStock("A", 5)
			b.fake.SetStock("B", 5)
			// The SKUs are looked up fresh (a POST), so an item error
			// on the PUT is final: it is not a stale cached id.
			c.reply.Method = c.method
			for range max(c.times, 1) {
				b.fake.Inject(c.reply)
			}
			var err error
			if c.method == http.MethodPut {
				_, err = b.client.Submit(t.Context(), newOrder("1", line("A", 1), line("B", 1)))
			} else {
				_, err = b.client.Lookup(t.Context(), "og-shop-1")
			}
			if err == nil {
				t.Fatal("no error")
			}
			var e *erp.Error
			isErp := errors.As(err, &e)
			switch {
			case c.kind == nil && isErp:
				t.Fatalf("error %v is an *erp.Error of kind %v, want a plain error", err, e.Kind)
			case c.kind != nil && (!isErp || !errors.Is(err, c.kind)):
				t.Fatalf("error %v, want kind %v", err, c.kind)
			}
			if isErp {
				if e.Code != c.code {
					t.Errorf("code = %q, want %q", e.Code, c.code)
				}
				if e.RetryAfter != c.retryAfter {
					t.Errorf("RetryAfter = %v, want %v", e.RetryAfter, c.retryAfter)
				}
			}
			for _, w := range c.words {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not keep %q", err, w)
				}
			}
		})
	}
}

// TestInDoubt_TransportFailuresLeanByOperation: a create whose reply is
// lost or late may have happened (in doubt); a read that fails so can just
// be tried again (unavailable).
func TestInDoubt_TransportFailuresLeanByOperation(t *testing.T) {
	t.Parallel()
	t.Run("LostReplyToCreate", func(t *testing.T) {
		t.Parallel()
		b := setup(t, opts{})
		b.fake.SetStock("A", 5)
		b.fake.LoseNextReply()
		_, err := b.client.Submit(t.Context(), newOrder("1", line("A", 2)))
		if !errors.Is(err, erp.ErrInDoubt) {
			t.Fatalf("Submit = %v, want in doubt", err)
		}
		if n := len(b.fake.Orders()); n != 1 {
			t.Errorf("orders = %d, want the 1 the fake committed", n)
		}
	})
	t.Run("TimeoutOfCreate", func(t *testing.T) {
		t.Parallel()
		// TBA: no token to fetch within the short timeout. The
		// timeout is long enough for the look-up before the stall.
		b := setup(t, opts{auth: authTBA, client: func(c *netsuite.Config) { c.Timeout = 500 * time.Millisecond }})
		b.fake.SetStock("A", 5)
		if _, err := b.client.Availability(t.Context(), []string{"A"}); err != nil {
			t.Fatal(err)
		}
		b.fake.Stall()
		_, err := b.client.Submit(t.Context(), newOrder("1", line("A", 2)))
		if !errors.Is(err, erp.ErrInDoubt) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Submit = %v, want in doubt and a deadline exceeded", err)
		}
	})
	t.Run("TimeoutOfLookup", func(t *testing.T) {
		t.Parallel()
		b := setup(t, opts{auth: authTBA, client: func(c *netsuite.Config) { c.Timeout = 500 * time.Millisecond }})
		b.fake.Stall()
		_, err := b.client.Lookup(t.Context(), "og-shop-1")
		if !errors.Is(err, erp.ErrUnavailable) || errors.Is(err, erp.ErrInDoubt) {
			t.Fatalf("Lookup = %v, want unavailable, not in doubt", err)
		}
	})
	t.Run("DroppedConnectionOnReads", func(t *testing.T) {
		t.Parallel()
		d := newDropper()
		b := setup(t, opts{auth: authTBA, wrap: d.wrap})
		drop := d.drop
		drop()
		if _, err := b.client.Lookup(t.Context(), "og-shop-1"); !errors.Is(err, erp.ErrUnavailable) || errors.Is(err, erp.ErrInDoubt) {
			t.Errorf("Lookup = %v, want unavailable, not in doubt", err)
		}
		drop()
		if _, err := b.client.Availability(t.Context(), []string{"A"}); !errors.Is(err, erp.ErrUnavailable) {
			t.Errorf("Availability = %v, want unavailable", err)
		}
		drop()
		if err := b.client.Cancel(t.Context(), "og-shop-1", "test"); !errors.Is(err, erp.ErrUnavailable) {
			t.Errorf("Cancel = %v, want unavailable", err)
		}
	})
	t.Run("ReadBackAfterTheCreateFails", func(t *testing.T) {
		t.Parallel()
		b := setup(t, opts{})
		b.fake.SetStock("A", 5)
		b.fake.Inject(netsuitefake.Reply{Method: http.MethodGet, Status: 503})
		_, err := b.client.Submit(t.Context(), newOrder("1", line("A", 2)))
		if !errors.Is(err, erp.ErrInDoubt) || !strings.Contains(err.Error(), "created, but reading it back failed") {
			t.Fatalf("Submit = %v, want in doubt: the order exists, its receipt does not", err)
		}
		if errors.Is(err, erp.ErrUnavailable) {
			t.Errorf("Submit = %v is also unavailable; one kind only", err)
		}
	})
}

// dropper stands in front of the fake and drops the connection of the
// next request, whatever it is, each time drop is called.
type dropper struct{ next chan struct{} }

func newDropper() *dropper { return &dropper{next: make(chan struct{}, 1)} }

func (d *dropper) drop() { d.next <- struct{}{} }

func (d *dropper) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-d.next:
			panic(http.ErrAbortHandler)
		default:
			h.ServeHTTP(w, r)
		}
	})
}

func TestSubmit_CancelledBeforeTheCreateIsNotInDoubt(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{auth: authTBA})
	b.fake.SetStock("A", 5)
	arrived := b.fake.Stall()
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		<-arrived // the SKU look-up, before any create
		cancel()
	}()
	_, err := b.client.Submit(ctx, newOrder("1", line("A", 1)))
	if !errors.Is(err, context.Canceled) || !errors.Is(err, erp.ErrUnavailable) || errors.Is(err, erp.ErrInDoubt) {
		t.Fatalf("Submit = %v, want cancelled and unavailable, not in doubt: nothing was sent to create", err)
	}
	if n := len(b.requests(http.MethodPut, salesOrderPath)); n != 0 {
		t.Errorf("%d creates sent", n)
	}
}
