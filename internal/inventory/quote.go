package inventory

import "time"

// Quote is what a channel may be told of a SKU now, and why.
type Quote struct {
	Channel string `json:"channel"`
	SKU     string `json:"sku"`
	// Known says the ledger has an ERP figure for the SKU (for a bundle:
	// for every component) and the channel exists. Available is 0 when it
	// is not; a pusher should tell the channel nothing rather than 0.
	Known bool `json:"known"`
	// Available is what the channel may be told.
	Available int `json:"available"`
	// ERP, ERPAsOf and Held are the ERP figure and the units held against
	// it, of the SKU or, for a bundle, of the component that limits it.
	ERP     int       `json:"erp"`
	ERPAsOf time.Time `json:"erp_as_of,omitzero"`
	Held    int       `json:"held"`
	Buffer  int       `json:"buffer"`
	Cap     int       `json:"cap,omitempty"`
	// Limiting is, for a bundle, the component that sets its figure.
	Limiting string `json:"limiting,omitempty"`

	// Set by Claim only.
	//
	// Exposed is the units of the SKU (or limiting component) that the
	// other listings, of every channel, may still sell unseen; Own is what
	// this channel's listing may (in its own units). Keep says the
	// channel's last figure still fits: send nothing; Available is then
	// that figure, not a new one.
	Exposed int  `json:"exposed,omitempty"`
	Own     int  `json:"own,omitempty"`
	Keep    bool `json:"keep,omitempty"`
	// Share is the channel's fair share of the listing now (see Claim):
	// Available to send is never above it. Idle says the channel has sold
	// none of it for IdleAfter while another channel sold its share out:
	// its share is 0, and a figure it still shows is lowered to 0.
	Share int  `json:"share,omitempty"`
	Idle  bool `json:"idle,omitempty"`
}

// Available returns what channel may be told of sku now: 0 when the
// channel or the SKU's ERP figure is unknown.
func (l *Ledger) Available(channel, sku string) int {
	return l.Quote(channel, sku).Available
}

// Quote returns what channel may be told of sku now, with its working,
// counting the channel alone: it does not count what the other channels
// were told (Claim does) and changes nothing.
func (l *Ledger) Quote(channel, sku string) Quote {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.quote(channel, sku)
}

// quote is Quote. Callers hold l.mu.
func (l *Ledger) quote(channel, sku string) Quote {
	q := Quote{Channel: channel, SKU: sku}
	ch, ok := l.channels[channel]
	if !ok {
		return q
	}
	q.Buffer, q.Cap = ch.Buffer, ch.Cap
	comp, bundle := l.bundles[sku]
	if !bundle {
		f, ok := l.erp[sku]
		if !ok {
			return q
		}
		q.Known = true
		q.ERP, q.ERPAsOf, q.Held = f.qty, f.asOf, l.held[sku]
		q.Available = capped(max(0, f.qty-q.Held-ch.Buffer), ch.Cap)
		return q
	}
	best := -1
	for _, c := range sortedKeys(comp) {
		f, ok := l.erp[c]
		if !ok {
			return Quote{Channel: channel, SKU: sku, Buffer: ch.Buffer, Cap: ch.Cap, Limiting: c}
		}
		n := max(0, f.qty-l.held[c]-ch.Buffer) / comp[c]
		if best < 0 || n < best {
			best = n
			q.ERP, q.ERPAsOf, q.Held, q.Limiting = f.qty, f.asOf, l.held[c], c
		}
	}
	q.Known = true
	q.Available = capped(best, ch.Cap)
	return q
}

func capped(n, limit int) int {
	if limit > 0 && n > limit {
		return limit
	}
	return n
}
