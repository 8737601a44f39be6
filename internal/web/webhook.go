package web

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/ordergate/ordergate/internal/storefront/shopify"
)

// shopifyWebhook takes one Shopify delivery: verify the signature on the raw
// bytes, parse, store in one transaction, and only then answer 200. A bad
// signature is 401 and stores nothing; a malformed body is 400 and stores
// nothing; a failure to store is 503 so that Shopify retries.
func (s *Server) shopifyWebhook(w http.ResponseWriter, r *http.Request) {
	name := chi.URLParam(r, "storefront")
	sf, ok := s.storefronts[name]
	if !ok || sf.Kind != "shopify" {
		writeError(w, http.StatusNotFound, "no shopify storefront named "+name)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.maxBody))
	if err != nil {
		s.refuse(w, name, "read body", err)
		return
	}
	if err := shopify.Verify(body, r.Header.Get("X-Shopify-Hmac-Sha256"), sf.Secrets); err != nil {
		s.refuse(w, name, "verify", err)
		return
	}
	if sf.ShopDomain != "" && !strings.EqualFold(r.Header.Get("X-Shopify-Shop-Domain"), sf.ShopDomain) {
		s.log.Warn("webhook from another shop refused", "storefront", name, "shop_domain", r.Header.Get("X-Shopify-Shop-Domain"))
		writeError(w, http.StatusUnauthorized, "delivery is for another shop")
		return
	}
	d, err := shopify.Parse(name, r.Header, body)
	if errors.Is(err, shopify.ErrUnsupportedTopic) {
		s.log.Info("webhook topic ignored", "storefront", name, "topic", r.Header.Get("X-Shopify-Topic"))
		writeJSON(w, http.StatusOK, map[string]string{"status": "ignored", "reason": err.Error()})
		return
	}
	if err != nil {
		s.refuse(w, name, "parse", err)
		return
	}
	res, err := s.gate.Ingest(r.Context(), d)
	if err != nil {
		s.log.Error("webhook not stored", "storefront", name, "order_id", d.Order.Key.ID, "topic", d.RawTopic, "err", err)
		w.Header().Set("Retry-After", retryAfter)
		writeError(w, statusOf(err), "not stored; retry")
		return
	}
	status := "stored"
	if res.Duplicate {
		status = "duplicate"
	}
	s.log.Debug("webhook stored", "storefront", name, "order_id", d.Order.Key.ID, "topic", d.RawTopic, "status", status)
	writeJSON(w, http.StatusOK, map[string]string{"status": status})
}

func (s *Server) refuse(w http.ResponseWriter, storefront, step string, err error) {
	code := statusOf(err)
	if code >= 500 {
		code = http.StatusBadRequest // a refusal here is about the request, not our store
	}
	s.log.Warn("webhook refused", "storefront", storefront, "step", step, "status", code, "reason", err.Error())
	writeError(w, code, err.Error())
}
