package inventory

import (
	"maps"
	"time"
)

// listingKey names one channel's listing of a SKU or a bundle.
type listingKey struct{ channel, sku string }

// exposure is what one channel was told of one SKU or bundle, and what it
// may still sell of it that the ledger has not seen.
type exposure struct {
	pushed     bool                // a push has landed since the ledger started
	told       int                 // the figure of the last push that landed
	pushedAt   time.Time           // when it landed, on the gateway's clock
	soldSince  int                 // units of sales placed at or after pushedAt, seen
	oldPending int                 // what earlier figures may have sold unseen; counts until pushedAt+Lag
	claim      int                 // the figure claimed for the push in flight
	doubt      int                 // figures claimed by pushes whose outcome is unknown
	keys       map[string]struct{} // sales counted in soldSince
	oldKeys    map[string]struct{} // sales counted against oldPending or earlier figures
	activeAt   time.Time           // its last sale's placing, or when it was last opened; see active
	idleSeen   time.Time           // the activeAt whose idleness Expire has signalled
	idleDone   bool                // idleSeen is set
}

// outstanding is what the last figure that landed may still sell.
func (e *exposure) outstanding() int { return max(0, e.told-e.soldSince) }

// oldLive reports whether sales placed up to the last push's landing may
// still reach the ledger at now: until pushedAt+Lag, inclusive.
func (e *exposure) oldLive(now time.Time, lag time.Duration) bool {
	return e.pushed && !now.After(e.pushedAt.Add(lag))
}

// own is the most the channel may still sell of the listing, at now,
// that the ledger has not seen: in units of the listing (bundles for a
// bundle).
func (e *exposure) own(now time.Time, lag time.Duration) int {
	if e == nil {
		return 0
	}
	n := e.outstanding() + e.claim + e.doubt
	if e.oldLive(now, lag) {
		n += e.oldPending
	}
	return n
}

// listing returns the exposure of a channel's listing, creating it.
// Callers hold l.mu.
func (l *Ledger) listing(channel, sku string) *exposure {
	k := listingKey{channel, sku}
	e := l.exposed[k]
	if e == nil {
		e = &exposure{}
		l.exposed[k] = e
	}
	return e
}

// components returns the SKUs a listing of sku sells, with the units of
// each per listed unit. Callers hold l.mu.
func (l *Ledger) components(sku string) map[string]int {
	if comp, ok := l.bundles[sku]; ok {
		return comp
	}
	return map[string]int{sku: 1}
}

// exposedUnits is the units of sku every listing of every channel may
// still sell unseen at now: listings of sku itself and, at their units per
// bundle, of the bundles built from it. Callers hold l.mu.
func (l *Ledger) exposedUnits(sku string, now time.Time) int {
	total := 0
	for name, ch := range l.channels {
		total += l.exposed[listingKey{name, sku}].own(now, ch.Lag)
		for _, b := range l.partOf[sku] {
			total += l.exposed[listingKey{name, b}].own(now, ch.Lag) * l.bundles[b][sku]
		}
	}
	return total
}

// Claim returns what to tell channel of sku now, counting what every
// channel has been told and may still sell unseen, and records it as
// claimed so that a Claim for another channel counts it at once.
//
// When Keep is set the channel's last figure still fits: nothing should
// be sent, Available is that figure, and nothing is claimed. Otherwise
// Available is the figure to send, never more than Quote's (I5), and it
// stays claimed until Told (the push landed) or Unclaim (it surely did
// not). A Claim made while an earlier one is neither told nor unclaimed
// keeps the earlier one counted too, as a push that may have landed.
// Known false means nothing to send and nothing claimed. A channel's
// listing must have one claimer at a time (one pusher per channel): Told
// and Unclaim settle its last claim.
func (l *Ledger) Claim(channel, sku string, now time.Time) Quote {
	l.mu.Lock()
	defer l.mu.Unlock()
	q := l.quote(channel, sku)
	if !q.Known {
		return q
	}
	ch := l.channels[channel]
	e := l.listing(channel, sku)
	own := e.own(now, ch.Lag)
	_, bundle := l.bundles[sku]
	comp := l.components(sku)
	fits, idle, x, fair := true, false, -1, -1
	for _, c := range sortedKeys(comp) {
		u := comp[c]
		f := l.erp[c]
		others := l.exposedUnits(c, now) - own*u
		room := f.qty - l.held[c] - ch.Buffer - others
		if own*u > room {
			fits = false
		}
		sh, asleep := l.share(channel, c, now)
		idle = idle || asleep
		if fair < 0 || sh/u < fair {
			fair = sh / u
		}
		if n := min(max(0, room-own*u), sh) / u; x < 0 || n < x {
			x = n
			q.ERP, q.ERPAsOf, q.Held, q.Exposed = f.qty, f.asOf, l.held[c], others
			if bundle {
				q.Limiting = c
			}
		}
	}
	x = capped(x, ch.Cap)
	q.Own, q.Share, q.Idle = own, fair, idle
	out := e.outstanding()
	// A figure sent now would not undo what the marketplace sold before it
	// lands, so sending is worth it only to lower a figure that no longer
	// fits, to let the channel sell more than it can now, to settle a push
	// whose outcome is unknown, or to take back what an idle channel holds
	// (its share is then 0) for one that sold out. A figure above the
	// channel's share alone is kept: lowering it would close the listing
	// for a Lag.
	reclaim := idle && out > 0
	if e.pushed && e.claim == 0 && e.doubt == 0 && !reclaim && (fits && x <= out || !fits && out == 0) {
		q.Keep = true
		q.Available = e.told
		return q
	}
	e.doubt += e.claim
	e.claim = x
	q.Available = x
	return q
}

// Unclaim gives back the claim of the push in flight to channel for sku:
// it surely did not land (throttled, refused before the marketplace took
// it, or never sent). A push that may have landed (a timeout, a 5xx) must
// not be unclaimed; the next Told settles it.
func (l *Ledger) Unclaim(channel, sku string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e := l.exposed[listingKey{channel, sku}]; e != nil {
		e.claim = 0
	}
}

// Told records that a push of qty to channel for sku landed at at: the
// time the marketplace's answer came back (later if the marketplace
// applies it later), on the gateway's clock. Sales placed before at count
// against the figures before it, which keep counting until at plus the
// channel's Lag. An unknown channel is ignored.
func (l *Ledger) Told(channel, sku string, qty int, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ch, ok := l.channels[channel]
	if !ok || sku == "" {
		return
	}
	e := l.listing(channel, sku)
	old := e.doubt
	oldKeys := e.oldKeys
	if e.pushed {
		if at.Before(e.pushedAt) {
			at = e.pushedAt
		}
		old += e.outstanding()
		if e.oldLive(at, ch.Lag) {
			old += e.oldPending
			oldKeys = union(oldKeys, e.keys)
		} else {
			oldKeys = e.keys
		}
	}
	active := e.activeAt
	if qty > 0 && (!e.pushed || e.outstanding() == 0) && at.After(active) {
		active = at // opened: it gets IdleAfter to sell before it counts as idle
	}
	if ch.Lag == 0 && old > 0 {
		// Every sale placed before the landing has reached the ledger
		// already: the figures before it are spent, and the room they held
		// is free for the other channels now.
		old = 0
		for c := range l.components(sku) {
			l.touch(c)
		}
	}
	*e = exposure{pushed: true, told: max(0, qty), pushedAt: at, oldPending: old, oldKeys: oldKeys,
		activeAt: active, idleSeen: e.idleSeen, idleDone: e.idleDone}
}

// ReserveSale holds lines for an order placed on channel at placedAt, as
// Reserve does (same key, same rules), and counts its units as sold by
// that channel's listings: against the last figure told if placed at or
// after it landed, else against the figures before it. Calling it again
// for the same key holds the lines again but counts nothing twice. A
// channel the ledger does not know just reserves.
func (l *Ledger) ReserveSale(key, channel string, lines []Line, placedAt time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	sold, err := l.reserve(key, lines, placedAt)
	if err != nil {
		return err
	}
	if _, ok := l.channels[channel]; !ok {
		return nil
	}
	for sku, n := range sold {
		e := l.listing(channel, sku)
		_, seen := e.keys[key]
		_, seenOld := e.oldKeys[key]
		if !seen && !seenOld && placedAt.After(e.activeAt) {
			e.activeAt = placedAt
		}
		switch {
		case seen || seenOld:
		case !e.pushed:
			// Sold against a figure this ledger never saw: nothing to
			// count it against, but a repeat must not count either.
			e.oldKeys = add(e.oldKeys, key)
		case !placedAt.After(e.pushedAt):
			// At the landing's very instant it may have been before it.
			e.oldPending = max(0, e.oldPending-n)
			e.oldKeys = add(e.oldKeys, key)
		default:
			e.soldSince += n
			e.keys = add(e.keys, key)
		}
	}
	return nil
}

// Expire stops counting, at now, the figures superseded by a push more
// than their channel's Lag ago, and marks their SKUs changed so that the
// other channels may be told more. Pushers call it on every step.
func (l *Ledger) Expire(now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for k, e := range l.exposed {
		l.signalIdle(k, e, now)
		if !e.pushed || e.oldLive(now, l.channels[k.channel].Lag) {
			continue
		}
		freed := e.oldPending > 0
		e.oldPending, e.oldKeys = 0, nil
		if freed {
			for c := range l.components(k.sku) {
				l.touch(c)
			}
		}
	}
}

// signalIdle marks a listing's SKUs changed when it has just turned idle
// while holding stock that a hungry channel could sell, so that its
// pusher claims again and the ledger takes the stock back. Callers hold
// l.mu.
func (l *Ledger) signalIdle(k listingKey, e *exposure, now time.Time) {
	if e.idleDone && e.idleSeen.Equal(e.activeAt) || e.active(now, l.idle) {
		return
	}
	if e.own(now, l.channels[k.channel].Lag) == 0 {
		return
	}
	e.idleSeen, e.idleDone = e.activeAt, true
	for c := range l.components(k.sku) {
		if l.hungryOn(c, now) {
			for c := range l.components(k.sku) {
				l.touch(c)
			}
			return
		}
	}
}

func add(set map[string]struct{}, key string) map[string]struct{} {
	if set == nil {
		set = map[string]struct{}{}
	}
	set[key] = struct{}{}
	return set
}

func union(a, b map[string]struct{}) map[string]struct{} {
	if len(b) == 0 {
		return a
	}
	if a == nil {
		return b
	}
	maps.Copy(a, b)
	return a
}
