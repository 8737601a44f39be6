package verdict

import (
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
