package gate

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/riverqueue/river"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
	"github.com/ordergate/ordergate/internal/storefront"
)

// The storefront-side marker of the staged rollout. A legacy connector
// reads the storefront's orders as it always has; while only part of them
// go through the gate, it must skip those, or the ERP gets them twice.
// So each order put in the gated cohort is tagged in its storefront
// (Storefront.GatedTag, "ordergate-gated" by default, with the Shopify
// Admin API's tagsAdd) by a job enqueued in the transaction that first
// stores the order: the tag is set even if the process dies right after,
// and, as adding a tag the order has is a no-op, a job run twice tags
// once. A refusal (the storefront ran the change and refused it) is
// recorded and logged, not retried; other failures are retried with the
// gate's backoff. Legacy orders are never tagged.

// Tagger adds tags to an order in its storefront.
type Tagger interface {
	// AddOrderTags adds tags to the storefront order orderID, keeping its
	// other tags. Adding a tag the order has already changes nothing. An
	// error wrapping storefront.ErrRefused is final; any other is
	// retried.
	AddOrderTags(ctx context.Context, orderID string, tags ...string) error
}

// tagQueue runs the tagging jobs; the storefront's own rate limit paces
// them, inside each Tagger. It exists only when a storefront has a
// Tagger.
const tagQueue = "storefront_tag"

// tagSource is the timeline source of the tagging job's entries.
const tagSource = "storefront_tag"

// TagArgs is the job that tags a gated order in its storefront.
type TagArgs struct {
	Storefront string `json:"storefront"`
	OrderID    string `json:"order_id"`
	Tag        string `json:"tag"`
}

// Kind implements river.JobArgs.
func (TagArgs) Kind() string { return "ordergate_storefront_tag" }

// tags reports whether the storefront's gated orders are tagged.
func (sf Storefront) tags() bool { return sf.Tagger != nil && sf.GatedTag != "" }

// enqueueTag tags a new gated order in its storefront, if the storefront
// tags them.
func (g *Gate) enqueueTag(ctx context.Context, tx store.Tx, o *order.Order) error {
	sf := g.storefronts[o.Key.Storefront]
	if !sf.tags() || o.Legacy() {
		return nil
	}
	return tx.Enqueue(ctx, TagArgs{Storefront: o.Key.Storefront, OrderID: o.Key.ID, Tag: sf.GatedTag},
		&river.InsertOpts{Queue: tagQueue})
}

type tagWorker struct{ worker[TagArgs] }

func (w *tagWorker) Work(ctx context.Context, job *river.Job[TagArgs]) error {
	g, a := w.g, job.Args
	key := keyOf(a.Storefront, a.OrderID)
	log := g.log.With("storefront", a.Storefront, "order_id", a.OrderID, "tag", a.Tag, "attempt", job.Attempt)
	sf := g.storefronts[a.Storefront]
	if sf.Tagger == nil {
		log.Error("gated order not tagged: the storefront has no admin api client any more; the legacy connector will not skip it")
		return nil
	}
	err := sf.Tagger.AddOrderTags(ctx, a.OrderID, a.Tag)
	switch {
	case errors.Is(err, storefront.ErrRefused):
		log.Error("the storefront refused the gated tag; the legacy connector will not skip the order", "err", err)
		return g.recordTag(ctx, key, "not tagged "+a.Tag+" in "+platform(sf)+": refused; the legacy connector will not skip it", err)
	case err != nil && job.Attempt >= job.MaxAttempts:
		log.Error("tagging failed for the last time; the legacy connector will not skip the order", "err", err)
		return g.recordTag(ctx, key, fmt.Sprintf("not tagged %s in %s after %d attempts; the legacy connector will not skip it", a.Tag, platform(sf), job.Attempt), err)
	case err != nil:
		log.Warn("tagging failed; will retry", "err", err)
		return err
	}
	detail := "tagged " + a.Tag + " in " + platform(sf) + " so the legacy connector skips it"
	return g.recordTag(ctx, key, detail, nil)
}

// recordTag puts the outcome on the order's timeline, unless it is there
// already: a job run again after its commit tags the order again,
// harmlessly, but says so once.
func (g *Gate) recordTag(ctx context.Context, key order.Key, detail string, cause error) error {
	events, err := g.store.Timeline(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil // purged since; nothing to record it on
	}
	if err != nil {
		return err
	}
	for _, e := range events {
		if e.Source == tagSource && e.Detail == detail {
			return nil
		}
	}
	e := order.Event{At: g.now(), Kind: order.EventNote, Source: tagSource, Detail: detail}
	if cause != nil {
		e.Error = cause.Error()
	}
	err = g.store.Update(ctx, key, func(_ store.Tx, o *order.Order) error {
		o.Record(e)
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil // purged since; nothing to record it on
	}
	return err
}

// platform names the storefront's platform for the timeline: "Shopify".
func platform(sf Storefront) string {
	switch k := sf.Kind; k {
	case "shopify":
		return "Shopify"
	case "":
		return "the storefront"
	default:
		return strings.ToUpper(k[:1]) + k[1:]
	}
}
