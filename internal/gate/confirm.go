package gate

import (
	"context"
	"errors"
	"fmt"

	"github.com/riverqueue/river"

	"github.com/ordergate/ordergate/internal/notify"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
)

// confirmWorker sends the customer's confirmation, only for an order whose
// ERP acknowledgment is committed (invariant I3), and at most once.
//
// Mail is not transactional with the database, so the send is bracketed by
// two commits: "sending" before, "sent" after. A run that finds "sending"
// knows an earlier run died in between and the message may have gone out; it
// does not send again but flags the order for a person to check. Only an
// error that proves the message was not delivered (refused before the data)
// is retried.
type confirmWorker struct {
	worker[ConfirmArgs]
}

const confirmation = string(notify.Confirmation)

// mayNotHaveArrived is the attention reason for a confirmation whose send
// ended in doubt.
const mayNotHaveArrived = "the confirmation may not have reached the customer: check the mail log and resend by hand if needed"

func (w *confirmWorker) Work(ctx context.Context, job *river.Job[ConfirmArgs]) error {
	g := w.g
	key := keyOf(job.Args.Storefront, job.Args.OrderID)
	sf := g.storefronts[key.Storefront]
	sender := g.cfg.Notifiers[sf.Notifier]

	var msg notify.Message
	send := false
	err := g.store.Update(ctx, key, func(tx store.Tx, o *order.Order) error {
		if o.State() != order.Acknowledged {
			return nil // confirmed by an earlier run, or cancelled
		}
		n, err := tx.Notification(ctx, key, confirmation)
		if err != nil {
			return err
		}
		now := g.now()
		if n.Status == store.NotifySending || n.Status == store.NotifyInDoubt {
			n.Status, n.UpdatedAt = store.NotifyInDoubt, now
			o.Record(order.Event{At: now, Kind: order.EventNotifyInDoubt, Source: "gate", Attempt: n.Attempts,
				Detail: "an earlier attempt stopped between sending and recording it; not sent again, to keep to one confirmation"})
			o.Flag(mayNotHaveArrived, "gate", now)
			if err := o.Confirm(now); err != nil {
				return err
			}
			return tx.PutNotification(ctx, n)
		}
		n.Status, n.UpdatedAt = store.NotifySending, now
		n.Attempts++
		msg = notify.Message{Kind: notify.Confirmation, Order: *o}
		n.MessageID = sender.MessageID(msg)
		o.Record(order.Event{At: now, Kind: order.EventNotifyAttempt, Source: "gate", Attempt: n.Attempts, Detail: "confirmation via " + sf.Notifier})
		send = true
		return tx.PutNotification(ctx, n)
	})
	if err != nil || !send {
		return err
	}

	sendErr := sender.Send(ctx, msg)
	notSent := errors.Is(sendErr, notify.ErrNotSent)
	err = g.store.Update(ctx, key, func(tx store.Tx, o *order.Order) error {
		n, err := tx.Notification(ctx, key, confirmation)
		if err != nil {
			return err
		}
		now := g.now()
		n.UpdatedAt = now
		switch {
		case sendErr == nil:
			n.Status = store.NotifySent
			o.Record(order.Event{At: now, Kind: order.EventNotified, Source: "smtp", Attempt: n.Attempts, Detail: "confirmation sent"})
		case notSent:
			n.Status = store.NotifyFailed
			o.Record(order.Event{At: now, Kind: order.EventNotifyFailed, Source: "smtp", Attempt: n.Attempts, Error: sendErr.Error()})
			if job.Attempt >= job.MaxAttempts {
				o.Flag(fmt.Sprintf("the confirmation failed %d times; last error: %v", job.Attempt, sendErr), "gate", now)
			}
			return tx.PutNotification(ctx, n)
		default:
			n.Status = store.NotifyInDoubt
			o.Record(order.Event{At: now, Kind: order.EventNotifyInDoubt, Source: "smtp", Attempt: n.Attempts, Error: sendErr.Error(),
				Detail: "the mail server may have taken it; not sent again, to keep to one confirmation"})
			o.Flag(mayNotHaveArrived, "gate", now)
		}
		if err := tx.PutNotification(ctx, n); err != nil {
			return err
		}
		if o.State() != order.Acknowledged {
			return nil
		}
		return o.Confirm(now)
	})
	if err != nil {
		return err
	}
	if notSent {
		return sendErr
	}
	return nil
}
