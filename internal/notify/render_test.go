package notify_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/ordergate/ordergate/internal/notify"
	"github.com/ordergate/ordergate/internal/order"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func qty(n int) *int { return &n }

// acknowledged is an order as the ERP acknowledged it: every line validated
// in full and a ship date set.
func acknowledged() order.Order {
	return order.Order{
		Key:      order.Key{Storefront: "shop1", ID: "1001"},
		Name:     "#1001",
		Customer: order.Customer{Name: "Ada Lovelace", Email: "ada@example.com"},
		Currency: "USD",
		Total:    decimal.RequireFromString("1254.97"),
		Lines: []order.LineItem{
			{SKU: "WID-BLUE", Title: "Widget, blue", Quantity: 2, Price: decimal.RequireFromString("19.99"), Validated: qty(2)},
			{SKU: "DESK-OAK", Title: "Standing desk, oak", Quantity: 1, Price: decimal.RequireFromString("1214.99"), Validated: qty(1)},
		},
		ShipBy: time.Date(2026, 3, 6, 0, 0, 0, 0, time.UTC),
	}
}

func TestRender_Golden(t *testing.T) {
	t.Parallel()
	short := acknowledged()
	short.Lines = append(short.Lines, order.LineItem{SKU: "GAD-1", Title: "Gadget", Quantity: 3, Price: decimal.RequireFromString("5"), Validated: qty(1), Short: order.ShortBackordered})
	short.Total = decimal.RequireFromString("1269.97")
	short.ShipBy = time.Time{}

	unstated := acknowledged()
	unstated.Lines[1].Validated = nil
	unstated.Customer.Name = ""

	hostile := acknowledged()
	hostile.Name = "#1001\r\nBcc: victim@example.com"
	hostile.Lines[0].Title = `<script>alert("x")</script> & "quotes"`
	hostile.Customer.Name = "<b>Eve</b>"

	yen := acknowledged()
	yen.Currency = "JPY"
	yen.Total = decimal.RequireFromString("123456")
	yen.Lines = yen.Lines[:1]
	yen.Lines[0].Price = decimal.RequireFromString("123456")
	yen.Lines[0].Quantity, yen.Lines[0].Validated = 1, qty(1)

	pending := acknowledged()
	for i := range pending.Lines {
		pending.Lines[i].Validated = nil
	}
	pending.ShipBy = time.Time{}

	tests := []struct {
		name string
		msg  notify.Message
	}{
		{"confirmation_full", notify.Message{Kind: notify.Confirmation, Order: acknowledged()}},
		{"confirmation_short_line_no_ship_date", notify.Message{Kind: notify.Confirmation, Order: short}},
		{"confirmation_validated_not_stated_no_name", notify.Message{Kind: notify.Confirmation, Order: unstated}},
		{"confirmation_escapes_order_data", notify.Message{Kind: notify.Confirmation, Order: hostile}},
		{"confirmation_zero_decimal_currency", notify.Message{Kind: notify.Confirmation, Order: yen}},
		{"pending", notify.Message{Kind: notify.Pending, Order: pending}},
		{"problem", notify.Message{Kind: notify.Problem, Order: pending}},
		{"problem_short_lines", notify.Message{Kind: notify.Problem, Order: short}},
		{"delay", notify.Message{Kind: notify.Delay, Order: pending}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := notify.Render(tt.msg, "Acme Goods")
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			golden(t, tt.name+".txt.golden", "Subject: "+r.Subject+"\n\n"+r.Text)
			golden(t, tt.name+".html.golden", r.HTML)
		})
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs from the golden file (-want +got; go test -update refreshes it):\n%s", name, diff)
	}
}

func TestRender_ConfirmationStatesEveryLineAndShortfall(t *testing.T) {
	t.Parallel()
	o := acknowledged()
	o.Lines[0].Validated, o.Lines[0].Short = qty(1), order.ShortBackordered
	o.Lines[1].Validated, o.Lines[1].Short = qty(0), order.ShortUnknownSKU
	r, err := notify.Render(notify.Message{Kind: notify.Confirmation, Order: o}, "Acme Goods")
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range []struct{ name, body string }{{"text", r.Text}, {"html", r.HTML}} {
		for _, want := range []string{
			"#1001", "Widget, blue", "WID-BLUE", "Standing desk, oak", "DESK-OAK",
			"USD 19.99", "USD 1,214.99", "USD 1,254.97", "Friday, 6 March 2026",
			"1 of the 2 you ordered ship now; 1 are on backorder and will ship later",
			"This item could not be confirmed",
		} {
			if !strings.Contains(part.body, want) {
				t.Errorf("%s part lacks %q", part.name, want)
			}
		}
	}
}

func TestRender_RefusesUnknownKindAndEmptyBrand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		kind  notify.Kind
		brand string
	}{
		{"unknown kind", notify.Kind("invoice"), "Acme Goods"},
		{"empty brand", notify.Confirmation, " "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := notify.Render(notify.Message{Kind: tt.kind, Order: acknowledged()}, tt.brand)
			if err == nil {
				t.Fatalf("Render succeeded: %+v", r)
			}
			if r != (notify.Rendered{}) {
				t.Errorf("Render returned parts with its error: %+v", r)
			}
		})
	}
}
