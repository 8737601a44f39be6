package admin

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// bucket is the client's view of the shop's cost bucket, as of the last
// reply: Shopify sends maximumAvailable, currentlyAvailable and restoreRate
// with every reply, and the bucket refills at restoreRate points a second
// in between.
type bucket struct {
	known     bool
	max       float64
	available float64
	restore   float64
	at        time.Time
}

func (c *Client) observe(qc *queryCost) {
	if qc == nil || qc.ThrottleStatus.MaximumAvailable <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.bucket = bucket{
		known:     true,
		max:       qc.ThrottleStatus.MaximumAvailable,
		available: qc.ThrottleStatus.CurrentlyAvailable,
		restore:   qc.ThrottleStatus.RestoreRate,
		at:        c.cfg.Now(),
	}
}

// budgetWait is how long to wait before sending a query expected to cost
// cost points: the deficit over what the bucket holds by now, divided by the
// restore rate. It is zero when nothing is known yet, when the cost fits,
// and when the cost exceeds the whole bucket (waiting would not help;
// Shopify answers such a query with an error).
func (c *Client) budgetWait(cost int) time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	b := c.bucket
	if !b.known || cost <= 0 || b.restore <= 0 || float64(cost) > b.max {
		return 0
	}
	elapsed := max(c.cfg.Now().Sub(b.at).Seconds(), 0)
	available := min(b.max, b.available+b.restore*elapsed)
	if float64(cost) <= available {
		return 0
	}
	return seconds((float64(cost) - available) / b.restore)
}

// throttleWait is how long to wait after a THROTTLED reply: the query's
// requested cost less what is available, over the restore rate. Without
// cost data it is one second.
func throttleWait(qc *queryCost) time.Duration {
	if qc == nil || qc.ThrottleStatus.RestoreRate <= 0 {
		return defaultRetry
	}
	deficit := qc.RequestedQueryCost - qc.ThrottleStatus.CurrentlyAvailable
	if deficit <= 0 {
		return defaultRetry
	}
	return seconds(deficit / qc.ThrottleStatus.RestoreRate)
}

// retryAfter reads a Retry-After header: seconds (Shopify sends "2.0") or
// an HTTP date. Missing or unreadable means one second.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return defaultRetry
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 && !math.IsInf(s, 0) {
		return min(seconds(s), maxRetryAfter)
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(t.Sub(now), 0), maxRetryAfter)
	}
	return defaultRetry
}

// seconds converts s to a Duration rounded up to the millisecond, so that
// after the wait the bucket holds at least what was asked.
func seconds(s float64) time.Duration {
	if s <= 0 || math.IsNaN(s) {
		return 0
	}
	if s > maxRetryAfter.Seconds() {
		return maxRetryAfter
	}
	return time.Duration(math.Ceil(s*1000-1e-6)) * time.Millisecond
}
