package woocommerce_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/storefront"
	"github.com/ordergate/ordergate/internal/storefront/woocommerce"
	"github.com/ordergate/ordergate/internal/storefront/woocommerce/woocommercefake"
)

// putOrders gives the shop n orders, ids 1001…, modified one second apart
// from start (several per second when perSecond > 1).
func putOrders(b bundle, n, perSecond int, start time.Time) {
	for i := range n {
		b.shop.Put(woocommercefake.Order{
			ID:           int64(1001 + i),
			Total:        "10.00",
			DateCreated:  start.Add(-time.Hour),
			DateModified: start.Add(time.Duration(i/perSecond) * time.Second),
			Billing:      woocommercefake.Address{FirstName: "Buyer", LastName: fmt.Sprint(i), Email: fmt.Sprintf("b%d@example.com", i)},
			LineItems:    []woocommercefake.LineItem{{ID: int64(5000 + i), Name: "Tee", SKU: ptr("TEE"), Quantity: 1, Subtotal: "10.00", Total: "10.00", Price: "10"}},
		})
	}
}

func listIDs(t *testing.T, b bundle, since time.Time) []string {
	t.Helper()
	var ids []string
	err := b.client.ListModifiedSince(t.Context(), since, func(o order.Order) error {
		if o.Key.Storefront != "woo1" {
			t.Errorf("order %s keyed under %q", o.Key.ID, o.Key.Storefront)
		}
		ids = append(ids, o.Key.ID)
		return nil
	})
	if err != nil {
		t.Fatalf("ListModifiedSince: %v", err)
	}
	return ids
}

func idRange(from, n int) []string {
	var ids []string
	for i := range n {
		ids = append(ids, fmt.Sprint(from+i))
	}
	return ids
}

func TestListModifiedSince_PagesThroughEveryOrderOldestFirst(t *testing.T) {
	t.Parallel()
	b := setup(t)
	start := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	putOrders(b, 250, 1, start)
	if diff := cmp.Diff(idRange(1001, 250), listIDs(t, b, start)); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	var lists int
	for _, r := range b.shop.Requests() {
		if r.Status != http.StatusOK || !r.TLS || r.Key != testKey {
			t.Errorf("request %+v", r)
		}
		lists++
	}
	if lists < 3 {
		t.Errorf("%d requests for 250 orders at 100 a page", lists)
	}
}

// The query is the documented one, and modified_after carries no zone:
// with dates_are_gmt WordPress would convert a zoned time into the site's
// zone before comparing it with the GMT column.
func TestListModifiedSince_SendsTheDocumentedQuery(t *testing.T) {
	t.Parallel()
	b := setup(t)
	since := time.Date(2025, 3, 1, 12, 0, 0, 700_000_000, time.FixedZone("CET", 3600))
	if err := b.client.ListModifiedSince(t.Context(), since, func(order.Order) error { return nil }); err != nil {
		t.Fatal(err)
	}
	reqs := b.shop.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests for an empty shop", len(reqs))
	}
	want := url.Values{
		"modified_after": {"2025-03-01T10:59:59"}, // 11:00:00 UTC, truncated, one second back: after is exclusive
		"dates_are_gmt":  {"true"},
		"per_page":       {"100"},
		"page":           {"1"},
		"orderby":        {"modified"},
		"order":          {"asc"},
	}
	if diff := cmp.Diff(want, reqs[0].Query); diff != "" {
		t.Errorf("query (-want +got):\n%s", diff)
	}
	if reqs[0].Path != "/wp-json/wc/v3/orders" {
		t.Errorf("path %s", reqs[0].Path)
	}
}

// On a site five hours behind UTC the window is still exact, to the
// second: an order changed in since's own second is in, one a second
// earlier is out.
func TestListModifiedSince_WindowIsExactOnASiteAwayFromUTC(t *testing.T) {
	t.Parallel()
	b := setup(t, func(o *options) { o.shop.Location = time.FixedZone("EST", -5*3600) })
	since := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	putOrders(b, 5, 1, since.Add(-2*time.Second)) // 1001 at -2s … 1005 at +2s
	if diff := cmp.Diff([]string{"1003", "1004", "1005"}, listIDs(t, b, since.Add(500*time.Millisecond))); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
}

// The fake models WordPress's zone handling, so sending a zone would have
// been caught: on that site "Z" shifts the window by five hours.
func TestFakeShop_ZonedModifiedAfterIsShiftedIntoSiteTime(t *testing.T) {
	t.Parallel()
	b := setup(t, func(o *options) { o.shop.Location = time.FixedZone("EST", -5*3600) })
	since := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	putOrders(b, 5, 1, since.Add(-2*time.Second))
	count := func(after string) string {
		req, err := http.NewRequest(http.MethodGet, b.srv.URL+"/wp-json/wc/v3/orders?dates_are_gmt=true&modified_after="+url.QueryEscape(after), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.SetBasicAuth(testKey, testSecret)
		resp, err := b.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.Header.Get("X-WP-Total")
	}
	if got := count("2025-03-01T11:59:59"); got != "3" {
		t.Errorf("no zone: %s orders, want 3", got)
	}
	if got := count("2025-03-01T11:59:59Z"); got != "5" {
		t.Errorf("with Z: %s orders, want all 5 (06:59:59 compared with GMT times)", got)
	}
}

// An order modified while the client pages moves to the end of the list
// and the others shift up a place. Paging by offset alone skips one; the
// client does not.
func TestListModifiedSince_OrderModifiedMidListingSkipsNothing(t *testing.T) {
	t.Parallel()
	start := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	// On the second list request, whatever page it asks for, order 1010
	// changes.
	busy := func(b bundle) {
		var n atomic.Int32
		b.shop.OnList(func(int) {
			if n.Add(1) == 2 {
				b.clock.Advance(time.Hour)
				if err := b.shop.Update(1010, func(o *woocommercefake.Order) { o.Status = "completed" }); err != nil {
					t.Error(err)
				}
			}
		})
	}

	// The hazard is real: a plain offset pager over the same shop misses
	// an order.
	naive := setup(t)
	putOrders(naive, 250, 1, start)
	busy(naive)
	var naiveIDs []string
	for page := 1; ; page++ {
		req, err := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/wp-json/wc/v3/orders?orderby=modified&order=asc&per_page=100&page=%d", naive.srv.URL, page), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.SetBasicAuth(testKey, testSecret)
		resp, err := naive.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var rows []struct{ ID int }
		if err := jsonDecode(resp, &rows); err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			naiveIDs = append(naiveIDs, fmt.Sprint(r.ID))
		}
		if fmt.Sprint(page) == resp.Header.Get("X-WP-TotalPages") {
			break
		}
	}
	if !slices.Contains(naiveIDs, "1010") || slices.Contains(naiveIDs, "1101") {
		t.Fatalf("the naive pager did not lose 1101 as expected: %d ids", len(naiveIDs))
	}

	b := setup(t)
	putOrders(b, 250, 1, start)
	busy(b)
	got := listIDs(t, b, start)
	missing := []string{}
	for _, id := range idRange(1001, 250) {
		if !slices.Contains(got, id) {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		t.Errorf("orders never listed: %v", missing)
	}
	// 1010 comes twice: as it was, and as it became.
	if n := countOf(got, "1010"); n != 2 || got[len(got)-1] != "1010" {
		t.Errorf("1010 listed %d times, last %s", n, got[len(got)-1])
	}
	if len(got) != 251 {
		t.Errorf("%d orders listed, want 251", len(got))
	}
}

func countOf(ids []string, id string) int {
	n := 0
	for _, v := range ids {
		if v == id {
			n++
		}
	}
	return n
}

// More orders than a page share one second: the client pages on within
// the second instead of asking for it again.
func TestListModifiedSince_SecondBusierThanAPage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	start := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	putOrders(b, 230, 230, start) // all in one second
	putOrders2 := func(from, n int, at time.Time) {
		for i := range n {
			b.shop.Put(woocommercefake.Order{ID: int64(from + i), Total: "1.00", DateModified: at})
		}
	}
	putOrders2(2001, 3, start.Add(time.Second))
	got := listIDs(t, b, start)
	want := append(idRange(1001, 230), idRange(2001, 3)...)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
}

// A shop that ignores orderby (a plugin rewriting the query) returns
// pages not sorted by modification time: the client notices and pages
// through plainly, so nothing is skipped.
func TestListModifiedSince_UnsortedShopFallsBackToPaging(t *testing.T) {
	t.Parallel()
	b := setup(t, func(o *options) {
		o.wrap = func(h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				q := r.URL.Query()
				q.Set("orderby", "id")
				q.Set("order", "desc")
				r.URL.RawQuery = q.Encode()
				h.ServeHTTP(w, r)
			})
		}
	})
	start := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	putOrders(b, 250, 1, start)
	got := listIDs(t, b, start)
	slices.Sort(got)
	if diff := cmp.Diff(idRange(1001, 250), got); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
}

func TestListModifiedSince_ZeroSinceListsEverything(t *testing.T) {
	t.Parallel()
	b := setup(t)
	putOrders(b, 3, 1, time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC))
	if diff := cmp.Diff(idRange(1001, 3), listIDs(t, b, time.Time{})); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	if q := b.shop.Requests()[0].Query; q.Has("modified_after") {
		t.Errorf("modified_after sent for the zero time: %v", q)
	}
}

// One order that does not decode does not stop the backfill: the others
// are listed and the error names it.
func TestListModifiedSince_SkipsAnUndecodableOrderAndNamesIt(t *testing.T) {
	t.Parallel()
	b := setup(t)
	start := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	putOrders(b, 150, 1, start)
	if err := b.shop.Update(1020, func(o *woocommercefake.Order) { o.Total = "12,50" }); err != nil {
		t.Fatal(err)
	}
	var ids []string
	err := b.client.ListModifiedSince(t.Context(), start, func(o order.Order) error {
		ids = append(ids, o.Key.ID)
		return nil
	})
	if !errors.Is(err, woocommerce.ErrMalformed) || !strings.Contains(err.Error(), "order 1020") || !strings.Contains(err.Error(), "1 orders") {
		t.Errorf("ListModifiedSince = %v, want ErrMalformed naming order 1020 once", err)
	}
	if len(ids) != 149 || slices.Contains(ids, "1020") {
		t.Errorf("%d orders listed", len(ids))
	}
}

func TestListModifiedSince_StopsAtTheCallbacksError(t *testing.T) {
	t.Parallel()
	b := setup(t)
	putOrders(b, 250, 1, time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
	stop := errors.New("store is down")
	n := 0
	err := b.client.ListModifiedSince(t.Context(), time.Time{}, func(order.Order) error {
		n++
		if n == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 3 || len(b.shop.Requests()) != 1 {
		t.Errorf("err %v after %d orders, %d requests", err, n, len(b.shop.Requests()))
	}
}

func TestListSnapshotsModifiedSince_CarriesStatusAndBody(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.shop.Put(documentedOrder(t))
	var got []woocommerce.Snapshot
	if err := b.client.ListSnapshotsModifiedSince(t.Context(), time.Time{}, func(s woocommerce.Snapshot) error {
		got = append(got, s)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Status != "processing" || !strings.Contains(string(got[0].Body), `"order_key":"wc_order_58d2d042d1d"`) {
		t.Fatalf("snapshots %+v", got)
	}
	want, err := woocommerce.DecodeOrder("woo1", readTestdata(t, "rest-v3-order-retrieve-727.json"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := orderDiff(want, got[0].Order); diff != "" {
		t.Errorf("order through the fake (-documented +listed):\n%s", diff)
	}
}

// A backfilled snapshot becomes a delivery the gate ingests like a
// webhook's, a cancelled status included.
func TestSnapshotDelivery_MapsStatusLikeParse(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := documentedOrder(t)
	b.shop.Put(o)
	o.ID, o.Status = 728, "cancelled"
	b.shop.Put(o)
	ds := map[string]storefront.Delivery{}
	if err := b.client.ListSnapshotsModifiedSince(t.Context(), time.Time{}, func(s woocommerce.Snapshot) error {
		ds[s.Order.Key.ID] = s.Delivery()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if d := ds["727"]; d.Topic != storefront.OrderCreated || d.Kind != "woocommerce" || d.Storefront != "woo1" || d.DedupKey != "rest|woo1|727|2017-03-22T19:28:08" || len(d.Body) == 0 {
		t.Errorf("727: %+v", d)
	}
	if d := ds["728"]; d.Topic != storefront.OrderCancelled || !strings.Contains(d.CancelReason, "cancelled") || d.CancelledAt.IsZero() {
		t.Errorf("728: %+v", d)
	}
}

func jsonDecode(resp *http.Response, v any) error {
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}
