package erpsim

import (
	"context"
	"net/http"
	"strconv"
	"time"
)

// fault is what a draw decided for one request.
type fault int

const (
	faultNone fault = iota
	faultError
	faultThrottle
	faultTimeout
	faultInDoubt
)

// drawCreate decides the fault for a create and counts it.
func (e *ERP) drawCreate() (fault, Faults) {
	e.mu.Lock()
	defer e.mu.Unlock()
	f := e.faults
	u := e.rng.Float64()
	switch {
	case u < f.ErrorRate:
		e.faultCount.Error++
		return faultError, f
	case u < f.ErrorRate+f.ThrottleRate:
		e.faultCount.Throttle++
		return faultThrottle, f
	case u < f.ErrorRate+f.ThrottleRate+f.TimeoutRate:
		e.faultCount.Timeout++
		return faultTimeout, f
	case u < f.ErrorRate+f.ThrottleRate+f.TimeoutRate+f.InDoubtRate:
		e.faultCount.InDoubt++
		return faultInDoubt, f
	}
	return faultNone, f
}

// drawRead decides whether a lookup or availability request fails.
func (e *ERP) drawRead() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.rng.Float64() < e.faults.ErrorRate {
		e.faultCount.Error++
		return true
	}
	return false
}

func (e *ERP) coin() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.rng.IntN(2) == 0
}

// delay waits out the latency drawn for one request. It reports false if
// the client went away or the simulator closed first.
func (e *ERP) delay(ctx context.Context) bool {
	if e.cfg.Latency == (Latency{}) {
		return true
	}
	e.mu.Lock()
	d := e.cfg.Latency.sample(e.rng.NormFloat64())
	e.mu.Unlock()
	return e.hold(ctx, d)
}

// hold waits d, or until the client goes away or the simulator closes, and
// reports whether the whole of d passed.
func (e *ERP) hold(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
	case <-e.stop:
	}
	return false
}

// failUnavailable answers 503, having created nothing.
func failUnavailable(w http.ResponseWriter) {
	writeJSON(w, http.StatusServiceUnavailable, apiError{Code: CodeUnavailable, Message: "the service is temporarily unavailable"})
}

// throttle answers 429 asking the client to wait f's RetryAfter.
func throttle(w http.ResponseWriter, f Faults) {
	secs := strconv.FormatFloat(f.retryAfter().Seconds(), 'f', -1, 64)
	w.Header().Set("Retry-After", secs)
	writeJSON(w, http.StatusTooManyRequests, apiError{Code: CodeRateLimited, Message: "request rate exceeded; retry after " + secs + "s"})
}

// loseReply makes the reply to a request that did its work never arrive:
// a 500 when with500, else the connection closes with nothing. The caller
// tosses the coin (coin), so that it can record which before the reply is
// lost.
func (e *ERP) loseReply(w http.ResponseWriter, with500 bool) {
	if with500 {
		writeJSON(w, http.StatusInternalServerError, apiError{Code: CodeInternal, Message: "an unexpected error occurred"})
		return
	}
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// HTTP/2 and friends cannot be hijacked; aborting the handler
		// resets the stream without a response, which is the same to a
		// client.
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}
