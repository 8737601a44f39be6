package admin_test

import (
	"context"
	"fmt"
	"time"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/storefront/shopify/admin"
	"github.com/ordergate/ordergate/internal/storefront/shopify/admin/shopifyfake"
)

// A reconcile pass: make sure the order webhooks are subscribed, then list
// what changed since the last pass.
func Example() {
	shop := shopifyfake.New(shopifyfake.Options{})
	defer shop.Close()
	_ = shop.PutOrder(map[string]any{
		"id": "gid://shopify/Order/9007199254740993", "legacyResourceId": "9007199254740993", "name": "#1001",
		"email": "ava@example.com", "phone": nil, "currencyCode": "USD",
		"createdAt": "2025-07-01T14:30:00Z", "updatedAt": "2025-07-01T14:35:00Z", "cancelledAt": nil, "cancelReason": nil,
		"totalPriceSet": map[string]any{"shopMoney": map[string]any{"amount": "56.00"}},
		"customer":      nil, "billingAddress": nil, "shippingAddress": nil,
		"lineItems": []map[string]any{{
			"id": "gid://shopify/LineItem/1", "sku": "TEE-ORG-BLK-M", "title": "Organic Cotton Tee", "name": "Organic Cotton Tee - M",
			"quantity": 2, "originalUnitPriceSet": map[string]any{"shopMoney": map[string]any{"amount": "28.00"}},
		}},
	})

	c, err := admin.NewClient(admin.Config{
		Storefront:  "shop1",
		ShopDomain:  "northwind.myshopify.com",
		AccessToken: shop.Token(),
		BaseURL:     shop.URL(), // the fake; by default the shop's own endpoint
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	r, err := c.EnsureSubscriptions(ctx, "https://gate.example/webhooks/shopify/shop1", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("created", len(r.Created), "present", len(r.Present))

	since := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	err = c.ListOrdersSince(ctx, since, func(o order.Order) error {
		fmt.Println(o.Key, o.Name, o.Total, o.Lines[0].SKU, o.Lines[0].Quantity)
		return nil
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// created 3 present 0
	// shop1/9007199254740993 #1001 56 TEE-ORG-BLK-M 2
}
