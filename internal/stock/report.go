package stock

import (
	"maps"
	"slices"

	"github.com/ordergate/ordergate/internal/inventory"
)

// Report is the ledger as an operator reads it: for every SKU, what each
// channel may be told now (with its working) and what it was last told.
type Report struct {
	Status   Status      `json:"status"`
	Channels []string    `json:"channels"`
	SKUs     []SKUReport `json:"skus"`
}

// SKUReport is one SKU on every channel.
type SKUReport struct {
	SKU      string          `json:"sku"`
	Channels []ChannelFigure `json:"channels"`
}

// ChannelFigure is one SKU on one channel.
type ChannelFigure struct {
	Channel string          `json:"channel"`
	Quote   inventory.Quote `json:"quote"`
	// Sent is the figure the marketplace last took; absent if none yet.
	Sent *int `json:"sent,omitempty"`
}

// Report returns the ledger's figures for the SKUs named (every SKU when
// none), in SKU order. Only the replica running the keeper (the leader)
// has figures; elsewhere the status says it is not running.
func (k *Keeper) Report(skus ...string) Report {
	r := Report{Status: k.Status()}
	if len(skus) == 0 {
		skus = k.cfg.Ledger.SKUs()
	}
	skus = slices.Clone(skus)
	slices.Sort(skus)
	r.Channels = slices.Sorted(maps.Keys(k.cfg.Pushers))
	for _, sku := range skus {
		s := SKUReport{SKU: sku}
		for _, ch := range r.Channels {
			f := ChannelFigure{Channel: ch, Quote: k.cfg.Ledger.Quote(ch, sku)}
			if n, ok := k.cfg.Pushers[ch].Sent(sku); ok {
				f.Sent = &n
			}
			s.Channels = append(s.Channels, f)
		}
		r.SKUs = append(r.SKUs, s)
	}
	return r
}
