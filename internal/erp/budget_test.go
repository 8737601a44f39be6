package erp_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/erp"
)

// waitFor polls until cond holds; the budget gives no other signal that a
// goroutine has started waiting.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestBudget_FreedSlotGoesToTheMostUrgentWaiter(t *testing.T) {
	t.Parallel()
	b := erp.NewBudget(1)
	if err := b.Acquire(t.Context(), erp.PriorityStock); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var order []erp.Priority
	var started sync.WaitGroup
	var done sync.WaitGroup
	// Queue them least urgent first, one at a time, so arrival order is
	// the opposite of the order they must be served in.
	waiters := 0
	for _, p := range []erp.Priority{erp.PriorityStock, erp.PriorityUpdate, erp.PriorityStock, erp.PriorityNew} {
		started.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			started.Done()
			if err := b.Acquire(context.Background(), p); err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			order = append(order, p)
			mu.Unlock()
			b.Release()
		}()
		started.Wait()
		waiters++
		n := waiters
		waitFor(t, "waiter to queue", func() bool { return erp.Waiting(b) == n })
	}
	b.Release()
	done.Wait()
	want := []erp.Priority{erp.PriorityNew, erp.PriorityUpdate, erp.PriorityStock, erp.PriorityStock}
	if len(order) != len(want) {
		t.Fatalf("served %v, want %v", order, want)
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("served %v, want %v", order, want)
		}
	}
}

func TestBudget_CancelledWaiterLeavesNoSlotBehind(t *testing.T) {
	t.Parallel()
	b := erp.NewBudget(1)
	if err := b.Acquire(t.Context(), erp.PriorityNew); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error)
	go func() { errc <- b.Acquire(ctx, erp.PriorityNew) }()
	waitFor(t, "waiter to queue", func() bool { return erp.Waiting(b) == 1 })
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Acquire = %v, want context.Canceled", err)
	}
	b.Release()
	// The one slot is free again: a new caller gets it at once, and a
	// second one must wait.
	if err := b.Acquire(t.Context(), erp.PriorityStock); err != nil {
		t.Fatal(err)
	}
	short, stop := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer stop()
	if err := b.Acquire(short, erp.PriorityNew); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Acquire beyond the budget = %v, want to wait until the deadline", err)
	}
}

func TestAtPriority_MakesACallWaitBehindMoreUrgentOnes(t *testing.T) {
	t.Parallel()
	if got := erp.Effective(erp.AtPriority(context.Background(), erp.PriorityBackground), erp.PriorityUpdate); got != erp.PriorityBackground {
		t.Errorf("a lookup under erp.AtPriority(background) waits at %d, want background", got)
	}
	if got := erp.Effective(erp.AtPriority(context.Background(), erp.PriorityStock), erp.PriorityNew); got != erp.PriorityStock {
		t.Errorf("got %d, want stock", got)
	}
	// A context can only make a call less urgent, never more.
	if got := erp.Effective(erp.AtPriority(context.Background(), erp.PriorityNew), erp.PriorityStock); got != erp.PriorityStock {
		t.Errorf("erp.AtPriority(new) raised a stock query to %d", got)
	}
	if got := erp.Effective(context.Background(), erp.PriorityUpdate); got != erp.PriorityUpdate {
		t.Errorf("plain context: %d, want update", got)
	}
}
