package shopify_test

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/ordergate/ordergate/internal/storefront/shopify"
)

// The webhook handler's order of work: verify the raw bytes against the
// current and previous secrets, then parse; an unsupported topic is answered
// 200 and ignored.
func ExampleParse() {
	secrets := [][]byte{[]byte("current-secret"), []byte("previous-secret")}
	body := []byte(`{"id":9007199254740993,"name":"#1001","email":"ava@example.com","currency":"USD","total_price":"56.00",` +
		`"created_at":"2025-07-01T09:30:00-05:00","line_items":[{"id":1,"sku":"TEE-ORG-BLK-M","title":"Organic Cotton Tee","quantity":2,"price":"28.00"}]}`)
	h := http.Header{}
	h.Set(shopify.HeaderHmac, shopify.Sign(body, []byte("previous-secret")))
	h.Set(shopify.HeaderTopic, "orders/create")
	h.Set(shopify.HeaderShopDomain, "northwind.myshopify.com")
	h.Set(shopify.HeaderAPIVersion, "2025-07")
	h.Set(shopify.HeaderWebhookID, "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043")
	h.Set(shopify.HeaderEventID, "98880550-7158-44d4-b7cd-2c97c8a091b5")

	if err := shopify.Verify(body, h.Get(shopify.HeaderHmac), secrets); err != nil {
		fmt.Println("401:", err)
		return
	}
	d, err := shopify.Parse("shop1", h, body)
	switch {
	case errors.Is(err, shopify.ErrUnsupportedTopic):
		fmt.Println("200, ignored")
		return
	case err != nil:
		fmt.Println("400:", err)
		return
	}
	fmt.Println(d.Topic, d.Order.Key, d.Order.Total, d.Order.Lines[0].SKU)
	fmt.Println(d.DedupKey)
	// Output:
	// order_created shop1/9007199254740993 56 TEE-ORG-BLK-M
	// northwind.myshopify.com|orders/create|98880550-7158-44d4-b7cd-2c97c8a091b5
}
