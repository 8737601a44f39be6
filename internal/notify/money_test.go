package notify

import (
	"testing"

	"github.com/shopspring/decimal"
)

func TestFormatMoney_RoundsToMinorUnitAndGroupsThousands(t *testing.T) {
	t.Parallel()
	tests := []struct {
		amount, currency, want string
	}{
		{"0", "USD", "USD 0.00"},
		{"19.99", "USD", "USD 19.99"},
		{"5", "eur", "EUR 5.00"},
		{"1234567.891", "GBP", "GBP 1,234,567.89"},
		{"0.005", "USD", "USD 0.01"},
		{"-1234.5", "USD", "USD -1,234.50"},
		{"123456", "JPY", "JPY 123,456"},
		{"1.2345", "KWD", "KWD 1.235"},
		{"999.999", "", "1,000.00"},
	}
	for _, tt := range tests {
		t.Run(tt.amount+tt.currency, func(t *testing.T) {
			t.Parallel()
			if got := formatMoney(decimal.RequireFromString(tt.amount), tt.currency); got != tt.want {
				t.Errorf("formatMoney(%s, %q) = %q, want %q", tt.amount, tt.currency, got, tt.want)
			}
		})
	}
}
