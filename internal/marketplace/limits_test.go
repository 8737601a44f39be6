package marketplace_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/marketplace"
	"github.com/ordergate/ordergate/internal/marketplace/amazon"
	"github.com/ordergate/ordergate/internal/marketplace/amazon/amazonfake"
	"github.com/ordergate/ordergate/internal/marketplace/ebay"
	"github.com/ordergate/ordergate/internal/marketplace/ebay/ebayfake"
	"github.com/ordergate/ordergate/internal/marketplace/marketplacetest"
	"github.com/ordergate/ordergate/internal/marketplace/walmart"
	"github.com/ordergate/ordergate/internal/marketplace/walmart/walmartfake"
)

// TestPusher_KeepsToAmazonsFiveRequestsASecond pushes 20 SKUs through the
// fake Amazon, both on one clock: the burst of 5 goes at once, then one
// every 200ms, and Amazon never throttles.
func TestPusher_KeepsToAmazonsFiveRequestsASecond(t *testing.T) {
	t.Parallel()
	clk := marketplacetest.NewClock(t0)
	fake := amazonfake.New(amazonfake.Config{ClientID: "id", ClientSecret: "secret", RefreshToken: "refresh", SellerID: "S", Now: clk.Now})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	conn, err := amazon.New(amazon.Config{Endpoint: srv.URL, TokenURL: srv.URL + amazonfake.TokenPath, HTTPClient: srv.Client(),
		ClientID: "id", ClientSecret: "secret", RefreshToken: "refresh", SellerID: "S",
		MarketplaceIDs: []string{amazonfake.DefaultMarketplaceID}, ProductType: "LUGGAGE", Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, clk, conn)
	for i := range 20 {
		sku := fmt.Sprintf("SKU-%02d", i)
		fake.AddListing(sku, "LUGGAGE")
		r.setERP(sku, 10+i)
	}
	for next := r.step(); !next.IsZero(); next = r.step() {
		clk.Advance(next.Sub(clk.Now()))
	}
	recs := r.took()
	if len(recs) != 20 {
		t.Fatalf("%d records, want 20", len(recs))
	}
	for i, rec := range recs {
		want := marketplace.DefaultDebounce
		if i >= 5 {
			want += time.Duration(i-4) * 200 * time.Millisecond
		}
		if rec.Outcome != marketplace.Sent || rec.At.Sub(t0) != want {
			t.Errorf("push %d: %s at %s, want sent at %s", i, rec.Outcome, rec.At.Sub(t0), want)
		}
		if rec.Quantity != rec.Quote.Available || rec.Quantity != 10+i-1 {
			t.Errorf("push %d: quantity %d, quote %d, want %d", i, rec.Quantity, rec.Quote.Available, 10+i-1)
		}
	}
	for _, req := range fake.Requests() {
		if req.Status != http.StatusOK {
			t.Errorf("amazon answered %d to %s", req.Status, req.SKU)
		}
	}
}

// TestPusher_ThrottleWaitsRetryAfterAndRequotes has Walmart throttle a
// push: nothing goes to Walmart before the wait is over, and what goes then
// is the ledger's figure then, not the one first tried.
func TestPusher_ThrottleWaitsRetryAfterAndRequotes(t *testing.T) {
	t.Parallel()
	clk := marketplacetest.NewClock(t0)
	fake := walmartfake.New(walmartfake.Config{ClientID: "id", ClientSecret: "secret", Now: clk.Now})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	conn, err := walmart.New(walmart.Config{BaseURL: srv.URL, HTTPClient: srv.Client(), ClientID: "id", ClientSecret: "secret", Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, clk, conn)
	fake.AddItem("A")
	fake.AddItem("B")
	r.setERP("A", 10)
	r.setERP("B", 10)
	r.step()
	clk.Advance(marketplace.DefaultDebounce)
	fake.Throttle(7 * time.Second)
	next := r.step()
	got := summarize(r.took())
	want := []summary{{"A", 9, marketplace.Throttled, 2 * time.Second}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("records (-want +got):\n%s", diff)
	}
	if w := t0.Add(9 * time.Second); !next.Equal(w) {
		t.Errorf("next = %s, want %s (Retry-After 7s; B waits too: the limit is the account's)", next.Sub(t0), w.Sub(t0))
	}
	r.sell("A", 4)
	clk.Advance(6 * time.Second)
	r.step()
	if got := r.took(); len(got) != 0 {
		t.Errorf("pushed during the wait: %+v", summarize(got))
	}
	clk.Advance(time.Second)
	for next := r.step(); !next.IsZero(); next = r.step() {
		clk.Advance(next.Sub(clk.Now()))
	}
	// B has waited longest; after the 429 the bucket starts empty, so A
	// follows a second later, at Walmart's 1 a second.
	want = []summary{{"B", 9, marketplace.Sent, 9 * time.Second}, {"A", 5, marketplace.Sent, 10 * time.Second}}
	if diff := cmp.Diff(want, summarize(r.took())); diff != "" {
		t.Errorf("after the wait (-want +got):\n%s", diff)
	}
	if q, _ := fake.Quantity("A"); q != 5 {
		t.Errorf("walmart lists %d of A, want 5", q)
	}
}

// TestPusher_RevisionBudget plays a day on a marketplace allowing 10
// revisions per listing, 3 kept for decreases. An order from outside the
// channel lowers the listing to 0 (it may have sold all it was told before
// a lower figure lands; see inventory.Ledger.Claim), and the next push
// raises it again.
func TestPusher_RevisionBudget(t *testing.T) {
	t.Parallel()
	r, m := sandboxRig(t, marketplace.Limits{RevisionsPerDay: 10}, func(c *marketplace.PusherConfig) {
		c.RevisionReserve = 3
		c.Debounce = time.Second
	})
	r.setERP("A", 100)
	push := func() {
		t.Helper()
		r.step()
		r.clock.Advance(time.Second)
		r.step()
	}
	push() // revision 1: 99
	for range 3 {
		r.sell("A", 2) // down to 0: revisions 2, 4, 6
		push()
		push() // back up to 97, 95, 93: revisions 3, 5, 7
	}
	// 7 used, 3 left: an increase waits for tomorrow.
	r.setERP("A", 300)
	push() // held: 200 more
	r.sell("A", 5)
	push() // held: 195
	r.setERP("A", 90)
	push() // revision 8: down to 0
	push() // held: 78
	var got []string
	for _, rec := range r.took()[7:] {
		got = append(got, fmt.Sprintf("%s %d %s", rec.Outcome, rec.Quantity, rec.Err))
	}
	want := []string{
		"held 200 3 revisions left today, kept for decreases",
		"held 195 3 revisions left today, kept for decreases",
		"sent 0 ",
		"held 78 2 revisions left today, kept for decreases",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("records from the 8th revision on (-want +got):\n%s", diff)
	}
	if q, _ := m.Listed("A"); q != 0 {
		t.Errorf("listed %d at the end of the day, want 0", q)
	}
	// The next day (UTC) the listing reopens at the figure then.
	next := r.step()
	if want := time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC); !next.Equal(want) {
		t.Fatalf("next = %s, want midnight UTC", next)
	}
	r.clock.Advance(next.Sub(r.clock.Now()))
	r.step()
	recs := r.took()
	if len(recs) != 1 || recs[0].Outcome != marketplace.Sent || recs[0].Quantity != 78 || recs[0].Revisions != 1 {
		t.Errorf("at midnight: %+v, want 78 sent, the day's first revision", recs)
	}
}

// TestPusher_EbayBusyDayStaysWithin250Revisions changes one SKU's figure
// every few seconds for a day against the fake eBay, which refuses a 251st
// revision: the pusher never reaches it, and what eBay lists never exceeds
// the ledger's figure after each push.
func TestPusher_EbayBusyDayStaysWithin250Revisions(t *testing.T) {
	t.Parallel()
	clk := marketplacetest.NewClock(t0)
	fake := ebayfake.New(ebayfake.Config{ClientID: "id", ClientSecret: "secret", RefreshToken: "refresh", Now: clk.Now})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	conn, err := ebay.New(ebay.Config{BaseURL: srv.URL, HTTPClient: srv.Client(), ClientID: "id", ClientSecret: "secret",
		RefreshToken: "refresh", Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, clk, conn)
	fake.AddItem("A")
	r.setERP("A", 1000)
	rng := rand.New(rand.NewPCG(7, 7))
	end := time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)
	var over time.Time // since when eBay has listed more than the ledger allows
	most := 0          // the most revisions eBay counted
	for clk.Now().Before(end) {
		switch rng.IntN(3) {
		case 0:
			r.sell("A", 1+rng.IntN(3))
		case 1:
			r.ledger.Release(fmt.Sprintf("o%d", 1+rng.IntN(max(1, r.orders))))
		default:
			r.setERP("A", 900+rng.IntN(200))
		}
		r.step()
		most = max(most, fake.Revisions("A"))
		// A decrease may lag by its debounce (30s) and the gap to the
		// next step (under 20s), never longer.
		if q, ok := fake.Quantity("A"); ok && q > r.ledger.Available("mp", "A") {
			if over.IsZero() {
				over = clk.Now()
			}
			if lag := clk.Now().Sub(over); lag > marketplace.DefaultDebounceLimited+20*time.Second {
				t.Fatalf("at %s ebay has listed more than the ledger allows for %s", clk.Now().Sub(t0), lag)
			}
		} else {
			over = time.Time{}
		}
		clk.Advance(time.Duration(1+rng.IntN(20)) * time.Second)
	}
	// Every decrease goes to 0 (see inventory.Ledger.Claim), so once the
	// reserve is reached one decrease closes the listing and the rest of
	// the reserve may go unused.
	if most > 250 || most < 250-25 {
		t.Errorf("eBay counted at most %d revisions in the day, want the budget used up to its reserve, never past 250", most)
	}
	var sent, held int
	for _, rec := range r.took() {
		switch rec.Outcome {
		case marketplace.Sent:
			sent++
		case marketplace.Held:
			held++
		default:
			t.Errorf("push %s at %s: %s", rec.Outcome, rec.At.Sub(t0), rec.Err)
		}
	}
	if sent > 250 || sent < 200 || held == 0 {
		t.Errorf("sent %d, held %d: want the budget used, not exceeded, and increases held near its end", sent, held)
	}
}
