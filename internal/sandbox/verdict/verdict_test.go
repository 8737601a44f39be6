package verdict

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
	"github.com/ordergate/ordergate/internal/sandbox/mailbox"
	"github.com/ordergate/ordergate/internal/sandbox/storesim"
)

const shop = "shop1"

// t0 is a whole second, like Shopify's created_at.
var t0 = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

// at is t0 plus ms milliseconds.
func at(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }

// placed is an order the storefront placed and the gateway accepted, with
// one webhook attempt at capture.
func placed(id string) storesim.OrderRecord {
	return storesim.OrderRecord{
		ID: id, CapturedAt: t0, AcceptedAt: at(20),
		Attempts: []storesim.Attempt{{Topic: "orders/create", At: t0, Status: 200}},
	}
}

func cancelled(p storesim.OrderRecord) storesim.OrderRecord {
	p.Cancelled = true
	p.CancelAcceptedAt = at(500)
	return p
}

// dropped is p with every webhook lost: never sent, never accepted.
func dropped(p storesim.OrderRecord) storesim.OrderRecord {
	p.Dropped, p.AcceptedAt, p.CancelAcceptedAt, p.Attempts = true, time.Time{}, time.Time{}, nil
	return p
}

func notAccepted(p storesim.OrderRecord) storesim.OrderRecord {
	p.AcceptedAt = time.Time{}
	p.Attempts[0].Status = 503
	return p
}

func ext(id string) string { return order.Key{Storefront: shop, ID: id}.ExternalID() }

// held is the ERP's order for id, created ms after t0 and acknowledged in
// the create's reply.
func held(id, ref string, ms int) erpsim.Order {
	return erpsim.Order{Ref: ref, ExternalID: ext(id), CreatedAt: at(ms), AckedAt: at(ms)}
}

// cancelledInERP is o cancelled in the ERP ms after t0.
func cancelledInERP(o erpsim.Order, ms int) erpsim.Order {
	o.CancelledAt = at(ms)
	return o
}

// late is o acknowledged ms after t0 instead of on creation; ms < 0 means
// not (yet) acknowledged.
func late(o erpsim.Order, ms int) erpsim.Order {
	o.AckedAt = time.Time{}
	if ms >= 0 {
		o.AckedAt = at(ms)
	}
	return o
}

// short is o with a line of 3 of which 1 was reserved, short for why.
func short(o erpsim.Order, why string) erpsim.Order {
	o.Lines = append(o.Lines, erpsim.Line{SKU: "BLNK-WFL-OAT", Quantity: 3, Reserved: 1, Short: why})
	return o
}

func rejection(id string) erpsim.Rejection {
	return erpsim.Rejection{ExternalID: ext(id), Code: "out_of_stock", At: at(100)}
}

// confirmation is the mailbox's confirmation for id, received ms after t0.
func confirmation(id, msgID string, ms int) mailbox.Message {
	return message(id, KindConfirmation, msgID, ms)
}

// message is the mailbox's message of kind for id, received ms after t0.
func message(id, kind, msgID string, ms int) mailbox.Message {
	return mailbox.Message{MessageID: msgID, Kind: kind, Order: shop + "/" + id, ReceivedAt: at(ms)}
}

func TestJudge(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		placed []storesim.OrderRecord
		erp    erpsim.Records
		mail   []mailbox.Message
		// listed is what the gateway lists; nil when the run does not say.
		listed *Listed
		want   Summary
		// wantViolations are, per violation in order, words its story
		// must contain.
		wantViolations [][]string
		wantOK         bool
	}{
		{
			name:   "EmptyRunIsClean",
			want:   Summary{},
			wantOK: true,
		},
		{
			name: "CleanRunCountsConfirmedRejectedAndCancelled",
			placed: []storesim.OrderRecord{
				placed("1001"),            // confirmed
				placed("1002"),            // rejected by the ERP
				cancelled(placed("1003")), // cancelled before the ERP had it
				cancelled(placed("1004")), // confirmed, then cancelled
			},
			erp: erpsim.Records{
				Orders:     []erpsim.Order{held("1001", "SO-1", 100), cancelledInERP(held("1004", "SO-4", 120), 600)},
				Rejections: []erpsim.Rejection{rejection("1002")},
			},
			mail: []mailbox.Message{
				confirmation("1001", "<m1@x>", 300),
				message("1002", KindProblem, "<p2@x>", 150),
				confirmation("1004", "<m4@x>", 310),
				// Mail that is not a confirmation, or for another
				// storefront, confirms nothing.
				{MessageID: "<c3@x>", Kind: "cancellation", Order: shop + "/1003", ReceivedAt: at(600)},
				{MessageID: "<o1@x>", Kind: "confirmation", Order: "shop2/1002", ReceivedAt: at(300)},
			},
			want: Summary{Orders: 4, Accepted: 4, Confirmed: 2, Rejected: 1, RejectedBy: map[string]int{"out_of_stock": 1},
				ProblemNotices: 1, Cancelled: 2, CancelledNeverInERP: 1, CancelledInERP: 1},
			wantOK: true,
		},
		{
			name:   "ConfirmationBeforeERPCreatedTheOrderIsConfirmedBeforeAck",
			placed: []storesim.OrderRecord{placed("1001")},
			erp:    erpsim.Records{Orders: []erpsim.Order{held("1001", "SO-1", 300)}},
			mail:   []mailbox.Message{confirmation("1001", "<m1@x>", 299)},
			want:   Summary{Orders: 1, Accepted: 1, Confirmed: 1, ConfirmedBeforeAck: 1},
			wantViolations: [][]string{
				{"shop1/1001", "confirmed before the erp acknowledged it", "SO-1", "<m1@x>"},
			},
		},
		{
			name:   "ConfirmationForAnOrderTheERPNeverHeldIsConfirmedBeforeAck",
			placed: []storesim.OrderRecord{placed("1001")},
			mail:   []mailbox.Message{confirmation("1001", "<m1@x>", 300)},
			want:   Summary{Orders: 1, Accepted: 1, Confirmed: 1, ConfirmedBeforeAck: 1},
			wantViolations: [][]string{
				{"shop1/1001", "confirmed before the erp acknowledged it", "the erp holds no order", "<m1@x>"},
			},
		},
		{
			name:   "ConfirmationAfterRejectionIsConfirmedBeforeAck",
			placed: []storesim.OrderRecord{placed("1001")},
			erp:    erpsim.Records{Rejections: []erpsim.Rejection{rejection("1001")}},
			mail:   []mailbox.Message{confirmation("1001", "<m1@x>", 300)},
			want:   Summary{Orders: 1, Accepted: 1, Confirmed: 1, Rejected: 1, RejectedBy: map[string]int{"out_of_stock": 1}, ConfirmedBeforeAck: 1},
			wantViolations: [][]string{
				{"shop1/1001", "confirmed before the erp acknowledged it"},
			},
		},
		{
			name:   "TwoERPOrdersForOneExternalIDAreADuplicate",
			placed: []storesim.OrderRecord{placed("1001"), placed("1002")},
			erp: erpsim.Records{Orders: []erpsim.Order{
				held("1001", "SO-1", 100), held("1002", "SO-2", 110), held("1001", "SO-3", 200),
			}},
			mail: []mailbox.Message{confirmation("1001", "<m1@x>", 300), confirmation("1002", "<m2@x>", 300)},
			want: Summary{Orders: 2, Accepted: 2, Confirmed: 2, DuplicateERPOrders: 1},
			wantViolations: [][]string{
				{"shop1/1001", "held by the erp more than once", "SO-1", "SO-3"},
			},
		},
		{
			name:   "TwoConfirmationsForOneOrderAreADuplicate",
			placed: []storesim.OrderRecord{placed("1001")},
			erp:    erpsim.Records{Orders: []erpsim.Order{held("1001", "SO-1", 100)}},
			mail:   []mailbox.Message{confirmation("1001", "<m1@x>", 300), confirmation("1001", "<m2@x>", 900)},
			want:   Summary{Orders: 1, Accepted: 1, Confirmed: 1, DuplicateConfirmations: 1, DuplicateMessages: 1},
			wantViolations: [][]string{
				{"shop1/1001", "confirmed more than once", "<m1@x>", "<m2@x>"},
			},
		},
		{
			name:   "ERPOrderForNoPlacedOrderIsNotPlaced",
			placed: []storesim.OrderRecord{placed("1001")},
			erp: erpsim.Records{Orders: []erpsim.Order{
				held("1001", "SO-1", 100),
				{Ref: "SO-9", ExternalID: "og-shop1-9999", CreatedAt: at(100)},
			}},
			mail: []mailbox.Message{confirmation("1001", "<m1@x>", 300)},
			want: Summary{Orders: 1, Accepted: 1, Confirmed: 1, ERPOrdersNotPlaced: 1},
			wantViolations: [][]string{
				{"SO-9", "og-shop1-9999", "matches no placed order"},
			},
		},
		{
			// The ERP order's external id must be this storefront's: the
			// same order id under another storefront was not placed here.
			name:   "ERPOrderForAnotherStorefrontIsNotPlaced",
			placed: []storesim.OrderRecord{placed("1001")},
			erp: erpsim.Records{Orders: []erpsim.Order{
				held("1001", "SO-1", 100),
				{Ref: "SO-2", ExternalID: order.Key{Storefront: "shop2", ID: "1001"}.ExternalID(), CreatedAt: at(100)},
			}},
			mail: []mailbox.Message{confirmation("1001", "<m1@x>", 300)},
			want: Summary{Orders: 1, Accepted: 1, Confirmed: 1, ERPOrdersNotPlaced: 1},
			wantViolations: [][]string{
				{"SO-2", "og-shop2-1001"},
			},
		},
		{
			// An unconfirmed order is not an invariant the records can
			// show broken: the gateway may have flagged an in-doubt send.
			// It is listed for the gateway to explain, and OK stays true.
			name: "AcceptedHeldUncancelledOrderWithNoMailIsUnconfirmed",
			placed: []storesim.OrderRecord{
				placed("1002"),
				placed("1001"),
				cancelled(placed("1003")), // cancelled: no confirmation owed
				notAccepted(placed("1004")),
			},
			erp: erpsim.Records{Orders: []erpsim.Order{
				held("1001", "SO-1", 100), held("1002", "SO-2", 100), cancelledInERP(held("1003", "SO-3", 100), 600), held("1004", "SO-4", 100),
			}},
			want: Summary{Orders: 4, Accepted: 3, Cancelled: 1, CancelledInERP: 1, Unconfirmed: []string{"shop1/1001", "shop1/1002"},
				Unsettled: 2, UnsettledOrders: []string{"shop1/1001", "shop1/1002"}},
			wantOK: true,
		},
		{
			// The ERP recorded the order at 100 but acknowledged it only
			// at 2100 (a late ack): a confirmation between the two was
			// sent on the create, not on the acknowledgment.
			name:   "ConfirmationAfterCreateButBeforeALateAckIsConfirmedBeforeAck",
			placed: []storesim.OrderRecord{placed("1001")},
			erp:    erpsim.Records{Orders: []erpsim.Order{late(held("1001", "SO-1", 100), 2100)}},
			mail:   []mailbox.Message{confirmation("1001", "<m1@x>", 1000)},
			want:   Summary{Orders: 1, Accepted: 1, Confirmed: 1, ConfirmedBeforeAck: 1},
			wantViolations: [][]string{
				{"shop1/1001", "confirmed before the erp acknowledged it", "acknowledged 2025-03-14T09:26:55.1Z", "<m1@x>"},
			},
		},
		{
			name:   "ConfirmationOfAnOrderTheERPStillHoldsPendingIsConfirmedBeforeAck",
			placed: []storesim.OrderRecord{placed("1001")},
			erp:    erpsim.Records{Orders: []erpsim.Order{late(held("1001", "SO-1", 100), -1)}},
			mail:   []mailbox.Message{confirmation("1001", "<m1@x>", 5000)},
			want:   Summary{Orders: 1, Accepted: 1, Confirmed: 1, ConfirmedBeforeAck: 1},
			wantViolations: [][]string{
				{"shop1/1001", "confirmed before the erp acknowledged it", "SO-1"},
			},
		},
		{
			name:   "ConfirmationAfterALateAckIsClean",
			placed: []storesim.OrderRecord{placed("1001")},
			erp:    erpsim.Records{Orders: []erpsim.Order{late(held("1001", "SO-1", 100), 2100)}},
			mail:   []mailbox.Message{message("1001", KindPending, "<p1@x>", 50), confirmation("1001", "<m1@x>", 2101)},
			want:   Summary{Orders: 1, Accepted: 1, Confirmed: 1, PendingNotices: 1},
			wantOK: true,
		},
		{
			name:   "ConfirmationAfterTheERPCancelledTheOrderIsAViolation",
			placed: []storesim.OrderRecord{placed("1001")},
			erp:    erpsim.Records{Orders: []erpsim.Order{cancelledInERP(held("1001", "SO-1", 100), 400)}},
			mail:   []mailbox.Message{confirmation("1001", "<m1@x>", 401)},
			want:   Summary{Orders: 1, Accepted: 1, Confirmed: 1, ConfirmedAfterERPCancel: 1},
			wantViolations: [][]string{
				{"shop1/1001", "confirmed after the erp cancelled it", "cancelled 2025-03-14T09:26:53.4Z", "<m1@x>"},
			},
		},
		{
			// Confirmed, then cancelled by the storefront and so in the
			// ERP: the confirmation came first.
			name:   "ConfirmationBeforeTheERPCancelIsClean",
			placed: []storesim.OrderRecord{cancelled(placed("1001"))},
			erp:    erpsim.Records{Orders: []erpsim.Order{cancelledInERP(held("1001", "SO-1", 100), 600)}},
			mail:   []mailbox.Message{confirmation("1001", "<m1@x>", 300)},
			want:   Summary{Orders: 1, Accepted: 1, Confirmed: 1, Cancelled: 1, CancelledInERP: 1},
			wantOK: true,
		},
		{
			name:   "TwoPendingNoticesAreADuplicateMessage",
			placed: []storesim.OrderRecord{placed("1001")},
			erp:    erpsim.Records{Orders: []erpsim.Order{held("1001", "SO-1", 100)}},
			mail: []mailbox.Message{
				message("1001", KindPending, "<p1@x>", 50), message("1001", KindPending, "<p1b@x>", 60),
				confirmation("1001", "<m1@x>", 300),
			},
			want: Summary{Orders: 1, Accepted: 1, Confirmed: 1, PendingNotices: 1, DuplicateMessages: 1},
			wantViolations: [][]string{
				{"shop1/1001", "sent 2 pending messages", "<p1@x>", "<p1b@x>"},
			},
		},
		{
			name:   "TwoDelayNoticesAndTwoProblemNoticesAreTwoDuplicateMessages",
			placed: []storesim.OrderRecord{placed("1001")},
			erp:    erpsim.Records{Rejections: []erpsim.Rejection{rejection("1001")}},
			mail: []mailbox.Message{
				message("1001", KindDelay, "<d1@x>", 50), message("1001", KindDelay, "<d1b@x>", 60),
				message("1001", KindProblem, "<x1@x>", 150), message("1001", KindProblem, "<x1b@x>", 160),
			},
			want: Summary{Orders: 1, Accepted: 1, Rejected: 1, RejectedBy: map[string]int{"out_of_stock": 1},
				DelayNotices: 1, ProblemNotices: 1, DuplicateMessages: 2},
			wantViolations: [][]string{
				{"shop1/1001", "sent 2 delay messages", "<d1b@x>"},
				{"shop1/1001", "sent 2 problem messages", "<x1b@x>"},
			},
		},
		{
			name:   "OneMessageOfEachKindIsClean",
			placed: []storesim.OrderRecord{placed("1001")},
			erp:    erpsim.Records{Orders: []erpsim.Order{late(short(held("1001", "SO-1", 100), erpsim.ShortBackordered), 2100)}},
			mail: []mailbox.Message{
				message("1001", KindPending, "<p1@x>", 50), message("1001", KindDelay, "<d1@x>", 2000),
				confirmation("1001", "<m1@x>", 2200),
			},
			want:   Summary{Orders: 1, Accepted: 1, Confirmed: 1, Backordered: 1, PendingNotices: 1, DelayNotices: 1},
			wantOK: true,
		},
		{
			// The storefront's cancel was accepted at 500; the ERP took the
			// order at 700 (its create was in flight) and nobody
			// cancelled it there.
			name:   "CancelBeforeTheERPCreateWithTheERPOrderLiveIsCancelledButLive",
			placed: []storesim.OrderRecord{cancelled(placed("1001"))},
			erp:    erpsim.Records{Orders: []erpsim.Order{held("1001", "SO-1", 700)}},
			want:   Summary{Orders: 1, Accepted: 1, Cancelled: 1, CancelledButLiveInERP: 1},
			wantViolations: [][]string{
				{"shop1/1001", "cancelled in the storefront (cancel accepted 2025-03-14T09:26:53.5Z) but live in the erp", "SO-1 created 2025-03-14T09:26:53.7Z"},
			},
		},
		{
			name:   "CancelAfterTheERPCreateWithTheERPOrderLiveIsCancelledButLive",
			placed: []storesim.OrderRecord{cancelled(placed("1001"))},
			erp:    erpsim.Records{Orders: []erpsim.Order{late(held("1001", "SO-1", 100), -1)}},
			want:   Summary{Orders: 1, Accepted: 1, Cancelled: 1, CancelledButLiveInERP: 1},
			wantViolations: [][]string{
				{"shop1/1001", "but live in the erp"},
			},
		},
		{
			// A planned cancel the gateway never accepted (the run ended
			// first) cancels nothing: no cancel is owed to the ERP.
			name: "CancelNotAcceptedOwesTheERPNothing",
			placed: func() []storesim.OrderRecord {
				p := cancelled(placed("1001"))
				p.CancelAcceptedAt = time.Time{}
				return []storesim.OrderRecord{p}
			}(),
			erp:    erpsim.Records{Orders: []erpsim.Order{held("1001", "SO-1", 100)}},
			mail:   []mailbox.Message{confirmation("1001", "<m1@x>", 300)},
			want:   Summary{Orders: 1, Accepted: 1, Confirmed: 1, Cancelled: 1},
			wantOK: true,
		},
		{
			// Under the reject policy an order the ERP took short is held
			// with a problem notice: unsettled, and fine while the gateway
			// lists it.
			name:   "HeldShortOrderListedOverdueIsUnsettledAndClean",
			placed: []storesim.OrderRecord{placed("1001"), placed("1002")},
			erp: erpsim.Records{Orders: []erpsim.Order{
				short(held("1001", "SO-1", 100), erpsim.ShortBackordered), held("1002", "SO-2", 100),
			}},
			mail: []mailbox.Message{
				message("1001", KindProblem, "<x1@x>", 300), confirmation("1002", "<m2@x>", 300),
			},
			listed: &Listed{Overdue: []string{"shop1/1001"}, Attention: []string{"shop1/1001", "shop1/1999"}},
			want: Summary{Orders: 2, Accepted: 2, Confirmed: 1, ProblemNotices: 1, HeldShort: 1,
				Unsettled: 1, UnsettledOrders: []string{"shop1/1001"}, ListedOverdue: 1, ListedAttention: 2},
			wantOK: true,
		},
		{
			// The storefront lost every webhook of 1001–1004: the gateway
			// owes them all the same. Reconciliation brought in 1001
			// (confirmed) and 1002 (cancelled in the storefront, never
			// sent to the ERP) and 1003 (cancelled after the ERP took it,
			// cancelled there too); 1004 it never found.
			name: "DroppedOrdersAreOwedAndCountAsRecoveredOnlyWhenSettled",
			placed: []storesim.OrderRecord{
				dropped(placed("1001")), dropped(cancelled(placed("1002"))), dropped(cancelled(placed("1003"))), dropped(placed("1004")),
			},
			erp:    erpsim.Records{Orders: []erpsim.Order{held("1001", "SO-1", 100), cancelledInERP(held("1003", "SO-3", 100), 700)}},
			mail:   []mailbox.Message{confirmation("1001", "<m1@x>", 300)},
			listed: &Listed{},
			want: Summary{Orders: 4, WebhooksDropped: 4, RecoveredDropped: 3, Confirmed: 1, Cancelled: 2,
				CancelledNeverInERP: 1, CancelledInERP: 1, Unsettled: 1, UnsettledOrders: []string{"shop1/1004"}, UnsettledUnlisted: 1,
				ConfirmationLatencyMS: Percentiles{P50: 300, P95: 300, P99: 300, Max: 300, N: 1}},
			wantViolations: [][]string{
				{"shop1/1004", "unsettled, and the gateway lists it neither as overdue nor for attention"},
			},
		},
		{
			name:   "UnsettledOrderFlaggedButNotOverdueIsClean",
			placed: []storesim.OrderRecord{placed("1001")},
			erp:    erpsim.Records{Orders: []erpsim.Order{late(held("1001", "SO-1", 100), -1)}},
			listed: &Listed{Attention: []string{"shop1/1001"}},
			want: Summary{Orders: 1, Accepted: 1, Unconfirmed: []string{"shop1/1001"},
				Unsettled: 1, UnsettledOrders: []string{"shop1/1001"}, ListedAttention: 1},
			wantOK: true,
		},
		{
			// Rejected by the ERP but no problem notice reached the
			// customer: not settled, and the gateway lists it nowhere.
			name:   "UnsettledOrderTheGatewayDoesNotListIsAViolation",
			placed: []storesim.OrderRecord{placed("1001"), placed("1002")},
			erp:    erpsim.Records{Rejections: []erpsim.Rejection{rejection("1001")}, Orders: []erpsim.Order{late(held("1002", "SO-2", 100), -1)}},
			listed: &Listed{Overdue: []string{"shop1/1002"}},
			want: Summary{Orders: 2, Accepted: 2, Rejected: 1, RejectedBy: map[string]int{"out_of_stock": 1},
				Unconfirmed: []string{"shop1/1002"}, Unsettled: 2, UnsettledOrders: []string{"shop1/1001", "shop1/1002"},
				ListedOverdue: 1, UnsettledUnlisted: 1},
			wantViolations: [][]string{
				{"shop1/1001", "unsettled, and the gateway lists it neither as overdue nor for attention", "the erp holds no order"},
			},
		},
		{
			// Without the gateway's lists unsettled orders are counted,
			// not judged.
			name:   "UnsettledOrderWithoutTheGatewaysListsIsCountedOnly",
			placed: []storesim.OrderRecord{placed("1001")},
			erp:    erpsim.Records{Rejections: []erpsim.Rejection{rejection("1001")}},
			want: Summary{Orders: 1, Accepted: 1, Rejected: 1, RejectedBy: map[string]int{"out_of_stock": 1},
				Unsettled: 1, UnsettledOrders: []string{"shop1/1001"}},
			wantOK: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Run{Shops: []Shop{{Name: shop, Placed: tt.placed}}, ERP: tt.erp, Mail: tt.mail, Listed: tt.listed}.Judge()

			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(Summary{}, "Violations", "ConfirmationLatencyMS")); diff != "" {
				t.Errorf("Judge() summary mismatch (-want +got):\n%s", diff)
			}
			if len(got.Violations) != len(tt.wantViolations) {
				t.Fatalf("Judge() violations = %q, want %d", got.Violations, len(tt.wantViolations))
			}
			for i, words := range tt.wantViolations {
				for _, w := range words {
					if !strings.Contains(got.Violations[i], w) {
						t.Errorf("Judge() violation %d = %q, want it to mention %q", i, got.Violations[i], w)
					}
				}
			}
			if got.OK() != tt.wantOK {
				t.Errorf("Summary.OK() = %v, want %v", got.OK(), tt.wantOK)
			}
		})
	}
}

func TestJudge_PassesOnTheRecordCounts(t *testing.T) {
	t.Parallel()
	erp := erpsim.Records{
		Faults:   erpsim.FaultCounts{Error: 1, Throttle: 2, Timeout: 3, InDoubt: 4},
		Requests: erpsim.RequestCounts{Create: 5, Lookup: 6, Availability: 7},
	}
	hooks := storesim.Stats{Sent: 8, Retries: 1, Status2xx: 7, TransportErrors: 1, DuplicatesSent: 2}

	got := Judge(shop, nil, erp, nil, hooks)

	want := Summary{ERPFaults: erp.Faults, ERPRequests: erp.Requests, Webhooks: hooks}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Judge() mismatch (-want +got):\n%s", diff)
	}
}

func TestSummaryOK_FalseForEachViolationKind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		s    Summary
		want bool
	}{
		{"Clean", Summary{Orders: 3, Accepted: 3, Confirmed: 2, Rejected: 1}, true},
		{"UnconfirmedOnly", Summary{Orders: 1, Accepted: 1, Unconfirmed: []string{"shop1/1"}}, true},
		{"ConfirmedBeforeAck", Summary{ConfirmedBeforeAck: 1}, false},
		{"DuplicateERPOrders", Summary{DuplicateERPOrders: 1}, false},
		{"DuplicateConfirmations", Summary{DuplicateConfirmations: 1}, false},
		{"ERPOrdersNotPlaced", Summary{ERPOrdersNotPlaced: 1}, false},
		{"DuplicateMessages", Summary{DuplicateMessages: 1}, false},
		{"ConfirmedAfterERPCancel", Summary{ConfirmedAfterERPCancel: 1}, false},
		{"CancelledButLiveInERP", Summary{CancelledButLiveInERP: 1}, false},
		{"UnsettledUnlisted", Summary{UnsettledUnlisted: 1}, false},
		{"UnsettledButListed", Summary{Unsettled: 2, ListedOverdue: 1, ListedAttention: 1}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.s.OK(); got != tt.want {
				t.Errorf("%+v.OK() = %v, want %v", tt.s, got, tt.want)
			}
		})
	}
}

func TestJudge_LatencyRunsFromTheFirstWebhookAttempt(t *testing.T) {
	t.Parallel()
	// created_at has whole seconds (t0); the storefront captured the order
	// 250ms later, when it sent its first webhook. The attempts are not in
	// time order: the earliest counts, not the first listed.
	retried := placed("1001")
	retried.Attempts = []storesim.Attempt{
		{Topic: "orders/create", Retry: 1, At: at(900), Status: 200},
		{Topic: "orders/create", At: at(250), Status: 503},
		{Topic: "orders/updated", At: at(400), Status: 200},
	}
	// With no attempts recorded the capture time is all there is.
	noAttempts := placed("1002")
	noAttempts.Attempts = nil
	// With neither, the order has no latency.
	unknown := placed("1003")
	unknown.Attempts, unknown.CapturedAt = nil, time.Time{}

	placedOrders := []storesim.OrderRecord{retried, noAttempts, unknown}
	erp := erpsim.Records{Orders: []erpsim.Order{held("1001", "SO-1", 1000), held("1002", "SO-2", 100), held("1003", "SO-3", 100)}}
	mail := []mailbox.Message{
		// The later of two confirmations does not count for latency.
		confirmation("1001", "<m1b@x>", 1500),
		confirmation("1001", "<m1@x>", 1250),
		confirmation("1002", "<m2@x>", 300),
		confirmation("1003", "<m3@x>", 300),
	}

	got := Judge(shop, placedOrders, erp, mail, storesim.Stats{}).ConfirmationLatencyMS

	want := Percentiles{P50: 300, P95: 1000, P99: 1000, Max: 1000, N: 2}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Judge() latency mismatch (-want +got):\n%s", diff)
	}
}

func TestPercentiles_NearestRank(t *testing.T) {
	t.Parallel()
	seq := func(from, to int) []float64 {
		var v []float64
		for i := from; i <= to; i++ {
			v = append(v, float64(i))
		}
		return v
	}
	reversed := func(v []float64) []float64 {
		r := make([]float64, len(v))
		for i, x := range v {
			r[len(v)-1-i] = x
		}
		return r
	}
	tests := []struct {
		name string
		in   []float64
		want Percentiles
	}{
		{"Empty", nil, Percentiles{}},
		{"One", []float64{42.5}, Percentiles{P50: 42.5, P95: 42.5, P99: 42.5, Max: 42.5, N: 1}},
		{"Two", []float64{20, 10}, Percentiles{P50: 10, P95: 20, P99: 20, Max: 20, N: 2}},
		// ceil(0.5*10)=5th, ceil(9.5)=10th, ceil(9.9)=10th.
		{"TenUnsorted", []float64{7, 3, 10, 1, 9, 2, 8, 5, 4, 6}, Percentiles{P50: 5, P95: 10, P99: 10, Max: 10, N: 10}},
		// ceil(10)=10th, ceil(19)=19th, ceil(19.8)=20th.
		{"Twenty", reversed(seq(1, 20)), Percentiles{P50: 10, P95: 19, P99: 20, Max: 20, N: 20}},
		// Exact ranks: the 50th, 95th and 99th of 100.
		{"Hundred", reversed(seq(1, 100)), Percentiles{P50: 50, P95: 95, P99: 99, Max: 100, N: 100}},
		// ceil(100.5)=101st, ceil(190.95)=191st, ceil(198.99)=199th.
		{"TwoHundredOne", seq(1, 201), Percentiles{P50: 101, P95: 191, P99: 199, Max: 201, N: 201}},
		// ceil(500)=500th, ceil(950)=950th, ceil(990)=990th.
		{"Thousand", reversed(seq(1, 1000)), Percentiles{P50: 500, P95: 950, P99: 990, Max: 1000, N: 1000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, percentiles(tt.in)); diff != "" {
				t.Errorf("percentiles(%v) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestRunJudge_TwoShopsShareOneERP(t *testing.T) {
	t.Parallel()
	// The same order id under two storefronts is two orders, each with its
	// own external id; neither is "not placed".
	other := func(id string) string { return order.Key{Storefront: "shop2", ID: id}.ExternalID() }
	run := Run{
		Shops: []Shop{
			{Name: shop, Placed: []storesim.OrderRecord{placed("1001")}, Webhooks: storesim.Stats{Sent: 2, Status2xx: 2}},
			{Name: "shop2", Placed: []storesim.OrderRecord{placed("1001"), placed("1002")}, Webhooks: storesim.Stats{Sent: 3, Status2xx: 2, Status5xx: 1, Retries: 1}},
		},
		ERP: erpsim.Records{
			Orders: []erpsim.Order{
				short(held("1001", "SO-1", 100), erpsim.ShortBackordered),
				{Ref: "SO-2", ExternalID: other("1001"), CreatedAt: at(100), AckedAt: at(100)},
			},
			Rejections: []erpsim.Rejection{{ExternalID: other("1002"), Code: "UNKNOWN_SKU"}},
			Callbacks:  []erpsim.CallbackRecord{{ExternalID: ext("1001"), Status: 200}, {ExternalID: other("1001"), Status: 404}},
		},
		Mail: []mailbox.Message{
			confirmation("1001", "<m1@x>", 300),
			{MessageID: "<m2@x>", Kind: KindConfirmation, Order: "shop2/1001", ReceivedAt: at(300)},
			{MessageID: "<x2@x>", Kind: KindProblem, Order: "shop2/1002", ReceivedAt: at(300)},
		},
	}

	got := run.Judge()

	want := Summary{
		Orders: 3, Accepted: 3, Confirmed: 2, Backordered: 1, Rejected: 1, RejectedBy: map[string]int{"UNKNOWN_SKU": 1}, ProblemNotices: 1,
		ERPCallbacks: CallbackCounts{Announced: 2, Delivered: 1},
		Webhooks:     storesim.Stats{Sent: 5, Status2xx: 4, Status5xx: 1, Retries: 1},
		Storefronts: []ShopSummary{
			{Name: shop, Orders: 1, Accepted: 1, Confirmed: 1, Backordered: 1},
			{Name: "shop2", Orders: 2, Accepted: 2, Confirmed: 1, Rejected: 1},
		},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(Summary{}, "ConfirmationLatencyMS")); diff != "" {
		t.Errorf("Run.Judge() mismatch (-want +got):\n%s", diff)
	}
	if !got.OK() {
		t.Errorf("Run.Judge().OK() = false, want true; violations %q", got.Violations)
	}
}

// TestJudge_TakesTheAcknowledgmentFromTheERPsOwnRecords runs a real
// simulated ERP with a late acknowledgment on a hand-moved clock, so that
// the judge is tested on AckedAt as the ERP records it, not as a test
// builds it.
func TestJudge_TakesTheAcknowledgmentFromTheERPsOwnRecords(t *testing.T) {
	t.Parallel()
	clock := erpsim.NewClock(t0)
	sim := erpsim.New(erpsim.Config{AckDelay: 2 * time.Second, Now: clock.Now})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	defer sim.Close()
	create := func(id string) {
		t.Helper()
		body := fmt.Sprintf(`{"external_id":%q,"lines":[{"sku":"MUG","quantity":1}]}`, ext(id))
		resp, err := http.Post(srv.URL+"/v1/sales-orders", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("create %s: status %d", id, resp.StatusCode)
		}
	}
	cancel := func(id string) {
		t.Helper()
		resp, err := http.Post(srv.URL+"/v1/sales-orders/cancel?external_id="+ext(id), "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("cancel %s: status %d", id, resp.StatusCode)
		}
	}
	now := func() int { return int(clock.Now().Sub(t0) / time.Millisecond) }

	create("1001") // confirmed too early: 1s after create, 1s before the ack
	create("1002") // confirmed after its ack
	create("1003") // cancelled before its ack, then confirmed anyway
	create("1004") // acknowledged, never confirmed
	clock.Advance(time.Second)
	early := confirmation("1001", "<m1@x>", now())
	cancel("1003")
	clock.Advance(time.Second + time.Millisecond)
	onTime := confirmation("1002", "<m2@x>", now())
	afterCancel := confirmation("1003", "<m3@x>", now())
	clock.Advance(time.Second)
	create("1005") // still pending when the run ends, and confirmed
	pending := confirmation("1005", "<m5@x>", now()+1)

	records := sim.Records()
	got := Judge(shop, []storesim.OrderRecord{placed("1001"), placed("1002"), placed("1003"), placed("1004"), placed("1005")},
		records, []mailbox.Message{early, onTime, afterCancel, pending}, storesim.Stats{})

	wantAcked := map[string]time.Time{ext("1001"): at(2000), ext("1002"): at(2000), ext("1003"): {}, ext("1004"): at(2000), ext("1005"): {}}
	for _, o := range records.Orders {
		if !o.AckedAt.Equal(wantAcked[o.ExternalID]) {
			t.Errorf("erp order %s AckedAt = %v, want %v", o.ExternalID, o.AckedAt, wantAcked[o.ExternalID])
		}
	}
	if got.ConfirmedBeforeAck != 3 || got.ConfirmedAfterERPCancel != 1 || got.OK() {
		t.Errorf("Judge() confirmed_before_ack %d, confirmed_after_erp_cancel %d, OK %v; want 3 (1001 early, 1003 never acknowledged, 1005 pending), 1 (1003), false\n%q",
			got.ConfirmedBeforeAck, got.ConfirmedAfterERPCancel, got.OK(), got.Violations)
	}
	for _, v := range got.Violations {
		if strings.Contains(v, "shop1/1002") {
			t.Errorf("order 1002 was confirmed after its acknowledgment, yet: %s", v)
		}
	}
}
