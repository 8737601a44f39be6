package chaos

import (
	"fmt"
	"time"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
	"github.com/ordergate/ordergate/internal/sandbox/mailbox"
	"github.com/ordergate/ordergate/internal/sandbox/storesim"
)

// Figures are what a run did and found: the faults injected by kind, the
// outcomes, and the violations. They add up over rounds.
type Figures struct {
	Seed    int64     `json:"seed"`
	Started time.Time `json:"started"`
	Rounds  int       `json:"rounds"`
	Seconds float64   `json:"seconds"`

	Orders    int `json:"orders"`
	Accepted  int `json:"accepted"`
	Confirmed int `json:"confirmed"`
	Rejected  int `json:"rejected"`
	Cancelled int `json:"cancelled"`
	Flagged   int `json:"flagged_for_attention"`
	Strict    int `json:"orders_checked_strictly"` // no kill touched them: every failed attempt had to be on the timeline

	Kills            int `json:"kills"`
	ERP5xx           int `json:"erp_5xx"`
	ERPThrottles     int `json:"erp_throttles"`
	ERPTimeouts      int `json:"erp_timeouts"`
	ERPInDoubt       int `json:"erp_in_doubt_creates"`
	SlowAcks         int `json:"erp_slow_acks"`           // orders acknowledged after a delay, by poll or callback
	Callbacks        int `json:"erp_callbacks"`           // acknowledgments announced by callback
	SMTP451          int `json:"smtp_451"`                // RCPT refused
	SMTPStalls       int `json:"smtp_stalls_before_data"` // RCPT reply held past the sender's timeout
	SMTPDrops        int `json:"smtp_drops_after_data"`   // message taken, connection dropped
	SMTPDataStalls   int `json:"smtp_stalls_after_data"`  // message taken, reply held past the timeout
	Duplicates       int `json:"webhook_duplicates"`      // deliveries repeating an event, late ones included
	Reordered        int `json:"webhook_reordered"`       // updates delivered before their create
	Late             int `json:"webhook_late"`            // creates redelivered after the order's other webhooks
	CancelsAccepted  int `json:"cancels_accepted"`
	CancelsBeforeERP int `json:"cancels_before_erp_create"` // accepted before the ERP held the order, or never held
	WebhookRetries   int `json:"webhook_retries"`

	// By storefront flavour: orders placed.
	Shopify     int `json:"orders_shopify"`
	WooCommerce int `json:"orders_woocommerce"`
	BigCommerce int `json:"orders_bigcommerce"`
	// The stock ledger (I5): availability reads the ERP answered, pushes
	// judged, and those exactly at the bound the records allow.
	StockReads    int `json:"stock_reads"`
	Pushes        int `json:"marketplace_pushes"`
	PushesAtBound int `json:"pushes_at_bound"`
	SoldOut       int `json:"erp_stock_refusals"` // creates refused for want of stock

	Violations int `json:"violations"`
	Known      int `json:"known_bug_findings"` // Result.Known: known gateway bugs seen
	Overdue    int `json:"went_overdue"`       // orders the gateway marked overdue at some point
	// StalledThenInDoubt counts orders no kill touched, with no
	// confirmation in the mailbox, whose send was stalled before the data
	// (so not delivered) and which the gateway flagged as a confirmation
	// that "may not have reached the customer": the known bug
	// KnownStallUnrecorded, seen from its other side (StalledGivenUp).
	StalledThenInDoubt int `json:"stalled_then_in_doubt"`

	// ConfirmationP50MS and ConfirmationMaxMS are capture to confirmation
	// in the mailbox: per round, and the worst round's over a run.
	ConfirmationP50MS float64 `json:"confirmation_p50_ms"`
	ConfirmationMaxMS float64 `json:"confirmation_max_ms"`
}

func figures(p Plan, h History, res Result, took time.Duration) Figures {
	s := res.Summary
	f := Figures{Seed: p.Seed, Rounds: 1, Seconds: took.Seconds(),
		Orders: s.Orders, Accepted: s.Accepted, Confirmed: s.Confirmed, Rejected: s.Rejected, Strict: res.Strict,
		Kills: len(h.Kills), ERP5xx: h.ERP.Faults.Error, ERPThrottles: h.ERP.Faults.Throttle, ERPTimeouts: h.ERP.Faults.Timeout,
		ERPInDoubt: h.ERP.Faults.InDoubt, Callbacks: len(h.ERP.Callbacks), Reordered: s.OutOfOrder,
		Violations: len(res.Violations), Known: len(res.Known), StockReads: len(h.Stock.Reads), Pushes: res.Pushes, PushesAtBound: res.AtBound,
		ConfirmationP50MS: s.ConfirmationLatencyMS.P50, ConfirmationMaxMS: s.ConfirmationLatencyMS.Max}
	if p.AckDelay > 0 {
		for _, o := range h.ERP.Orders {
			if !o.AckedAt.IsZero() {
				f.SlowAcks++
			}
		}
	}
	for _, r := range h.Refusals {
		switch r.Fault {
		case mailbox.RefusedTransient:
			f.SMTP451++
		case mailbox.RefusedStalled:
			f.SMTPStalls++
		case mailbox.DroppedAfterData:
			f.SMTPDrops++
		case mailbox.StalledAfterData:
			f.SMTPDataStalls++
		}
	}
	created := make(map[string]time.Time)
	for _, o := range h.ERP.Orders {
		if _, ok := created[o.ExternalID]; !ok {
			created[o.ExternalID] = o.CreatedAt
		}
	}
	for _, k := range res.Known {
		if k.What == StalledGivenUp {
			f.StalledThenInDoubt++
		}
	}
	for _, r := range h.ERP.Rejections {
		if r.Code == erpsim.CodeInsufficientStock {
			f.SoldOut++
		}
	}
	for _, s := range h.Shops {
		f.Duplicates += s.Webhooks.DuplicatesSent
		f.WebhookRetries += s.Webhooks.Retries
		switch s.Flavor {
		case storesim.Shopify:
			f.Shopify += len(s.Placed)
		case storesim.WooCommerce:
			f.WooCommerce += len(s.Placed)
		case storesim.BigCommerce:
			f.BigCommerce += len(s.Placed)
		}
		for _, o := range s.Placed {
			if o.Late && !o.AcceptedAt.IsZero() {
				f.Late++
			}
			if !o.CancelAcceptedAt.IsZero() {
				f.CancelsAccepted++
				ext := order.Key{Storefront: s.Name, ID: o.ID}.ExternalID()
				if at, ok := created[ext]; !ok || o.CancelAcceptedAt.Before(at) {
					f.CancelsBeforeERP++
				}
			}
		}
	}
	for _, g := range h.Gateway {
		if g.State == "cancelled" {
			f.Cancelled++
		}
		if g.Attention != "" {
			f.Flagged++
		}
		if g.OverdueAt != nil {
			f.Overdue++
		}
	}
	return f
}

func (f *Figures) add(g Figures) {
	f.Rounds += g.Rounds
	f.Orders += g.Orders
	f.Accepted += g.Accepted
	f.Confirmed += g.Confirmed
	f.Rejected += g.Rejected
	f.Cancelled += g.Cancelled
	f.Flagged += g.Flagged
	f.Strict += g.Strict
	f.Kills += g.Kills
	f.ERP5xx += g.ERP5xx
	f.ERPThrottles += g.ERPThrottles
	f.ERPTimeouts += g.ERPTimeouts
	f.ERPInDoubt += g.ERPInDoubt
	f.SlowAcks += g.SlowAcks
	f.Callbacks += g.Callbacks
	f.SMTP451 += g.SMTP451
	f.SMTPStalls += g.SMTPStalls
	f.SMTPDrops += g.SMTPDrops
	f.SMTPDataStalls += g.SMTPDataStalls
	f.Duplicates += g.Duplicates
	f.Reordered += g.Reordered
	f.Late += g.Late
	f.CancelsAccepted += g.CancelsAccepted
	f.CancelsBeforeERP += g.CancelsBeforeERP
	f.WebhookRetries += g.WebhookRetries
	f.Shopify += g.Shopify
	f.WooCommerce += g.WooCommerce
	f.BigCommerce += g.BigCommerce
	f.StockReads += g.StockReads
	f.Pushes += g.Pushes
	f.PushesAtBound += g.PushesAtBound
	f.SoldOut += g.SoldOut
	f.Violations += g.Violations
	f.Known += g.Known
	f.Overdue += g.Overdue
	f.StalledThenInDoubt += g.StalledThenInDoubt
	f.ConfirmationP50MS = max(f.ConfirmationP50MS, g.ConfirmationP50MS)
	f.ConfirmationMaxMS = max(f.ConfirmationMaxMS, g.ConfirmationMaxMS)
}

func (f Figures) String() string {
	return fmt.Sprintf("%d rounds, %d orders (%d accepted, %d confirmed, %d rejected, %d cancelled, %d flagged, %d checked strictly) in %.0fs; "+
		"faults: %d kills; erp %d 5xx, %d throttles, %d timeouts, %d in-doubt creates, %d slow acks (%d by callback); "+
		"smtp %d 451s, %d stalls before data, %d drops after data, %d stalls after data; "+
		"webhooks %d duplicates, %d reordered, %d late, %d retried, %d cancels (%d before the erp create); "+
		"storefronts %d shopify, %d woocommerce, %d bigcommerce orders; stock %d erp reads, %d sold-out refusals, %d marketplace pushes judged (%d at the bound); %d went overdue; confirmation p50 %.1fs, max %.1fs; violations %d, known-bug findings %d (and %d undelivered confirmations given up as in doubt)",
		f.Rounds, f.Orders, f.Accepted, f.Confirmed, f.Rejected, f.Cancelled, f.Flagged, f.Strict, f.Seconds,
		f.Kills, f.ERP5xx, f.ERPThrottles, f.ERPTimeouts, f.ERPInDoubt, f.SlowAcks, f.Callbacks,
		f.SMTP451, f.SMTPStalls, f.SMTPDrops, f.SMTPDataStalls,
		f.Duplicates, f.Reordered, f.Late, f.WebhookRetries, f.CancelsAccepted, f.CancelsBeforeERP,
		f.Shopify, f.WooCommerce, f.BigCommerce, f.StockReads, f.SoldOut, f.Pushes, f.PushesAtBound, f.Overdue, f.ConfirmationP50MS/1000, f.ConfirmationMaxMS/1000, f.Violations, f.Known, f.StalledThenInDoubt)
}
