package gate

import (
	"context"
	"errors"
	"fmt"

	"github.com/riverqueue/river"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
	"github.com/ordergate/ordergate/internal/storefront"
)

// fetchQueue runs the fetches of orders named by notices; the storefronts'
// own rate limits pace them, inside each Fetcher.
const fetchQueue = "storefront_fetch"

// notFoundAttempts is how many fetches find no order before a notice is
// given up: an order may take a moment to be readable after its callback.
const notFoundAttempts = 3

// FetchArgs is the job that fetches the order a stored notice names and
// ingests it.
type FetchArgs struct {
	Storefront string `json:"storefront"`
	OrderID    string `json:"order_id"`
	DedupKey   string `json:"dedup_key"` // the notice's
	Topic      string `json:"topic"`     // the notice's raw topic, for logs
	Body       []byte `json:"body"`      // the notice's raw body
}

// Kind implements river.JobArgs.
func (FetchArgs) Kind() string { return "ordergate_storefront_fetch" }

// IngestNotice stores a verified notice — a webhook that names an order
// without carrying it — with the job that will fetch the order, in one
// transaction, and returns after the commit so the caller may answer 2xx.
// A repeat of a notice already stored is recorded and ignored, like a
// repeated delivery.
func (g *Gate) IngestNotice(ctx context.Context, n storefront.Notice) (store.IngestResult, error) {
	if _, ok := g.storefronts[n.Storefront]; !ok {
		return store.IngestResult{}, fmt.Errorf("gate: unknown storefront %q", n.Storefront)
	}
	if g.cfg.Fetchers[n.Storefront] == nil {
		return store.IngestResult{}, fmt.Errorf("gate: storefront %q has no fetcher for its notices", n.Storefront)
	}
	now := g.now()
	rec := store.Delivery{
		DedupKey: n.DedupKey, Storefront: n.Storefront, Topic: n.RawTopic, DeliveryID: n.DeliveryID,
		OrderID: n.OrderID, ReceivedAt: now, Body: n.Body,
	}
	return g.store.Ingest(ctx, rec, func(tx store.Tx, existing *order.Order) (*order.Order, error) {
		args := FetchArgs{Storefront: n.Storefront, OrderID: n.OrderID, DedupKey: n.DedupKey, Topic: n.RawTopic, Body: n.Body}
		if err := tx.Enqueue(ctx, args, &river.InsertOpts{Queue: fetchQueue}); err != nil {
			return nil, err
		}
		if existing == nil {
			return nil, nil // the delivery and the job; the order comes with the fetch
		}
		existing.Record(order.Event{At: now, Kind: order.EventNote, Source: n.Kind,
			Detail: n.RawTopic + " notice " + n.DeliveryID + ": fetching the order as it stands"})
		return existing, nil
	})
}

type fetchWorker struct{ worker[FetchArgs] }

// Work fetches the order and ingests it under the notice's dedup key with
// "|fetched" appended, so that a fetch repeated after a crash is a
// duplicate rather than a second change.
func (w *fetchWorker) Work(ctx context.Context, job *river.Job[FetchArgs]) error {
	g, a := w.g, job.Args
	log := g.log.With("storefront", a.Storefront, "order_id", a.OrderID, "topic", a.Topic, "attempt", job.Attempt)
	f := g.cfg.Fetchers[a.Storefront]
	if f == nil {
		log.Error("notice not fetched: the storefront has no fetcher; reconciliation will find the order")
		return nil
	}
	d, err := f.Fetch(ctx, a.Body)
	var throttled *storefront.ThrottledError
	switch {
	case errors.Is(err, storefront.ErrSkip):
		log.Info("notice skipped", "reason", err.Error())
		return nil
	case errors.Is(err, storefront.ErrNotFound) && job.Attempt >= notFoundAttempts:
		log.Warn("notice given up: the storefront does not know the order", "err", err)
		return nil
	case errors.As(err, &throttled):
		log.Info("storefront throttled the fetch", "retry_after", throttled.RetryAfter)
		return river.JobSnooze(max(throttled.RetryAfter, g.cfg.RetryInitial))
	case err != nil:
		if job.Attempt >= job.MaxAttempts {
			log.Error("fetch failed for the last time; the notice stays stored and reconciliation will find the order", "err", err)
		} else {
			log.Warn("fetch failed; will retry", "err", err)
		}
		return err
	}
	if d.Storefront != a.Storefront || d.Order.Key.ID != a.OrderID {
		return fmt.Errorf("gate: fetch of %s/%s returned order %s/%s", a.Storefront, a.OrderID, d.Storefront, d.Order.Key.ID)
	}
	d.DedupKey = a.DedupKey + "|fetched"
	_, err = g.Ingest(ctx, d)
	return err
}
