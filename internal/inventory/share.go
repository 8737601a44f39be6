package inventory

import (
	"hash/fnv"
	"time"
)

// DefaultIdleAfter is Config.IdleAfter's default.
const DefaultIdleAfter = 10 * time.Minute

// weight is the channel's Share, 1 when unset.
func (c Channel) weight() int {
	if c.Share > 0 {
		return c.Share
	}
	return 1
}

// hungry reports whether the listing sold out the last figure that landed
// on it, a positive one, and has no push in flight: it has buyers and
// nothing left to sell them.
func (e *exposure) hungry() bool {
	return e != nil && e.pushed && e.told > 0 && e.outstanding() == 0 && e.claim == 0 && e.doubt == 0
}

// active reports whether the listing sold, or was opened (told a positive
// figure after showing none), less than IdleAfter before now.
func (e *exposure) active(now time.Time, idle time.Duration) bool {
	return e != nil && !e.activeAt.IsZero() && now.Before(e.activeAt.Add(idle))
}

// listingsOf returns sku and, for a plain SKU, the bundles built from it:
// every listing that sells some of it. Callers hold l.mu.
func (l *Ledger) listingsOf(sku string) []string {
	return append([]string{sku}, l.partOf[sku]...)
}

// demand reports, for a channel and a plain SKU, whether any of its
// listings that sell the SKU is active or hungry at now. Callers hold l.mu.
func (l *Ledger) demand(channel, sku string, now time.Time) (active, hungry bool) {
	for _, ls := range l.listingsOf(sku) {
		e := l.exposed[listingKey{channel, ls}]
		active = active || e.active(now, l.idle)
		hungry = hungry || e.hungry()
	}
	return active, hungry
}

// hungryOn reports whether some channel is hungry for the plain SKU.
// Callers hold l.mu.
func (l *Ledger) hungryOn(sku string, now time.Time) bool {
	for _, name := range l.names {
		if _, h := l.demand(name, sku, now); h {
			return true
		}
	}
	return false
}

// share returns channel's share of the plain SKU at now, in units: its part,
// by weight, of the pool erp − held − its buffer. While some channel is
// hungry for the SKU, the channels neither active nor hungry on it weigh
// nothing; idle then reports that channel is one of them. Callers hold
// l.mu; the SKU has an ERP figure.
func (l *Ledger) share(channel, sku string, now time.Time) (n int, idle bool) {
	weights := make([]int, len(l.names))
	caps := make([]int, len(l.names))
	asleep := make([]bool, len(l.names))
	me, anyHungry := -1, false
	for i, name := range l.names {
		ch := l.channels[name]
		if name == channel {
			me = i
		}
		active, hungry := l.demand(name, sku, now)
		anyHungry = anyHungry || hungry
		asleep[i] = !active && !hungry
		weights[i], caps[i] = ch.weight(), ch.Cap
	}
	if anyHungry {
		for i := range weights {
			if asleep[i] {
				weights[i] = 0
			}
		}
	}
	ch := l.channels[channel]
	pool := max(0, l.erp[sku].qty-l.held[sku]-ch.Buffer)
	shares := apportion(pool, weights, caps, rotation(sku, len(l.names)))
	return shares[me], weights[me] == 0
}

// apportion splits pool among channels by weight: ⌊pool × w / Σw⌋ each,
// a channel whose cap is below that at its cap and what it leaves split
// again among the others, and the units left over one each to the
// channels in order from start (wrapping round). A channel of weight 0
// gets nothing.
func apportion(pool int, weights, caps []int, start int) []int {
	n := len(weights)
	out := make([]int, n)
	open := make([]bool, n)
	for i, w := range weights {
		open[i] = w > 0
	}
	for pool > 0 {
		sum := 0
		for i, w := range weights {
			if open[i] {
				sum += w
			}
		}
		if sum == 0 {
			break
		}
		// A capped channel takes at most its floor share, so the pool
		// left is never negative.
		taken := 0
		for i, w := range weights {
			if open[i] && caps[i] > 0 && pool*w/sum >= caps[i] {
				out[i], open[i] = caps[i], false
				taken += caps[i]
			}
		}
		if taken > 0 {
			pool -= taken
			continue
		}
		given := 0
		for i, w := range weights {
			if open[i] {
				out[i] = pool * w / sum
				given += out[i]
			}
		}
		for k := 0; k < n && given < pool; k++ {
			if i := (start + k) % n; open[i] {
				out[i]++
				given++
			}
		}
		break
	}
	return out
}

// rotation is where the remainder of a SKU's split starts: a hash of the
// SKU, so that small stocks do not always favour the same channel.
func rotation(sku string, n int) int {
	if n == 0 {
		return 0
	}
	h := fnv.New32a()
	h.Write([]byte(sku))
	return int(h.Sum32() % uint32(n))
}
