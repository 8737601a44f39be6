package netsuite_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/erp/netsuite"
	"github.com/ordergate/ordergate/internal/erp/netsuite/netsuitefake"
	"github.com/ordergate/ordergate/internal/order"
)

func TestSubmit_UpsertsByExternalIDReplacingTheItemLines(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{client: func(c *netsuite.Config) { c.LocationID = "3" }})
	b.fake.SetStock("A", 10)
	b.fake.SetStock("B", 10)
	o := newOrder("1001",
		order.LineItem{SKU: "A", Quantity: 2, Price: decimal.RequireFromString("12.50")},
		order.LineItem{SKU: "B", Quantity: 1, Price: decimal.RequireFromString("0.10")},
	)
	rc, err := b.client.Submit(t.Context(), o)
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	want := erp.Receipt{
		Ref: "647", ExternalID: "og-shop-1001", Status: erp.StatusAcknowledged,
		Lines: []erp.Line{{SKU: "A", Ordered: 2, Validated: 2}, {SKU: "B", Ordered: 1, Validated: 1}},
	}
	if diff := cmp.Diff(want, rc); diff != "" {
		t.Errorf("receipt (-want +got):\n%s", diff)
	}
	puts := b.requests(http.MethodPut, salesOrderPath)
	if len(puts) != 1 {
		t.Fatalf("PUTs = %d, want 1", len(puts))
	}
	put := puts[0]
	if put.Path != salesOrderPath+"eid:og-shop-1001" || put.RawQuery != "replace=item" {
		t.Errorf("PUT %s?%s, want the upsert by eid with replace=item", put.Path, put.RawQuery)
	}
	if put.Header.Get("Prefer") != "" || put.Header.Get("X-NetSuite-Idempotency-Key") != "" {
		t.Errorf("synchronous PUT carries Prefer %q and key %q", put.Header.Get("Prefer"), put.Header.Get("X-NetSuite-Idempotency-Key"))
	}
	var got any
	if err := json.Unmarshal(put.Body, &got); err != nil {
		t.Fatal(err)
	}
	var wantBody any
	json.Unmarshal([]byte(`{
		"entity": {"id": "107"},
		"location": {"id": "3"},
		"orderStatus": "B",
		"otherRefNum": "#1001",
		"email": "ada@example.com",
		"item": {"items": [
			{"item": {"id": "98"}, "quantity": 2, "rate": 12.5},
			{"item": {"id": "99"}, "quantity": 1, "rate": 0.1}
		]}
	}`), &wantBody)
	if diff := cmp.Diff(wantBody, got); diff != "" {
		t.Errorf("PUT body (-want +got):\n%s", diff)
	}
	// The price goes as a JSON number with the decimal's own digits.
	if !strings.Contains(string(put.Body), `"rate":12.5`) {
		t.Errorf("PUT body %s does not carry the rate as the number 12.5", put.Body)
	}
	gets := b.requests(http.MethodGet, salesOrderPath)
	if len(gets) != 1 || gets[0].RawQuery != "expandSubResources=true" {
		t.Errorf("read back = %+v, want one GET with expandSubResources=true", gets)
	}
}

func TestSubmit_RepeatKeepsOneOrderWithOneSetOfLines(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	b.fake.SetStock("A", 10)
	o := newOrder("1", line("A", 3))
	first, err := b.client.Submit(t.Context(), o)
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	second, err := b.client.Submit(t.Context(), o)
	if err != nil {
		t.Fatalf("second Submit: %v", err)
	}
	if first.Ref != second.Ref {
		t.Errorf("refs %q and %q, want the same order", first.Ref, second.Ref)
	}
	orders := b.fake.Orders()
	if len(orders) != 1 || len(orders[0].Lines) != 1 || orders[0].Lines[0].Quantity != 3 {
		t.Fatalf("orders = %+v, want one with one line of 3", orders)
	}
	if got := b.fake.Available("A"); got != 7 {
		t.Errorf("available = %d, want 7: 3 committed once", got)
	}
}

func TestSubmit_BackorderedLineIsShortNeverClean(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	b.fake.SetStock("A", 1)
	b.fake.SetStockAt("A", "2", 1) // commitment is drawn from every location
	b.fake.SetStock("B", 5)
	rc, err := b.client.Submit(t.Context(), newOrder("1", line("A", 5), line("B", 2)))
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	want := []erp.Line{
		{SKU: "A", Ordered: 5, Validated: 2, Short: erp.ShortBackordered},
		{SKU: "B", Ordered: 2, Validated: 2},
	}
	if rc.Status != erp.StatusAcknowledged {
		t.Errorf("status = %q, want acknowledged (recorded, with a backorder)", rc.Status)
	}
	if diff := cmp.Diff(want, rc.Lines); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want[:1], rc.Shortfall()); diff != "" {
		t.Errorf("Shortfall (-want +got):\n%s", diff)
	}
}

func TestSubmit_PendingApprovalIsPendingUntilApproved(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{client: func(c *netsuite.Config) { c.PendingApproval = true }})
	b.fake.SetStock("A", 1)
	rc, err := b.client.Submit(t.Context(), newOrder("1", line("A", 2)))
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	wantPending := erp.Receipt{Ref: "647", ExternalID: "og-shop-1", Status: erp.StatusPending, Lines: []erp.Line{{SKU: "A", Ordered: 2}}}
	if diff := cmp.Diff(wantPending, rc); diff != "" {
		t.Errorf("receipt at creation (-want +got):\n%s", diff)
	}
	if got := b.fake.Available("A"); got != 1 {
		t.Errorf("available before approval = %d, want 1 (nothing committed)", got)
	}
	if err := b.fake.Approve("og-shop-1"); err != nil {
		t.Fatal(err)
	}
	rc, err = b.client.Lookup(t.Context(), "og-shop-1")
	if err != nil {
		t.Fatalf("Lookup: %v", err)
	}
	wantAck := erp.Receipt{Ref: "647", ExternalID: "og-shop-1", Status: erp.StatusAcknowledged,
		Lines: []erp.Line{{SKU: "A", Ordered: 2, Validated: 1, Short: erp.ShortBackordered}}}
	if diff := cmp.Diff(wantAck, rc); diff != "" {
		t.Errorf("receipt after approval (-want +got):\n%s", diff)
	}
	var body struct{ OrderStatus string }
	json.Unmarshal(b.requests(http.MethodPut, salesOrderPath)[0].Body, &body)
	if body.OrderStatus != "A" {
		t.Errorf("orderStatus sent = %q, want A", body.OrderStatus)
	}
}

func TestSubmit_ShipByIsTheOrdersShipDate(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	b := setup(t, opts{fake: func(f *netsuitefake.Config) { f.ShipDays = 3; f.Now = func() time.Time { return t0 } },
		client: func(c *netsuite.Config) { c.Now = func() time.Time { return t0 } }})
	b.fake.SetStock("A", 1)
	rc, err := b.client.Submit(t.Context(), newOrder("1", line("A", 1)))
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	if want := time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC); !rc.ShipBy.Equal(want) {
		t.Errorf("ShipBy = %v, want %v", rc.ShipBy, want)
	}
}

func TestSubmit_UnknownSKUIsRejectedBeforeAnythingIsSent(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	b.fake.SetStock("A", 1)
	_, err := b.client.Submit(t.Context(), newOrder("1", line("A", 1), line("GHOST", 1)))
	var e *erp.Error
	if !errors.As(err, &e) || e.Kind != erp.ErrRejected || e.Code != erp.CodeUnknownSKU || !strings.Contains(e.Message, "GHOST") {
		t.Fatalf("Submit = %v, want a rejection for unknown SKU GHOST", err)
	}
	if n := len(b.requests(http.MethodPut, "")); n != 0 {
		t.Errorf("%d creates sent", n)
	}
	if got := b.fake.Available("A"); got != 1 {
		t.Errorf("available = %d, want 1", got)
	}
}

func TestSubmit_ItemReplacedUnderTheSameSKUIsLookedUpAgainOnce(t *testing.T) {
	t.Parallel()
	for _, async := range []bool{false, true} {
		name := map[bool]string{false: "Sync", true: "Async"}[async]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, opts{client: func(c *netsuite.Config) { c.Async = async }})
			b.fake.SetStock("A", 4)
			if _, err := b.client.Availability(t.Context(), []string{"A"}); err != nil { // caches A's id
				t.Fatal(err)
			}
			b.fake.ReplaceItem("A")
			rc, err := b.client.Submit(t.Context(), newOrder("1", line("A", 1)))
			if err != nil {
				t.Fatalf("Submit: %v", err)
			}
			if rc.Lines[0].SKU != "A" || rc.Lines[0].Validated != 1 {
				t.Errorf("lines = %+v", rc.Lines)
			}
			// Sync: refused with the stale id, then sent with the new
			// one. Async: the job with the stale id fails; its key is
			// spent, so the repeat is told so and the upsert goes
			// synchronously.
			want := map[bool]int{false: 2, true: 3}[async]
			if n := len(b.requests(http.MethodPut, salesOrderPath)); n != want {
				t.Errorf("PUTs = %d, want %d", n, want)
			}
			if orders := b.fake.Orders(); len(orders) != 1 {
				t.Errorf("orders = %+v, want 1", orders)
			}
		})
	}
}

func TestSubmit_ExternalIDOutsideNetSuitesAlphabetIsEncoded(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	b.fake.SetStock("A", 1)
	o := newOrder("#1001|x_y", line("A", 1))
	rc, err := b.client.Submit(t.Context(), o)
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	if rc.ExternalID != "og-shop-#1001|x_y" {
		t.Errorf("receipt external id = %q, want ours", rc.ExternalID)
	}
	if got := b.fake.Orders()[0].ExternalID; got != "og-shop-_231001_7Cx_5Fy" {
		t.Errorf("NetSuite external id = %q", got)
	}
	if _, err := b.client.Lookup(t.Context(), "og-shop-#1001|x_y"); err != nil {
		t.Errorf("Lookup: %v", err)
	}
}

var uuidV5 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestSubmitAsync_PollsTheJobWithAStableIdempotencyKey(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{
		fake:   func(f *netsuitefake.Config) { f.PendingPolls = 3 },
		client: func(c *netsuite.Config) { c.Async = true },
	})
	b.fake.SetStock("A", 5)
	rc, err := b.client.Submit(t.Context(), newOrder("1", line("A", 2)))
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	if rc.Status != erp.StatusAcknowledged || rc.Lines[0].Validated != 2 {
		t.Errorf("receipt = %+v", rc)
	}
	put := b.requests(http.MethodPut, salesOrderPath)[0]
	if put.Header.Get("Prefer") != "respond-async" {
		t.Errorf("Prefer = %q", put.Header.Get("Prefer"))
	}
	key := put.Header.Get("X-NetSuite-Idempotency-Key")
	if !uuidV5.MatchString(key) {
		t.Errorf("idempotency key %q is not a version 5 UUID", key)
	}
	var paths []string
	for _, r := range b.requests(http.MethodGet, jobPath) {
		paths = append(paths, strings.TrimPrefix(r.Path, jobPath))
	}
	want := []string{"1", "1", "1", "1", "1/task", "1/task/1"}
	if diff := cmp.Diff(want, paths); diff != "" {
		t.Errorf("job requests (-want +got):\n%s", diff)
	}

	// Another client (a replica, a restart) derives the same key.
	other := setup(t, opts{client: func(c *netsuite.Config) { c.Async = true }})
	other.fake.SetStock("A", 5)
	if _, err := other.client.Submit(t.Context(), newOrder("1", line("A", 2))); err != nil {
		t.Fatal(err)
	}
	if k := other.requests(http.MethodPut, salesOrderPath)[0].Header.Get("X-NetSuite-Idempotency-Key"); k != key {
		t.Errorf("key %q on another client, want %q", k, key)
	}
}

func TestSubmitAsync_RetryAfterALostReplyFollowsTheEarlierJob(t *testing.T) {
	t.Parallel()
	for _, asPublished := range []bool{false, true} {
		name := map[bool]string{false: "ValidJSON", true: "AsPublished"}[asPublished]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, opts{
				fake:   func(f *netsuitefake.Config) { f.PendingPolls = 1; f.AsPublished = asPublished },
				client: func(c *netsuite.Config) { c.Async = true },
			})
			b.fake.SetStock("A", 5)
			o := newOrder("1", line("A", 2))
			b.fake.LoseNextReply()
			if _, err := b.client.Submit(t.Context(), o); !errors.Is(err, erp.ErrInDoubt) {
				t.Fatalf("Submit = %v, want in doubt", err)
			}
			rc, err := b.client.Submit(t.Context(), o)
			if err != nil {
				t.Fatalf("Submit again: %v", err)
			}
			if rc.Status != erp.StatusAcknowledged {
				t.Errorf("receipt = %+v", rc)
			}
			puts := b.requests(http.MethodPut, salesOrderPath)
			if len(puts) != 2 || puts[0].Header.Get("X-NetSuite-Idempotency-Key") != puts[1].Header.Get("X-NetSuite-Idempotency-Key") {
				t.Fatalf("PUTs = %d, want 2 with the same key", len(puts))
			}
			if n := len(b.fake.Orders()); n != 1 {
				t.Errorf("orders = %d, want 1", n)
			}
			if got := b.fake.Available("A"); got != 3 {
				t.Errorf("available = %d, want 3: one job ran", got)
			}
		})
	}
}

func TestSubmitAsync_FailedTaskIsMappedAsASynchronousReplyWouldBe(t *testing.T) {
	t.Parallel()
	for _, asPublished := range []bool{false, true} {
		name := map[bool]string{false: "ValidJSON", true: "AsPublished"}[asPublished]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, opts{
				fake:   func(f *netsuitefake.Config) { f.AsPublished = asPublished },
				client: func(c *netsuite.Config) { c.Async = true; c.CustomerID = "999" },
			})
			b.fake.SetStock("A", 5)
			_, err := b.client.Submit(t.Context(), newOrder("1", line("A", 2)))
			var e *erp.Error
			if err == nil || errors.As(err, &e) {
				t.Fatalf("Submit = %v, want a plain error: the config's customer is wrong", err)
			}
			for _, w := range []string{"INVALID_CONTENT at entity", "Invalid Field Value 999", "check customer_id", "async job /services/rest/async/v1/job/1"} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if n := len(b.requests(http.MethodGet, jobPath+"1/task/1/result")); n != 1 {
				t.Errorf("result requests = %d, want 1", n)
			}
		})
	}
}

func TestSubmitAsync_JobStillPendingWhenTheWaitEndsIsInDoubt(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{
		fake:   func(f *netsuitefake.Config) { f.PendingPolls = 1 << 30 },
		client: func(c *netsuite.Config) { c.Async = true; c.AsyncWait = 20 * time.Millisecond },
	})
	b.fake.SetStock("A", 5)
	_, err := b.client.Submit(t.Context(), newOrder("1", line("A", 2)))
	if !errors.Is(err, erp.ErrInDoubt) || !strings.Contains(err.Error(), "job not done") {
		t.Fatalf("Submit = %v, want in doubt naming the unfinished job", err)
	}
}
