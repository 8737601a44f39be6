package order

import (
	"testing"
	"time"
)

func TestExplain(t *testing.T) {
	t.Parallel()
	capture := time.Date(2026, 11, 27, 14, 2, 0, 0, time.UTC)
	fresh := func() *Order {
		return New(Order{Key: Key{Storefront: "shop1", ID: "1042"}, CapturedAt: capture}, capture.Add(2*time.Second), "shopify", "")
	}
	tests := []struct {
		name string
		o    func() *Order
		now  time.Time
		want string
	}{
		{"waiting for the erp", fresh, capture.Add(3 * time.Minute),
			"captured 14:02; waiting for the ERP for 2 minutes; confirmation expected by 14:17"},
		{"overdue with attempts", func() *Order {
			o := fresh()
			o.Attempts = 4
			o.MarkOverdue(15*time.Minute, capture.Add(16*time.Minute))
			o.Flag("erp submit failed 4 times; last error: 503", "gate", capture.Add(16*time.Minute))
			return o
		}, capture.Add(20 * time.Minute),
			"captured 14:02; waiting for the ERP for 19 minutes (4 attempts so far); confirmation was due by 14:17: overdue; past its SLA since 14:18; needs attention: erp submit failed 4 times; last error: 503"},
		{"pending validation", func() *Order {
			o := fresh()
			must(t, o.Submit("SO-77", capture.Add(time.Second)))
			return o
		}, capture.Add(40 * time.Second),
			"captured 14:02; in the ERP as SO-77, waiting for it to validate the stock, for 38 seconds; confirmation expected by 14:17"},
		{"confirmed", func() *Order {
			o := fresh()
			must(t, o.Submit("SO-77", capture.Add(3*time.Second)))
			must(t, o.Acknowledge(Ack{Ref: "SO-77", ShipBy: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)}, capture.Add(3*time.Second)))
			must(t, o.Confirm(capture.Add(4*time.Second)))
			return o
		}, capture.Add(time.Hour),
			"captured 14:02; the ERP accepted it 14:02 as SO-77; confirmed to the customer 14:02; expected to ship by Nov 30"},
		{"rejected, seen the next day", func() *Order {
			o := fresh()
			must(t, o.Reject("UNKNOWN_SKU: MUG-RED", capture.Add(3*time.Second)))
			return o
		}, capture.Add(24 * time.Hour),
			"captured Nov 27 14:02; the ERP refused it Nov 27 14:02: UNKNOWN_SKU: MUG-RED"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Explain(tc.o(), 15*time.Minute, tc.now, nil); got != tc.want {
				t.Errorf("Explain =\n  %s\nwant\n  %s", got, tc.want)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
