package verdict

import (
	"time"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
	"github.com/ordergate/ordergate/internal/sandbox/mailbox"
	"github.com/ordergate/ordergate/internal/sandbox/storesim"
)

// The records a test builds: what the storefront placed, what the ERP holds,
// what the mailbox got.

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
