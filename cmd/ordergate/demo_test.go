package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// failuresSummary is the part of the demo's --json contract this test
// reads, as a reader of it spells it.
type failuresSummary struct {
	Scenario   string `json:"scenario"`
	AllSettled bool   `json:"all_settled"`
	Orders     int    `json:"orders"`
	Accepted   int    `json:"accepted"`

	ConfirmedBeforeAck      int      `json:"confirmed_before_ack"`
	DuplicateERPOrders      int      `json:"duplicate_erp_orders"`
	DuplicateConfirmations  int      `json:"duplicate_confirmations"`
	DuplicateMessages       int      `json:"duplicate_messages"`
	ConfirmedAfterERPCancel int      `json:"confirmed_after_erp_cancel"`
	CancelledButLiveInERP   int      `json:"cancelled_but_live_in_erp"`
	ERPOrdersNotPlaced      int      `json:"erp_orders_not_placed"`
	UnsettledUnlisted       int      `json:"unsettled_unlisted"`
	Violations              []string `json:"violations"`

	Confirmed           int `json:"confirmed"`
	Rejected            int `json:"rejected"`
	Cancelled           int `json:"cancelled"`
	CancelledNeverInERP int `json:"cancelled_never_in_erp"`
	CancelledInERP      int `json:"cancelled_in_erp"`
	Backordered         int `json:"backordered"`
	HeldShort           int `json:"held_short"`
	PendingNotices      int `json:"pending_notices"`
	ProblemNotices      int `json:"problem_notices"`
	OutOfOrder          int `json:"out_of_order"`
	ERPFaults           struct {
		Error    int `json:"error"`
		Throttle int `json:"throttle"`
		InDoubt  int `json:"in_doubt"`
	} `json:"erp_faults"`
	ERPCallbacks struct {
		Announced int `json:"announced"`
	} `json:"erp_callbacks"`
	Webhooks struct {
		DuplicatesSent int
	} `json:"webhooks"`

	Unsettled       int      `json:"unsettled"`
	UnsettledOrders []string `json:"unsettled_orders"`
	ListedOverdue   int      `json:"listed_overdue"`
	OverdueOrders   []string `json:"overdue_orders"`
	AttentionOrders []string `json:"attention_orders"`
	WentOverdue     int      `json:"went_overdue"`
	Alerts          struct {
		Received int `json:"received"`
	} `json:"alerts"`
}

func TestDemo_FailuresScenarioBreaksNoInvariantWhileEveryFailureHappens(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs the whole demo")
	}
	out := filepath.Join(t.TempDir(), "summary.json")
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()

	res := runContext(t, ctx, nil, "demo", "--scenario", "failures", "--orders", "300", "--exit", "--json", out, "--listen", "127.0.0.1:0")

	if res.exitCode != 0 {
		t.Fatalf("demo exited %d, want 0\nstdout:\n%s\nstderr:\n%s", res.exitCode, res.stdout, lastBytes(res.stderr, 4096))
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var got failuresSummary
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("summary JSON: %v\n%s", err, b)
	}

	type invariants struct {
		Scenario                                                                          string
		AllSettled                                                                        bool
		Orders, Accepted                                                                  int
		ConfirmedBeforeAck, DuplicateERPOrders, DuplicateConfirmations, DuplicateMessages int
		ConfirmedAfterERPCancel, CancelledButLiveInERP, ERPOrdersNotPlaced                int
		UnsettledUnlisted                                                                 int
		Violations                                                                        []string
	}
	gotInv := invariants{got.Scenario, got.AllSettled, got.Orders, got.Accepted,
		got.ConfirmedBeforeAck, got.DuplicateERPOrders, got.DuplicateConfirmations, got.DuplicateMessages,
		got.ConfirmedAfterERPCancel, got.CancelledButLiveInERP, got.ERPOrdersNotPlaced, got.UnsettledUnlisted, got.Violations}
	// The simulators retry every webhook until it is accepted.
	wantInv := invariants{Scenario: "failures", AllSettled: true, Orders: 300, Accepted: 300}
	if diff := cmp.Diff(wantInv, gotInv, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("demo summary mismatch (-want +got):\n%s\n%s", diff, res.stdout)
	}

	// Every order the records show unsettled is on one of the gateway's
	// lists: overdue, or flagged for an operator.
	if got.Unsettled != len(got.UnsettledOrders) {
		t.Errorf("unsettled %d, but %d unsettled orders listed", got.Unsettled, len(got.UnsettledOrders))
	}
	for _, key := range got.UnsettledOrders {
		if !slices.Contains(got.OverdueOrders, key) && !slices.Contains(got.AttentionOrders, key) {
			t.Errorf("order %s is unsettled and the gateway lists it neither overdue nor for attention", key)
		}
	}

	// Each failure the scenario promises happened, so that a quiet run
	// cannot pass for a hard one.
	happened := []struct {
		what string
		n    int
	}{
		{"whole-order rejections", got.Rejected},
		{"problem notices", got.ProblemNotices},
		{"erp 5xx faults", got.ERPFaults.Error},
		{"erp throttles", got.ERPFaults.Throttle},
		{"erp in-doubt creates", got.ERPFaults.InDoubt},
		{"cancellations", got.Cancelled},
		{"cancels before the erp had the order", got.CancelledNeverInERP},
		{"cancels passed on to the erp", got.CancelledInERP},
		{"backordered confirmations", got.Backordered},
		{"orders held for a shortfall", got.HeldShort},
		{"pending notices", got.PendingNotices},
		{"duplicate webhooks", got.Webhooks.DuplicatesSent},
		{"updates before their create", got.OutOfOrder},
		{"acknowledgments announced by callback", got.ERPCallbacks.Announced},
		{"orders that went overdue", got.WentOverdue},
		{"unsettled orders", got.Unsettled},
		{"orders listed overdue", got.ListedOverdue},
		{"alerts received", got.Alerts.Received},
		{"confirmations", got.Confirmed},
	}
	for _, h := range happened {
		if h.n == 0 {
			t.Errorf("no %s in the failures scenario\n%s", h.what, res.stdout)
		}
	}
}

// lastBytes is the end of s, at most n bytes: a failing demo's log is long.
func lastBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

func TestDemo_MixedFleetSettlesEveryStorefrontsOrders(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs the whole demo")
	}
	out := filepath.Join(t.TempDir(), "summary.json")
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	res := runContext(t, ctx, nil, "demo", "--storefronts", "shopify,woocommerce,bigcommerce", "--orders", "90",
		"--exit", "--json", out, "--listen", "127.0.0.1:0")
	if res.exitCode != 0 {
		t.Fatalf("demo exited %d, want 0\nstdout:\n%s\nstderr:\n%s", res.exitCode, res.stdout, lastBytes(res.stderr, 4096))
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		AllSettled  bool     `json:"all_settled"`
		Violations  []string `json:"violations"`
		Storefronts []struct {
			Name, Kind                                   string
			Orders, Accepted, Confirmed, Rejected        int
			Cancelled, HeldShort, Unsettled, Backordered int
		} `json:"storefronts"`
	}
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if !got.AllSettled || len(got.Violations) > 0 {
		t.Errorf("all_settled %v, violations %v", got.AllSettled, got.Violations)
	}
	var kinds []string
	for _, s := range got.Storefronts {
		kinds = append(kinds, s.Kind)
		// An order confirmed and then cancelled by its shopper counts as
		// both: every order has at least one outcome, none is unsettled.
		if s.Orders != 30 || s.Accepted != 30 || s.Unsettled != 0 || s.Confirmed+s.Rejected+s.Cancelled+s.HeldShort < 30 || s.Confirmed == 0 {
			t.Errorf("storefront %s (%s): %+v, want its 30 orders accepted and settled, some confirmed", s.Name, s.Kind, s)
		}
	}
	if want := []string{"shopify", "woocommerce", "bigcommerce"}; !slices.Equal(kinds, want) {
		t.Errorf("storefront kinds %v, want %v", kinds, want)
	}
}

func TestDemo_UnknownStorefrontKindIsRefused(t *testing.T) {
	t.Parallel()
	res := run(t, nil, "demo", "--storefronts", "shopify,magento", "--exit", "--listen", "127.0.0.1:0")
	if res.exitCode == 0 || !strings.Contains(res.stderr, `--storefronts: unknown kind "magento"`) {
		t.Errorf("exit %d, stderr %q; want a refusal naming the kind", res.exitCode, lastBytes(res.stderr, 500))
	}
}

func TestDemo_LostWebhooksAreAllRecoveredByReconciliation(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs the whole demo")
	}
	out := filepath.Join(t.TempDir(), "summary.json")
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	res := runContext(t, ctx, nil, "demo", "--scenario", "lost-webhooks", "--storefronts", "shopify,woocommerce,bigcommerce",
		"--orders", "120", "--exit", "--json", out, "--listen", "127.0.0.1:0")
	if res.exitCode != 0 {
		t.Fatalf("demo exited %d, want 0\nstdout:\n%s\nstderr:\n%s", res.exitCode, res.stdout, lastBytes(res.stderr, 4096))
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Orders               int      `json:"orders"`
		Accepted             int      `json:"accepted"`
		WebhooksDropped      int      `json:"webhooks_dropped"`
		RecoveredByReconcile int      `json:"recovered_by_reconcile"`
		Confirmed            int      `json:"confirmed"`
		Rejected             int      `json:"rejected"`
		Cancelled            int      `json:"cancelled"`
		Unsettled            int      `json:"unsettled"`
		AllSettled           bool     `json:"all_settled"`
		Violations           []string `json:"violations"`
	}
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if got.WebhooksDropped == 0 || got.RecoveredByReconcile != got.WebhooksDropped {
		t.Errorf("webhooks_dropped %d, recovered_by_reconcile %d: want some dropped and every one recovered", got.WebhooksDropped, got.RecoveredByReconcile)
	}
	if got.Orders != 120 || got.Accepted+got.WebhooksDropped != got.Orders || got.Unsettled != 0 || !got.AllSettled || len(got.Violations) > 0 {
		t.Errorf("summary %+v: want all 120 orders accepted or recovered, none unsettled, no violation", got)
	}
}

// The flash sale, small: the same buyers twice. With the ledger no SKU is
// sold beyond the ERP's stock, and every sale reaches the ERP and settles;
// the baseline, told the ERP's figure alone, oversells (so the count can
// fail).
func TestFlashSale_LedgerNeverOversellsWhereTheBaselineDoes(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs two flash sales of 8s each")
	}
	c := &demoCmd{Seed: 3}
	plan := newSalePlan(c.Seed, 10, 240, 8)
	log := newLogger("error")
	gated, err := c.flashRun(t.Context(), log, plan, "ledger")
	if err != nil {
		t.Fatal(err)
	}
	if gated.OversoldUnits != 0 || gated.Unsettled != 0 {
		t.Errorf("with the ledger: %d units oversold, %d orders unsettled; want 0 and 0 (%+v)", gated.OversoldUnits, gated.Unsettled, gated)
	}
	if gated.Sold == 0 || gated.Rejected != 0 || gated.Confirmed == 0 {
		t.Errorf("with the ledger: sold %d units, %d orders confirmed, %d refused by the ERP; want sales, all confirmed", gated.Sold, gated.Confirmed, gated.Rejected)
	}
	for _, ch := range append([]string{flashShop}, flashMarkets...) {
		if gated.SoldUnits[ch] == 0 {
			t.Errorf("with the ledger, channel %s sold nothing: %v", ch, gated.SoldUnits)
		}
	}
	base, err := c.flashRun(t.Context(), log, plan, "baseline")
	if err != nil {
		t.Fatal(err)
	}
	if base.OversoldUnits == 0 || base.Rejected == 0 {
		t.Errorf("baseline: %d units oversold, %d orders refused by the ERP; want both above 0 with %d buyers for %d units", base.OversoldUnits, base.Rejected, len(plan.attempts), plan.units())
	}
	t.Logf("sold %d of %d units with the ledger (%v), %d with the baseline, %d of them oversold", gated.Sold, plan.units(), gated.SoldUnits, base.Sold, base.OversoldUnits)
}
