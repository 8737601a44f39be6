package storesim

import (
	"fmt"
	"hash/fnv"

	"github.com/shopspring/decimal"
)

// product is one catalogue entry as Shopify would show it on a line.
type product struct {
	SKU     string
	Title   string
	Variant string
	Vendor  string
	Price   decimal.Decimal
	Grams   int
}

// catalogue is the default shop: what a small apparel and homeware brand
// sells. Prices are strings, as Shopify sends them.
var catalogue = []product{
	{"TEE-ORG-BLK-M", "Organic Cotton Tee", "Black / M", "Northwind Apparel", decimal.RequireFromString("28.00"), 180},
	{"TEE-ORG-WHT-L", "Organic Cotton Tee", "White / L", "Northwind Apparel", decimal.RequireFromString("28.00"), 190},
	{"HOOD-FLC-GRY-M", "Fleece Hoodie", "Heather Grey / M", "Northwind Apparel", decimal.RequireFromString("64.50"), 620},
	{"CAP-WOOL-NVY", "Wool Baseball Cap", "Navy", "Northwind Apparel", decimal.RequireFromString("32.00"), 110},
	{"SOCK-MRN-3PK", "Merino Socks 3-Pack", "Charcoal", "Northwind Apparel", decimal.RequireFromString("24.99"), 150},
	{"MUG-STN-12OZ", "Stoneware Mug", "12 oz / Speckled", "Harbour Home", decimal.RequireFromString("18.00"), 410},
	{"BTL-SS-750", "Insulated Steel Bottle", "750 ml / Sage", "Harbour Home", decimal.RequireFromString("34.95"), 380},
	{"TOTE-CNV-NAT", "Canvas Tote", "Natural", "Harbour Home", decimal.RequireFromString("22.00"), 240},
	{"CNDL-CDR-8OZ", "Cedar Soy Candle", "8 oz", "Harbour Home", decimal.RequireFromString("26.00"), 450},
	{"JRNL-A5-DOT", "Linen Journal", "A5 / Dot grid", "Harbour Home", decimal.RequireFromString("19.50"), 330},
	{"SCRF-LMB-RED", "Lambswool Scarf", "Rust", "Northwind Apparel", decimal.RequireFromString("58.00"), 200},
	{"BLNK-WFL-OAT", "Waffle Throw Blanket", "Oatmeal", "Harbour Home", decimal.RequireFromString("89.00"), 1350},
}

func defaultSKUs() []string {
	skus := make([]string, len(catalogue))
	for i, p := range catalogue {
		skus[i] = p.SKU
	}
	return skus
}

// productFor returns the catalogue entry for sku, or makes one up for a SKU
// the caller supplied: titled after the SKU, priced from its hash so the
// price is the same in every run.
func productFor(sku string) product {
	for _, p := range catalogue {
		if p.SKU == sku {
			return p
		}
	}
	h := fnv.New32a()
	h.Write([]byte(sku))
	cents := 500 + int64(h.Sum32()%11500) // 5.00 to 119.99
	return product{SKU: sku, Title: "Item " + sku, Vendor: "ordergate sandbox", Price: decimal.New(cents, -2), Grams: 250}
}

// unknownProduct is a line the ERP will not know: a SKU in no catalogue.
func unknownProduct(n uint32) product {
	return product{
		SKU:    fmt.Sprintf("UNLISTED-%06X", n&0xFFFFFF),
		Title:  "Discontinued Sample",
		Vendor: "ordergate sandbox",
		Price:  decimal.RequireFromString("9.99"),
		Grams:  100,
	}
}
