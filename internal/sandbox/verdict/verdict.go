// Package verdict judges a run from the outside records: what the storefront
// simulators placed and had accepted, what the sandbox ERP holds, and what
// the mailbox received. It never takes the gateway's word for what happened
// to an order, so a gateway that lies about itself cannot pass.
//
// The one thing it takes from the gateway is what the gateway lists as
// needing a person (Run.Listed): its overdue orders and those flagged for
// attention. That is a claim checked the other way round: an order the
// records show unsettled must be on one of those lists, or the gateway left
// it in silence. Listing an order proves nothing about it.
package verdict

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
	"github.com/ordergate/ordergate/internal/sandbox/mailbox"
	"github.com/ordergate/ordergate/internal/sandbox/storesim"
)

// The message kinds, as the mailbox reads them from X-Ordergate-Kind.
const (
	KindConfirmation = "confirmation"
	KindPending      = "pending"
	KindProblem      = "problem"
	KindDelay        = "delay"
)

// Run is everything one run left behind for the judge.
type Run struct {
	// Shops are the storefronts that placed orders, each under its
	// configured name.
	Shops []Shop
	// ERP is what the sandbox ERP recorded; every shop hands its orders to
	// it.
	ERP erpsim.Records
	// Mail is what the mailbox received.
	Mail []mailbox.Message
	// Listed is what the gateway lists as needing a person at the end of
	// the run. When nil, unsettled orders are counted but not judged.
	Listed *Listed
}

// Shop is one storefront's side of a run.
type Shop struct {
	// Name is the storefront's configured name, the first half of its
	// order keys ("shop1" in "shop1/1001").
	Name string
	// Kind is its platform: shopify, woocommerce or bigcommerce.
	Kind string
	// Placed is what its simulator placed and had accepted.
	Placed []storesim.OrderRecord
	// Webhooks are its simulator's delivery counters.
	Webhooks storesim.Stats
}

// Listed is what the gateway lists, as order keys ("shop1/1001").
type Listed struct {
	// Overdue are the orders overdue now: past their SLA and not settled.
	Overdue []string
	// Attention are the orders flagged for an operator.
	Attention []string
}

// Judge compares the three records for one storefront. It is Run.Judge for
// a run with one shop and no lists from the gateway.
func Judge(storefront string, placed []storesim.OrderRecord, erp erpsim.Records, mail []mailbox.Message, hooks storesim.Stats) Summary {
	return Run{Shops: []Shop{{Name: storefront, Placed: placed, Webhooks: hooks}}, ERP: erp, Mail: mail}.Judge()
}

// Judge compares the records of the run.
func (r Run) Judge() Summary {
	s := Summary{ERPFaults: r.ERP.Faults, ERPRequests: r.ERP.Requests}
	for _, cb := range r.ERP.Callbacks {
		s.ERPCallbacks.Announced++
		if cb.Status >= 200 && cb.Status < 300 {
			s.ERPCallbacks.Delivered++
		}
	}
	j := judge{
		erp:      make(map[string][]erpsim.Order),
		rejected: make(map[string]string),
		mail:     make(map[string]map[string][]mailbox.Message),
	}
	for _, o := range r.ERP.Orders {
		j.erp[o.ExternalID] = append(j.erp[o.ExternalID], o)
	}
	for _, rj := range r.ERP.Rejections {
		j.rejected[rj.ExternalID] = rj.Code // the latest refusal says why
	}
	for _, m := range r.Mail {
		if j.mail[m.Order] == nil {
			j.mail[m.Order] = make(map[string][]mailbox.Message)
		}
		j.mail[m.Order][m.Kind] = append(j.mail[m.Order][m.Kind], m)
	}
	if r.Listed != nil {
		j.overdue, j.attention = set(r.Listed.Overdue), set(r.Listed.Attention)
		s.ListedOverdue, s.ListedAttention = len(j.overdue), len(j.attention)
	}

	known := make(map[string]bool)
	var latencies []float64
	for _, shop := range r.Shops {
		s.Webhooks = addStats(s.Webhooks, shop.Webhooks)
		ss := ShopSummary{Name: shop.Name, Kind: shop.Kind}
		for _, p := range shop.Placed {
			key := order.Key{Storefront: shop.Name, ID: p.ID}
			known[key.ExternalID()] = true
			if ms, ok := j.order(&s, &ss, key, p); ok {
				latencies = append(latencies, ms)
			}
		}
		if len(r.Shops) > 1 {
			s.Storefronts = append(s.Storefronts, ss)
		}
	}
	exts := make([]string, 0, len(j.erp))
	for ext := range j.erp {
		if !known[ext] {
			exts = append(exts, ext)
		}
	}
	sort.Strings(exts)
	for _, ext := range exts {
		held := j.erp[ext]
		s.ERPOrdersNotPlaced += len(held)
		s.Violations = append(s.Violations, fmt.Sprintf("erp order %s (external id %s) matches no placed order", held[0].Ref, ext))
	}
	sort.Strings(s.Unconfirmed)
	sort.Strings(s.UnsettledOrders)
	s.ConfirmationLatencyMS = percentiles(latencies)
	return s
}

// judge holds the records of a run, indexed for judging one order at a
// time.
type judge struct {
	erp                map[string][]erpsim.Order               // by external id
	rejected           map[string]string                       // external id → rejection code
	mail               map[string]map[string][]mailbox.Message // order key → kind → messages
	overdue, attention map[string]bool                         // nil when the gateway's lists are unknown
}

// order judges one placed order, adding to s and ss. It returns the
// order's capture-to-confirmation latency in milliseconds, if it has one.
func (j *judge) order(s *Summary, ss *ShopSummary, key order.Key, p storesim.OrderRecord) (float64, bool) {
	ext := key.ExternalID()
	held := j.erp[ext]
	mail := j.mail[key.String()]
	confirmations, problems := mail[KindConfirmation], mail[KindProblem]
	// A dropped order's webhooks never reached the gateway: it owes the
	// order all the same, through reconciliation, and the storefront's
	// cancellation of it too.
	accepted := !p.AcceptedAt.IsZero() || p.Dropped
	cancelAccepted := !p.CancelAcceptedAt.IsZero() || (p.Dropped && p.Cancelled)
	confirmed := len(confirmations) > 0
	rejected := len(held) == 0 && j.rejected[ext] != ""
	violate := func(what string) { s.Violations = append(s.Violations, story(key, what, held, mail)) }

	s.Orders++
	ss.Orders++
	if accepted && !p.Dropped {
		s.Accepted++
		ss.Accepted++
	}
	if p.Dropped {
		s.WebhooksDropped++
		ss.WebhooksDropped++
	}
	if p.Cancelled {
		s.Cancelled++
		ss.Cancelled++
	}
	if p.OutOfOrder {
		s.OutOfOrder++
	}
	if confirmed {
		s.Confirmed++
		ss.Confirmed++
		if hasShort(held, erpsim.ShortBackordered) {
			s.Backordered++
			ss.Backordered++
		}
	}
	if rejected {
		s.Rejected++
		ss.Rejected++
		if s.RejectedBy == nil {
			s.RejectedBy = make(map[string]int)
		}
		s.RejectedBy[j.rejected[ext]]++
	}
	if len(mail[KindPending]) > 0 {
		s.PendingNotices++
	}
	if len(problems) > 0 {
		s.ProblemNotices++
	}
	if len(mail[KindDelay]) > 0 {
		s.DelayNotices++
	}
	live := slices.ContainsFunc(held, func(o erpsim.Order) bool { return !o.Cancelled() })
	if !confirmed && len(problems) > 0 && live && hasShort(held, "") {
		s.HeldShort++
		ss.HeldShort++
	}

	// I2: once in the ERP.
	if len(held) > 1 {
		s.DuplicateERPOrders++
		violate("held by the erp more than once")
	}
	// I3: at most one message of each kind.
	for _, kind := range sortedKinds(mail) {
		if n := len(mail[kind]); n > 1 {
			s.DuplicateMessages++
			if kind == KindConfirmation {
				s.DuplicateConfirmations++
				violate("confirmed more than once")
			} else {
				violate(fmt.Sprintf("sent %d %s messages", n, kind))
			}
		}
	}
	// I3: confirmed only after the ERP acknowledged it, and not after the
	// ERP cancelled it.
	var latency float64
	hasLatency := false
	if confirmed {
		first := slices.MinFunc(confirmations, byArrival)
		last := slices.MaxFunc(confirmations, byArrival)
		if ack := ackedAt(held); ack.IsZero() || first.ReceivedAt.Before(ack) {
			s.ConfirmedBeforeAck++
			violate("confirmed before the erp acknowledged it")
		}
		if c := cancelledAt(held); !c.IsZero() && last.ReceivedAt.After(c) {
			s.ConfirmedAfterERPCancel++
			violate("confirmed after the erp cancelled it")
		}
		if at := capturedAt(p); !at.IsZero() {
			latency, hasLatency = float64(first.ReceivedAt.Sub(at))/float64(time.Millisecond), true
		}
	} else if len(held) > 0 && !p.Cancelled && accepted && len(problems) == 0 {
		s.Unconfirmed = append(s.Unconfirmed, key.String())
	}

	// A cancel the gateway accepted leaves nothing live in the ERP.
	if cancelAccepted {
		switch {
		case len(held) == 0:
			s.CancelledNeverInERP++
		case live:
			s.CancelledButLiveInERP++
			violate(fmt.Sprintf("cancelled in the storefront (cancel accepted %s) but live in the erp", stamp(p.CancelAcceptedAt)))
		default:
			s.CancelledInERP++
		}
	}

	// A dropped order reached its end only if reconciliation brought it in.
	if p.Dropped && (confirmed || (rejected && len(problems) > 0) || (cancelAccepted && !live)) {
		s.RecoveredDropped++
	}

	// I1 and I4: an order that is not settled is in front of a person.
	if accepted && !confirmed && !(rejected && len(problems) > 0) && !cancelAccepted {
		s.Unsettled++
		ss.Unsettled++
		s.UnsettledOrders = append(s.UnsettledOrders, key.String())
		if j.overdue != nil && !j.overdue[key.String()] && !j.attention[key.String()] {
			s.UnsettledUnlisted++
			violate("unsettled, and the gateway lists it neither as overdue nor for attention")
		}
	}
	return latency, hasLatency
}

// ackedAt is when the ERP first acknowledged any of held; zero if it
// acknowledged none.
func ackedAt(held []erpsim.Order) time.Time {
	var at time.Time
	for _, o := range held {
		if !o.AckedAt.IsZero() && (at.IsZero() || o.AckedAt.Before(at)) {
			at = o.AckedAt
		}
	}
	return at
}

// cancelledAt is when the ERP first cancelled any of held; zero if it
// cancelled none.
func cancelledAt(held []erpsim.Order) time.Time {
	var at time.Time
	for _, o := range held {
		if o.Cancelled() && (at.IsZero() || o.CancelledAt.Before(at)) {
			at = o.CancelledAt
		}
	}
	return at
}

// hasShort reports whether any of held has a line short for the reason
// why, or for any reason when why is "".
func hasShort(held []erpsim.Order, why string) bool {
	for _, o := range held {
		for _, l := range o.Lines {
			if l.Short != "" && (why == "" || l.Short == why) {
				return true
			}
		}
	}
	return false
}

func byArrival(a, b mailbox.Message) int { return a.ReceivedAt.Compare(b.ReceivedAt) }

func sortedKinds(mail map[string][]mailbox.Message) []string {
	kinds := make([]string, 0, len(mail))
	for k := range mail {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	return kinds
}

func set(keys []string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

func addStats(a, b storesim.Stats) storesim.Stats {
	a.Sent += b.Sent
	a.Retries += b.Retries
	a.Status2xx += b.Status2xx
	a.Status4xx += b.Status4xx
	a.Status5xx += b.Status5xx
	a.StatusOther += b.StatusOther
	a.TransportErrors += b.TransportErrors
	a.DuplicatesSent += b.DuplicatesSent
	a.GivenUp += b.GivenUp
	a.Dropped += b.Dropped
	return a
}

// capturedAt is the instant the storefront captured the order: its first
// webhook's send time, which the simulator stamps at capture. Shopify's
// created_at has whole seconds only, so it would add up to a second of
// noise to every latency.
func capturedAt(p storesim.OrderRecord) time.Time {
	var at time.Time
	for _, a := range p.Attempts {
		if at.IsZero() || a.At.Before(at) {
			at = a.At
		}
	}
	if at.IsZero() {
		return p.CapturedAt
	}
	return at
}

// story tells what the records hold of one order: its ERP orders and its
// mail, in time order.
func story(key order.Key, what string, held []erpsim.Order, mail map[string][]mailbox.Message) string {
	st := fmt.Sprintf("order %s %s:", key, what)
	if len(held) == 0 {
		st += " the erp holds no order;"
	}
	for _, o := range held {
		st += fmt.Sprintf(" erp %s created %s", o.Ref, stamp(o.CreatedAt))
		if !o.AckedAt.IsZero() {
			st += ", acknowledged " + stamp(o.AckedAt)
		}
		if o.Cancelled() {
			st += ", cancelled " + stamp(o.CancelledAt)
		}
		if hasShort([]erpsim.Order{o}, "") {
			st += ", short"
		}
		st += ";"
	}
	var msgs []mailbox.Message
	for _, kind := range sortedKinds(mail) {
		msgs = append(msgs, mail[kind]...)
	}
	slices.SortStableFunc(msgs, byArrival)
	for _, m := range msgs {
		st += fmt.Sprintf(" %s mail %s arrived %s;", m.Kind, m.MessageID, stamp(m.ReceivedAt))
	}
	return st
}

func stamp(t time.Time) string { return t.Format(time.RFC3339Nano) }

// percentiles uses the nearest-rank method.
func percentiles(v []float64) Percentiles {
	if len(v) == 0 {
		return Percentiles{}
	}
	sort.Float64s(v)
	rank := func(p float64) float64 {
		i := int(p*float64(len(v))+0.999999) - 1
		return v[max(0, min(i, len(v)-1))]
	}
	return Percentiles{P50: rank(0.50), P95: rank(0.95), P99: rank(0.99), Max: v[len(v)-1], N: len(v)}
}
