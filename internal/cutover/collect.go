package cutover

import (
	"context"
	"fmt"
	"time"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
)

// Source is the part of the store the report reads.
type Source interface {
	List(ctx context.Context, f store.Filter) ([]*order.Order, error)
	Timeline(ctx context.Context, key order.Key) ([]order.Event, error)
}

// Storefront is a storefront the report covers, with its SLA.
type Storefront struct {
	Name string
	SLA  time.Duration
}

// collectPage is how many orders one List call reads.
const collectPage = 500

// Collect reads the facts of the storefronts' orders received at or after
// since (all when zero): each order, and the operator's actions on its
// timeline.
func Collect(ctx context.Context, src Source, storefronts []Storefront, since time.Time) ([]Fact, error) {
	var facts []Fact
	for _, sf := range storefronts {
		seen := make(map[order.Key]bool)
		before := time.Time{}
		for {
			page, err := src.List(ctx, store.Filter{Storefront: sf.Name, Before: before, Limit: collectPage})
			if err != nil {
				return nil, fmt.Errorf("cutover: list orders of %s: %w", sf.Name, err)
			}
			fresh, done := 0, len(page) < collectPage
			for _, o := range page {
				if o.ReceivedAt.Before(since) {
					done = true
					break
				}
				if seen[o.Key] {
					continue
				}
				seen[o.Key], fresh = true, fresh+1
				f := Fact{Order: o, SLA: sf.SLA}
				if f.OperatorActions, err = operatorActions(ctx, src, o.Key); err != nil {
					return nil, err
				}
				facts = append(facts, f)
			}
			if done || fresh == 0 {
				break
			}
			// Orders received in the same instant as the page's last
			// are read again and skipped, rather than missed.
			before = page[len(page)-1].ReceivedAt.Add(time.Microsecond)
		}
	}
	return facts, nil
}

func operatorActions(ctx context.Context, src Source, key order.Key) (int, error) {
	tl, err := src.Timeline(ctx, key)
	if err != nil {
		return 0, fmt.Errorf("cutover: timeline of %s: %w", key, err)
	}
	n := 0
	for _, e := range tl {
		if e.Kind == order.EventOperator {
			n++
		}
	}
	return n, nil
}

// Build collects the storefronts' orders received since and computes
// their report at now.
func Build(ctx context.Context, src Source, storefronts []Storefront, since, now time.Time, th Thresholds) (Report, error) {
	facts, err := Collect(ctx, src, storefronts, since)
	if err != nil {
		return Report{}, err
	}
	r := Compute(facts, now, th)
	r.Since = since
	for _, sf := range storefronts {
		r.Storefronts = append(r.Storefronts, sf.Name)
	}
	return r, nil
}
