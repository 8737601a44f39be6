package shopifysim

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/ordergate/ordergate/internal/storefront/shopify"
)

// place sends every webhook of order i in turn: each is retried until it is
// accepted or given up before the next goes out, so an update planned to
// overtake its create does.
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
	s.records[i].CapturedAt = created
	s.mu.Unlock()

	for _, d := range o.deliveries {
		if ctx.Err() != nil {
			return
		}
		if d.Event.body == nil {
			snap := snapshot{created: created, updated: created}
			switch d.Event.Topic {
			case TopicUpdated:
				snap.updated = created.Add(time.Second)
				snap.note = "gift wrap, please"
			case TopicCancelled:
				if o.CancelDelay > 0 && !sleep(ctx, o.CancelDelay) {
					return
				}
				snap.updated = later(time.Now().Truncate(time.Second), last.Add(time.Second))
				snap.cancelled = true
			}
			body, err := o.body(snap)
			if err != nil {
				panic("shopifysim: encode order: " + err.Error()) // plain structs cannot fail to encode
			}
			d.Event.body, d.Event.at = body, snap.updated.UTC().Format(time.RFC3339Nano)
			last = later(last, snap.updated)
		}
		s.deliver(ctx, jitter, i, d)
	}
	s.mu.Lock()
	s.records[i].Done = ctx.Err() == nil
	if s.records[i].Done {
		s.done++
	}
	s.mu.Unlock()
}

// deliver sends d until the gateway answers 2xx, the retries run out or ctx
// ends. Like Shopify, it counts any other reply, redirects included, and
// any transport error as a failure.
func (s *Sim) deliver(ctx context.Context, jitter *rand.Rand, i int, d *delivery) {
	log := s.cfg.Logger.With("order_id", idString(s.plan[i].ID), "topic", d.Event.Topic, "webhook_id", d.WebhookID)
	if d.Duplicate {
		s.mu.Lock()
		s.stats.DuplicatesSent++
		s.mu.Unlock()
	}
	for retry := 0; ; retry++ {
		a := Attempt{Topic: d.Event.Topic, EventID: d.Event.ID, WebhookID: d.WebhookID, Duplicate: d.Duplicate, Retry: retry, At: time.Now()}
		status, err := s.send(ctx, d)
		if err != nil && ctx.Err() != nil {
			return // stopped, not a failure of the gateway
		}
		a.Took, a.Status = time.Since(a.At), status
		if err != nil {
			a.Err = err.Error()
		}
		s.record(i, a)
		if a.Accepted() {
			return
		}
		log.Debug("webhook delivery failed", "retry", retry, "status", status, "error", a.Err)
		if !s.cfg.Retry.Forever && retry >= s.cfg.Retry.Retries {
			log.Warn("webhook delivery given up", "attempts", retry+1, "status", status, "error", a.Err)
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

// send makes one request with the headers Shopify sends.
func (s *Sim) send(ctx context.Context, d *delivery) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.Target, bytes.NewReader(d.Event.body))
	if err != nil {
		return 0, err
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "Shopify-Captain-Hook")
	h.Set(shopify.HeaderHmac, shopify.Sign(d.Event.body, s.cfg.Secret))
	h.Set(shopify.HeaderTopic, d.Event.Topic)
	h.Set(shopify.HeaderShopDomain, s.cfg.ShopDomain)
	h.Set(shopify.HeaderAPIVersion, s.cfg.APIVersion)
	h.Set(shopify.HeaderWebhookID, d.WebhookID)
	h.Set(shopify.HeaderEventID, d.Event.ID)
	h.Set(shopify.HeaderTriggeredAt, d.Event.at)
	resp, err := s.cfg.Client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, nil
}

// record notes one attempt on the order and in the counters.
func (s *Sim) record(i int, a Attempt) {
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
	if a.Topic == TopicCancelled && r.CancelAcceptedAt.IsZero() {
		r.CancelAcceptedAt = at
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
