package storesim

import "time"

// shopZone is the shop's time zone; Shopify writes times with the shop's
// offset ("2021-12-31T19:00:00-05:00"), and a WooCommerce shop the
// simulator makes has it as its site time zone.
var shopZone = time.FixedZone("EST", -5*3600)

// address is where an order goes, shared by every flavor. The JSON names
// are Shopify's.
type address struct {
	Address1     string `json:"address1"`
	City         string `json:"city"`
	Province     string `json:"province"`
	ProvinceCode string `json:"province_code"`
	Zip          string `json:"zip"`
	Country      string `json:"country"`
	CountryCode  string `json:"country_code"`
}

var addresses = []address{
	{"12 Harbor Lane", "Portland", "Maine", "ME", "04101", "United States", "US"},
	{"480 Elm Street", "Burlington", "Vermont", "VT", "05401", "United States", "US"},
	{"77 Cedar Avenue", "Madison", "Wisconsin", "WI", "53703", "United States", "US"},
	{"2100 Pine Road", "Boulder", "Colorado", "CO", "80302", "United States", "US"},
	{"35 Rue Sainte-Catherine", "Montréal", "Quebec", "QC", "H2X 1K4", "Canada", "CA"},
}

// updateNote is what the shopper adds in the update that may overtake the
// create.
const updateNote = "gift wrap, please"

// snapshot is the order's state at one moment, for one event's body.
type snapshot struct {
	created, updated time.Time
	cancelled        bool
	note             string
}
