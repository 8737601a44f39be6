package order

import "testing"

func TestAddressMissing(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		a    *Address
		want string
	}{
		{nil, "no address"},
		{&Address{}, "no street, city, country"},
		{&Address{Line1: "1 Main St", City: "Austin", CountryCode: "US"}, ""},
		{&Address{Line2: "Unit 4", City: "Austin", Country: "United States"}, ""},
		{&Address{Line1: "1 Main St", City: " ", CountryCode: "US"}, "no city"},
	} {
		if got := tc.a.Missing(); got != tc.want {
			t.Errorf("%+v.Missing() = %q, want %q", tc.a, got, tc.want)
		}
	}
}
