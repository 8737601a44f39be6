package fishbowl_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/erp/fishbowl"
	"github.com/ordergate/ordergate/internal/erp/fishbowl/fishbowlfake"
)

func TestCancel_VoidsTheSalesOrderReleasingItsStock(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.fake.SetStock("A", 5)
	if _, err := b.client.Submit(t.Context(), newOrder("1", line("A", 3))); err != nil {
		t.Fatalf("Submit: %v", err)
	}
	if err := b.client.Cancel(t.Context(), "og-shop-1", "customer changed their mind"); err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	if s := b.fake.Orders()[0].Status; s != 80 {
		t.Errorf("status in Fishbowl = %d, want 80 (Void)", s)
	}
	var voids int
	for _, r := range b.fake.Requests() {
		if r.Method == http.MethodPost && r.Path == "/api/sales-orders/1/void" {
			voids++
		}
	}
	if voids != 1 {
		t.Errorf("sent %d voids, want 1", voids)
	}
	if got, _ := b.client.Availability(t.Context(), []string{"A"}); got["A"] != 5 {
		t.Errorf("availability = %d, want the 5 released", got["A"])
	}
}

func TestCancel_OrderAlreadyVoidOrCancelledIsLeftAlone(t *testing.T) {
	t.Parallel()
	for _, status := range []int{80, 85} {
		b := setup(t)
		b.fake.AddSalesOrder(fishbowlfake.SalesOrder{Number: "og-shop-1", Status: status, CustomerName: "Ada",
			Items: []fishbowlfake.Item{{ProductNumber: "A", Quantity: decimal.NewFromInt(1)}}})
		if err := b.client.Cancel(t.Context(), "og-shop-1", "again"); err != nil {
			t.Errorf("Cancel of an order in status %d: %v, want nil", status, err)
		}
		for _, r := range b.fake.Requests() {
			if strings.HasSuffix(r.Path, "/void") {
				t.Errorf("status %d: sent %s %s, want no void", status, r.Method, r.Path)
			}
		}
	}
}

func TestCancel_FulfilledOrderIsRejectedWithFishbowlsWords(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.fake.SetStock("A", 5)
	if _, err := b.client.Submit(t.Context(), newOrder("1", line("A", 2))); err != nil {
		t.Fatalf("Submit: %v", err)
	}
	b.fake.SetStatus("og-shop-1", 60)

	err := b.client.Cancel(t.Context(), "og-shop-1", "too late")
	if !errors.Is(err, erp.ErrRejected) {
		t.Fatalf("Cancel: %v, want ErrRejected", err)
	}
	if e := erpError(t, err); e.Code != "request_failed" || !strings.Contains(e.Message, "cannot be voided because it has been fulfilled") {
		t.Errorf("error = %+v, want request_failed with Fishbowl's words", e)
	}
}

func TestCancel_VoidRefusedBecauseVoidedMeanwhileSucceeds(t *testing.T) {
	t.Parallel()
	fake := fishbowlfake.New(fishbowlfake.Config{Users: map[string]fishbowlfake.User{testUser: {Password: testPass}}})
	fake.AddSalesOrder(fishbowlfake.SalesOrder{Number: "og-shop-1", Status: 20, CustomerName: "Ada",
		Items: []fishbowlfake.Item{{ProductNumber: "A", Quantity: decimal.NewFromInt(1)}}})
	// A clerk voids the order just before ordergate's void arrives.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/void") {
			fake.SetStatus("og-shop-1", 80)
		}
		fake.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	c, err := fishbowl.New(fishbowl.Config{BaseURL: srv.URL, Username: testUser, Password: testPass,
		AppName: testAppName, AppID: "4711", Timeout: time.Second, HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(t.Context()) })

	if err := c.Cancel(t.Context(), "og-shop-1", "test"); err != nil {
		t.Errorf("Cancel: %v, want nil: the order is void", err)
	}
}
