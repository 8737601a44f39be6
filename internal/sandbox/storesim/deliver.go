package storesim

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"time"
)

// place makes order i in the storefront and sends each of its webhooks in
// turn: each is retried until it is accepted or given up before the next
// goes out, so an update planned to overtake its create does. A dropped
// order goes through the same changes in the storefront, on the same
// schedule, and none of its webhooks goes out.
func (s *Sim) place(ctx context.Context, jitter *rand.Rand, i int) {
	o := &s.plan[i]
	now := time.Now().Truncate(time.Second)
	if o.OutOfOrder {
		// The update that overtakes the create happened a second after it;
		// date the create a second back so neither is in the future.
		now = now.Add(-time.Second)
	}
	created, last := now, now
	s.mu.Lock()
	s.started++
	if o.Dropped {
		s.stats.Dropped++
	}
	s.mu.Unlock()

	for n, d := range o.deliveries {
		if ctx.Err() != nil {
			return
		}
		if d.Event.body == nil {
			snap := snapshot{created: created, updated: created}
			switch d.Event.action {
			case actUpdate:
				snap.updated = created.Add(time.Second)
				snap.note = updateNote
			case actCancel:
				if o.CancelDelay > 0 && !sleep(ctx, o.CancelDelay) {
					return
				}
				snap.updated = later(time.Now().Truncate(time.Second), last.Add(time.Second))
				snap.cancelled = true
				if o.OutOfOrder {
					snap.note = updateNote // the shopper's note stays on the order
				}
			}
			if err := s.platform.render(o, d.Event, snap); err != nil {
				s.abandon(i, o.deliveries[n:], err)
				return
			}
			if n == 0 {
				s.stored(i, created)
			}
			last = later(last, snap.updated)
		}
		if o.Dropped {
			continue // lost: the storefront changed, the webhook never goes out
		}
		if d.Late && !sleep(ctx, s.cfg.LateDelay) {
			return
		}
		s.deliver(ctx, jitter, i, d)
	}
	s.finish(ctx, i)
}

// stored records that order i, created at created, is in the storefront:
// its first event has been rendered, which puts it in the flavor's store.
func (s *Sim) stored(i int, created time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records[i].CapturedAt = created
}

// finish marks order i done unless the run was stopped.
func (s *Sim) finish(ctx context.Context, i int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records[i].Done = ctx.Err() == nil
	if s.records[i].Done {
		s.done++
	}
}

// abandon gives up the deliveries ds of order i, which could not be made:
// a fake store refused the order. It is a bug of the simulator or of the
// caller's use of the store, not of the gateway.
func (s *Sim) abandon(i int, ds []*delivery, err error) {
	s.cfg.Logger.Error("webhook not built", "order_id", idString(s.plan[i].ID), "topic", ds[0].Event.Topic, "error", err)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.GivenUp += len(ds)
	s.records[i].Done = true
	s.done++
}

// deliver sends d until the gateway answers 2xx, the retries run out or ctx
// ends. Like Shopify and BigCommerce, it counts any other reply, redirects
// included, and any transport error as a failure.
func (s *Sim) deliver(ctx context.Context, jitter *rand.Rand, i int, d *delivery) {
	log := s.cfg.Logger.With("order_id", idString(s.plan[i].ID), "topic", d.Event.Topic)
	if d.Duplicate {
		s.mu.Lock()
		s.stats.DuplicatesSent++
		s.mu.Unlock()
	}
	for retry := 0; ; retry++ {
		a := Attempt{Topic: d.Event.Topic, EventID: d.Event.ID, Duplicate: d.Duplicate, Retry: retry, At: time.Now()}
		status, id, err := s.send(ctx, d)
		if err != nil && ctx.Err() != nil {
			return // stopped, not a failure of the gateway
		}
		a.Took, a.Status, a.WebhookID = time.Since(a.At), status, id
		if err != nil {
			a.Err = err.Error()
		}
		s.record(i, d.Event.action, a)
		if a.Accepted() {
			return
		}
		log.Debug("webhook delivery failed", "webhook_id", id, "retry", retry, "status", status, "error", a.Err)
		if s.cfg.Retry.None || (!s.cfg.Retry.Forever && retry >= s.cfg.Retry.Retries) {
			log.Warn("webhook delivery given up", "webhook_id", id, "attempts", retry+1, "status", status, "error", a.Err)
			s.mu.Lock()
			s.stats.GivenUp++
			s.mu.Unlock()
			return
		}
		if !sleep(ctx, s.backoff(jitter, retry)) {
			return
		}
	}
}

// backoff is Initial doubled per retry up to Max, within ±20%.
func (s *Sim) backoff(jitter *rand.Rand, retry int) time.Duration {
	d := s.cfg.Retry.Initial
	for range retry {
		if d >= s.cfg.Retry.Max/2 {
			d = s.cfg.Retry.Max
			break
		}
		d *= 2
	}
	return time.Duration(float64(d) * (0.8 + 0.4*jitter.Float64()))
}

// send makes one request of d with the headers its platform sends, and
// returns the status and the id the platform gave this send.
func (s *Sim) send(ctx context.Context, d *delivery) (int, string, error) {
	h, id := s.platform.header(d)
	status, err := s.post(ctx, h, d.Event.body)
	return status, id, err
}

// post sends body with headers h to the target and returns the status.
func (s *Sim) post(ctx context.Context, h http.Header, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.Target, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header = h
	resp, err := s.cfg.Client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, nil
}

// record notes one attempt of an event of action act on the order and in
// the counters.
func (s *Sim) record(i int, act action, a Attempt) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := &s.records[i]
	r.Attempts = append(r.Attempts, a)
	s.stats.count(a)
	if !a.Accepted() {
		return
	}
	at := a.At.Add(a.Took)
	if r.AcceptedAt.IsZero() {
		r.AcceptedAt = at
		s.accepted++
	}
	if act == actCancel && r.CancelAcceptedAt.IsZero() {
		r.CancelAcceptedAt = at
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
