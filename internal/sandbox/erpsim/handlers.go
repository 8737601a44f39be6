package erpsim

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"net/http"
)

// maxBody caps a request body.
const maxBody = 1 << 20

func (e *ERP) routes() {
	e.mux = http.NewServeMux()
	e.mux.Handle("POST /v1/sales-orders", e.auth(e.handleCreate))
	e.mux.Handle("GET /v1/sales-orders", e.auth(e.handleLookup))
	e.mux.Handle("POST /v1/sales-orders/cancel", e.auth(e.handleCancel))
	e.mux.Handle("GET /v1/availability", e.auth(e.handleAvailability))
	e.mux.Handle("GET /v1/records", e.auth(e.handleRecords))
}

func (e *ERP) auth(h http.HandlerFunc) http.Handler {
	if e.cfg.APIKey == "" {
		return h
	}
	want := []byte("Bearer " + e.cfg.APIKey)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			writeJSON(w, http.StatusUnauthorized, apiError{Code: CodeUnauthorized, Message: "missing or invalid api key"})
			return
		}
		h(w, r)
	})
}

func (e *ERP) handleCreate(w http.ResponseWriter, r *http.Request) {
	e.count(func(c *RequestCounts) { c.Create++ })
	defer e.advancePlan() // runs even when the reply is lost by a panic
	// The call is logged before its reply goes out, so that whoever got
	// the reply finds the call in the records.
	call := Call{Op: OpCreate, At: e.now()}
	reply := func(status int) { call.Status = status; e.logCall(call) }
	// Reading the body to its end also lets the server notice a client
	// that goes away while the request is held.
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var req createRequest
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	call.ExternalID = req.ExternalID
	if err != nil {
		reply(http.StatusBadRequest)
		writeJSON(w, http.StatusBadRequest, apiError{Code: CodeMalformed, Message: "request body: " + err.Error()})
		return
	}
	if !e.delay(r.Context()) {
		reply(http.StatusServiceUnavailable)
		failUnavailable(w)
		return
	}
	f, rates := e.drawCreate()
	call.Fault = faultName(f)
	switch f {
	case faultError:
		reply(http.StatusServiceUnavailable)
		failUnavailable(w)
		return
	case faultThrottle:
		reply(http.StatusTooManyRequests)
		throttle(w, rates)
		return
	case faultTimeout:
		if e.hold(r.Context(), rates.timeout()) {
			reply(http.StatusGatewayTimeout)
			writeJSON(w, http.StatusGatewayTimeout, apiError{Code: CodeTimeout, Message: "the request timed out"})
			return
		}
		reply(0) // the client went away, or the simulator closed
		failUnavailable(w)
		return
	}
	e.mu.Lock()
	o, created, aerr := e.create(req, f == faultInDoubt)
	var rc receipt
	if aerr == nil {
		rc = e.receipt(o)
	}
	e.mu.Unlock()
	if created {
		e.announce(o)
	}
	switch {
	case f == faultInDoubt:
		with500 := e.coin()
		if with500 {
			reply(http.StatusInternalServerError)
		} else {
			reply(0)
		}
		e.loseReply(w, with500)
	case aerr != nil:
		reply(http.StatusUnprocessableEntity)
		writeJSON(w, http.StatusUnprocessableEntity, aerr)
	case created:
		reply(http.StatusCreated)
		writeJSON(w, http.StatusCreated, rc)
	default: // idempotent repeat
		reply(http.StatusOK)
		writeJSON(w, http.StatusOK, rc)
	}
}

func (e *ERP) handleLookup(w http.ResponseWriter, r *http.Request) {
	e.count(func(c *RequestCounts) { c.Lookup++ })
	id := r.URL.Query().Get("external_id")
	call := Call{Op: OpLookup, ExternalID: id, At: e.now()}
	reply := func(status int) { call.Status = status; e.logCall(call) }
	if id == "" {
		reply(http.StatusBadRequest)
		writeJSON(w, http.StatusBadRequest, apiError{Code: CodeInvalidRequest, Message: "query parameter external_id is required"})
		return
	}
	if !e.delay(r.Context()) {
		reply(http.StatusServiceUnavailable)
		failUnavailable(w)
		return
	}
	if e.drawRead() {
		call.Fault = FaultError
		reply(http.StatusServiceUnavailable)
		failUnavailable(w)
		return
	}
	e.mu.Lock()
	o, ok := e.lookup(id)
	var rc receipt
	if ok {
		rc = e.receipt(o)
	}
	e.mu.Unlock()
	if !ok {
		reply(http.StatusNotFound)
		writeJSON(w, http.StatusNotFound, apiError{Code: CodeNotFound, Message: "no sales order with external_id " + id})
		return
	}
	reply(http.StatusOK)
	writeJSON(w, http.StatusOK, rc)
}

func (e *ERP) handleCancel(w http.ResponseWriter, r *http.Request) {
	e.count(func(c *RequestCounts) { c.Cancel++ })
	id := r.URL.Query().Get("external_id")
	call := Call{Op: OpCancel, ExternalID: id, At: e.now()}
	reply := func(status int) { call.Status = status; e.logCall(call) }
	if id == "" {
		reply(http.StatusBadRequest)
		writeJSON(w, http.StatusBadRequest, apiError{Code: CodeInvalidRequest, Message: "query parameter external_id is required"})
		return
	}
	var req cancelRequest
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err == nil && len(body) > 0 {
		err = json.Unmarshal(body, &req)
	}
	if err != nil {
		reply(http.StatusBadRequest)
		writeJSON(w, http.StatusBadRequest, apiError{Code: CodeMalformed, Message: "request body: " + err.Error()})
		return
	}
	if !e.delay(r.Context()) {
		reply(http.StatusServiceUnavailable)
		failUnavailable(w)
		return
	}
	if e.drawRead() {
		call.Fault = FaultError
		reply(http.StatusServiceUnavailable)
		failUnavailable(w)
		return
	}
	e.mu.Lock()
	o, ok := e.cancel(id, req.Reason)
	var rc receipt
	if ok {
		rc = e.receipt(o)
	}
	e.mu.Unlock()
	if !ok {
		reply(http.StatusNotFound)
		writeJSON(w, http.StatusNotFound, apiError{Code: CodeNotFound, Message: "no sales order with external_id " + id})
		return
	}
	reply(http.StatusOK)
	writeJSON(w, http.StatusOK, rc)
}

func (e *ERP) handleAvailability(w http.ResponseWriter, r *http.Request) {
	e.count(func(c *RequestCounts) { c.Availability++ })
	if !e.delay(r.Context()) || e.drawRead() {
		failUnavailable(w)
		return
	}
	skus := r.URL.Query()["sku"]
	out := make(map[string]int, len(skus))
	e.mu.Lock()
	for _, sku := range skus {
		if n, ok := e.available(sku); ok {
			out[sku] = n
		}
	}
	e.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (e *ERP) handleRecords(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, e.Records())
}

func (e *ERP) count(f func(*RequestCounts)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	f(&e.requests)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only our own types are written; this is a bug.
		panic(errors.Join(errors.New("erpsim: encode reply"), err))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
