// Package fakeapi holds what the fake marketplaces (amazonfake, walmartfake,
// ebayfake) share: injected faults, held requests, issued access tokens and
// a rate limit on their own clock.
package fakeapi

import (
	"crypto/rand"
	"encoding/hex"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Fault is a reply a test forces on the next request.
type Fault struct {
	Status     int
	RetryAfter time.Duration // sent as Retry-After when > 0
}

// Faults queues forced replies and holds requests on demand.
type Faults struct {
	mu      sync.Mutex
	queue   []Fault
	stalled bool
	arrived chan struct{}
	closed  chan struct{}
	once    sync.Once
}

// NewFaults returns an empty queue.
func NewFaults() *Faults {
	return &Faults{arrived: make(chan struct{}, 64), closed: make(chan struct{})}
}

// Push queues a fault for the next request.
func (f *Faults) Push(x Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queue = append(f.queue, x)
}

// Pop takes the next queued fault.
func (f *Faults) Pop() (Fault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.queue) == 0 {
		return Fault{}, false
	}
	x := f.queue[0]
	f.queue = f.queue[1:]
	return x, true
}

// Stall makes every later request wait without a reply, and returns a
// channel that receives as each arrives.
func (f *Faults) Stall() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stalled = true
	return f.arrived
}

// Hold holds r if the fake is stalled, until the client gives up or Close,
// and reports whether it did (then nothing must be written).
func (f *Faults) Hold(r *http.Request) bool {
	f.mu.Lock()
	stalled := f.stalled
	f.mu.Unlock()
	if !stalled {
		return false
	}
	select {
	case f.arrived <- struct{}{}:
	default:
	}
	select {
	case <-r.Context().Done():
	case <-f.closed:
	}
	return true
}

// Close releases held requests.
func (f *Faults) Close() { f.once.Do(func() { close(f.closed) }) }

// SetRetryAfter writes a fault's Retry-After.
func SetRetryAfter(w http.ResponseWriter, d time.Duration) {
	if d > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(d.Seconds()))))
	}
}

// Tokens issues access tokens that last a while on a clock.
type Tokens struct {
	mu      sync.Mutex
	now     func() time.Time
	life    time.Duration
	issued  map[string]time.Time // token → expiry
	refused bool
	count   int
}

// NewTokens returns an issuer of tokens that last life.
func NewTokens(now func() time.Time, life time.Duration) *Tokens {
	return &Tokens{now: now, life: life, issued: map[string]time.Time{}}
}

// Issue returns a new token, or ok false once credentials are refused.
func (t *Tokens) Issue(prefix string) (tok string, life time.Duration, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.refused {
		return "", 0, false
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	tok = prefix + hex.EncodeToString(b)
	t.issued[tok] = t.now().Add(t.life)
	t.count++
	return tok, t.life, true
}

// Valid reports whether tok was issued and has not expired.
func (t *Tokens) Valid(tok string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	exp, ok := t.issued[tok]
	return ok && t.now().Before(exp)
}

// ExpireAll makes every token issued so far invalid.
func (t *Tokens) ExpireAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	clear(t.issued)
}

// Refuse makes every later Issue fail.
func (t *Tokens) Refuse() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.refused = true
}

// Count returns how many tokens were issued.
func (t *Tokens) Count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.count
}

// Bucket is a marketplace's token-bucket rate limit on the fake's clock,
// kept as GCRA so that its arithmetic is exact in nanoseconds.
type Bucket struct {
	mu        sync.Mutex
	interval  time.Duration
	tolerance time.Duration
	tat       time.Time
}

// NewBucket returns a full bucket of burst tokens refilled at rate a
// second; rate 0 means no limit.
func NewBucket(rate float64, burst int) *Bucket {
	b := &Bucket{}
	if rate > 0 {
		b.interval = time.Duration(float64(time.Second) / rate)
		b.tolerance = time.Duration(max(1, burst)-1) * b.interval
	}
	return b
}

// Allow takes a token at now, or reports false and how long until one.
func (b *Bucket) Allow(now time.Time) (bool, time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.interval == 0 {
		return true, 0
	}
	tat := b.tat
	if tat.Before(now) {
		tat = now
	}
	if at := tat.Add(-b.tolerance); now.Before(at) {
		return false, at.Sub(now)
	}
	b.tat = tat.Add(b.interval)
	return true, 0
}

// Controls are the test controls every marketplace fake offers over its
// API's faults and its tokens. A fake embeds it, so they are the fake's
// own methods.
type Controls struct {
	Faults *Faults
	Tokens *Tokens
}

// NewControls returns controls over fresh faults and tokens of the given
// life, issued on now's clock.
func NewControls(now func() time.Time, tokenLife time.Duration) Controls {
	return Controls{Faults: NewFaults(), Tokens: NewTokens(now, tokenLife)}
}

// Throttle makes the next API request 429, with Retry-After if after > 0.
func (c Controls) Throttle(after time.Duration) {
	c.Faults.Push(Fault{Status: http.StatusTooManyRequests, RetryAfter: after})
}

// Fail makes the next API request answer status.
func (c Controls) Fail(status int) { c.Faults.Push(Fault{Status: status}) }

// ExpireTokens makes every token issued so far invalid.
func (c Controls) ExpireTokens() { c.Tokens.ExpireAll() }

// RefuseCredentials makes the token endpoint refuse every later request.
func (c Controls) RefuseCredentials() { c.Tokens.Refuse() }

// TokensIssued returns how many access tokens the fake issued.
func (c Controls) TokensIssued() int { return c.Tokens.Count() }

// Stall holds every later API request; see Faults.Stall.
func (c Controls) Stall() <-chan struct{} { return c.Faults.Stall() }

// Close releases held requests.
func (c Controls) Close() { c.Faults.Close() }
