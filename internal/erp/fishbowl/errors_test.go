package fishbowl_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/erp/fishbowl"
	"github.com/ordergate/ordergate/internal/erp/fishbowl/fishbowlfake"
)

const importPath = "/api/import/Sales-Order"

func TestErrors_EachFishbowlReplyMapsToAKindKeepingItsWords(t *testing.T) {
	t.Parallel()
	submit := func(c *fishbowl.Client) error {
		_, err := c.Submit(context.Background(), newOrder("7", line("A", 1), line("B", 2)))
		return err
	}
	lookup := func(c *fishbowl.Client) error {
		_, err := c.Lookup(context.Background(), "og-shop-7")
		return err
	}
	submitKnown := func(c *fishbowl.Client) error {
		_, err := c.Submit(context.Background(), newOrder("9", line("A", 1)))
		return err
	}
	availability := func(c *fishbowl.Client) error {
		_, err := c.Availability(context.Background(), []string{"A"})
		return err
	}
	cases := []struct {
		name    string
		call    func(*fishbowl.Client) error
		method  string
		path    string
		status  int
		message string
		header  http.Header
		kind    error  // nil: no *erp.Error, a plain error the gate retries
		code    string // the *erp.Error's Code
		words   string // in the message besides Fishbowl's
		wait    time.Duration
	}{
		{name: "ImportBadRequest", call: submit, method: http.MethodPost, path: importPath,
			status: 400, message: "Line 3: SONum is required.", kind: erp.ErrRejected, code: "bad_request"},
		{name: "ImportFailedForAnotherReason", call: submitKnown, method: http.MethodPost, path: importPath,
			status: 402, message: "The customer is on credit hold.", kind: erp.ErrRejected, code: "request_failed"},
		{name: "ImportFailedForStock", call: submit, method: http.MethodPost, path: importPath,
			status: 402, message: "There is not enough inventory of part A to issue the order.", kind: erp.ErrRejected, code: erp.CodeNoStock},
		{name: "ImportFailedForAPart", call: submit, method: http.MethodPost, path: importPath,
			status: 402, message: "Product 'B' was not found.", kind: erp.ErrRejected, code: erp.CodeUnknownSKU},
		{name: "ImportFailedWithoutReasonInventoryLacksThePart", call: submit, method: http.MethodPost, path: importPath,
			status: 402, message: "The import failed.", kind: erp.ErrRejected, code: erp.CodeUnknownSKU, words: "not in Fishbowl's inventory: B"},
		{name: "ImportForbidden", call: submit, method: http.MethodPost, path: importPath,
			status: 403, message: "You do not have access to this import.", kind: erp.ErrAuth, words: "lacks access rights to the Sales Order import"},
		{name: "ImportServerError", call: submit, method: http.MethodPost, path: importPath,
			status: 500, message: "An error occurred.", kind: erp.ErrInDoubt},
		{name: "LookupServerError", call: lookup, method: http.MethodGet, path: "/api/sales-orders",
			status: 500, message: "An error occurred.", kind: erp.ErrUnavailable},
		{name: "LookupNotFound", call: lookup, method: http.MethodGet, path: "/api/sales-orders",
			status: 404, message: "Sales order not found.", kind: erp.ErrNotFound},
		{name: "InventoryForbidden", call: availability, method: http.MethodGet, path: "/api/parts/inventory",
			status: 403, message: "The current user did not have the required access rights.", kind: erp.ErrAuth, words: "lacks access rights to part inventory"},
		{name: "InventoryFailed", call: availability, method: http.MethodGet, path: "/api/parts/inventory",
			status: 402, message: "The request failed.", kind: nil},
		{name: "InventoryBadRequest", call: availability, method: http.MethodGet, path: "/api/parts/inventory",
			status: 400, message: "pageSize must be a number.", kind: nil},
		{name: "ProxyThrottlesInSeconds", call: availability, method: http.MethodGet, path: "/api/parts/inventory",
			status: 429, message: "Too many requests.", header: http.Header{"Retry-After": {"3"}}, kind: erp.ErrThrottled, wait: 3 * time.Second},
		{name: "ProxyThrottlesUntilADate", call: availability, method: http.MethodGet, path: "/api/parts/inventory",
			status: 503, message: "Down for maintenance.", header: http.Header{"Retry-After": {t0.Add(90 * time.Second).Format(http.TimeFormat)}},
			kind: erp.ErrThrottled, wait: 90 * time.Second},
		{name: "UnavailableWithoutRetryAfter", call: availability, method: http.MethodGet, path: "/api/parts/inventory",
			status: 503, message: "Down.", kind: erp.ErrUnavailable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, func(_ *fishbowlfake.Config, cc *fishbowl.Config) { cc.Now = func() time.Time { return t0 } })
			b.fake.SetStock("A", 10) // B is unknown to Fishbowl
			b.fake.FailNext(c.method, c.path, c.status, c.message, c.header)

			err := c.call(b.client)
			if err == nil {
				t.Fatal("call succeeded; want an error")
			}
			var e *erp.Error
			if c.kind == nil {
				if errors.As(err, &e) {
					t.Fatalf("got *erp.Error %v, want a plain error", err)
				}
				if !strings.Contains(err.Error(), c.message) {
					t.Errorf("error %q lacks Fishbowl's words %q", err, c.message)
				}
				return
			}
			if !errors.Is(err, c.kind) {
				t.Fatalf("got %v, want %v", err, c.kind)
			}
			e = erpError(t, err)
			if e.Code != c.code {
				t.Errorf("code = %q, want %q", e.Code, c.code)
			}
			if !strings.Contains(e.Message, c.message) {
				t.Errorf("message %q lacks Fishbowl's words %q", e.Message, c.message)
			}
			if !strings.Contains(e.Message, c.words) {
				t.Errorf("message %q lacks %q", e.Message, c.words)
			}
			if e.RetryAfter != c.wait {
				t.Errorf("RetryAfter = %v, want %v", e.RetryAfter, c.wait)
			}
		})
	}
}

func TestErrors_RefusedImportCreatesNothing(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.fake.SetStock("A", 10)
	o := newOrder("8", line("A", 1), line("GHOST", 1))

	_, err := b.client.Submit(t.Context(), o)
	if !errors.Is(err, erp.ErrRejected) || erpError(t, err).Code != erp.CodeUnknownSKU {
		t.Fatalf("Submit: %v, want a rejection coded %s", err, erp.CodeUnknownSKU)
	}
	if !strings.Contains(err.Error(), "Product 'GHOST' was not found.") {
		t.Errorf("error %q lacks Fishbowl's words", err)
	}
	if n := len(b.fake.Orders()); n != 0 {
		t.Errorf("Fishbowl holds %d orders after refusing the import, want 0", n)
	}
	if got, _ := b.client.Availability(t.Context(), []string{"A"}); got["A"] != 10 {
		t.Errorf("availability of A = %d, want 10: nothing allocated", got["A"])
	}
}
