package chaos

import (
	"strings"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
	"github.com/ordergate/ordergate/internal/sandbox/mailbox"
	"github.com/ordergate/ordergate/internal/sandbox/storesim"
)

// storefront is the one storefront of the hand-built histories, and the
// key of their order.
const (
	storefront = "shop1"
	key1001    = storefront + "/1001"
)

// t0 is a whole second, like Shopify's created_at.
var t0 = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

func at(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }

func ext(id string) string { return order.Key{Storefront: storefront, ID: id}.ExternalID() }

// clean is a history of one order that went well: accepted, created in the
// ERP after one failed create, confirmed after the acknowledgment, and each
// step on the timeline.
func clean() History {
	const id = "1001"
	return History{
		Shops: []Shop{{Name: storefront, Flavor: storesim.Shopify, Placed: []storesim.OrderRecord{{ID: id, Email: "ada@example.com",
			CapturedAt: t0, AcceptedAt: at(20), Lines: []storesim.LineRecord{{LineID: "1", SKU: "MUG-STN-12OZ", Quantity: 2}},
			Attempts: []storesim.Attempt{{Topic: "orders/create", At: t0, Took: 20 * time.Millisecond, Status: 200}}}}}},
		ERP: erpsim.Records{
			Orders: []erpsim.Order{{Ref: "SO-1", ExternalID: ext(id), CreatedAt: at(200), AckedAt: at(200)}},
			Calls: []erpsim.Call{
				{Op: erpsim.OpCreate, ExternalID: ext(id), At: at(100), Status: 503, Fault: erpsim.FaultError},
				{Op: erpsim.OpLookup, ExternalID: ext(id), At: at(190), Status: 404},
				{Op: erpsim.OpCreate, ExternalID: ext(id), At: at(195), Status: 201},
			},
		},
		Mail: []mailbox.Message{{MessageID: "<c1>", Kind: "confirmation", Order: storefront + "/" + id, ReceivedAt: at(400)}},
		Gateway: map[string]GatewayOrder{key1001: {State: order.Confirmed, ERPRef: "SO-1", Timeline: []order.Event{
			{At: at(10), Kind: order.EventReceived},
			{At: at(90), Kind: order.EventSubmitAttempt, Attempt: 1},
			{At: at(110), Kind: order.EventSubmitFailed, Attempt: 1, Error: "erp unavailable"},
			{At: at(180), Kind: order.EventSubmitAttempt, Attempt: 2},
			{At: at(190), Kind: order.EventLookup, Attempt: 2},
			{At: at(210), Kind: order.EventSubmitted},
			{At: at(210), Kind: order.EventAcknowledged},
			{At: at(300), Kind: order.EventNotifyAttempt, Attempt: 1, Detail: "confirmation via mail"},
			{At: at(410), Kind: order.EventNotified, Attempt: 1},
			{At: at(410), Kind: order.EventConfirmed},
		}}},
	}
}

func TestCheck_CleanHistoryPasses(t *testing.T) {
	t.Parallel()
	res := Check(clean())
	if len(res.Violations) != 0 || len(res.Known) != 0 {
		t.Fatalf("violations in a clean history: %v %v", res.Violations, res.Known)
	}
	if res.Strict != 1 {
		t.Errorf("strict = %d, want 1", res.Strict)
	}
}

// TestCheck_CatchesEachBreach breaks the clean history one way at a time,
// and wants the one breach found, under its invariant, with the story.
func TestCheck_CatchesEachBreach(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		break_ func(h *History)
		inv    string
		what   string
	}{
		{"AcceptedButNotHeld", func(h *History) { delete(h.Gateway, key1001) }, "I1", "does not hold it"},
		{"UnsettledAndUnflagged", func(h *History) {
			g := h.Gateway[key1001]
			g.State = order.Acknowledged
			h.Gateway[key1001] = g
			h.Mail = nil
		}, "I1", "neither flagged"},
		{"TwoERPOrders", func(h *History) {
			h.ERP.Orders = append(h.ERP.Orders, erpsim.Order{Ref: "SO-2", ExternalID: ext("1001"), CreatedAt: at(250), AckedAt: at(250)})
		}, "I2", "more than once"},
		{"ConfirmedBeforeAck", func(h *History) { h.ERP.Orders[0].AckedAt = at(500) }, "I3", "before the erp acknowledged"},
		{"TwoConfirmations", func(h *History) {
			h.Mail = append(h.Mail, mailbox.Message{MessageID: "<c2>", Kind: "confirmation", Order: storefront + "/1001", ReceivedAt: at(600)})
		}, "I3", "more than once"},
		{"CreateWithoutAttempt", func(h *History) {
			h.ERP.Calls = append(h.ERP.Calls, erpsim.Call{Op: erpsim.OpCreate, ExternalID: ext("1001"), At: at(700), Status: 201})
		}, "I6", "3 creates, the timeline shows 2 submit attempts"},
		{"FailedCreateNotOnTimeline", func(h *History) {
			g := h.Gateway[key1001]
			g.Timeline = append(g.Timeline[:2:2], g.Timeline[3:]...)
			h.Gateway[key1001] = g
		}, "I6", "1 erp creates failed"},
		{"MailRefusalNotOnTimeline", func(h *History) {
			h.Refusals = []mailbox.Refusal{{To: "<ADA@example.com>", Fault: mailbox.RefusedTransient, At: at(350)}}
		}, "I6", "refused or dropped 1"},
		{"MailWithoutAttempt", func(h *History) {
			h.Mail = append(h.Mail, mailbox.Message{MessageID: "<p1>", Kind: "problem", Order: storefront + "/1001", ReceivedAt: at(420)})
		}, "I6", "no attempt to send one"},
		{"StalledSendUnrecorded", func(h *History) {
			h.Refusals = []mailbox.Refusal{{To: "ada@example.com", Fault: mailbox.RefusedStalled, At: at(350)}}
		}, KnownStallUnrecorded, "stalled 1"},
		{"StalledConfirmationGivenUpAsInDoubt", func(h *History) {
			h.Mail = nil
			h.Refusals = []mailbox.Refusal{{To: "ada@example.com", Fault: mailbox.RefusedStalled, At: at(350)}}
			g := h.Gateway[key1001]
			g.Timeline = append(g.Timeline[:8:8], order.Event{At: at(3300), Kind: order.EventNotifyInDoubt, Attempt: 1}, order.Event{At: at(3300), Kind: order.EventConfirmed})
			g.Attention = "the confirmation may not have reached the customer: check the mail log and resend by hand if needed"
			h.Gateway[key1001] = g
		}, KnownStallUnrecorded, "calls the confirmation in doubt"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := clean()
			c.break_(&h)
			res := Check(h)
			all := append(res.Violations, res.Known...)
			found := false
			for _, v := range all {
				if v.Order != storefront+"/1001" || !strings.Contains(v.Story, "webhook orders/create") {
					t.Errorf("breach of %q without the order's story:\n%s", v.Order, v.Story)
				}
				found = found || (v.Invariant == c.inv && strings.Contains(v.What, c.what))
			}
			if !found {
				t.Errorf("want a %s breach containing %q, got %v", c.inv, c.what, all)
			}
		})
	}
}

// TestCheck_AKillExcusesAFailedAttemptMissingFromTheTimeline: a SIGKILL
// between the ERP's reply and the gateway's record of it loses the record,
// and the next attempt's lookup stands for it. Only the strict checks are
// relaxed; a create without an attempt is still a breach.
func TestCheck_AKillExcusesAFailedAttemptMissingFromTheTimeline(t *testing.T) {
	t.Parallel()
	h := clean()
	g := h.Gateway[key1001]
	g.Timeline = append(g.Timeline[:2:2], g.Timeline[3:]...)
	h.Gateway[key1001] = g
	h.Kills = []time.Time{at(105)}
	if res := Check(h); len(res.Violations) != 0 || res.Strict != 0 {
		t.Fatalf("kill at the failed create: violations %v, strict %d; want none, 0", res.Violations, res.Strict)
	}
	h.Kills = []time.Time{at(900)} // after the order's last trace
	if res := Check(h); len(res.Violations) != 1 {
		t.Fatalf("kill after the order's life: want the breach, got %v", res.Violations)
	}
	h.Kills = []time.Time{at(105)}
	h.ERP.Calls = append(h.ERP.Calls, erpsim.Call{Op: erpsim.OpCreate, ExternalID: ext("1001"), At: at(700), Status: 201})
	if res := Check(h); len(res.Violations) != 1 || res.Violations[0].Invariant != "I6" {
		t.Fatalf("a create without an attempt, kill or not: want one I6 breach, got %v", res.Violations)
	}
}

func TestCheck_FlaggedUnsettledOrderIsNoBreach(t *testing.T) {
	t.Parallel()
	h := clean()
	h.Mail = nil // the confirmation's send ended in doubt and was not repeated
	g := h.Gateway[key1001]
	g.Timeline = g.Timeline[:8]
	g.Attention = "the confirmation may not have reached the customer"
	h.Gateway[key1001] = g
	if res := Check(h); len(res.Violations) != 0 {
		t.Fatalf("violations: %v", res.Violations)
	}
	g.Attention = ""
	h.Gateway[key1001] = g
	res := Check(h)
	if len(res.Violations) == 0 || res.Violations[0].Invariant != "I4" {
		t.Fatalf("the same order unflagged: want I4 breaches, got %v", res.Violations)
	}
}

// A kill while the mailbox held a send's reply cuts the send before its
// outcome can be recorded: the order is excused from the send checks, as
// from the others. A kill after the stall ended is not an excuse.
func TestCheck_AKillDuringAMailStallExcusesTheUnrecordedSend(t *testing.T) {
	t.Parallel()
	h := clean()
	h.MailStall = 6 * time.Second
	h.Refusals = []mailbox.Refusal{{To: "ada@example.com", Fault: mailbox.RefusedStalled, At: at(350)}}
	h.Kills = []time.Time{at(3000)} // during the stall, after every other trace
	if res := Check(h); len(res.Known) != 0 || len(res.Violations) != 0 || res.Strict != 0 {
		t.Fatalf("kill during the stall: known %v, violations %v, strict %d; want none, none, 0", res.Known, res.Violations, res.Strict)
	}
	h.Kills = []time.Time{at(7000)} // after the stall ended
	if res := Check(h); len(res.Known) != 1 {
		t.Fatalf("kill after the stall: want the unrecorded send reported, got %v", res.Known)
	}
}

// stocked is clean() with the stock ledger at work: one gateway process,
// the ERP read four times while order 1001 (2 × MUG-STN-12OZ, accepted at
// 20 ms, created and acknowledged by the ERP at 200 ms) is in flight and
// after, and a marketplace with a buffer of 1. The most it may be told is
// 20 − 2 − 1 = 17 until the read at 300 ms, and 18 − 0 − 1 = 17 after.
func stocked() History {
	h := clean()
	const sku = "MUG-STN-12OZ"
	read := func(ms, n int) Read {
		return Read{At: at(ms), Done: at(ms + 5), Status: 200, Asked: []string{sku}, Got: map[string]int{sku: n}}
	}
	h.Stock = Stock{
		Starts:  []time.Time{at(-1000)},
		Buffers: map[string]int{"amazon": 1},
		Reads:   []Read{read(30, 20), read(100, 20), read(150, 20), read(300, 18)},
	}
	return h
}

func push(ms, qty int) Push {
	return Push{Market: "amazon", SKU: "MUG-STN-12OZ", Qty: qty, At: at(ms), Status: 200}
}

// TestCheckStock_JudgesEachPushByTheReadsAndTheOrdersHeld pushes one
// quantity at a time into stocked() and wants it flagged under I5 only
// when it is over what the records allow: a gateway that ignores the held
// units, or the buffer, is caught; one that pushes within them, or that
// has not yet seen an order newer than its previous read, is not.
func TestCheckStock_JudgesEachPushByTheReadsAndTheOrdersHeld(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		change func(h *History)
		push   Push
		breach bool
	}{
		{"WithinHeldAndBuffer", nil, push(160, 17), false},
		{"IgnoringTheHeldUnits", nil, push(160, 19), true},
		{"IgnoringTheBuffer", nil, push(160, 18), true},
		{"AfterTheAckAndAFreshRead", nil, push(350, 17), false},
		{"IgnoringTheBufferOnceNothingIsHeld", nil, push(350, 18), true},
		{"ZeroIsAlwaysAllowed", func(h *History) { h.Stock.Reads[2].Got["MUG-STN-12OZ"] = 1 }, push(160, 0), false},
		{"OrderNewerThanThePreviousReadNeedNotBeCounted", func(h *History) {
			p := &h.Shops[0].Placed[0]
			p.AcceptedAt = at(120) // after the read at 100, which the read at 150 follows
			p.Attempts[0].At = at(110)
		}, push(160, 19), false},
		{"AckedBeforeTheReadIsNotHeld", func(h *History) {
			h.ERP.Orders[0].CreatedAt, h.ERP.Orders[0].AckedAt = at(140), at(140)
			h.Stock.Reads[2].Got["MUG-STN-12OZ"] = 18 // the read at 150 shows it
		}, push(160, 17), false},
		{"ACancelBeforeThePushReleasesIt", func(h *History) {
			p := &h.Shops[0].Placed[0]
			p.Cancelled = true
			p.Attempts = append(p.Attempts, storesim.Attempt{Topic: "orders/cancelled", At: at(155), Status: 200})
		}, push(160, 19), false},
		{"ACancelAfterThePushDoesNot", func(h *History) {
			p := &h.Shops[0].Placed[0]
			p.Cancelled = true
			p.Attempts = append(p.Attempts, storesim.Attempt{Topic: "orders/cancelled", At: at(165), Status: 200})
		}, push(160, 19), true},
		{"BigCommerceHeldFromItsFirstERPCall", func(h *History) {
			h.Shops[0].Flavor = storesim.BigCommerce
			h.ERP.Calls[0].At = at(25) // before the read at 30, which the reads at 100 and 150 follow
		}, push(160, 19), true},
		{"BigCommerceBeforeItsFirstERPCallNeedNotBeCounted", func(h *History) {
			h.Shops[0].Flavor = storesim.BigCommerce
			h.ERP.Calls[0].At = at(120) // after the read at 100, which the read at 150 follows
		}, push(160, 19), false},
		{"ACancelledBigCommerceOrderIsNeverCounted", func(h *History) {
			// Any fetch may read it cancelled once the store has it.
			h.Shops[0].Flavor = storesim.BigCommerce
			h.Shops[0].Placed[0].Cancelled = true
		}, push(160, 19), false},
		{"AReadOfAProcessKilledSinceDoesNotCount", func(h *History) {
			h.Stock.Starts = append(h.Stock.Starts, at(155))
		}, push(160, 17), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := stocked()
			if c.change != nil {
				c.change(&h)
			}
			h.Stock.Pushes = []Push{c.push}
			res := Check(h)
			var i5 []Violation
			for _, v := range res.Violations {
				if v.Invariant == "I5" {
					i5 = append(i5, v)
				}
			}
			if res.Pushes != 1 {
				t.Errorf("pushes judged = %d, want 1", res.Pushes)
			}
			switch {
			case c.breach && len(i5) != 1:
				t.Fatalf("want one I5 breach, got %v", i5)
			case c.breach && !strings.Contains(i5[0].Story, "read arrived") && !strings.Contains(i5[0].Story, "no availability read"):
				t.Errorf("breach without the reads it was judged by:\n%s", i5[0].Story)
			case !c.breach && len(i5) != 0:
				t.Fatalf("want no I5 breach, got %v", i5)
			}
		})
	}
}

// A push exactly at the bound is counted: it shows the check was tight.
func TestCheckStock_CountsPushesAtTheBound(t *testing.T) {
	t.Parallel()
	h := stocked()
	h.Stock.Pushes = []Push{push(160, 17), push(170, 12), push(350, 17), push(360, 0)}
	res := Check(h)
	if len(res.Violations) != 0 || res.Pushes != 4 || res.AtBound != 2 {
		t.Fatalf("violations %v, pushes %d, at bound %d; want none, 4, 2", res.Violations, res.Pushes, res.AtBound)
	}
}
