package metrics

import (
	"time"

	"github.com/ordergate/ordergate/internal/notify"
	"github.com/ordergate/ordergate/internal/order"
)

// WebhookResult is how a webhook delivery was answered.
type WebhookResult string

// The webhook results.
const (
	WebhookStored           WebhookResult = "stored"            // 200, committed
	WebhookDuplicate        WebhookResult = "duplicate"         // 200, seen before; nothing changed
	WebhookIgnored          WebhookResult = "ignored"           // 200, a topic the gate does not act on
	WebhookPing             WebhookResult = "ping"              // 200, WooCommerce's ping
	WebhookRefusedSignature WebhookResult = "refused_signature" // 401
	WebhookRefusedMalformed WebhookResult = "refused_malformed" // 400
	WebhookTooLarge         WebhookResult = "too_large"         // 413
	WebhookStoreError       WebhookResult = "store_error"       // 503, not stored; the storefront retries
)

// Webhook counts one webhook delivery answered for a configured storefront,
// and how long it took from its receipt to the reply. topic is the
// delivery's raw topic, or "" when it was refused before its sender was
// authenticated (an unauthenticated header must not mint label values).
func (r *Recorder) Webhook(storefront, topic string, result WebhookResult, took time.Duration) {
	if r == nil {
		return
	}
	r.webhooks.WithLabelValues(storefront, topic, string(result)).Inc()
	r.webhookDuration.WithLabelValues(storefront).Observe(took.Seconds())
}

// OrderAcknowledged observes the time from the order's capture in the
// storefront to the ERP's acknowledgment. Call it once per order, after the
// transaction that acknowledged it committed. An order whose storefront
// gave no capture time is not observed.
func (r *Recorder) OrderAcknowledged(o *order.Order) {
	if r == nil || o.CapturedAt.IsZero() || o.AcknowledgedAt.IsZero() {
		return
	}
	r.captureToAck.WithLabelValues(o.Key.Storefront).Observe(seconds(o.CapturedAt, o.AcknowledgedAt))
}

// ConfirmationHandoff observes the time from the commit of an ERP
// acknowledgment to its confirmation's worker starting on it.
func (r *Recorder) ConfirmationHandoff(d time.Duration) {
	if r == nil {
		return
	}
	r.confirmationHandoff.Observe(d.Seconds())
}

// OrderConfirmed observes the times from the ERP's acknowledgment, and from
// the order's capture, to its confirmation. Call it once per order, after
// the transaction that confirmed it committed.
func (r *Recorder) OrderConfirmed(o *order.Order) {
	if r == nil || o.SettledAt.IsZero() {
		return
	}
	if !o.AcknowledgedAt.IsZero() {
		r.ackToConfirmation.WithLabelValues(o.Key.Storefront).Observe(seconds(o.AcknowledgedAt, o.SettledAt))
	}
	if !o.CapturedAt.IsZero() {
		r.captureToConfirmation.WithLabelValues(o.Key.Storefront).Observe(seconds(o.CapturedAt, o.SettledAt))
	}
}

// seconds is the time from a to b, never negative: a storefront's clock may
// run ahead of ours.
func seconds(a, b time.Time) float64 { return max(b.Sub(a).Seconds(), 0) }

// NotifyResult is how one customer message was settled.
type NotifyResult string

// The message results.
const (
	NotifySent           NotifyResult = "sent"
	NotifyFailed         NotifyResult = "failed"           // refused before delivery; retried
	NotifyInDoubt        NotifyResult = "in_doubt"         // may have been delivered; never resent
	NotifySkippedNoEmail NotifyResult = "skipped_no_email" // the order has no customer address
	NotifySkippedNotDue  NotifyResult = "skipped_not_due"  // overtaken by events
)

var notifyResults = []NotifyResult{NotifySent, NotifyFailed, NotifyInDoubt, NotifySkippedNoEmail, NotifySkippedNotDue}

// Notification counts one customer message of a kind (confirmation,
// pending, problem, delay) settled with result, after its commit.
func (r *Recorder) Notification(kind notify.Kind, result NotifyResult) {
	if r == nil {
		return
	}
	r.notifications.WithLabelValues(string(kind), string(result)).Inc()
}

// initNotifications creates every message series at 0.
func (r *Recorder) initNotifications() {
	for _, k := range notify.Kinds {
		for _, res := range notifyResults {
			r.notifications.WithLabelValues(string(k), string(res))
		}
	}
}

// MarketplacePush counts one stock push to a marketplace by its outcome
// (internal/marketplace's Outcome: sent, held, throttled, failed,
// rejected), from each pusher's OnRecord.
func (r *Recorder) MarketplacePush(marketplace, result string) {
	if r == nil {
		return
	}
	r.marketplacePushes.WithLabelValues(marketplace, result).Inc()
}
