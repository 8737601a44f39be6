package web

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/ordergate/ordergate/internal/metrics"
	"github.com/ordergate/ordergate/internal/store"
	"github.com/ordergate/ordergate/internal/storefront"
	"github.com/ordergate/ordergate/internal/storefront/bigcommerce"
	"github.com/ordergate/ordergate/internal/storefront/shopify"
	"github.com/ordergate/ordergate/internal/storefront/woocommerce"
)

// Every webhook handler follows the same steps: find the storefront, read
// the body within the cap, authenticate the raw bytes, parse, store in one
// transaction, and only then answer 200. A bad signature is 401 and stores
// nothing; a malformed body is 400 and stores nothing; a topic the gate
// does not act on is 200 and stores nothing (so the storefront does not
// retry it or disable the hook); a failure to store is 503 so that the
// storefront retries. Each answer to a configured storefront is counted
// (ordergate_webhooks_total) and timed from receipt to reply.

// tally is what the metrics learn of one delivery as its handler goes: the
// storefront once it is found, the topic once the sender is authenticated
// (an unauthenticated header must not mint label values), and the answer.
type tally struct {
	start      time.Time
	storefront string
	topic      string
	result     metrics.WebhookResult
}

func newTally() *tally { return &tally{start: time.Now()} }

// count reports the delivery once it is answered; one for no configured
// storefront (a path anyone may make up) is not counted.
func (s *Server) count(t *tally) {
	if t.storefront == "" || t.result == "" {
		return
	}
	s.gate.Metrics().Webhook(t.storefront, t.topic, t.result, time.Since(t.start))
}

// shopifyWebhook takes one Shopify delivery.
func (s *Server) shopifyWebhook(w http.ResponseWriter, r *http.Request) {
	t := newTally()
	defer s.count(t)
	sf, body, ok := s.begin(w, r, shopify.Kind, t)
	if !ok {
		return
	}
	if err := jsonContent(r); err != nil {
		s.refuse(w, t, "content type", err)
		return
	}
	if err := shopify.Verify(body, r.Header.Get(shopify.HeaderHmac), sf.Secrets); err != nil {
		s.refuse(w, t, "verify", err)
		return
	}
	if sf.ShopDomain != "" && !strings.EqualFold(r.Header.Get(shopify.HeaderShopDomain), sf.ShopDomain) {
		s.log.Warn("webhook from another shop refused", "storefront", sf.Name, "shop_domain", r.Header.Get(shopify.HeaderShopDomain))
		t.result = metrics.WebhookRefusedSignature
		writeError(w, http.StatusUnauthorized, "delivery is for another shop")
		return
	}
	t.topic = r.Header.Get(shopify.HeaderTopic)
	release, ok := s.admit(w, r, t)
	if !ok {
		return
	}
	defer release()
	d, err := shopify.Parse(sf.Name, r.Header, body)
	if errors.Is(err, shopify.ErrUnsupportedTopic) {
		s.ignore(w, t, err)
		return
	}
	if err != nil {
		s.refuse(w, t, "parse", err)
		return
	}
	s.ingest(w, r, t, d)
}

// woocommerceWebhook takes one WooCommerce delivery. The unsigned ping
// WooCommerce sends when a webhook is created or activated is answered
// exactly 200, as WooCommerce requires to save the webhook, and stores
// nothing. WooCommerce never retries a delivery, so an order refused here
// is recovered only by reconciliation: every refusal is logged at warn.
func (s *Server) woocommerceWebhook(w http.ResponseWriter, r *http.Request) {
	t := newTally()
	defer s.count(t)
	sf, body, ok := s.begin(w, r, woocommerce.Kind, t)
	if !ok {
		return
	}
	if woocommerce.IsPing(r.Header, body) {
		s.log.Info("woocommerce webhook ping answered", "storefront", sf.Name, "body", string(body))
		t.result = metrics.WebhookPing
		writeJSON(w, http.StatusOK, map[string]string{"status": "ping"})
		return
	}
	if err := jsonContent(r); err != nil {
		s.refuse(w, t, "content type", err)
		return
	}
	if err := woocommerce.Verify(sf.Secrets, r.Header, body); err != nil {
		s.refuse(w, t, "verify", err)
		return
	}
	t.topic = r.Header.Get(woocommerce.HeaderTopic)
	release, ok := s.admit(w, r, t)
	if !ok {
		return
	}
	defer release()
	d, err := woocommerce.Parse(sf.Name, r.Header, body)
	if errors.Is(err, woocommerce.ErrUnsupportedTopic) {
		s.ignore(w, t, err)
		return
	}
	if err != nil {
		s.refuse(w, t, "parse", err)
		return
	}
	s.ingest(w, r, t, d)
}

// bigcommerceWebhook takes one BigCommerce callback. It carries only the
// order's id, so the callback is stored as a notice, with the job that
// fetches the order from the v2 API, and answered at once: BigCommerce
// wants a reply within seconds and retries, then deactivates the hook,
// when it gets none.
func (s *Server) bigcommerceWebhook(w http.ResponseWriter, r *http.Request) {
	t := newTally()
	defer s.count(t)
	sf, body, ok := s.begin(w, r, bigcommerce.Kind, t)
	if !ok {
		return
	}
	if err := jsonContent(r); err != nil {
		s.refuse(w, t, "content type", err)
		return
	}
	if err := bigcommerce.Verify(r.Header, sf.AuthHeader, sf.Secrets); err != nil {
		s.refuse(w, t, "verify", err)
		return
	}
	release, ok := s.admit(w, r, t)
	if !ok {
		return
	}
	defer release()
	h, err := bigcommerce.ParseHook(sf.Name, body)
	t.topic = h.Scope
	if errors.Is(err, bigcommerce.ErrUnsupportedTopic) {
		s.ignore(w, t, err)
		return
	}
	if err != nil {
		s.refuse(w, t, "parse", err)
		return
	}
	n := h.Notice(body)
	if err := s.fresh(n.TriggeredAt); err != nil {
		s.refuse(w, t, "replay window", err)
		return
	}
	res, err := s.gate.IngestNotice(r.Context(), n)
	s.stored(w, t, h.OrderID, res, err)
}

// begin finds the storefront named in the path, of kind, and reads the
// body within the cap. It answers the request itself when it returns false.
func (s *Server) begin(w http.ResponseWriter, r *http.Request, kind string, t *tally) (Storefront, []byte, bool) {
	name := chi.URLParam(r, "storefront")
	sf, ok := s.storefronts[name]
	if !ok || sf.Kind != kind {
		writeError(w, http.StatusNotFound, "no "+kind+" storefront named "+name)
		return Storefront{}, nil, false
	}
	t.storefront = name
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.maxBody))
	if err != nil {
		s.refuse(w, t, "read body", err)
		return Storefront{}, nil, false
	}
	return sf, body, true
}

// ingest stores a parsed delivery, admitted by its caller, and answers:
// refused if its event is past the replay window.
func (s *Server) ingest(w http.ResponseWriter, r *http.Request, t *tally, d storefront.Delivery) {
	t.topic = d.RawTopic
	if err := s.fresh(d.Order.SourceUpdatedAt, d.TriggeredAt); err != nil {
		s.refuse(w, t, "replay window", err)
		return
	}
	res, err := s.gate.Ingest(r.Context(), d)
	s.stored(w, t, d.Order.Key.ID, res, err)
}

// stored answers once the store has answered: 200 only after the commit.
func (s *Server) stored(w http.ResponseWriter, t *tally, orderID string, res store.IngestResult, err error) {
	if err != nil {
		s.log.Error("webhook not stored", "storefront", t.storefront, "order_id", orderID, "topic", t.topic, "err", err)
		t.result = metrics.WebhookStoreError
		w.Header().Set("Retry-After", retryAfter)
		writeError(w, statusOf(err), "not stored; retry")
		return
	}
	t.result = metrics.WebhookStored
	if res.Duplicate {
		t.result = metrics.WebhookDuplicate
	}
	s.log.Debug("webhook stored", "storefront", t.storefront, "order_id", orderID, "topic", t.topic, "status", string(t.result))
	writeJSON(w, http.StatusOK, map[string]string{"status": string(t.result)})
}

// ignore answers 200 to an authentic delivery of a topic the gate does not
// act on, storing nothing.
func (s *Server) ignore(w http.ResponseWriter, t *tally, err error) {
	s.log.Info("webhook topic ignored", "storefront", t.storefront, "topic", t.topic)
	t.result = metrics.WebhookIgnored
	writeJSON(w, http.StatusOK, map[string]string{"status": "ignored", "reason": err.Error()})
}

func (s *Server) refuse(w http.ResponseWriter, t *tally, step string, err error) {
	code := statusOf(err)
	if code >= 500 {
		code = http.StatusBadRequest // a refusal here is about the request, not our store
	}
	switch code {
	case http.StatusUnauthorized:
		t.result = metrics.WebhookRefusedSignature
	case http.StatusRequestEntityTooLarge:
		t.result = metrics.WebhookTooLarge
	default:
		t.result = metrics.WebhookRefusedMalformed
	}
	s.log.Warn("webhook refused", "storefront", t.storefront, "step", step, "status", code, "reason", err.Error())
	writeError(w, code, err.Error())
}
