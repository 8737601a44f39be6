package gate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/ordergate/ordergate/internal/metrics"
	"github.com/ordergate/ordergate/internal/notify"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
)

// notifyWorker sends one message to a customer, at most once per kind, and
// the confirmation only for an order whose ERP acknowledgment is committed
// (invariant I3).
//
// Mail is not transactional with the database, so the send is bracketed by
// two commits: "sending" before, "sent" after. A run that finds "sending"
// knows an earlier run died in between and the message may have gone out; it
// does not send again. For the confirmation it flags the order for a person
// to check, and moves it on as confirmed. Only an error that proves the
// message was not delivered (refused before the data) is retried.
type notifyWorker struct {
	worker[NotifyArgs]
}

// pendingWaitLimit is how long past its time a "still working on it"
// message waits for the "received" message to go first; after that it goes
// regardless (the pending message's job died without a record).
const pendingWaitLimit = time.Minute

// mayNotHaveArrived is the attention reason for a confirmation whose send
// ended in doubt.
const mayNotHaveArrived = "the confirmation may not have reached the customer: check the mail log and resend by hand if needed"

// due says whether message k still has a point for o, and if not why. A
// message overtaken by events is skipped, not sent late: "pending" after the
// ERP has acknowledged, "still working on it" after the confirmation.
func due(k notify.Kind, o *order.Order) (bool, string) {
	if o.Legacy() {
		return false, "legacy cohort: the legacy flow tells the customer, not the gate"
	}
	switch s := o.State(); k {
	case notify.Confirmation:
		if s != order.Acknowledged {
			return false, "the order is " + string(s)
		}
	case notify.Pending, notify.Delay:
		if s != order.Received && s != order.Submitted {
			return false, "the order is already " + string(s)
		}
	case notify.Problem:
		if s != order.Rejected && !held(o) {
			return false, "the order is " + string(s) + " and no longer held"
		}
	default:
		return false, "unknown message kind " + string(k)
	}
	return true, ""
}

func (w *notifyWorker) Work(ctx context.Context, job *river.Job[NotifyArgs]) error {
	g := w.g
	key := keyOf(job.Args.Storefront, job.Args.OrderID)
	kind := job.Args.Message
	if kind == notify.Confirmation {
		if d, ok := g.handoff.started(key, time.Now()); ok {
			g.cfg.Metrics.ConfirmationHandoff(d)
		}
	}
	sf := g.storefronts[key.Storefront]
	sender := g.cfg.Notifiers[sf.Notifier]

	var msg notify.Message
	send, waitPending := false, false
	var result metrics.NotifyResult // how this run settled the message, once committed
	err := g.update(ctx, key, func(tx store.Tx, o *order.Order) error {
		result, waitPending = "", false
		n, err := tx.Notification(ctx, key, string(kind))
		if err != nil {
			return err
		}
		now := g.now()
		if n.Status == store.NotifySent {
			return nil // an earlier run finished
		}
		if ok, why := due(kind, o); !ok {
			result = metrics.NotifySkippedNotDue
			switch n.Status {
			case store.NotifyNone:
				o.Record(order.Event{At: now, Kind: order.EventNote, Source: "gate", Detail: fmt.Sprintf("%s message not sent: %s", kind, why)})
			case store.NotifySending:
				// An earlier run died mid-send (a crash): its outcome is
				// unknown, and the timeline says so even though the
				// message is no longer due.
				n.Status, n.UpdatedAt = store.NotifyInDoubt, now
				o.Record(order.Event{At: now, Kind: order.EventNotifyInDoubt, Source: "gate", Attempt: n.Attempts,
					Detail: fmt.Sprintf("an earlier %s attempt stopped between sending and recording it; no longer due (%s), so not sent again", kind, why)})
				return tx.PutNotification(ctx, n)
			}
			return nil
		}
		if sf.Silent {
			result = metrics.NotifySkippedNotDue
			return g.leftToChannel(o, kind)
		}
		if strings.TrimSpace(o.Customer.Email) == "" {
			result = metrics.NotifySkippedNoEmail
			return g.noAddressee(ctx, tx, o, kind, n)
		}
		if kind == notify.Delay && n.Status == store.NotifyNone && now.Before(o.ReceivedAt.Add(sf.StillWorkingAfter+pendingWaitLimit)) {
			// "Still working on it" must not overtake "received": wait
			// while the pending message is unsent or on its way.
			p, err := tx.Notification(ctx, key, string(notify.Pending))
			if err != nil {
				return err
			}
			if p.Status == store.NotifyNone || p.Status == store.NotifySending {
				waitPending = true
				return nil
			}
		}
		if n.Status == store.NotifySending || n.Status == store.NotifyInDoubt {
			if n.Status == store.NotifySending {
				result = metrics.NotifyInDoubt // counted once, as it becomes in doubt
			}
			n.Status, n.UpdatedAt = store.NotifyInDoubt, now
			o.Record(order.Event{At: now, Kind: order.EventNotifyInDoubt, Source: "gate", Attempt: n.Attempts,
				Detail: fmt.Sprintf("an earlier %s attempt stopped between sending and recording it; not sent again, to keep to one", kind)})
			if kind == notify.Confirmation {
				o.Flag(mayNotHaveArrived, "gate", now)
				if err := o.Confirm(now); err != nil {
					return err
				}
			}
			return tx.PutNotification(ctx, n)
		}
		n.Key, n.Kind = key, string(kind)
		n.Status, n.UpdatedAt = store.NotifySending, now
		n.Attempts++
		msg = notify.Message{Kind: kind, Order: *o}
		n.MessageID = sender.MessageID(msg)
		o.Record(order.Event{At: now, Kind: order.EventNotifyAttempt, Source: "gate", Attempt: n.Attempts, Detail: string(kind) + " via " + sf.Notifier})
		send = true
		return tx.PutNotification(ctx, n)
	})
	if err == nil && result != "" {
		g.cfg.Metrics.Notification(kind, result)
	}
	if err == nil && waitPending {
		return river.JobSnooze(time.Second)
	}
	if err != nil || !send {
		return err
	}

	sendErr := sender.Send(ctx, msg)
	notSent := errors.Is(sendErr, notify.ErrNotSent)
	rctx, cancel := recording(ctx)
	defer cancel()
	err = g.update(rctx, key, func(tx store.Tx, o *order.Order) error {
		n, err := tx.Notification(rctx, key, string(kind))
		if err != nil {
			return err
		}
		now := g.now()
		n.UpdatedAt = now
		switch {
		case sendErr == nil:
			result = metrics.NotifySent
			n.Status = store.NotifySent
			o.Record(order.Event{At: now, Kind: order.EventNotified, Source: "smtp", Attempt: n.Attempts, Detail: string(kind) + " sent"})
		case notSent:
			result = metrics.NotifyFailed
			n.Status = store.NotifyFailed
			o.Record(order.Event{At: now, Kind: order.EventNotifyFailed, Source: "smtp", Attempt: n.Attempts, Detail: string(kind), Error: sendErr.Error()})
			if job.Attempt >= job.MaxAttempts {
				o.Flag(fmt.Sprintf("the %s message failed %d times; last error: %v", kind, job.Attempt, sendErr), "gate", now)
			}
			return tx.PutNotification(rctx, n)
		default:
			result = metrics.NotifyInDoubt
			n.Status = store.NotifyInDoubt
			o.Record(order.Event{At: now, Kind: order.EventNotifyInDoubt, Source: "smtp", Attempt: n.Attempts, Error: sendErr.Error(),
				Detail: fmt.Sprintf("the mail server may have taken the %s message; not sent again, to keep to one", kind)})
			if kind == notify.Confirmation {
				o.Flag(mayNotHaveArrived, "gate", now)
			}
		}
		if err := tx.PutNotification(rctx, n); err != nil {
			return err
		}
		if kind != notify.Confirmation || o.State() != order.Acknowledged {
			return nil
		}
		return o.Confirm(now)
	})
	if err != nil {
		return err
	}
	g.cfg.Metrics.Notification(kind, result)
	if notSent {
		return sendErr
	}
	return nil
}

// noAddressee settles a message for an order without a customer e-mail
// address: nothing can be sent, so the message is recorded as not sent
// and, for the confirmation, the order is confirmed all the same — the ERP
// has it, and waiting would only hold it past its SLA — with the reason on
// the attention queue, so that someone tells the customer another way.
func (g *Gate) noAddressee(ctx context.Context, tx store.Tx, o *order.Order, kind notify.Kind, n store.Notification) error {
	now := g.now()
	o.Record(order.Event{At: now, Kind: order.EventNote, Source: "gate", Detail: string(kind) + " message not sent: the order has no customer e-mail address"})
	if kind != notify.Confirmation {
		return nil
	}
	o.Flag(noEmailConfirmed, "gate", now)
	if err := o.Confirm(now); err != nil {
		return err
	}
	n.Key, n.Kind, n.Status, n.UpdatedAt = o.Key, string(kind), store.NotifyFailed, now
	return tx.PutNotification(ctx, n)
}

// noEmailConfirmed is the attention reason of an order confirmed without
// a message.
const noEmailConfirmed = "confirmed by the erp but the order has no customer e-mail address: no confirmation was sent; tell the customer another way"

// leftToChannel settles a message of a silent storefront's order: the
// channel tells its own buyers, so nothing is sent, and the confirmation
// confirms the order.
func (g *Gate) leftToChannel(o *order.Order, kind notify.Kind) error {
	now := g.now()
	o.Record(order.Event{At: now, Kind: order.EventNote, Source: "gate", Detail: fmt.Sprintf("%s message not sent: %s tells its buyers itself", kind, o.Key.Storefront)})
	if kind != notify.Confirmation {
		return nil
	}
	return o.Confirm(now)
}
