package erpsim

import "time"

// The operations a Call records.
const (
	OpCreate = "create"
	OpLookup = "lookup"
	OpCancel = "cancel"
)

// The faults a Call records: what the draw did to the request.
const (
	FaultError    = "error"    // answered 503, nothing done
	FaultThrottle = "throttle" // answered 429, nothing done
	FaultTimeout  = "timeout"  // held until the timeout or the client left, nothing done
	FaultInDoubt  = "in_doubt" // the work was done and the reply lost
)

// Call is one API request about one order, as the ERP saw it: a history
// checker ties each to the caller's record of its attempts (invariant I6:
// every failed attempt is on the order's timeline).
type Call struct {
	Op         string    `json:"op"` // OpCreate, OpLookup or OpCancel
	ExternalID string    `json:"external_id"`
	At         time.Time `json:"at"` // when the request arrived
	// Status is the HTTP status answered; 0 when the reply was lost with
	// the connection, or the client went away before it.
	Status int `json:"status"`
	// Fault is the fault drawn for the request, empty when none.
	Fault string `json:"fault,omitempty"`
}

// Failed reports whether the caller cannot have had a useful answer: a
// fault, or a reply that is not a success, a rejection or a not-found.
func (c Call) Failed() bool {
	switch {
	case c.Fault != "":
		return true
	case c.Status >= 200 && c.Status < 300, c.Status == 404, c.Status == 422:
		return false
	}
	return true
}

// Calls returns every create, lookup and cancel received, oldest first.
func (e *ERP) Calls() []Call {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Call(nil), e.calls...)
}

// logCall keeps c. It does not hold e.mu.
func (e *ERP) logCall(c Call) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls = append(e.calls, c)
}

// faultName is what a Call says about f.
func faultName(f fault) string {
	switch f {
	case faultError:
		return FaultError
	case faultThrottle:
		return FaultThrottle
	case faultTimeout:
		return FaultTimeout
	case faultInDoubt:
		return FaultInDoubt
	}
	return ""
}
