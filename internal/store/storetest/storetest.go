// Package storetest is the conformance suite every store.Store must pass.
// An implementation's test calls Run with a function that opens a fresh,
// empty store with the given job-queue configuration.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/riverqueue/river"
	"github.com/shopspring/decimal"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
)

// Open opens a fresh, empty store whose job queue uses cfg.
type Open func(t *testing.T, cfg *river.Config) store.Store

// Run runs the conformance suite.
func Run(t *testing.T, open Open) {
	t.Run("IngestThenGetRoundTrips", func(t *testing.T) { t.Parallel(); testRoundTrip(t, open) })
	t.Run("DuplicateDeliveryIsNotApplied", func(t *testing.T) { t.Parallel(); testDuplicate(t, open) })
	t.Run("FailedApplyStoresNothing", func(t *testing.T) { t.Parallel(); testApplyRollback(t, open) })
	t.Run("UpdateRollsBackOnError", func(t *testing.T) { t.Parallel(); testUpdateRollback(t, open) })
	t.Run("UpdateOfMissingOrderIsNotFound", func(t *testing.T) { t.Parallel(); testUpdateMissing(t, open) })
	t.Run("JobExistsOnlyIfTransactionCommits", func(t *testing.T) { t.Parallel(); testJobsAreTransactional(t, open) })
	t.Run("CommittedJobWakesItsWorkerWithoutAPoll", func(t *testing.T) { t.Parallel(); testJobsWakeWorkers(t, open) })
	t.Run("ListFiltersAndCounts", func(t *testing.T) { t.Parallel(); testList(t, open) })
	t.Run("UnsettledFindsOrdersPastTheCutoffNotYetOverdue", func(t *testing.T) { t.Parallel(); testUnsettled(t, open) })
	t.Run("HoldingListsOrdersTheStockLedgerHolds", func(t *testing.T) { t.Parallel(); testHolding(t, open) })
	t.Run("NotificationRecordsRoundTrip", func(t *testing.T) { t.Parallel(); testNotifications(t, open) })
	t.Run("RunsAreKeptNewestFirst", func(t *testing.T) { t.Parallel(); testRuns(t, open) })
	t.Run("JobsAreCountedByQueueAndState", func(t *testing.T) { t.Parallel(); testJobCounts(t, open) })
	t.Run("ConcurrentUpdatesOfOneOrderLoseNothing", func(t *testing.T) { t.Parallel(); testConcurrentUpdates(t, open) })
	t.Run("ConcurrentFirstDeliveriesCreateTheOrderOnce", func(t *testing.T) { t.Parallel(); testConcurrentFirstDeliveries(t, open) })
}

var t0 = time.Date(2026, 11, 27, 14, 2, 0, 123456000, time.UTC)

// Sample returns an order as a storefront would deliver it.
func Sample(id string) order.Order {
	return order.Order{
		Key:      order.Key{Storefront: "shop1", ID: id},
		Name:     "#" + id,
		Customer: order.Customer{Name: "Ada Lovelace", Email: "Ada@Example.com"},
		Currency: "USD",
		Total:    decimal.RequireFromString("359.97"),
		Lines: []order.LineItem{
			{LineID: "1", SKU: "SKU-1", Title: "Aviator sunglasses", Quantity: 2, Price: decimal.RequireFromString("89.99")},
			{LineID: "2", SKU: "SKU-2", Title: "Mid-century lounger", Quantity: 1, Price: decimal.RequireFromString("179.99")},
		},
		CapturedAt:      t0.Add(-time.Minute),
		SourceUpdatedAt: t0.Add(-time.Minute),
	}
}

func delivery(id, key string) store.Delivery {
	return store.Delivery{DedupKey: key, Storefront: "shop1", Topic: "orders/create", DeliveryID: "d-" + key,
		OrderID: id, ReceivedAt: t0, Body: []byte(`{"id":` + id + `}`)}
}

func create(t *testing.T, s store.Store, id string) {
	t.Helper()
	_, err := s.Ingest(context.Background(), delivery(id, "create-"+id), func(tx store.Tx, existing *order.Order) (*order.Order, error) {
		if existing != nil {
			t.Fatalf("order %s already exists", id)
		}
		return order.New(Sample(id), t0, "shopify", "orders/create"), nil
	})
	if err != nil {
		t.Fatalf("ingest %s: %v", id, err)
	}
}

func testRoundTrip(t *testing.T, open Open) {
	s := open(t, nil)
	ctx := context.Background()
	create(t, s, "820982911946154508")
	key := order.Key{Storefront: "shop1", ID: "820982911946154508"}
	if err := s.Update(ctx, key, func(tx store.Tx, o *order.Order) error {
		if err := o.Submit("SO-1", t0); err != nil {
			return err
		}
		return o.Acknowledge(order.Ack{Ref: "SO-1", Validated: map[string]int{"SKU-1": 2, "SKU-2": 0}, ShipBy: t0.Add(48 * time.Hour)}, t0)
	}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	want := order.New(Sample("820982911946154508"), t0, "shopify", "")
	_ = want.Submit("SO-1", t0)
	_ = want.Acknowledge(order.Ack{Ref: "SO-1", Validated: map[string]int{"SKU-1": 2, "SKU-2": 0}, ShipBy: t0.Add(48 * time.Hour)}, t0)
	opts := cmp.Options{
		cmp.AllowUnexported(order.Order{}),
		cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) }),
		cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) }),
		cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".pending" }, cmp.Ignore()),
	}
	if d := cmp.Diff(want, got, opts); d != "" {
		t.Fatalf("order after round trip (-want +got):\n%s", d)
	}
	if got.State() != order.Acknowledged {
		t.Fatalf("state %s, want acknowledged", got.State())
	}
	tl, err := s.Timeline(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []order.EventKind
	for _, e := range tl {
		kinds = append(kinds, e.Kind)
	}
	if d := cmp.Diff([]order.EventKind{order.EventReceived, order.EventSubmitted, order.EventAcknowledged}, kinds); d != "" {
		t.Fatalf("timeline kinds (-want +got):\n%s", d)
	}
	if !tl[0].At.Equal(t0) {
		t.Fatalf("timeline time %v, want %v (microseconds kept)", tl[0].At, t0)
	}
}

func testDuplicate(t *testing.T, open Open) {
	s := open(t, nil)
	ctx := context.Background()
	create(t, s, "1")
	called := false
	res, err := s.Ingest(ctx, delivery("1", "create-1"), func(store.Tx, *order.Order) (*order.Order, error) {
		called = true
		return nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Duplicate || res.Saved || called {
		t.Fatalf("second delivery of the same event: result %+v, apply called %v; want a duplicate, not applied", res, called)
	}
	tl, err := s.Timeline(ctx, order.Key{Storefront: "shop1", ID: "1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(tl) != 2 || tl[1].Kind != order.EventDuplicate {
		t.Fatalf("timeline %+v, want received then duplicate", tl)
	}
}

func testApplyRollback(t *testing.T, open Open) {
	s := open(t, nil)
	ctx := context.Background()
	boom := errors.New("boom")
	_, err := s.Ingest(ctx, delivery("2", "create-2"), func(store.Tx, *order.Order) (*order.Order, error) {
		return nil, boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("ingest error %v, want boom", err)
	}
	if _, err := s.Get(ctx, order.Key{Storefront: "shop1", ID: "2"}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("get after failed ingest: %v, want ErrNotFound", err)
	}
	// The delivery itself was rolled back too, so the storefront's retry is
	// applied rather than taken for a duplicate.
	create(t, s, "2")
}

func testUpdateRollback(t *testing.T, open Open) {
	s := open(t, nil)
	ctx := context.Background()
	create(t, s, "3")
	key := order.Key{Storefront: "shop1", ID: "3"}
	boom := errors.New("boom")
	err := s.Update(ctx, key, func(tx store.Tx, o *order.Order) error {
		if err := o.Submit("SO-3", t0); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("update error %v, want boom", err)
	}
	o, err := s.Get(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if o.State() != order.Received || o.ERPRef != "" {
		t.Fatalf("after a failed update: state %s ref %q, want received and no ref", o.State(), o.ERPRef)
	}
	tl, _ := s.Timeline(ctx, key)
	if len(tl) != 1 {
		t.Fatalf("after a failed update the timeline has %d entries, want 1", len(tl))
	}
}

func testUpdateMissing(t *testing.T, open Open) {
	s := open(t, nil)
	err := s.Update(context.Background(), order.Key{Storefront: "shop1", ID: "nope"}, func(store.Tx, *order.Order) error { return nil })
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("update of a missing order: %v, want ErrNotFound", err)
	}
}

// markArgs is a job that records its marker when worked.
type markArgs struct {
	Marker string `json:"marker"`
}

func (markArgs) Kind() string { return "storetest_mark" }

type markWorker struct {
	river.WorkerDefaults[markArgs]
	mu   sync.Mutex
	seen []string
	done chan string
}

func (w *markWorker) Work(ctx context.Context, job *river.Job[markArgs]) error {
	w.mu.Lock()
	w.seen = append(w.seen, job.Args.Marker)
	w.mu.Unlock()
	w.done <- job.Args.Marker
	return nil
}

func testJobsAreTransactional(t *testing.T, open Open) {
	w := &markWorker{done: make(chan string, 10)}
	workers := river.NewWorkers()
	river.AddWorker(workers, w)
	s := open(t, &river.Config{
		Workers:           workers,
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 2}},
		FetchCooldown:     5 * time.Millisecond,
		FetchPollInterval: 20 * time.Millisecond,
		TestOnly:          true,
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	create(t, s, "4")
	key := order.Key{Storefront: "shop1", ID: "4"}
	err := s.Update(ctx, key, func(tx store.Tx, o *order.Order) error {
		if err := tx.Enqueue(ctx, markArgs{Marker: "rolled-back"}, nil); err != nil {
			return err
		}
		return errors.New("abort")
	})
	if err == nil {
		t.Fatal("update did not fail")
	}
	if err := s.Update(ctx, key, func(tx store.Tx, o *order.Order) error {
		return tx.Enqueue(ctx, markArgs{Marker: "committed"}, nil)
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.Stop(context.Background())
	select {
	case m := <-w.done:
		if m != "committed" {
			t.Fatalf("worked job %q first; the rolled-back job must not exist", m)
		}
	case <-ctx.Done():
		t.Fatal("the committed job never ran")
	}
	// Insert one more and wait for it: jobs run in insertion order, so had
	// the rolled-back one existed it would have run by now.
	if err := s.Update(ctx, key, func(tx store.Tx, o *order.Order) error {
		return tx.Enqueue(ctx, markArgs{Marker: "last"}, nil)
	}); err != nil {
		t.Fatal(err)
	}
	for m := range w.done {
		if m == "last" {
			break
		}
		if m == "rolled-back" {
			t.Fatal("a job enqueued in a rolled-back transaction ran")
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if d := cmp.Diff([]string{"committed", "last"}, w.seen); d != "" {
		t.Fatalf("jobs worked (-want +got):\n%s", d)
	}
}

// testJobsWakeWorkers checks the hop the gate's latency rests on: a job
// committed by Update or by Ingest reaches its worker at once, not at
// River's next poll. The poll is set to an hour, so a job worked within the
// test's deadline was found by a wake-up.
func testJobsWakeWorkers(t *testing.T, open Open) {
	w := &markWorker{done: make(chan string, 10)}
	workers := river.NewWorkers()
	river.AddWorker(workers, w)
	s := open(t, &river.Config{
		Workers:           workers,
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 2}},
		FetchCooldown:     time.Millisecond,
		FetchPollInterval: time.Hour,
		TestOnly:          true,
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.Stop(context.Background())
	// A producer fetches once as it starts; let that first fetch pass so
	// that what follows can only be found by a wake-up.
	time.Sleep(500 * time.Millisecond)
	wait := func(want string) {
		t.Helper()
		select {
		case m := <-w.done:
			if m != want {
				t.Fatalf("worked %q, want %q", m, want)
			}
		case <-ctx.Done():
			t.Fatalf("job %q was not worked: nothing woke its producer, and the poll is an hour away", want)
		}
	}
	_, err := s.Ingest(ctx, delivery("70", "create-70"), func(tx store.Tx, existing *order.Order) (*order.Order, error) {
		if err := tx.Enqueue(ctx, markArgs{Marker: "ingested"}, nil); err != nil {
			return nil, err
		}
		return order.New(Sample("70"), t0, "shopify", "orders/create"), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	wait("ingested")
	if err := s.Update(ctx, order.Key{Storefront: "shop1", ID: "70"}, func(tx store.Tx, o *order.Order) error {
		return tx.Enqueue(ctx, markArgs{Marker: "updated"}, nil)
	}); err != nil {
		t.Fatal(err)
	}
	wait("updated")
}

func testList(t *testing.T, open Open) {
	s := open(t, nil)
	ctx := context.Background()
	for _, id := range []string{"10", "11", "12"} {
		create(t, s, id)
	}
	if err := s.Update(ctx, order.Key{Storefront: "shop1", ID: "11"}, func(tx store.Tx, o *order.Order) error {
		o.Flag("erp retries exhausted", "gate", t0)
		o.MarkOverdue(time.Minute, t0) // settled below, so no longer overdue
		return o.Reject("unknown sku", t0)
	}); err != nil {
		t.Fatal(err)
	}
	overdueAt := t0.Add(15 * time.Minute)
	if err := s.Update(ctx, order.Key{Storefront: "shop1", ID: "10"}, func(tx store.Tx, o *order.Order) error {
		o.MarkOverdue(15*time.Minute, overdueAt)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if o, err := s.Get(ctx, order.Key{Storefront: "shop1", ID: "10"}); err != nil || !o.OverdueAt.Equal(overdueAt) {
		t.Fatalf("overdue_at after reload = %v (err %v), want %v", o.OverdueAt, err, overdueAt)
	}
	ids := func(os []*order.Order) []string {
		var out []string
		for _, o := range os {
			out = append(out, o.Key.ID)
		}
		return out
	}
	tests := []struct {
		name string
		f    store.Filter
		want []string
	}{
		{"all, newest first", store.Filter{}, []string{"12", "11", "10"}},
		{"by state", store.Filter{State: order.Received}, []string{"12", "10"}},
		{"by email, case-insensitive", store.Filter{Email: "ADA@example.COM", Limit: 2}, []string{"12", "11"}},
		{"attention only", store.Filter{Attention: true}, []string{"11"}},
		{"overdue now", store.Filter{Overdue: true}, []string{"10"}},
		{"other storefront", store.Filter{Storefront: "shop2"}, nil},
	}
	for _, tt := range tests {
		got, err := s.List(ctx, tt.f)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if d := cmp.Diff(tt.want, ids(got)); d != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, d)
		}
	}
	counts, err := s.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(map[order.State]int{order.Received: 2, order.Rejected: 1}, counts); d != "" {
		t.Fatalf("counts (-want +got):\n%s", d)
	}
	if n, err := s.Overdue(ctx); err != nil || n != 1 {
		t.Fatalf("Overdue() = %d, %v; want 1", n, err)
	}
}

// testUnsettled gives one storefront an order in every state, received
// before and after the cutoff, one of them already marked overdue, and
// another storefront an order of its own: Unsettled must return exactly
// the first storefront's unsettled, unmarked orders received before the
// cutoff, oldest first, and drop each once it is marked or settled.
func testUnsettled(t *testing.T, open Open) {
	s := open(t, nil)
	ctx := context.Background()
	cutoff := t0.Add(-30 * time.Minute)
	ingest := func(storefront, id string, received time.Time, change func(o *order.Order) error) {
		t.Helper()
		o := Sample(id)
		o.Key.Storefront = storefront
		d := delivery(id, storefront+"-"+id)
		d.Storefront, d.ReceivedAt = storefront, received
		if _, err := s.Ingest(ctx, d, func(tx store.Tx, _ *order.Order) (*order.Order, error) {
			n := order.New(o, received, "shopify", "orders/create")
			if change != nil {
				if err := change(n); err != nil {
					return nil, err
				}
			}
			return n, nil
		}); err != nil {
			t.Fatalf("ingest %s/%s: %v", storefront, id, err)
		}
	}
	submitted := func(o *order.Order) error { return o.Submit("SO-"+o.Key.ID, o.ReceivedAt) }
	acknowledged := func(o *order.Order) error {
		if err := submitted(o); err != nil {
			return err
		}
		return o.Acknowledge(order.Ack{Ref: "SO-" + o.Key.ID}, o.ReceivedAt)
	}
	hourAgo := t0.Add(-time.Hour)
	ingest("shop1", "received", t0.Add(-2*time.Hour), nil)
	ingest("shop1", "submitted", hourAgo, submitted)
	ingest("shop1", "acknowledged", t0.Add(-3*time.Hour), acknowledged)
	ingest("shop1", "confirmed", hourAgo, func(o *order.Order) error {
		if err := acknowledged(o); err != nil {
			return err
		}
		return o.Confirm(hourAgo)
	})
	ingest("shop1", "rejected", hourAgo, func(o *order.Order) error { return o.Reject("unknown sku", hourAgo) })
	ingest("shop1", "cancelled", hourAgo, func(o *order.Order) error { return o.Cancel("customer", "shopify", hourAgo) })
	ingest("shop1", "marked", hourAgo, func(o *order.Order) error {
		o.MarkOverdue(15*time.Minute, hourAgo.Add(15*time.Minute))
		return submitted(o)
	})
	ingest("shop1", "at-cutoff", cutoff, nil)
	ingest("shop1", "recent", t0, nil)
	ingest("shop2", "other-shop", t0.Add(-2*time.Hour), nil)

	ids := func(storefront string, limit int) []string {
		t.Helper()
		keys, err := s.Unsettled(ctx, storefront, cutoff, limit)
		if err != nil {
			t.Fatalf("Unsettled(%s): %v", storefront, err)
		}
		var out []string
		for _, k := range keys {
			if k.Storefront != storefront {
				t.Errorf("Unsettled(%s) returned %s", storefront, k)
			}
			out = append(out, k.ID)
		}
		return out
	}
	tests := []struct {
		name       string
		storefront string
		limit      int
		want       []string
	}{
		{"unsettled and unmarked before the cutoff, oldest first", "shop1", 0, []string{"acknowledged", "received", "submitted"}},
		{"limited", "shop1", 2, []string{"acknowledged", "received"}},
		{"another storefront's own", "shop2", 0, []string{"other-shop"}},
		{"an unknown storefront has none", "shop3", 0, nil},
	}
	for _, tt := range tests {
		if d := cmp.Diff(tt.want, ids(tt.storefront, tt.limit)); d != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, d)
		}
	}

	// Marked overdue, or settled, an order is no longer returned.
	if err := s.Update(ctx, order.Key{Storefront: "shop1", ID: "acknowledged"}, func(tx store.Tx, o *order.Order) error {
		o.MarkOverdue(30*time.Minute, t0)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, order.Key{Storefront: "shop1", ID: "received"}, func(tx store.Tx, o *order.Order) error {
		return o.Cancel("customer", "shopify", t0)
	}); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"submitted"}, ids("shop1", 0)); d != "" {
		t.Errorf("after marking one and cancelling another (-want +got):\n%s", d)
	}
}

func testNotifications(t *testing.T, open Open) {
	s := open(t, nil)
	ctx := context.Background()
	create(t, s, "20")
	key := order.Key{Storefront: "shop1", ID: "20"}
	n, err := s.Notification(ctx, key, "confirmation")
	if err != nil || n.Status != store.NotifyNone {
		t.Fatalf("before any attempt: %+v %v, want none", n, err)
	}
	want := store.Notification{Key: key, Kind: "confirmation", Status: store.NotifySending, Attempts: 1, MessageID: "<m@x>", UpdatedAt: t0}
	if err := s.Update(ctx, key, func(tx store.Tx, o *order.Order) error { return tx.PutNotification(ctx, want) }); err != nil {
		t.Fatal(err)
	}
	want.Status, want.Attempts = store.NotifySent, 2
	if err := s.Update(ctx, key, func(tx store.Tx, o *order.Order) error {
		got, err := tx.Notification(ctx, key, "confirmation")
		if err != nil || got.Status != store.NotifySending {
			t.Errorf("inside the transaction: %+v %v, want sending", got, err)
		}
		return tx.PutNotification(ctx, want)
	}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Notification(ctx, key, "confirmation")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, got, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); d != "" {
		t.Fatalf("notification (-want +got):\n%s", d)
	}
}

// testConcurrentUpdates has several writers (as on several replicas) change
// one order at once, each reading a counter and writing it back one higher.
// A store that let two of them read the same value before either saved
// would lose an increment.
func testConcurrentUpdates(t *testing.T, open Open) {
	s := open(t, nil)
	ctx := context.Background()
	create(t, s, "30")
	key := order.Key{Storefront: "shop1", ID: "30"}
	const writers, each = 4, 25
	start := make(chan struct{})
	errs := make(chan error, writers*each)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			<-start
			for i := range each {
				errs <- s.Update(ctx, key, func(tx store.Tx, o *order.Order) error {
					n := o.Attempts
					// A read between load and save, as the confirm worker
					// makes: the gap in which an unlocked writer would read
					// the same n.
					if _, err := tx.Notification(ctx, key, "confirmation"); err != nil {
						return err
					}
					o.Attempts = n + 1
					o.Record(order.Event{At: t0, Kind: order.EventNote, Source: "storetest", Attempt: n + 1,
						Detail: fmt.Sprintf("writer %d update %d", w, i)})
					return nil
				})
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent update: %v", err)
		}
	}
	o, err := s.Get(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if o.Attempts != writers*each {
		t.Fatalf("after %d increments by %d concurrent writers the counter is %d: updates were lost", writers*each, writers, o.Attempts)
	}
	tl, err := s.Timeline(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	// Each writer saw the one before it: the notes carry 1, 2, 3, … in
	// timeline order.
	var seen []int
	for _, e := range tl {
		if e.Kind == order.EventNote {
			seen = append(seen, e.Attempt)
		}
	}
	want := make([]int, writers*each)
	for i := range want {
		want[i] = i + 1
	}
	if d := cmp.Diff(want, seen); d != "" {
		t.Fatalf("counter values on the timeline (-want +got):\n%s", d)
	}
}

// testConcurrentFirstDeliveries delivers several different events of one
// order that is not stored yet, all at once (a create and its updates
// arriving at different replicas). Each apply creates the order when it
// sees none; exactly one may see none, and the others must see its order.
func testConcurrentFirstDeliveries(t *testing.T, open Open) {
	s := open(t, nil)
	ctx := context.Background()
	const n = 4
	key := order.Key{Storefront: "shop1", ID: "40"}
	var mu sync.Mutex
	created := 0
	start := make(chan struct{})
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			_, err := s.Ingest(ctx, delivery("40", fmt.Sprintf("first-%d", i)), func(tx store.Tx, existing *order.Order) (*order.Order, error) {
				// A read before deciding, as the gate makes: the gap in
				// which an unserialized second delivery would also see no
				// order.
				if _, err := tx.Notification(ctx, key, "pending"); err != nil {
					return nil, err
				}
				if existing == nil {
					mu.Lock()
					created++
					mu.Unlock()
					return order.New(Sample("40"), t0, "shopify", "orders/create"), nil
				}
				existing.Record(order.Event{At: t0, Kind: order.EventNote, Source: "storetest", Detail: fmt.Sprintf("delivery %d", i)})
				return existing, nil
			})
			errs <- err
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent ingest: %v", err)
		}
	}
	if created != 1 {
		t.Fatalf("%d concurrent first deliveries each saw no order in %d cases; want exactly 1 to create it", n, created)
	}
	tl, err := s.Timeline(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []order.EventKind
	for _, e := range tl {
		kinds = append(kinds, e.Kind)
	}
	want := []order.EventKind{order.EventReceived}
	for range n - 1 {
		want = append(want, order.EventNote)
	}
	if d := cmp.Diff(want, kinds); d != "" {
		t.Fatalf("timeline kinds (-want +got):\n%s", d)
	}
}
