package gate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ordergate/ordergate/internal/notify"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
)

// Action is an operator's recovery action on one order.
type Action string

// The actions. Each goes through the same idempotent jobs as the automatic
// flow, so none can create a second ERP order or a second message of a kind.
const (
	// ActionRetry runs the order's pending step now: the ERP submit (which
	// looks the order up first if it was ever attempted), the
	// acknowledgment check, the confirmation, or the ERP cancel.
	ActionRetry Action = "retry"
	// ActionRelease accepts a held order as it stands: one the ERP
	// accepted only in part is confirmed with its short lines; any other
	// attention flag is cleared as handled.
	ActionRelease Action = "release"
	// ActionCancel cancels the order, and in the ERP if the ERP may have
	// it. No confirmation follows.
	ActionCancel Action = "cancel"
	// ActionReplay sends a rejected or stuck order through the ERP handoff
	// again from the start. The submit looks the order up in the ERP first,
	// so an order the ERP already has is adopted, never created twice.
	ActionReplay Action = "replay"
)

// Actions lists every action.
var Actions = []Action{ActionRetry, ActionRelease, ActionCancel, ActionReplay}

// ErrNotApplicable is returned (wrapped, with the reason) when an action
// does not apply to the order as it stands.
var ErrNotApplicable = errors.New("action does not apply")

// Actor is who asked for an action, as the timeline shows it.
type Actor struct {
	Name string // e.g. "alice", or the API token's name
	Via  string // "api", "cli", …
}

func (a Actor) String() string {
	name := a.Name
	if name == "" {
		name = "an operator"
	}
	if a.Via == "" {
		return name
	}
	return name + " via " + a.Via
}

// Act applies an operator's action to one order, in one transaction with the
// jobs it starts and a timeline entry saying who asked. It returns the order
// as it now stands and what was done, in words; ErrNotApplicable (wrapped)
// if the action does not fit the order's state; store.ErrNotFound if there
// is no such order.
func (g *Gate) Act(ctx context.Context, key order.Key, action Action, who Actor, reason string) (*order.Order, string, error) {
	if _, ok := g.storefronts[key.Storefront]; !ok {
		return nil, "", fmt.Errorf("order %s: %w", key, store.ErrNotFound)
	}
	var did string
	var out *order.Order
	err := g.store.Update(ctx, key, func(tx store.Tx, o *order.Order) error {
		if o.Legacy() {
			return notApplicable("the order is in the legacy cohort: the legacy flow handles it, act on it there")
		}
		var err error
		switch action {
		case ActionRetry:
			did, err = g.retry(ctx, tx, o)
		case ActionRelease:
			did, err = g.release(ctx, tx, o)
		case ActionCancel:
			did, err = g.operatorCancel(ctx, tx, o, reason, who)
		case ActionReplay:
			did, err = g.replay(ctx, tx, o, who)
		default:
			err = fmt.Errorf("unknown action %q (want retry, release, cancel or replay)", action)
		}
		if err != nil {
			return err
		}
		detail := fmt.Sprintf("%s by %s: %s", action, who, did)
		if reason != "" {
			detail += " (reason: " + reason + ")"
		}
		o.Record(order.Event{At: g.now(), Kind: order.EventOperator, Source: "operator", Detail: detail})
		out = o
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	g.log.Info("operator action", orderAttrs(key, "action", action, "by", who.String(), "did", did)...)
	return out, did, nil
}

func notApplicable(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrNotApplicable, fmt.Sprintf(format, args...))
}

// held reports whether o waits for an operator because the ERP accepted only
// part of it under the reject policy.
func held(o *order.Order) bool {
	return o.State() == order.Acknowledged && strings.HasPrefix(o.Attention, heldForShortfall) && len(o.ShortLines()) > 0
}

// heldForShortfall begins the attention reason of an order held because the
// ERP accepted only part of it.
const heldForShortfall = "the erp accepted only part of the order"

func (g *Gate) retry(ctx context.Context, tx store.Tx, o *order.Order) (string, error) {
	now := g.now()
	switch o.State() {
	case order.Received:
		o.Release("", "operator", now)
		return "submit to the erp queued (it looks the order up first if it was tried before)", g.enqueueSubmit(ctx, tx, o)
	case order.Submitted:
		o.Release("", "operator", now)
		return "acknowledgment check queued", g.enqueueAwaitAck(ctx, tx, o, time.Time{})
	case order.Acknowledged:
		if held(o) {
			return "", notApplicable("the order is held because the erp accepted only part of it: release it to confirm it as it stands, or cancel it")
		}
		n, err := tx.Notification(ctx, o.Key, string(notify.Confirmation))
		if err != nil {
			return "", err
		}
		if n.Status == store.NotifySending || n.Status == store.NotifyInDoubt {
			return "", notApplicable("the confirmation may already have gone out; check the mail log, then release the order")
		}
		o.Release("", "operator", now)
		return "confirmation queued", g.enqueueNotify(ctx, tx, o, notify.Confirmation, time.Time{})
	case order.Cancelled:
		if o.Attempts == 0 && o.ERPRef == "" {
			return "", notApplicable("the order was cancelled before it reached the erp; there is nothing to retry")
		}
		o.Release("", "operator", now)
		return "erp cancel queued", g.enqueueERPCancel(ctx, tx, o, o.Reason)
	case order.Rejected:
		return "", notApplicable("the erp rejected the order: fix the cause in the erp, then replay it")
	}
	return "", notApplicable("the order is %s; there is nothing to retry", o.State())
}

func (g *Gate) release(ctx context.Context, tx store.Tx, o *order.Order) (string, error) {
	now := g.now()
	if held(o) {
		o.Release("", "operator", now)
		return "confirmation with the short lines queued", g.enqueueNotify(ctx, tx, o, notify.Confirmation, time.Time{})
	}
	if o.Attention == "" {
		return "", notApplicable("the order is not held and needs no attention")
	}
	o.Release("", "operator", now)
	return "attention cleared as handled", nil
}

func (g *Gate) operatorCancel(ctx context.Context, tx store.Tx, o *order.Order, reason string, who Actor) (string, error) {
	if o.State() == order.Cancelled || o.State() == order.Rejected {
		return "", notApplicable("the order is already %s", o.State())
	}
	if reason == "" {
		reason = "cancelled by " + who.String()
	}
	o.Release("", "operator", g.now())
	if err := g.cancel(ctx, tx, o, reason, "operator"); err != nil {
		return "", err
	}
	if o.Attempts == 0 && o.ERPRef == "" {
		return "cancelled; it never reached the erp", nil
	}
	return "cancelled; erp cancel queued", nil
}

func (g *Gate) replay(ctx context.Context, tx store.Tx, o *order.Order, who Actor) (string, error) {
	now := g.now()
	switch o.State() {
	case order.Rejected, order.Submitted:
		if err := o.Reopen("replay by "+who.String(), "operator", now); err != nil {
			return "", err
		}
	case order.Received:
	default:
		return "", notApplicable("the order is %s: replay sends an order through the erp again, which only a received, submitted or rejected order can go", o.State())
	}
	o.Release("", "operator", now)
	return "sent through the erp handoff again (looked up in the erp first)", g.enqueueSubmit(ctx, tx, o)
}
