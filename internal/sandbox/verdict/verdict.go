// Package verdict judges a run from the outside records only: what the
// storefront simulator placed and had accepted, what the sandbox ERP holds,
// and what the mailbox received. It never asks the gateway what it believes,
// so a gateway that lies about itself cannot pass.
package verdict

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
	"github.com/ordergate/ordergate/internal/sandbox/mailbox"
	"github.com/ordergate/ordergate/internal/sandbox/shopifysim"
)

// Summary is the judgement of one run. The JSON names are the demo's
// --json contract.
type Summary struct {
	Orders    int `json:"orders"`    // placed by the storefront
	Accepted  int `json:"accepted"`  // answered 2xx at least once: the gateway must not lose these
	Confirmed int `json:"confirmed"` // orders with a confirmation in the mailbox
	Rejected  int `json:"rejected"`  // refused by the ERP and never created there
	Cancelled int `json:"cancelled"` // cancelled by the storefront

	// ConfirmedBeforeAck counts orders whose confirmation arrived before the
	// ERP had recorded the order, or for which the ERP holds no order at
	// all. Must be 0 (invariant I3).
	ConfirmedBeforeAck int `json:"confirmed_before_ack"`
	// DuplicateERPOrders counts storefront orders the ERP holds more than
	// once. Must be 0 (invariant I2).
	DuplicateERPOrders int `json:"duplicate_erp_orders"`
	// DuplicateConfirmations counts orders with more than one confirmation.
	// Must be 0 (invariant I3).
	DuplicateConfirmations int `json:"duplicate_confirmations"`
	// ERPOrdersNotPlaced counts ERP orders for no order the storefront
	// placed. Must be 0.
	ERPOrdersNotPlaced int `json:"erp_orders_not_placed"`
	// Unconfirmed lists accepted orders that the ERP holds, were not
	// cancelled, and have no confirmation: each must be explained by the
	// gateway (an in-doubt send it flagged), or it is a lost confirmation.
	Unconfirmed []string `json:"unconfirmed,omitempty"`

	// ConfirmationLatencyMS is capture (the storefront's first webhook) to
	// the confirmation's arrival in the mailbox.
	ConfirmationLatencyMS Percentiles `json:"confirmation_latency_ms"`

	ERPFaults   erpsim.FaultCounts   `json:"erp_faults"`
	ERPRequests erpsim.RequestCounts `json:"erp_requests"`
	Webhooks    shopifysim.Stats     `json:"webhooks"`

	// Violations tells the story of each order that broke an invariant.
	Violations []string `json:"violations,omitempty"`
}

// Percentiles of a latency distribution, in milliseconds.
type Percentiles struct {
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
	N   int     `json:"n"`
}

// OK reports whether the run kept the invariants the records can show.
func (s Summary) OK() bool {
	return s.ConfirmedBeforeAck == 0 && s.DuplicateERPOrders == 0 && s.DuplicateConfirmations == 0 && s.ERPOrdersNotPlaced == 0
}

// Judge compares the three records for one storefront.
func Judge(storefront string, placed []shopifysim.OrderRecord, erp erpsim.Records, mail []mailbox.Message, hooks shopifysim.Stats) Summary {
	s := Summary{Orders: len(placed), ERPFaults: erp.Faults, ERPRequests: erp.Requests, Webhooks: hooks}

	erpByExt := make(map[string][]erpsim.Order)
	for _, o := range erp.Orders {
		erpByExt[o.ExternalID] = append(erpByExt[o.ExternalID], o)
	}
	rejected := make(map[string]bool)
	for _, r := range erp.Rejections {
		rejected[r.ExternalID] = true
	}
	confirmations := make(map[string][]mailbox.Message)
	for _, m := range mail {
		if m.Kind == "confirmation" {
			confirmations[m.Order] = append(confirmations[m.Order], m)
		}
	}

	known := make(map[string]bool)
	var latencies []float64
	for _, p := range placed {
		key := order.Key{Storefront: storefront, ID: p.ID}
		ext := key.ExternalID()
		known[ext] = true
		held := erpByExt[ext]
		mails := confirmations[key.String()]
		if !p.AcceptedAt.IsZero() {
			s.Accepted++
		}
		if p.Cancelled {
			s.Cancelled++
		}
		if len(mails) > 0 {
			s.Confirmed++
		}
		if len(held) == 0 && rejected[ext] {
			s.Rejected++
		}
		if len(held) > 1 {
			s.DuplicateERPOrders++
			s.Violations = append(s.Violations, story(key, "held by the erp more than once", held, mails))
		}
		if len(mails) > 1 {
			s.DuplicateConfirmations++
			s.Violations = append(s.Violations, story(key, "confirmed more than once", held, mails))
		}
		if len(mails) > 0 {
			first := slices.MinFunc(mails, func(a, b mailbox.Message) int { return a.ReceivedAt.Compare(b.ReceivedAt) })
			if len(held) == 0 || first.ReceivedAt.Before(earliest(held)) {
				s.ConfirmedBeforeAck++
				s.Violations = append(s.Violations, story(key, "confirmed before the erp recorded it", held, mails))
			}
			if at := capturedAt(p); !at.IsZero() {
				latencies = append(latencies, float64(first.ReceivedAt.Sub(at))/float64(time.Millisecond))
			}
		} else if len(held) > 0 && !p.Cancelled && !p.AcceptedAt.IsZero() {
			s.Unconfirmed = append(s.Unconfirmed, key.String())
		}
	}
	for ext, held := range erpByExt {
		if !known[ext] {
			s.ERPOrdersNotPlaced += len(held)
			s.Violations = append(s.Violations, fmt.Sprintf("erp order %s (external id %s) matches no placed order", held[0].Ref, ext))
		}
	}
	sort.Strings(s.Unconfirmed)
	s.ConfirmationLatencyMS = percentiles(latencies)
	return s
}

// earliest is when the ERP first held the order.
func earliest(held []erpsim.Order) time.Time {
	return slices.MinFunc(held, func(a, b erpsim.Order) int { return a.CreatedAt.Compare(b.CreatedAt) }).CreatedAt
}

// capturedAt is the instant the storefront captured the order: its first
// webhook's send time, which the simulator stamps at capture. Shopify's
// created_at has whole seconds only, so it would add up to a second of
// noise to every latency.
func capturedAt(p shopifysim.OrderRecord) time.Time {
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

func story(key order.Key, what string, held []erpsim.Order, mails []mailbox.Message) string {
	st := fmt.Sprintf("order %s %s:", key, what)
	for _, o := range held {
		st += fmt.Sprintf(" erp %s created %s;", o.Ref, o.CreatedAt.Format(time.RFC3339Nano))
	}
	for _, m := range mails {
		st += fmt.Sprintf(" mail %s arrived %s;", m.MessageID, m.ReceivedAt.Format(time.RFC3339Nano))
	}
	return st
}

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
