package gate

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
	"github.com/ordergate/ordergate/internal/storefront"
)

func TestIngest_ThenConfirmedOnlyAfterERPAck(t *testing.T) {
	t.Parallel()
	b := setup(t, options{})
	d := shopifyDelivery(t, "orders/create", "evt-create", readTestdata(t, "orders-create-sample-2025.json"))
	key := d.Order.Key

	res := b.ingest(t, d)
	if res.Duplicate || !res.Saved {
		t.Fatalf("Ingest = %+v, want a new order saved", res)
	}
	o := b.waitFor(t, key, "settled", func(o *order.Order) bool { return o.State().Settled() })
	if o.State() != order.Confirmed {
		t.Fatalf("state %s (reason %q, attention %q), want confirmed", o.State(), o.Reason, o.Attention)
	}

	// The ERP holds the order once, with the storefront's lines.
	held := b.sim.Records().OrdersFor(key.ExternalID())
	if len(held) != 1 {
		t.Fatalf("erp holds %d orders for %s, want 1", len(held), key.ExternalID())
	}
	var wantERPLines []erpsim.Line
	for _, l := range d.Order.Lines {
		wantERPLines = append(wantERPLines, erpsim.Line{SKU: l.SKU, Quantity: l.Quantity, Reserved: l.Quantity})
	}
	if diff := cmp.Diff(wantERPLines, held[0].Lines); diff != "" {
		t.Errorf("erp order lines (-want +got):\n%s", diff)
	}
	if o.ERPRef != held[0].Ref {
		t.Errorf("erp ref on the order %q, want the erp's %q", o.ERPRef, held[0].Ref)
	}

	// Exactly one confirmation, after the ERP took the order, showing the
	// quantities the ERP validated.
	msgs := b.mail.Messages()
	if len(msgs) != 1 {
		t.Fatalf("mailbox holds %d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if m.Kind != "confirmation" || m.Order != key.String() {
		t.Errorf("message kind %q for %q, want a confirmation for %q", m.Kind, m.Order, key)
	}
	if diff := cmp.Diff([]string{"jon@example.com"}, m.To); diff != "" {
		t.Errorf("recipients (-want +got):\n%s", diff)
	}
	if m.ReceivedAt.Before(held[0].CreatedAt) {
		t.Errorf("confirmation received at %s, before the erp created the order at %s", m.ReceivedAt, held[0].CreatedAt)
	}
	text := strings.ReplaceAll(m.Text, "\r\n", "\n")
	for _, l := range o.Lines {
		if l.Validated == nil || *l.Validated != l.Quantity {
			t.Errorf("line %s: validated %v, want %d from the erp's acknowledgment", l.SKU, l.Validated, l.Quantity)
		}
		want := "(SKU " + l.SKU + ")\n  Ordered: 1  Confirmed: 1"
		if !strings.Contains(text, want) {
			t.Errorf("confirmation text lacks %q:\n%s", want, text)
		}
	}

	want := []order.EventKind{
		order.EventReceived, order.EventSubmitAttempt, order.EventSubmitted, order.EventAcknowledged,
		order.EventNotifyAttempt, order.EventNotified, order.EventConfirmed,
	}
	if diff := cmp.Diff(want, kinds(b.timeline(t, key))); diff != "" {
		t.Errorf("timeline kinds (-want +got):\n%s", diff)
	}
}

func TestIngest_DuplicateAndOutOfOrder(t *testing.T) {
	t.Parallel()
	later := t0.Add(time.Minute)
	const id = "1001"
	tests := []struct {
		name       string
		deliveries []storefront.Delivery
		wantDup    []bool
		wantState  order.State
		wantQty    int // of the one line, on the order and in the erp
		wantUpdate time.Time
		wantERP    int // erp orders for the order
		wantKinds  []order.EventKind
	}{
		{
			name: "SameDeliveryTwiceIsOneOrder",
			deliveries: []storefront.Delivery{
				delivery(storefront.OrderCreated, "e1", testOrder(id, t0, line("A", 1))),
				delivery(storefront.OrderCreated, "e1", testOrder(id, t0, line("A", 1))),
			},
			wantDup:    []bool{false, true},
			wantState:  order.Confirmed,
			wantQty:    1,
			wantUpdate: t0,
			wantERP:    1,
			wantKinds:  []order.EventKind{order.EventReceived, order.EventDuplicate, order.EventSubmitAttempt},
		},
		{
			name: "UpdateBeforeCreateIsOneOrder",
			deliveries: []storefront.Delivery{
				delivery(storefront.OrderUpdated, "e2", testOrder(id, t0, line("A", 1))),
				delivery(storefront.OrderCreated, "e1", testOrder(id, t0, line("A", 1))),
			},
			wantDup:    []bool{false, false},
			wantState:  order.Confirmed,
			wantQty:    1,
			wantUpdate: t0,
			wantERP:    1,
			wantKinds:  []order.EventKind{order.EventReceived, order.EventNote, order.EventStale, order.EventSubmitAttempt},
		},
		{
			name: "StaleCreateAfterNewerUpdateDoesNotOverwrite",
			deliveries: []storefront.Delivery{
				delivery(storefront.OrderUpdated, "e2", testOrder(id, later, line("A", 3))),
				delivery(storefront.OrderCreated, "e1", testOrder(id, t0, line("A", 1))),
			},
			wantDup:    []bool{false, false},
			wantState:  order.Confirmed,
			wantQty:    3,
			wantUpdate: later,
			wantERP:    1,
			wantKinds:  []order.EventKind{order.EventReceived, order.EventNote, order.EventStale, order.EventSubmitAttempt},
		},
		{
			name: "NewerUpdateBeforeSubmitIsApplied",
			deliveries: []storefront.Delivery{
				delivery(storefront.OrderCreated, "e1", testOrder(id, t0, line("A", 1))),
				delivery(storefront.OrderUpdated, "e2", testOrder(id, later, line("A", 2))),
			},
			wantDup:    []bool{false, false},
			wantState:  order.Confirmed,
			wantQty:    2,
			wantUpdate: later,
			wantERP:    1,
			wantKinds:  []order.EventKind{order.EventReceived, order.EventUpdated, order.EventSubmitAttempt},
		},
		{
			name: "CancelBeforeCreateIsNeverSubmitted",
			deliveries: []storefront.Delivery{
				delivery(storefront.OrderCancelled, "e3", testOrder(id, later, line("A", 1))),
				delivery(storefront.OrderCreated, "e1", testOrder(id, t0, line("A", 1))),
			},
			wantDup:    []bool{false, false},
			wantState:  order.Cancelled,
			wantQty:    1,
			wantUpdate: later,
			wantERP:    0,
			wantKinds:  []order.EventKind{order.EventReceived, order.EventNote, order.EventCancelled, order.EventStale},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// The deliveries all land before any job runs, so that each
			// one meets the order as the previous delivery left it.
			b := setup(t, options{stopped: true})
			key := tt.deliveries[0].Order.Key
			for i, d := range tt.deliveries {
				if got := b.ingest(t, d).Duplicate; got != tt.wantDup[i] {
					t.Errorf("delivery %d (%s): duplicate = %v, want %v", i, d.RawTopic, got, tt.wantDup[i])
				}
			}
			b.start(t)
			// A later order through the same queue: once it is confirmed,
			// any job the deliveries above enqueued has been taken.
			sentinel := testOrder("9999", t0, line("B", 1))
			b.ingest(t, delivery(storefront.OrderCreated, "sentinel", sentinel))
			b.waitState(t, sentinel.Key, order.Confirmed)
			o := b.waitState(t, key, tt.wantState)

			if got := len(o.Lines); got != 1 || o.Lines[0].Quantity != tt.wantQty {
				t.Errorf("order lines %+v, want one line of %d", o.Lines, tt.wantQty)
			}
			if !o.SourceUpdatedAt.Equal(tt.wantUpdate) {
				t.Errorf("source updated at %s, want %s", o.SourceUpdatedAt, tt.wantUpdate)
			}
			held := b.sim.Records().OrdersFor(key.ExternalID())
			if len(held) != tt.wantERP {
				t.Fatalf("erp holds %d orders for %s, want %d", len(held), key.ExternalID(), tt.wantERP)
			}
			if tt.wantERP > 0 && held[0].Lines[0].Quantity != tt.wantQty {
				t.Errorf("erp order quantity %d, want %d", held[0].Lines[0].Quantity, tt.wantQty)
			}
			wantMail := 0
			if tt.wantState == order.Confirmed {
				wantMail = 1
			}
			if got := len(b.mail.ByOrder()[key.String()]); got != wantMail {
				t.Errorf("mailbox holds %d messages for %s, want %d", got, key, wantMail)
			}
			tl := b.timeline(t, key)
			got := kinds(tl)
			if len(got) > len(tt.wantKinds) {
				got = got[:len(tt.wantKinds)]
			}
			if diff := cmp.Diff(tt.wantKinds, got); diff != "" {
				t.Errorf("timeline starts (-want +got):\n%s\nwhole timeline:\n%s", diff, formatTimeline(tl))
			}
			if tt.wantERP == 0 && len(ofKind(tl, order.EventSubmitAttempt)) > 0 {
				t.Errorf("an order never meant for the erp was submitted:\n%s", formatTimeline(tl))
			}
		})
	}
}
