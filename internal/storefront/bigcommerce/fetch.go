package bigcommerce

import (
	"context"
	"errors"
	"fmt"

	"github.com/ordergate/ordergate/internal/storefront"
)

// Notice returns the callback as a notice for the gate to store before it
// answers: the order is fetched later, by a Fetcher, in a job.
func (h Hook) Notice(body []byte) storefront.Notice {
	return storefront.Notice{
		Storefront: h.Storefront, Kind: Kind, RawTopic: h.Scope, DedupKey: h.DedupKey,
		DeliveryID: h.Hash, OrderID: h.OrderID, TriggeredAt: h.CreatedAt, Body: body,
	}
}

// Fetcher fetches the order a stored callback names, as the store holds it
// now, and assembles its delivery with SnapshotDelivery. It implements
// storefront.Fetcher.
type Fetcher struct {
	Storefront string
	Client     *Client
}

// Fetch implements storefront.Fetcher. An order still Incomplete (a
// checkout that never completed) is storefront.ErrSkip: BigCommerce fires
// store/order/created for those too, and the statusUpdated that completes
// one brings it back. An order the API does not know is
// storefront.ErrNotFound; a 429 that outlived the client's own waits is a
// *storefront.ThrottledError.
func (f *Fetcher) Fetch(ctx context.Context, body []byte) (storefront.Delivery, error) {
	h, err := ParseHook(f.Storefront, body)
	if err != nil {
		return storefront.Delivery{}, err
	}
	s, err := f.Client.Fetch(ctx, h.OrderID)
	var throttled *ThrottledError
	switch {
	case errors.As(err, &throttled):
		return storefront.Delivery{}, &storefront.ThrottledError{RetryAfter: throttled.RetryAfter, Err: err}
	case errors.Is(err, ErrNotFound):
		return storefront.Delivery{}, fmt.Errorf("%w: %w", storefront.ErrNotFound, err)
	case err != nil:
		return storefront.Delivery{}, err
	case s.Incomplete():
		return storefront.Delivery{}, fmt.Errorf("bigcommerce: order %s: %w: status Incomplete (checkout not completed)", h.OrderID, storefront.ErrSkip)
	}
	return SnapshotDelivery(f.Storefront, h, s, body), nil
}
