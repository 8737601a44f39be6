package bigcommerce_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/ordergate/ordergate/internal/storefront/bigcommerce"
	"github.com/ordergate/ordergate/internal/storefront/bigcommerce/bigcommercefake"
)

// The order of work: the handler verifies the custom header, parses the
// thin callback, stores it and answers 200; a job then fetches the order
// from the v2 API and assembles the delivery.
func ExampleParseHook() {
	// A fake store holding BigCommerce's example order 218.
	store := bigcommercefake.New(bigcommercefake.Config{StoreHash: "abc123", AccessToken: "api-token"})
	orderBody, _ := os.ReadFile("testdata/v2-order-get.json")
	productsBody, _ := os.ReadFile("testdata/v2-order-products-get.json")
	shippingBody, _ := os.ReadFile("testdata/v2-order-shipping-addresses-get.json")
	if err := store.PutOrder(orderBody, productsBody); err != nil {
		fmt.Println(err)
		return
	}
	if err := store.PutShippingAddresses(218, shippingBody); err != nil {
		fmt.Println(err)
		return
	}
	srv := httptest.NewServer(store)
	defer srv.Close()

	// The callback, as BigCommerce posts it.
	body := store.Webhook(bigcommerce.ScopeOrderCreated, 218, time.Date(2025, 7, 1, 9, 30, 0, 0, time.UTC))
	header := http.Header{}
	header.Set(bigcommerce.DefaultHeader, "previous-secret")

	// In the handler.
	secrets := [][]byte{[]byte("current-secret"), []byte("previous-secret")}
	if err := bigcommerce.Verify(header, bigcommerce.DefaultHeader, secrets); err != nil {
		fmt.Println("401:", err)
		return
	}
	h, err := bigcommerce.ParseHook("bc1", body)
	switch {
	case errors.Is(err, bigcommerce.ErrUnsupportedTopic):
		fmt.Println("200, ignored")
		return
	case err != nil:
		fmt.Println("400:", err)
		return
	}
	fmt.Println(h.Topic, h.OrderID)

	// In the job.
	c, err := bigcommerce.NewClient(bigcommerce.Config{
		Storefront: "bc1", AccessToken: "api-token", BaseURL: srv.URL + store.Prefix(),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := c.Fetch(context.Background(), h.OrderID)
	if err != nil {
		fmt.Println(err)
		return
	}
	d := bigcommerce.SnapshotDelivery("bc1", h, s, body)
	fmt.Println(d.Topic, d.Order.Key, d.Order.Name, d.Order.Total.StringFixed(2), d.Order.Currency, len(d.Order.Lines), s.Status)
	fmt.Println("ship to", d.Order.ShipTo.Name+",", d.Order.ShipTo.City, d.Order.ShipTo.CountryCode)
	// Output:
	// order_created 218
	// order_created bc1/218 #218 69.84 USD 2 Awaiting Payment
	// ship to Trishy Smith, San Antonio US
}
