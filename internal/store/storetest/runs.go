package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/riverqueue/river"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
)

func testRuns(t *testing.T, open Open) {
	s := open(t, nil)
	ctx := context.Background()
	if runs, err := s.Runs(ctx, "reconcile", 10); err != nil || len(runs) != 0 {
		t.Fatalf("no runs yet: %v %v", runs, err)
	}
	mk := func(id string, started time.Time, summary string) store.Run {
		return store.Run{ID: id, Kind: "reconcile", StartedAt: started, FinishedAt: started.Add(3 * time.Second), Summary: []byte(summary)}
	}
	r1 := mk("r1", t0, `{"findings": 1}`)
	r2 := mk("r2", t0.Add(time.Minute), `{"findings": 2, "note": "ünïcode"}`)
	other := store.Run{ID: "x1", Kind: "stock_refresh", StartedAt: t0.Add(2 * time.Minute), FinishedAt: t0.Add(2 * time.Minute), Summary: []byte(`{}`)}
	for _, r := range []store.Run{r1, r2, other} {
		if err := s.SaveRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	// A run saved again (its summary completed) replaces the first record.
	r1.Summary = []byte(`{"findings": 3}`)
	if err := s.SaveRun(ctx, r1); err != nil {
		t.Fatal(err)
	}
	runs, err := s.Runs(ctx, "reconcile", 10)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON := cmp.Comparer(func(a, b []byte) bool {
		var x, y any
		return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && cmp.Equal(x, y)
	})
	at := cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })
	if d := cmp.Diff([]store.Run{r2, r1}, runs, sameJSON, at); d != "" {
		t.Errorf("runs newest first (-want +got):\n%s", d)
	}
	if runs, err := s.Runs(ctx, "reconcile", 1); err != nil || len(runs) != 1 || runs[0].ID != "r2" {
		t.Errorf("limit 1: %+v %v, want r2", runs, err)
	}
	got, err := s.Run(ctx, "x1")
	if err != nil || got.Kind != "stock_refresh" {
		t.Errorf("Run(x1) = %+v %v", got, err)
	}
	if _, err := s.Run(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Run(nope) error %v, want not found", err)
	}
}

func testJobCounts(t *testing.T, open Open) {
	s := open(t, nil)
	ctx := context.Background()
	create(t, s, "30")
	key := order.Key{Storefront: "shop1", ID: "30"}
	later := time.Now().Add(time.Hour)
	if err := s.Update(ctx, key, func(tx store.Tx, o *order.Order) error {
		for range 2 {
			if err := tx.Enqueue(ctx, markArgs{Marker: "now"}, nil); err != nil {
				return err
			}
		}
		return tx.Enqueue(ctx, markArgs{Marker: "later"}, &river.InsertOpts{ScheduledAt: later, Queue: "other"})
	}); err != nil {
		t.Fatal(err)
	}
	jobs, err := s.Jobs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]store.JobCount{}
	for _, j := range jobs {
		got[j.Queue+"/"+j.State] = j
	}
	if a := got[river.QueueDefault+"/available"]; a.Count != 2 || a.Oldest.IsZero() || time.Since(a.Oldest) > time.Minute {
		t.Errorf("available in the default queue: %+v, want 2 ready now", a)
	}
	if sc := got["other/scheduled"]; sc.Count != 1 || sc.Oldest.Sub(later).Abs() > time.Second {
		t.Errorf("scheduled in queue other: %+v, want 1 at %v", sc, later)
	}
	if len(jobs) != 2 {
		t.Errorf("jobs %+v, want two groups", jobs)
	}
}
