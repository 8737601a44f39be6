package chaos

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ordergate/ordergate/internal/sandbox/storesim"
)

// Stock is what the outside saw of the stock ledger at work (I5): every
// availability request the sandbox ERP answered, every quantity a
// marketplace was told, and when each gateway process was started.
type Stock struct {
	Reads  []Read
	Pushes []Push
	// Buffers are the units held back from each marketplace (its
	// channel's buffer), by marketplace.
	Buffers map[string]int
	// Starts are when each gateway process was started (before its exec),
	// in order: the ledger lives in the process, so a push is judged
	// against the reads of the process that made it.
	Starts []time.Time
}

// Read is one availability request the sandbox ERP received.
type Read struct {
	At     time.Time // when it arrived
	Done   time.Time // when it was answered
	Status int
	Asked  []string       // the SKUs asked for
	Got    map[string]int // the answer, when Status is 200
	// Gone says the requester had gone (timed out, or died) by the
	// answer: the figures may never have reached it.
	Gone bool
}

// Push is one quantity one marketplace was told of one SKU.
type Push struct {
	Market string // the marketplace, which is its ledger channel
	SKU    string
	Qty    int
	At     time.Time // when the request arrived at the marketplace
	Status int       // the marketplace's answer
}

// slowRead is how long an answered read may take and still be counted as
// surely taken by the keeper: half the ERP client's 1 s timeout, so that
// the requester was still waiting when the answer went out.
const slowRead = 500 * time.Millisecond

// wholeRefresh is the most SKUs the sandbox ERP client asks in one
// request: a refresh of more is several requests, and one of them failing
// leaves the others' figures unused.
const wholeRefresh = 100

// stock judges I5: the quantity pushed to a marketplace never exceeds
// ERP available − units of orders captured but not yet ERP-acknowledged −
// the channel's buffer. It calls flag for each push over the bound and
// returns how many pushes it judged and how many sat exactly at the bound.
//
// The gateway reads the ERP at some moment and pushes later, and orders
// arrive all the while, so "ERP available" and "units in flight" must be
// taken at moments the records can vouch for. The keeper (internal/stock)
// works in steps: read the store's orders in flight (sync), then, if due,
// send an availability request, take the figures and sync again; steps run
// one after another, and a pusher claims a figure from the ledger just
// before sending it. Suppose the ledger's figure for the SKU came from
// read i when the push was claimed (claim ≤ the push's arrival P). Then:
//
//   - read i arrived at the ERP before the claim, and its figure F_i is
//     what the ERP answered (recorded, not reconstructed);
//   - the step that sent read i began with a sync, after the step of the
//     read before it (prev, the same process's previous request for the
//     SKU) had ended, and that step was still running when prev arrived at
//     the ERP. So every order the gateway held before prev arrived was seen
//     by a sync before read i was sent, and reserved. An order is held from
//     its 2xx (Shopify, WooCommerce: the webhook stores it) or, for
//     BigCommerce, whose callback names only the order, from its first
//     ERP call at the latest (the fetch stores the order and its submit
//     job in one transaction). The first read of a process has its start
//     as prev: the keeper's first sync reads every order stored before;
//   - such an order stays held at the claim unless the gateway had learned
//     by then that the ERP rejected it or that it was cancelled (neither
//     can come before the ERP's rejection, or the storefront's first cancel
//     attempt; a BigCommerce cancel may be read with any fetch once the
//     store has it, so a cancelled BigCommerce order is never counted), or
//     that the ERP acknowledged it and a read sent after it learned that
//     came in. The gateway learns of an acknowledgment no earlier than the
//     ERP gave it, and read i was sent before it arrived, so an order the
//     ERP had not acknowledged when read i arrived is still held
//     ("strictly after" in the ledger's acknowledgment rule, ERP lag 0).
//
// So the push may be at most F_i − Σ those orders' units − buffer (never
// less than 0): an order the ERP had created but not acknowledged is
// counted twice, in F_i and as held, exactly as the ledger counts it until
// a fresh read. Which read the ledger used is not recorded; the bound is
// the largest over the reads it may have used: the process's reads that
// arrived before P and were answered 200, walking back from the latest
// until two that were surely taken (answered within slowRead with the
// requester still waiting; earlier ones were then superseded). If any
// read of the process asked more than wholeRefresh SKUs, every earlier
// read counts. Only lags the gateway documents are allowed for: the sync
// interval (an order newer than prev is not counted), the refresh interval
// (F_i may be old; it is compared with what was held as of F_i) and the
// double count; nothing is assumed about how long anything takes, save
// that a request to the ERP arrives while its sender still waits.
//
// A gateway that ignored held units would push F_i − buffer while the
// ERP's slow acknowledgments leave orders unacknowledged for seconds; one
// that ignored the buffer would push F_i − held, which is over the bound
// whenever nothing is in flight (at the start, and once the orders have
// settled and the listings reopen). checker_test.go shows both caught.
func (c *checker) stock(flag func(what, story string)) (pushes, atBound int) {
	st := c.h.Stock
	if len(st.Pushes) == 0 {
		return 0, 0
	}
	holds := c.holds()
	for _, p := range st.Pushes {
		pushes++
		b := c.bound(p, holds)
		if b.limit < 0 {
			flag(fmt.Sprintf("%s was told %d of %s at %s, before the gateway process had any availability of it", p.Market, p.Qty, p.SKU, stamp(p.At)),
				c.stockStory(p, b))
			continue
		}
		if p.Qty > b.limit {
			flag(fmt.Sprintf("%s was told %d of %s at %s; the records allow at most %d", p.Market, p.Qty, p.SKU, stamp(p.At), b.limit),
				c.stockStory(p, b))
			continue
		}
		if p.Qty == b.limit && p.Qty > 0 {
			atBound++
		}
	}
	return pushes, atBound
}

// hold is what the records say of one order's hold on stock.
type hold struct {
	key      string
	units    map[string]int // by SKU
	stored   time.Time      // the gateway held it by then
	acked    time.Time      // the ERP's first acknowledgment; zero: never
	rejected time.Time      // the ERP's first rejection; zero: never
	cancel   time.Time      // the storefront's first cancel attempt; zero: none
	never    bool           // never counted (a cancelled BigCommerce order)
}

// holds reads every order's hold from the records.
func (c *checker) holds() []hold {
	acked := map[string]time.Time{}
	for _, o := range c.h.ERP.Orders {
		if a, ok := acked[o.ExternalID]; !o.AckedAt.IsZero() && (!ok || a.IsZero() || o.AckedAt.Before(a)) {
			acked[o.ExternalID] = o.AckedAt
		}
	}
	rejected := map[string]time.Time{}
	for _, r := range c.h.ERP.Rejections {
		if t, ok := rejected[r.ExternalID]; !ok || r.At.Before(t) {
			rejected[r.ExternalID] = r.At
		}
	}
	var out []hold
	for key, po := range c.placed {
		p := po.rec
		h := hold{key: key, units: map[string]int{}, acked: acked[po.ext], rejected: rejected[po.ext]}
		for _, l := range p.Lines {
			h.units[l.SKU] += l.Quantity
		}
		switch po.flavor {
		case storesim.BigCommerce:
			h.never = p.Cancelled
			for _, call := range c.calls[po.ext] {
				if h.stored.IsZero() || call.At.Before(h.stored) {
					h.stored = call.At
				}
			}
		default:
			h.stored = p.AcceptedAt
			topic := "orders/cancelled"
			if po.flavor == storesim.WooCommerce {
				topic = "order.updated" // the cancel is an update; any update counts
			}
			for _, a := range p.Attempts {
				if p.Cancelled && a.Topic == topic && (h.cancel.IsZero() || a.At.Before(h.cancel)) {
					h.cancel = a.At
				}
			}
		}
		if h.stored.IsZero() || h.never {
			continue
		}
		out = append(out, h)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].stored.Before(out[j].stored) })
	return out
}

// bounded is the bound on one push and how it was reached.
type bounded struct {
	limit   int // -1: no read to judge by
	buffer  int
	process int
	reads   []readBound
}

// readBound is the bound one candidate read gives.
type readBound struct {
	read  Read
	prev  time.Time // orders held by then count
	held  int       // their units
	n     int       // how many orders
	limit int
}

// bound works out the most p may be (see stock).
func (c *checker) bound(p Push, holds []hold) bounded {
	st := c.h.Stock
	b := bounded{limit: -1, buffer: st.Buffers[p.Market], process: process(st.Starts, p.At)}
	if b.process < 0 {
		return b
	}
	start := st.Starts[b.process]
	// The process's requests for the SKU, in order of arrival.
	var reads []Read
	chunked := false
	for _, r := range st.Reads {
		if process(st.Starts, r.At) != b.process || !slices.Contains(r.Asked, p.SKU) {
			continue
		}
		reads = append(reads, r)
		chunked = chunked || len(r.Asked) >= wholeRefresh
	}
	sort.SliceStable(reads, func(i, j int) bool { return reads[i].At.Before(reads[j].At) })
	sure := 0
	for i := len(reads) - 1; i >= 0 && (sure < 2 || chunked); i-- {
		r := reads[i]
		if !r.At.Before(p.At) {
			continue
		}
		n, ok := r.Got[p.SKU]
		if r.Status != 200 || r.Gone || !ok {
			continue
		}
		if r.Done.Sub(r.At) < slowRead {
			sure++
		}
		rb := readBound{read: r, prev: start}
		for j := i - 1; j >= 0; j-- {
			if q := reads[j]; q.Status != 0 && !q.Gone {
				rb.prev = q.At
				break
			}
		}
		for _, h := range holds {
			if h.stored.After(rb.prev) {
				break
			}
			u := h.units[p.SKU]
			if u == 0 || (!h.acked.IsZero() && h.acked.Before(r.At)) ||
				(!h.rejected.IsZero() && !h.rejected.After(p.At)) || (!h.cancel.IsZero() && !h.cancel.After(p.At)) {
				continue
			}
			rb.held += u
			rb.n++
		}
		rb.limit = max(0, n-rb.held-b.buffer)
		b.limit = max(b.limit, rb.limit)
		b.reads = append(b.reads, rb)
	}
	return b
}

// process returns the index of the gateway process running at t: the last
// started at or before it (a request that arrives after a kill and before
// the restart was sent by the process killed). -1 before the first.
func process(starts []time.Time, t time.Time) int {
	n := -1
	for i, s := range starts {
		if !s.After(t) {
			n = i
		}
	}
	return n
}

// stockStory tells what the records say around one push: the push, the
// reads the bound was taken from, and the marketplace's pushes of the SKU
// just before and after.
func (c *checker) stockStory(p Push, b bounded) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "    push: %s %s %d at %s (answered %d), buffer %d, gateway process %d\n", p.Market, p.SKU, p.Qty, stamp(p.At), p.Status, b.buffer, b.process+1)
	if len(b.reads) == 0 {
		sb.WriteString("    no availability read of the sku answered 200 to this process before the push\n")
	}
	for _, r := range b.reads {
		fmt.Fprintf(&sb, "    read arrived %s answered %s: erp %d − %d units of %d orders held since %s − buffer %d = %d\n",
			stamp(r.read.At), stamp(r.read.Done), r.read.Got[p.SKU], r.held, r.n, stamp(r.prev), b.buffer, r.limit)
	}
	for _, q := range c.h.Stock.Pushes {
		if q.Market == p.Market && q.SKU == p.SKU && q.At.Sub(p.At).Abs() < 5*time.Second {
			fmt.Fprintf(&sb, "      %s told %d (%d)\n", stamp(q.At), q.Qty, q.Status)
		}
	}
	for _, k := range c.h.Kills {
		fmt.Fprintf(&sb, "      %s gateway SIGKILLed\n", stamp(k))
	}
	return sb.String()
}
