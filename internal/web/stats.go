package web

import (
	"context"
	"math"
	"net/http"
	"slices"
	"time"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
)

// The stats window: GET /api/v1/stats?window=… takes a duration between
// the bounds, one hour by default.
const (
	defaultStatsWindow = time.Hour
	minStatsWindow     = 5 * time.Minute
	maxStatsWindow     = 24 * time.Hour
)

// The store has no query for "settled in the last hour", so the figures of
// the window are computed from the newest orders, read a page at a time:
// those received in the window and up to statsLookback before it (an order
// settled in the window may have been received long before), at most
// statsScan of them. The answer's sample says what was read.
const (
	statsLookback = 24 * time.Hour
	statsScan     = 10000
	// statsFresh is how long one computation serves every caller: a
	// dozen dashboards polling every few seconds read the store once.
	statsFresh = 2 * time.Second
)

// The ERP health rules, over the window: an ERP is failing when orders
// wait for it and it has acknowledged nothing for ackStall; degraded
// when more than retryShare of its submits were retries, or an order has
// waited for it more than waitSlow; idle when it had nothing to do.
const (
	ackStall   = 5 * time.Minute
	waitSlow   = 2 * time.Minute
	retryShare = 0.10
)

// statsJSON is the dashboard overview's figures. Durations are in
// milliseconds or seconds as their names say; a percentile of no orders
// is null.
type statsJSON struct {
	GeneratedAt   time.Time        `json:"generated_at"`
	WindowSeconds int              `json:"window_seconds"`
	Orders        orderStatsJSON   `json:"orders"`
	Latency       latencyStatsJSON `json:"latency"`
	Throughput    throughputJSON   `json:"throughput"`
	ERPs          []erpHealthJSON  `json:"erps"`
	Sample        sampleJSON       `json:"sample"`
}

// orderStatsJSON counts every order the gateway holds, now.
type orderStatsJSON struct {
	Total     int                 `json:"total"`
	ByState   map[order.State]int `json:"by_state"`  // every state, zeros included
	InFlight  int                 `json:"in_flight"` // received, submitted or acknowledged
	Overdue   int                 `json:"overdue"`
	Attention int                 `json:"attention"`
}

// latencyStatsJSON is capture → ERP acknowledgment over the orders
// acknowledged in the window, and capture → confirmation over those
// confirmed in it (the window starting at throughput.from).
type latencyStatsJSON struct {
	CaptureToAck          latencyJSON `json:"capture_to_ack"`
	CaptureToConfirmation latencyJSON `json:"capture_to_confirmation"`
}

type latencyJSON struct {
	Count int    `json:"count"`
	P50Ms *int64 `json:"p50_ms"`
	P95Ms *int64 `json:"p95_ms"`
	MaxMs *int64 `json:"max_ms"`
}

// throughputJSON is the window in buckets, oldest first; the last bucket is
// the one under way.
type throughputJSON struct {
	From          time.Time    `json:"from"` // the first bucket's start: the window's totals count from here
	BucketSeconds int          `json:"bucket_seconds"`
	Received      int          `json:"received"`
	Confirmed     int          `json:"confirmed"`
	PerMinute     float64      `json:"received_per_minute"`
	Buckets       []bucketJSON `json:"buckets"`
}

type bucketJSON struct {
	Start             time.Time `json:"start"`
	Received          int       `json:"received"`
	Acknowledged      int       `json:"acknowledged"`
	Confirmed         int       `json:"confirmed"`
	ConfirmationP50Ms *int64    `json:"confirmation_p50_ms"`
	ConfirmationP95Ms *int64    `json:"confirmation_p95_ms"`
}

// erpHealthJSON is one ERP as its orders show it. The counts named "in the
// window" cover orders received (retries), acknowledged or rejected in it;
// the rest are now.
type erpHealthJSON struct {
	Name          string   `json:"name"`
	Storefronts   []string `json:"storefronts"`
	Status        string   `json:"status"` // ok, degraded, failing or idle
	Why           string   `json:"why,omitempty"`
	Received      int      `json:"received"`       // in the window
	SubmitRetries int      `json:"submit_retries"` // ERP submit attempts after an order's first, for orders received in the window
	Acknowledged  int      `json:"acknowledged"`   // in the window
	Rejected      int      `json:"rejected"`       // in the window
	Attention     int      `json:"attention"`      // flagged for an operator now
	// Unacknowledged counts the orders received or submitted and not yet
	// acknowledged; OldestUnacknowledgedSeconds is how long the oldest of
	// them has been in the gateway.
	Unacknowledged              int        `json:"unacknowledged"`
	OldestUnacknowledgedSeconds *float64   `json:"oldest_unacknowledged_seconds"`
	LastAcknowledgedAt          *time.Time `json:"last_acknowledged_at"`
	LastAckAgeSeconds           *float64   `json:"last_ack_age_seconds"`
}

// sampleJSON says which orders the window's figures come from: Orders
// read, received since Since; Complete is false when statsScan cut the
// reading short.
type sampleJSON struct {
	Orders   int       `json:"orders"`
	Since    time.Time `json:"since"`
	Complete bool      `json:"complete"`
}

type cachedStats struct {
	at time.Time
	v  statsJSON
}

// stats answers GET /api/v1/stats.
func (s *Server) stats(w http.ResponseWriter, r *http.Request) {
	window := defaultStatsWindow
	if v := r.URL.Query().Get("window"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < minStatsWindow || d > maxStatsWindow {
			writeError(w, http.StatusBadRequest, "window: want a duration from 5m to 24h, e.g. 1h")
			return
		}
		window = d
	}
	st, err := s.cachedStats(r.Context(), window)
	if err != nil {
		s.log.Error("compute stats", "err", err)
		writeUnavailable(w, "could not read the orders for the stats; try again")
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (s *Server) cachedStats(ctx context.Context, window time.Duration) (statsJSON, error) {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	now := s.now()
	if c, ok := s.statsCache[window]; ok && now.Sub(c.at) >= 0 && now.Sub(c.at) < statsFresh {
		return c.v, nil
	}
	st, err := s.computeStats(ctx, now, window)
	if err != nil {
		return statsJSON{}, err
	}
	// Only fresh entries are kept, so that callers asking for many
	// different windows cannot grow the cache.
	for w, c := range s.statsCache {
		if now.Sub(c.at) >= statsFresh || now.Before(c.at) {
			delete(s.statsCache, w)
		}
	}
	s.statsCache[window] = cachedStats{at: now, v: st}
	return st, nil
}

// erpOf names the ERP a storefront's orders go to.
func (s *Server) erpOf(storefront string) string {
	if e := s.storefronts[storefront].ERP; e != "" {
		return e
	}
	return "unknown"
}

// computeStats reads the store and works the figures out as of now.
func (s *Server) computeStats(ctx context.Context, now time.Time, window time.Duration) (statsJSON, error) {
	st := statsJSON{GeneratedAt: now, WindowSeconds: int(window / time.Second)}
	counts, err := s.store.Counts(ctx)
	if err != nil {
		return st, err
	}
	st.Orders.ByState = make(map[order.State]int, len(order.States))
	for _, state := range order.States {
		n := counts[state]
		st.Orders.ByState[state] = n
		st.Orders.Total += n
		if !state.Settled() {
			st.Orders.InFlight += n
		}
	}
	if st.Orders.Overdue, err = s.store.Overdue(ctx); err != nil {
		return st, err
	}

	erps := s.erpHealth()
	get := func(name string) *erpHealthJSON {
		if e, ok := erps[name]; ok {
			return e
		}
		e := &erpHealthJSON{Name: name, Storefronts: []string{}}
		erps[name] = e
		return e
	}
	if _, _, err := s.scan(ctx, store.Filter{Attention: true}, statsScan, func(o *order.Order) bool {
		st.Orders.Attention++
		get(s.erpOf(o.Key.Storefront)).Attention++
		return true
	}); err != nil {
		return st, err
	}
	oldest := map[string]time.Time{}
	for _, state := range []order.State{order.Received, order.Submitted} {
		if _, _, err := s.scan(ctx, store.Filter{State: state}, statsScan, func(o *order.Order) bool {
			name := s.erpOf(o.Key.Storefront)
			get(name).Unacknowledged++
			if t, ok := oldest[name]; !ok || o.ReceivedAt.Before(t) {
				oldest[name] = o.ReceivedAt
			}
			return true
		}); err != nil {
			return st, err
		}
	}

	// The window is whole buckets, the last one under way, so that the
	// buckets add up to the window's totals.
	bucket := time.Minute
	if window > 60*time.Minute {
		bucket = (window / 60).Truncate(time.Minute)
	}
	buckets := make([]bucketJSON, int(window/bucket))
	from := now.Truncate(bucket).Add(-bucket * time.Duration(len(buckets)-1))
	for i := range buckets {
		buckets[i].Start = from.Add(time.Duration(i) * bucket)
	}
	st.Throughput.From, st.Throughput.BucketSeconds = from, int(bucket/time.Second)
	st.Sample.Since = from.Add(-statsLookback)
	slot := func(t time.Time) int {
		if t.Before(from) || t.After(now) {
			return -1
		}
		return int(t.Sub(from) / bucket)
	}
	inWindow := func(t time.Time) bool { return !t.IsZero() && !t.Before(from) && !t.After(now) }
	var toAck, toConfirm []int64
	perBucket := make([][]int64, len(buckets))
	lastAck := map[string]time.Time{}
	attempts := map[string]int{}
	n, capped, err := s.scan(ctx, store.Filter{}, statsScan, func(o *order.Order) bool {
		if o.ReceivedAt.Before(st.Sample.Since) {
			return false
		}
		e := get(s.erpOf(o.Key.Storefront))
		if inWindow(o.ReceivedAt) {
			st.Throughput.Received++
			e.Received++
			e.SubmitRetries += max(o.Attempts-1, 0)
			attempts[e.Name] += o.Attempts
			if i := slot(o.ReceivedAt); i >= 0 {
				buckets[i].Received++
			}
		}
		if !o.AcknowledgedAt.IsZero() && o.AcknowledgedAt.After(lastAck[e.Name]) {
			lastAck[e.Name] = o.AcknowledgedAt
		}
		if inWindow(o.AcknowledgedAt) {
			e.Acknowledged++
			toAck = append(toAck, sinceCapture(o, o.AcknowledgedAt))
			if i := slot(o.AcknowledgedAt); i >= 0 {
				buckets[i].Acknowledged++
			}
		}
		if inWindow(o.SettledAt) {
			switch o.State() {
			case order.Confirmed:
				ms := sinceCapture(o, o.SettledAt)
				st.Throughput.Confirmed++
				toConfirm = append(toConfirm, ms)
				if i := slot(o.SettledAt); i >= 0 {
					buckets[i].Confirmed++
					perBucket[i] = append(perBucket[i], ms)
				}
			case order.Rejected:
				e.Rejected++
			}
		}
		return true
	})
	if err != nil {
		return st, err
	}
	st.Sample.Orders, st.Sample.Complete = n, !capped
	st.Latency.CaptureToAck = latencyOf(toAck)
	st.Latency.CaptureToConfirmation = latencyOf(toConfirm)
	for i, ms := range perBucket {
		l := latencyOf(ms)
		buckets[i].ConfirmationP50Ms, buckets[i].ConfirmationP95Ms = l.P50Ms, l.P95Ms
	}
	st.Throughput.Buckets = buckets
	st.Throughput.PerMinute = math.Round(float64(st.Throughput.Received)/max(now.Sub(from).Minutes(), 1)*100) / 100

	for name, e := range erps {
		if t, ok := lastAck[name]; ok {
			e.LastAcknowledgedAt, e.LastAckAgeSeconds = &t, seconds(now.Sub(t))
		}
		if t, ok := oldest[name]; ok {
			e.OldestUnacknowledgedSeconds = seconds(now.Sub(t))
		}
		e.Status, e.Why = health(e, now, lastAck[name], oldest[name], attempts[name])
		st.ERPs = append(st.ERPs, *e)
	}
	slices.SortFunc(st.ERPs, func(a, b erpHealthJSON) int {
		switch {
		case a.Name < b.Name:
			return -1
		case a.Name > b.Name:
			return 1
		}
		return 0
	})
	return st, nil
}

// erpHealth starts the health of every configured ERP, with the storefronts
// sending to it, so that an idle ERP is listed too.
func (s *Server) erpHealth() map[string]*erpHealthJSON {
	out := map[string]*erpHealthJSON{}
	for _, name := range s.storefrontNames() {
		erp := s.erpOf(name)
		e, ok := out[erp]
		if !ok {
			e = &erpHealthJSON{Name: erp, Storefronts: []string{}}
			out[erp] = e
		}
		e.Storefronts = append(e.Storefronts, name)
	}
	return out
}

// health judges an ERP by the rules above, and says why in words.
func health(e *erpHealthJSON, now, lastAck, oldest time.Time, attempts int) (string, string) {
	waited := time.Duration(0)
	if !oldest.IsZero() {
		waited = now.Sub(oldest)
	}
	switch {
	case e.Unacknowledged > 0 && waited > ackStall && (lastAck.IsZero() || now.Sub(lastAck) > ackStall):
		return "failing", "orders wait and nothing was acknowledged for " + ackStall.String()
	case attempts > 0 && float64(e.SubmitRetries) > retryShare*float64(attempts):
		return "degraded", "more than 10% of submits were retries"
	case waited > waitSlow:
		return "degraded", "an order has waited more than " + waitSlow.String()
	case e.Received == 0 && e.Unacknowledged == 0 && e.Acknowledged == 0:
		return "idle", "no orders in the window"
	}
	return "ok", ""
}

// sinceCapture is the milliseconds from the order's capture at the
// storefront (its receipt here, if the storefront gave no time) to t; a
// storefront clock ahead of ours counts as zero.
func sinceCapture(o *order.Order, t time.Time) int64 {
	from := o.CapturedAt
	if from.IsZero() {
		from = o.ReceivedAt
	}
	return max(t.Sub(from).Milliseconds(), 0)
}

// latencyOf gives the nearest-rank percentiles of ms, as the demo's report
// computes them.
func latencyOf(ms []int64) latencyJSON {
	l := latencyJSON{Count: len(ms)}
	if len(ms) == 0 {
		return l
	}
	slices.Sort(ms)
	rank := func(p float64) *int64 {
		i := int(math.Ceil(p*float64(len(ms)))) - 1
		v := ms[max(0, min(i, len(ms)-1))]
		return &v
	}
	l.P50Ms, l.P95Ms, l.MaxMs = rank(0.50), rank(0.95), rank(1)
	return l
}

func seconds(d time.Duration) *float64 {
	v := math.Round(max(d.Seconds(), 0)*10) / 10
	return &v
}
