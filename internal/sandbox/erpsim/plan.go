package erpsim

import (
	"sync"
	"time"
)

// PlanFaults scripts the faults create by create, for tests that need one
// fault at one step: plan[0] is in effect from now, plan[i] once i creates
// have been served since, and no faults after the plan. Each entry applies
// to every request while it is in effect, reads included. The switch happens
// as a create's handler returns, whether its reply was sent or lost.
func (e *ERP) PlanFaults(plan ...Faults) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.plan, e.planned = plan, 0
	e.faults = Faults{}
	if len(plan) > 0 {
		e.faults = plan[0]
	}
}

// advancePlan moves a fault plan on by one create.
func (e *ERP) advancePlan() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.plan == nil {
		return
	}
	e.planned++
	if e.planned < len(e.plan) {
		e.faults = e.plan[e.planned]
		return
	}
	e.faults, e.plan = Faults{}, nil
}

// Clock is a clock a test moves by hand, for Config.Now: it stands still
// until Advance.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a Clock reading t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
