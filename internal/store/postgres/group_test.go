package postgres

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
	"github.com/ordergate/ordergate/internal/store/postgres/pgtest"
	"github.com/ordergate/ordergate/internal/store/storetest"
)

func openGroup(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), pgtest.DSN(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func groupDelivery(id, key string) store.Delivery {
	return store.Delivery{DedupKey: key, Storefront: "shop1", Topic: "orders/create", DeliveryID: "d-" + key,
		OrderID: id, ReceivedAt: time.Now(), Body: []byte(`{"id":` + id + `}`)}
}

// ingestAll ingests ds at once, so that they share group commits, and
// returns each one's result and error.
func ingestAll(s *Store, ds []store.Delivery, apply func(d store.Delivery) func(store.Tx, *order.Order) (*order.Order, error)) ([]store.IngestResult, []error) {
	res := make([]store.IngestResult, len(ds))
	errs := make([]error, len(ds))
	var wg sync.WaitGroup
	for i, d := range ds {
		wg.Go(func() { res[i], errs[i] = s.Ingest(context.Background(), d, apply(d)) })
	}
	wg.Wait()
	return res, errs
}

func createOrder(d store.Delivery) func(store.Tx, *order.Order) (*order.Order, error) {
	return func(tx store.Tx, existing *order.Order) (*order.Order, error) {
		if existing != nil {
			existing.Record(order.Event{At: d.ReceivedAt, Kind: order.EventNote, Source: "test", Detail: d.DedupKey})
			return existing, nil
		}
		if err := tx.Enqueue(context.Background(), pingArgs{Name: d.OrderID}, nil); err != nil {
			return nil, err
		}
		return order.New(storetest.Sample(d.OrderID), d.ReceivedAt, "shopify", "orders/create"), nil
	}
}

// TestIngest_FaultyDeliveryFailsAlone: a delivery the database refuses (a
// NUL byte, which text cannot hold), one whose apply fails and one whose
// apply writes and then fails share batches with good ones; only they
// fail, and nothing of them is stored.
func TestIngest_FaultyDeliveryFailsAlone(t *testing.T) {
	t.Parallel()
	s := openGroup(t)
	ctx := context.Background()
	var ds []store.Delivery
	for i := range 40 {
		ds = append(ds, groupDelivery(strconv.Itoa(i), "create-"+strconv.Itoa(i)))
	}
	ds[7].Topic = "orders/\x00create"
	refused := errors.New("refused by apply")
	res, errs := ingestAll(s, ds, func(d store.Delivery) func(store.Tx, *order.Order) (*order.Order, error) {
		switch d.OrderID {
		case "13":
			return func(store.Tx, *order.Order) (*order.Order, error) { return nil, refused }
		case "21":
			// Writes through the transaction, then fails: the write goes too.
			return func(tx store.Tx, _ *order.Order) (*order.Order, error) {
				n := store.Notification{Key: order.Key{Storefront: "shop1", ID: "21"}, Kind: "pending", Status: store.NotifySent, UpdatedAt: time.Now()}
				if err := tx.PutNotification(context.Background(), n); err != nil {
					return nil, err
				}
				return nil, refused
			}
		}
		return createOrder(d)
	})
	for i, d := range ds {
		switch d.OrderID {
		case "7":
			if errs[i] == nil {
				t.Errorf("delivery with a NUL byte: stored, want an error")
			}
		case "13", "21":
			if !errors.Is(errs[i], refused) {
				t.Errorf("delivery whose apply failed: %v, want %v", errs[i], refused)
			}
		default:
			if errs[i] != nil || !res[i].Saved {
				t.Errorf("delivery %s: %+v, %v; want saved", d.OrderID, res[i], errs[i])
			}
		}
	}
	for _, id := range []string{"7", "13", "21"} {
		if _, err := s.Get(ctx, order.Key{Storefront: "shop1", ID: id}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("order %s of a failed delivery: %v, want not found", id, err)
		}
	}
	var deliveries, jobs int
	if err := s.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM deliveries), (SELECT count(*) FROM river_job)`).Scan(&deliveries, &jobs); err != nil {
		t.Fatal(err)
	}
	if deliveries != 37 || jobs != 37 {
		t.Fatalf("%d deliveries and %d jobs stored, want 37 of each (the three failed ones left nothing)", deliveries, jobs)
	}
	if n, err := s.Notification(ctx, order.Key{Storefront: "shop1", ID: "21"}, "pending"); err != nil || n.Status != store.NotifyNone {
		t.Fatalf("notification written by a failed apply: %+v, %v; want none", n, err)
	}
	// The failed apply's delivery was not kept: sent again, it is applied.
	d := ds[13]
	r, err := s.Ingest(ctx, d, createOrder(d))
	if err != nil || r.Duplicate || !r.Saved {
		t.Fatalf("retry of the delivery whose apply failed: %+v, %v; want applied", r, err)
	}
}

// TestIngest_BurstOfOneOrderIsAppliedInTurn: many deliveries of one order
// and repeats of one delivery, sent at once, never share a batch: each
// apply sees the order as the one before left it, and each repeat is a
// duplicate.
func TestIngest_BurstOfOneOrderIsAppliedInTurn(t *testing.T) {
	t.Parallel()
	s := openGroup(t)
	ctx := context.Background()
	var ds []store.Delivery
	for i := range 30 {
		ds = append(ds, groupDelivery("1", "update-"+strconv.Itoa(i)))
		ds = append(ds, groupDelivery("1", "update-0"))
	}
	res, errs := ingestAll(s, ds, createOrder)
	var saved, dups int
	for i := range ds {
		if errs[i] != nil {
			t.Fatalf("delivery %s: %v", ds[i].DedupKey, errs[i])
		}
		if res[i].Saved {
			saved++
		}
		if res[i].Duplicate {
			dups++
		}
	}
	if saved != 30 || dups != 30 {
		t.Fatalf("%d saved and %d duplicates, want 30 and 30", saved, dups)
	}
	tl, err := s.Timeline(ctx, order.Key{Storefront: "shop1", ID: "1"})
	if err != nil {
		t.Fatal(err)
	}
	count := map[order.EventKind]int{}
	for _, e := range tl {
		count[e.Kind]++
	}
	// One received (the create), 29 notes (each later delivery saw the
	// order), 30 duplicates recorded.
	if count[order.EventReceived] != 1 || count[order.EventNote] != 29 || count[order.EventDuplicate] != 30 {
		t.Fatalf("timeline counts %v, want 1 received, 29 notes, 30 duplicates", count)
	}
	var jobs int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM river_job`).Scan(&jobs); err != nil {
		t.Fatal(err)
	}
	if jobs != 1 {
		t.Fatalf("%d jobs, want the create's one", jobs)
	}
}

// TestIngest_ClosedStoreRefuses: a delivery after Close is refused, not
// left waiting.
func TestIngest_ClosedStoreRefuses(t *testing.T) {
	t.Parallel()
	s := openGroup(t)
	s.Close()
	d := groupDelivery("1", "create-1")
	if _, err := s.Ingest(context.Background(), d, createOrder(d)); !errors.Is(err, errClosed) {
		t.Fatalf("ingest after close: %v, want %v", err, errClosed)
	}
}
