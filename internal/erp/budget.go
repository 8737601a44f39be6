package erp

import (
	"context"
	"sync"

	"github.com/ordergate/ordergate/internal/order"
)

// Priority orders the calls waiting for a slot of a Budget: new orders before
// updates before stock queries, so that a stock refresh never delays a
// customer's order.
type Priority int

// The priorities, most urgent first.
const (
	PriorityNew    Priority = iota // creating a sales order
	PriorityUpdate                 // looking one up, cancelling one
	PriorityStock                  // reading availability
	// PriorityBackground is checking work that can always wait:
	// reconciliation's lookups. Give it with AtPriority.
	PriorityBackground
	priorities
)

type priorityKey struct{}

// AtPriority returns ctx whose ERP calls through a Limit wait at priority p
// when p is less urgent than the call's own: reconciliation looks orders up
// at PriorityBackground, behind the gate's own lookups.
func AtPriority(ctx context.Context, p Priority) context.Context {
	return context.WithValue(ctx, priorityKey{}, p)
}

// effective is the priority a call of priority p waits at under ctx.
func effective(ctx context.Context, p Priority) Priority {
	if q, ok := ctx.Value(priorityKey{}).(Priority); ok && q > p && q < priorities {
		return q
	}
	return p
}

// Budget is an ERP's concurrency budget: at most n calls in flight, and when
// all slots are taken, the next free one goes to the most urgent waiter
// (first come, first served within a priority). NetSuite shares one
// account-wide limit across every integration, so the gateway must stay
// within the share it is given however its work is mixed.
type Budget struct {
	mu      sync.Mutex
	size    int
	free    int
	waiting [priorities][]chan struct{}
}

// NewBudget returns a budget of n slots (at least 1).
func NewBudget(n int) *Budget {
	n = max(n, 1)
	return &Budget{size: n, free: n}
}

// InFlight returns how many calls hold a slot now, for the metrics.
func (b *Budget) InFlight() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.size - b.free
}

// Waiting returns how many calls wait for a slot now, for the metrics.
func (b *Budget) Waiting() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, q := range b.waiting {
		n += len(q)
	}
	return n
}

// Acquire takes a slot, waiting for one at priority p until ctx ends.
func (b *Budget) Acquire(ctx context.Context, p Priority) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	if b.free > 0 && b.nobodyWaiting() {
		b.free--
		b.mu.Unlock()
		return nil
	}
	ready := make(chan struct{})
	b.waiting[p] = append(b.waiting[p], ready)
	b.mu.Unlock()
	select {
	case <-ready:
		return nil
	case <-ctx.Done():
		b.mu.Lock()
		defer b.mu.Unlock()
		select {
		case <-ready:
			// Handed a slot as ctx ended: pass it on.
			b.handOff()
		default:
			q := b.waiting[p]
			for i, c := range q {
				if c == ready {
					b.waiting[p] = append(q[:i:i], q[i+1:]...)
					break
				}
			}
		}
		return ctx.Err()
	}
}

// Release returns a slot taken by Acquire.
func (b *Budget) Release() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.handOff()
}

// handOff gives a freed slot to the most urgent waiter, or keeps it. With
// b.mu held.
func (b *Budget) handOff() {
	for p := range b.waiting {
		if q := b.waiting[p]; len(q) > 0 {
			b.waiting[p] = q[1:]
			close(q[0])
			return
		}
	}
	b.free++
}

func (b *Budget) nobodyWaiting() bool {
	for _, q := range b.waiting {
		if len(q) > 0 {
			return false
		}
	}
	return true
}

// Limit returns c with every call taking a slot of b: Submit at PriorityNew,
// Lookup and Cancel at PriorityUpdate, Availability at PriorityStock. A call
// waiting for a slot ends when its context does, having sent nothing.
func Limit(c Client, b *Budget) Client { return limited{c, b} }

type limited struct {
	c Client
	b *Budget
}

func (l limited) Submit(ctx context.Context, o order.Order) (Receipt, error) {
	if err := l.b.Acquire(ctx, effective(ctx, PriorityNew)); err != nil {
		return Receipt{}, err
	}
	defer l.b.Release()
	return l.c.Submit(ctx, o)
}

func (l limited) Lookup(ctx context.Context, externalID string) (Receipt, error) {
	if err := l.b.Acquire(ctx, effective(ctx, PriorityUpdate)); err != nil {
		return Receipt{}, err
	}
	defer l.b.Release()
	return l.c.Lookup(ctx, externalID)
}

func (l limited) Cancel(ctx context.Context, externalID, reason string) error {
	if err := l.b.Acquire(ctx, effective(ctx, PriorityUpdate)); err != nil {
		return err
	}
	defer l.b.Release()
	return l.c.Cancel(ctx, externalID, reason)
}

func (l limited) Availability(ctx context.Context, skus []string) (map[string]int, error) {
	if err := l.b.Acquire(ctx, effective(ctx, PriorityStock)); err != nil {
		return nil, err
	}
	defer l.b.Release()
	return l.c.Availability(ctx, skus)
}
