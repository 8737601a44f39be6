package sqlite

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
)

// Many deliveries at once share commits; one that fails, or panics, is
// rolled back alone and the rest are stored.
func TestIngest_ConcurrentDeliveriesCommitTogetherAndFailAlone(t *testing.T) {
	t.Parallel()
	s := openTemp(t, nil).(*Store)
	at := time.Date(2026, 11, 27, 14, 2, 0, 0, time.UTC)
	const n = 300
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			id := fmt.Sprint(i)
			_, errs[i] = s.Ingest(context.Background(), store.Delivery{DedupKey: "k" + id, Storefront: "shop1", OrderID: id, ReceivedAt: at, Body: []byte("{}")},
				func(tx store.Tx, _ *order.Order) (*order.Order, error) {
					switch i {
					case 7:
						return nil, errors.New("refused")
					case 8:
						panic("boom")
					}
					return order.New(order.Order{Key: order.Key{Storefront: "shop1", ID: id}}, at, "test", ""), nil
				})
		})
	}
	wg.Wait()
	for i, err := range errs {
		switch i {
		case 7:
			if err == nil || err.Error() != "refused" {
				t.Errorf("delivery 7: %v, want its own error", err)
			}
		case 8:
			if err == nil {
				t.Errorf("delivery 8 panicked and got no error")
			}
		default:
			if err != nil {
				t.Errorf("delivery %d: %v", i, err)
			}
		}
	}
	counts, err := s.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if counts[order.Received] != n-2 {
		t.Errorf("%d orders stored, want %d", counts[order.Received], n-2)
	}
	// The failed deliveries left nothing behind, not even their keys.
	for _, id := range []string{"7", "8"} {
		res, err := s.Ingest(context.Background(), store.Delivery{DedupKey: "k" + id, Storefront: "shop1", OrderID: id, ReceivedAt: at, Body: []byte("{}")},
			func(tx store.Tx, _ *order.Order) (*order.Order, error) { return nil, nil })
		if err != nil || res.Duplicate {
			t.Errorf("delivery %s again: %+v %v, want new", id, res, err)
		}
	}
}

func TestIngest_AfterCloseIsRefused(t *testing.T) {
	t.Parallel()
	s := openTemp(t, nil).(*Store)
	s.Close()
	_, err := s.Ingest(context.Background(), store.Delivery{DedupKey: "k", Storefront: "shop1", OrderID: "1", Body: []byte("{}")},
		func(tx store.Tx, _ *order.Order) (*order.Order, error) { return nil, nil })
	if !errors.Is(err, errClosed) {
		t.Errorf("Ingest after Close: %v, want %v", err, errClosed)
	}
}
