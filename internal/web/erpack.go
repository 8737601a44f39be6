package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/erp/callback"
	"github.com/ordergate/ordergate/internal/gate"
)

// receiptStatuses are the statuses a callback's receipt may carry.
var receiptStatuses = []erp.Status{erp.StatusAcknowledged, erp.StatusPending, erp.StatusRejected, erp.StatusCancelled, erp.StatusIncomplete}

// erpAck takes one acknowledgment an ERP posts about an order: verify the
// signature on the raw bytes, parse the receipt, and apply it in one
// transaction before answering 200. A bad, missing or stale signature is
// 401 and applies nothing; a malformed receipt is 400; a receipt for an
// order the gateway does not hold is 404; a failure to store is 503, so
// that the ERP sends it again.
func (s *Server) erpAck(w http.ResponseWriter, r *http.Request) {
	name := chi.URLParam(r, "erp")
	secrets := s.callbacks[name]
	if len(secrets) == 0 {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no callbacks configured for erp %s: give it a callback secret in the gateway's config, or let the gateway poll it", name))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.maxBody))
	if err != nil {
		s.refuseAck(w, name, "read body", err)
		return
	}
	if err := jsonContent(r); err != nil {
		s.refuseAck(w, name, "content type", err)
		return
	}
	if err := callback.Verify(secrets, r.Header, body, time.Now(), s.tolerance); err != nil {
		s.refuseAck(w, name, "verify", err)
		return
	}
	rec, err := parseReceipt(body)
	if err != nil {
		s.log.Warn("erp callback refused", "erp", name, "step", "parse", "status", http.StatusBadRequest, "reason", err.Error())
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	err = s.gate.Acknowledged(r.Context(), name, rec)
	if errors.Is(err, gate.ErrUnknownOrder) && !s.storeAnswers(r.Context()) {
		// The order could not be looked up at all, so it is not known to
		// be unknown: the store failed.
		err = fmt.Errorf("look up %s: store unavailable", rec.ExternalID)
	}
	switch code := statusOf(err); {
	case err == nil:
		// The gate logs the callback it applied, with the order's key.
		writeJSON(w, http.StatusOK, map[string]string{"status": "applied"})
	case code == http.StatusNotFound:
		s.log.Warn("erp callback for an unknown order", "erp", name, "external_id", rec.ExternalID)
		writeError(w, code, fmt.Sprintf("no order with external id %q goes to erp %s; if the gateway has just taken it, send the callback again later", rec.ExternalID, name))
	case code == http.StatusServiceUnavailable:
		s.log.Error("erp callback not applied", "erp", name, "external_id", rec.ExternalID, "err", err)
		writeUnavailable(w, "not applied; send the callback again")
	default:
		s.log.Warn("erp callback not applied", "erp", name, "external_id", rec.ExternalID, "status", code, "err", err)
		writeError(w, code, err.Error())
	}
}

func (s *Server) refuseAck(w http.ResponseWriter, erpName, step string, err error) {
	code := statusOf(err)
	if code >= 500 {
		code = http.StatusBadRequest // a refusal here is about the request, not our store
	}
	s.log.Warn("erp callback refused", "erp", erpName, "step", step, "status", code, "reason", err.Error())
	writeError(w, code, err.Error())
}

// storeAnswers reports whether the store answers a ping.
func (s *Server) storeAnswers(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return s.store.Ping(ctx) == nil
}

// parseReceipt reads a callback's body: one erp.Receipt, naming the order
// and saying where the ERP stands with it.
func parseReceipt(body []byte) (erp.Receipt, error) {
	var rec erp.Receipt
	if len(bytes.TrimSpace(body)) == 0 {
		return rec, errors.New("empty body: want the receipt as JSON")
	}
	if err := json.Unmarshal(body, &rec); err != nil {
		return rec, fmt.Errorf("malformed receipt: %v", err)
	}
	if rec.ExternalID == "" {
		return rec, errors.New("malformed receipt: external_id is required")
	}
	for _, st := range receiptStatuses {
		if rec.Status == st {
			return rec, nil
		}
	}
	return rec, fmt.Errorf("malformed receipt: status %q: want acknowledged, pending, rejected, cancelled or incomplete", rec.Status)
}
