package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
	"github.com/ordergate/ordergate/internal/sandbox/mailbox"
	"github.com/ordergate/ordergate/internal/sandbox/storesim"
	"github.com/ordergate/ordergate/internal/sandbox/verdict"
	"github.com/ordergate/ordergate/internal/store"
)

// demoReport is the demo's summary: the judge's, and what the demo saw of
// the gateway from outside the records (its overdue marks, its alerts).
// The judge's JSON names stay at the top level.
type demoReport struct {
	Scenario   string  `json:"scenario"`
	Seconds    float64 `json:"seconds"`
	AllSettled bool    `json:"all_settled"`
	verdict.Summary
	// SLA is the storefronts' confirmation SLA in seconds; 0 when the
	// scenario left the default.
	SLA float64 `json:"sla_seconds"`
	// WentOverdue counts the orders the gateway marked overdue at some
	// point of the run, settled since or not.
	WentOverdue int `json:"went_overdue"`
	// Alerts is what the demo's alert hook received.
	Alerts alertCounts `json:"alerts"`
	// SettledLateUnalerted counts orders that settled (confirmation or
	// problem notice in the mailbox, or cancel accepted) more than the SLA
	// after the gateway accepted them, and of which the alert hook heard
	// nothing: each was unsettled past its SLA without being flagged
	// overdue (invariant I4). Reported, not judged: the overdue check
	// cannot run at the very instant the SLA passes.
	SettledLateUnalerted int `json:"settled_late_unalerted"`
	// OverdueOrders and AttentionOrders are what the gateway lists, as
	// order keys, at the end of the run.
	OverdueOrders   []string `json:"overdue_orders"`
	AttentionOrders []string `json:"attention_orders"`
}

// report judges the run from the outside records, given what the gateway
// lists as overdue and for attention. The lists are judged only once every
// order settled or was flagged: a run stopped half-way has unsettled orders
// that nobody owes a list yet.
func (c *demoCmd) report(ctx context.Context, gw *gateway, sc scenario, sims []*storesim.Sim, sim *erpsim.ERP, mb *mailbox.Mailbox, hook *alertHook, settled bool) (demoReport, error) {
	// A fresh context: after Ctrl-C the summary is still worth reading.
	ctx = context.WithoutCancel(ctx)
	overdue, err := listOrders(ctx, gw.store, store.Filter{Overdue: true})
	if err != nil {
		return demoReport{}, fmt.Errorf("list overdue orders: %w", err)
	}
	attention, err := listOrders(ctx, gw.store, store.Filter{Attention: true})
	if err != nil {
		return demoReport{}, fmt.Errorf("list orders flagged for attention: %w", err)
	}
	all, err := listOrders(ctx, gw.store, store.Filter{})
	if err != nil {
		return demoReport{}, fmt.Errorf("list orders: %w", err)
	}
	listed := verdict.Listed{Overdue: keys(overdue), Attention: keys(attention)}
	run := verdict.Run{ERP: sim.Records(), Mail: mb.Messages()}
	if settled {
		run.Listed = &listed
	}
	for i, s := range sims {
		run.Shops = append(run.Shops, verdict.Shop{Name: sc.shops[i].name, Kind: sc.shops[i].kind, Placed: s.Orders(), Webhooks: s.Stats()})
	}
	rep := demoReport{Scenario: sc.name, Summary: run.Judge(), SLA: sc.sla.Seconds(), Alerts: hook.counts(),
		OverdueOrders: listed.Overdue, AttentionOrders: listed.Attention}
	for _, o := range all {
		if !o.OverdueAt.IsZero() {
			rep.WentOverdue++
		}
	}
	if sc.alerts {
		rep.SettledLateUnalerted = settledLateUnalerted(run, sc.sla, hook)
	}
	return rep, nil
}

// settledLateUnalerted counts the orders that settled more than sla after
// the gateway accepted them and were never alerted. Acceptance is the
// storefront's first 2xx, which follows the gateway's receipt, so such an
// order was certainly unsettled when its SLA passed.
func settledLateUnalerted(run verdict.Run, sla time.Duration, hook *alertHook) int {
	first := make(map[string]time.Time) // order key → first confirmation or problem notice
	for _, m := range run.Mail {
		if m.Kind != verdict.KindConfirmation && m.Kind != verdict.KindProblem {
			continue
		}
		if at, ok := first[m.Order]; !ok || m.ReceivedAt.Before(at) {
			first[m.Order] = m.ReceivedAt
		}
	}
	n := 0
	for _, shop := range run.Shops {
		for _, p := range shop.Placed {
			key := order.Key{Storefront: shop.Name, ID: p.ID}.String()
			settled, ok := first[key]
			if c := p.CancelAcceptedAt; !c.IsZero() && (!ok || c.Before(settled)) {
				settled, ok = c, true
			}
			if ok && !p.AcceptedAt.IsZero() && settled.Sub(p.AcceptedAt) > sla && !hook.alerted(key) {
				n++
			}
		}
	}
	return n
}

// listOrders returns every order f selects, paging through the store.
// Pages overlap by a microsecond of receipt time, so that orders received
// in the same microsecond are not lost between two pages.
func listOrders(ctx context.Context, st store.Store, f store.Filter) ([]*order.Order, error) {
	f.Limit = 1000
	seen := make(map[order.Key]bool)
	var out []*order.Order
	for {
		page, err := st.List(ctx, f)
		if err != nil {
			return nil, err
		}
		added := 0
		for _, o := range page {
			if !seen[o.Key] {
				seen[o.Key] = true
				out = append(out, o)
				added++
			}
		}
		if len(page) < f.Limit || added == 0 {
			return out, nil
		}
		f.Before = page[len(page)-1].ReceivedAt.Add(time.Microsecond)
	}
}

func keys(os []*order.Order) []string {
	out := make([]string, len(os))
	for i, o := range os {
		out[i] = o.Key.String()
	}
	return out
}

// alertHook is the operators' alert webhook, served by the demo: it counts
// what the gateway announces.
type alertHook struct {
	mu     sync.Mutex
	posts  int
	orders map[string]int // storefront/order_id → alerts received
}

// alertCounts is what the alert hook received.
type alertCounts struct {
	Received int `json:"received"` // POSTs with a readable alert
	Orders   int `json:"orders"`   // distinct orders alerted
	Repeated int `json:"repeated"` // orders alerted more than once
}

func (h *alertHook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var a struct {
		Text       string `json:"text"`
		Storefront string `json:"storefront"`
		OrderID    string `json:"order_id"`
	}
	if r.Method != http.MethodPost || json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&a) != nil || a.Text == "" {
		http.Error(w, "want a POST of JSON with a text field", http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	h.posts++
	h.orders[a.Storefront+"/"+a.OrderID]++
	h.mu.Unlock()
	w.Write([]byte("ok"))
}

func (h *alertHook) alerted(key string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.orders[key] > 0
}

func (h *alertHook) counts() alertCounts {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := alertCounts{Received: h.posts, Orders: len(h.orders)}
	for _, n := range h.orders {
		if n > 1 {
			c.Repeated++
		}
	}
	return c
}

// printReport writes the summary an operator reads at a glance: the
// verdict first, then what happened to the orders, then the detail.
func printReport(w io.Writer, r demoReport, sc scenario) {
	verdictWord := "PASS"
	if !r.OK() {
		verdictWord = "FAIL"
	}
	settled := "every order settled or flagged"
	if !r.AllSettled {
		settled = "STOPPED before every order settled or was flagged: a snapshot, unsettled orders not judged"
	}
	fmt.Fprintf(w, "\n%s  scenario %s, %.1fs, %s (judged from the sandbox ERP's, the mailbox's and the storefronts' own records)\n",
		verdictWord, r.Scenario, r.Seconds, settled)
	fmt.Fprintf(w, "  invariants   confirmed before ERP ack %d | confirmed after ERP cancel %d | duplicate ERP orders %d | duplicate messages %d | cancelled but live in ERP %d | unsettled and unlisted %d | ERP orders nobody placed %d\n",
		r.ConfirmedBeforeAck, r.ConfirmedAfterERPCancel, r.DuplicateERPOrders, r.DuplicateMessages, r.CancelledButLiveInERP, r.UnsettledUnlisted, r.ERPOrdersNotPlaced)
	fmt.Fprintf(w, "  orders       %d placed, %d accepted: %d confirmed (%d with backordered lines), %d rejected%s, %d cancelled (%d never reached the ERP, %d cancelled there), %d held short\n",
		r.Orders, r.Accepted, r.Confirmed, r.Backordered, r.Rejected, byCode(r.RejectedBy), r.Cancelled, r.CancelledNeverInERP, r.CancelledInERP, r.HeldShort)
	fmt.Fprintf(w, "  unsettled    %d — the gateway lists %d overdue and %d for attention; %d unsettled orders on neither list\n",
		r.Unsettled, r.ListedOverdue, r.ListedAttention, r.UnsettledUnlisted)
	if sc.sla > 0 {
		fmt.Fprintf(w, "  overdue      %d orders went past the %s SLA (%d still overdue); the alert hook got %d alerts for %d orders (%d alerted twice or more)\n",
			r.WentOverdue, sc.sla, r.ListedOverdue, r.Alerts.Received, r.Alerts.Orders, r.Alerts.Repeated)
		fmt.Fprintf(w, "               %d orders settled more than %s after acceptance and were never alerted (unsettled past their SLA, yet not flagged)\n",
			r.SettledLateUnalerted, sc.sla)
	}
	fmt.Fprintf(w, "  messages     orders with a pending %d | delay %d | confirmation %d | problem %d\n",
		r.PendingNotices, r.DelayNotices, r.Confirmed, r.ProblemNotices)
	l := r.ConfirmationLatencyMS
	fmt.Fprintf(w, "  latency      capture → confirmation p50 %.0f ms  p95 %.0f ms  p99 %.0f ms  max %.0f ms (n=%d)\n", l.P50, l.P95, l.P99, l.Max, l.N)
	fmt.Fprintf(w, "  erp faults   %d 5xx, %d throttled with Retry-After, %d timeouts, %d in-doubt creates\n",
		r.ERPFaults.Error, r.ERPFaults.Throttle, r.ERPFaults.Timeout, r.ERPFaults.InDoubt)
	fmt.Fprintf(w, "  erp calls    %d creates, %d lookups, %d cancels", r.ERPRequests.Create, r.ERPRequests.Lookup, r.ERPRequests.Cancel)
	if sc.callback {
		fmt.Fprintf(w, "; %d acknowledgments announced by callback, %d accepted by the gateway (the rest by polling)", r.ERPCallbacks.Announced, r.ERPCallbacks.Delivered)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  webhooks     %d sent, %d duplicates, %d updates before their create, %d retries\n",
		r.Webhooks.Sent, r.Webhooks.DuplicatesSent, r.OutOfOrder, r.Webhooks.Retries)
	if r.WebhooksDropped > 0 {
		fmt.Fprintf(w, "  lost         %d orders' webhooks never sent; %d of them recovered by reconciliation and settled\n",
			r.WebhooksDropped, r.RecoveredDropped)
	}
	for i, s := range r.Storefronts {
		label := "  storefronts  "
		if i > 0 {
			label = "               "
		}
		shop := sc.shops[i]
		fmt.Fprintf(w, "%s%s (%s, %s%s): %d orders, %d confirmed (%d backordered), %d rejected, %d cancelled, %d held short, %d unsettled\n",
			label, s.Name, shop.kind, shop.mode, policy(shop.shortfall), s.Orders, s.Confirmed, s.Backordered, s.Rejected, s.Cancelled, s.HeldShort, s.Unsettled)
	}
	if len(r.Unconfirmed) > 0 {
		fmt.Fprintf(w, "  unconfirmed  %d held by the ERP with no confirmation or problem notice (in-doubt sends the gateway flagged, or lost): %s\n",
			len(r.Unconfirmed), firstFew(r.Unconfirmed, 10))
	}
	for _, v := range r.Violations {
		fmt.Fprintln(w, "  VIOLATION:", v)
	}
}

// byCode renders rejections by code, e.g. " (UNKNOWN_SKU 14)".
func byCode(m map[string]int) string {
	if len(m) == 0 {
		return ""
	}
	codes := make([]string, 0, len(m))
	for c := range m {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	parts := make([]string, len(codes))
	for i, c := range codes {
		parts[i] = fmt.Sprintf("%s %d", c, m[c])
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

func firstFew(s []string, n int) string {
	if len(s) <= n {
		return strings.Join(s, " ")
	}
	return strings.Join(s[:n], " ") + fmt.Sprintf(" … and %d more", len(s)-n)
}
