package bigcommerce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/storefront/bigcommerce/bigcommercefake"
)

var base = time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)

// putOrders adds orders 1…n; order i was modified i minutes after base,
// except that ids are shuffled against dates so that the sort is tested:
// order i is modified at minute n+1-i.
func putOrders(t *testing.T, s *bigcommercefake.Store, n int) {
	t.Helper()
	for i := 1; i <= n; i++ {
		mod := base.Add(time.Duration(n+1-i) * time.Minute).Format(time.RFC1123Z)
		body := fmt.Sprintf(`{"id":%d,"status_id":11,"status":"Awaiting Fulfillment","date_created":%q,"date_modified":%q,"total_inc_tax":"1.0000"}`, i, mod, mod)
		if err := s.PutOrder([]byte(body), products(1)); err != nil {
			t.Fatal(err)
		}
	}
}

func unlimited(f *bigcommercefake.Config, _ *Config) { f.Quota = 1 << 20 }

func TestListModifiedSince_PagesOldestModificationFirst(t *testing.T) {
	t.Parallel()
	b := setup(t, unlimited)
	putOrders(t, b.store, 600)
	since := base.Add(100*time.Minute + 30*time.Second + 500*time.Millisecond) // orders modified at minute 101…600
	var ids []string
	err := b.client.ListModifiedSince(context.Background(), since, func(o order.Order) error {
		if len(o.Lines) != 1 || o.Key.Storefront != "bc1" {
			t.Errorf("order %s: %d lines, storefront %q", o.Key.ID, len(o.Lines), o.Key.Storefront)
		}
		ids = append(ids, o.Key.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 500 || ids[0] != "500" || ids[499] != "1" {
		t.Errorf("%d orders, first %v, last %v; want 500 from 500 down to 1", len(ids), ids[:1], ids[len(ids)-1:])
	}
	var lists []string
	for _, r := range b.store.Requests() {
		if r.Path == "/v2/orders" {
			lists = append(lists, r.Query.Encode())
		}
	}
	// since is rounded down to the second, in RFC 2822 as documented; 500
	// orders are two full pages, and the third is a 204.
	var want []string
	for _, page := range []string{"1", "2", "3"} {
		want = append(want, url.Values{
			"min_date_modified": {"Tue, 01 Jul 2025 01:40:30 +0000"},
			"sort":              {"date_modified:asc"},
			"limit":             {"250"},
			"page":              {page},
		}.Encode())
	}
	if diff := cmp.Diff(want, lists); diff != "" {
		t.Errorf("list requests (-want +got):\n%s", diff)
	}
}

func TestListModifiedSince_AFullLastPageEndsOn204(t *testing.T) {
	t.Parallel()
	b := setup(t, unlimited)
	putOrders(t, b.store, 250)
	n := 0
	if err := b.client.ListModifiedSince(context.Background(), base, func(order.Order) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 250 {
		t.Errorf("%d orders, want 250", n)
	}
	var pages []string
	var last int
	for _, r := range b.store.Requests() {
		if r.Path == "/v2/orders" {
			pages = append(pages, r.Query.Get("page"))
			last = r.Status
		}
	}
	if diff := cmp.Diff([]string{"1", "2"}, pages); diff != "" || last != http.StatusNoContent {
		t.Errorf("pages %v, last status %d; want pages 1 and 2, the second a 204", pages, last)
	}
}

func TestListModifiedSince_NothingModifiedIsNotAnError(t *testing.T) {
	t.Parallel()
	b := setup(t, unlimited)
	putOrders(t, b.store, 3)
	called := false
	err := b.client.ListModifiedSince(context.Background(), base.Add(time.Hour), func(order.Order) error { called = true; return nil })
	if err != nil || called {
		t.Errorf("ListModifiedSince = %v, called %v; want nil, not called", err, called)
	}
}

func TestListModifiedSince_ZeroSinceListsEverything(t *testing.T) {
	t.Parallel()
	b := setup(t, unlimited)
	putOrders(t, b.store, 3)
	n := 0
	if err := b.client.ListModifiedSince(context.Background(), time.Time{}, func(order.Order) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("%d orders, want 3", n)
	}
	if q := b.store.Requests()[0].Query; q.Has("min_date_modified") {
		t.Errorf("query %v has min_date_modified", q)
	}
}

func TestListModifiedSince_StopsAtTheCallbacksError(t *testing.T) {
	t.Parallel()
	b := setup(t, unlimited)
	putOrders(t, b.store, 5)
	stop := errors.New("stop")
	n := 0
	err := b.client.ListModifiedSince(context.Background(), base, func(order.Order) error {
		n++
		if n == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 2 {
		t.Errorf("ListModifiedSince = %v after %d orders, want stop after 2", err, n)
	}
}

func TestEachModifiedSince_GivesTheStatus(t *testing.T) {
	t.Parallel()
	b := setup(t, unlimited)
	b.putFixture(t)
	var got []Snapshot
	if err := b.client.EachModifiedSince(context.Background(), time.Time{}, func(s Snapshot) error { got = append(got, s); return nil }); err != nil {
		t.Fatal(err)
	}
	want, err := Decode("bc1", readTestdata(t, "v2-order-get.json"), readTestdata(t, "v2-order-products-get.json"))
	if err != nil {
		t.Fatal(err)
	}
	if want.Order.ShipTo, err = DecodeShippingAddresses(readTestdata(t, "v2-order-shipping-addresses-get.json")); err != nil {
		t.Fatal(err)
	}
	if diff := orderDiff([]Snapshot{want}, got); diff != "" {
		t.Errorf("snapshots (-want +got):\n%s", diff)
	}
}

// A server that ignores page would make the listing loop for ever.
func TestListModifiedSince_RefusesAServerThatIgnoresThePage(t *testing.T) {
	t.Parallel()
	b := setupWrapped(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			q.Del("page")
			r.URL.RawQuery = q.Encode()
			h.ServeHTTP(w, r)
		})
	}, unlimited)
	putOrders(t, b.store, 300)
	err := b.client.ListModifiedSince(context.Background(), base, func(order.Order) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "ignored the page parameter") {
		t.Errorf("ListModifiedSince = %v, want an error about paging", err)
	}
}

func TestListModifiedSince_ErrorsNameThePage(t *testing.T) {
	t.Parallel()
	b := setup(t, func(f *bigcommercefake.Config, c *Config) { c.AccessToken = "wrong" })
	err := b.client.ListModifiedSince(context.Background(), base, func(order.Order) error { return nil })
	if !errors.Is(err, ErrAuth) || !strings.Contains(err.Error(), "page 1") {
		t.Errorf("ListModifiedSince = %v, want ErrAuth naming page 1", err)
	}
}
