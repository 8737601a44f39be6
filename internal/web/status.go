package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/ordergate/ordergate/internal/erp/callback"
	"github.com/ordergate/ordergate/internal/gate"
	"github.com/ordergate/ordergate/internal/store"
	"github.com/ordergate/ordergate/internal/storefront/bigcommerce"
	"github.com/ordergate/ordergate/internal/storefront/shopify"
	"github.com/ordergate/ordergate/internal/storefront/woocommerce"
)

// retryAfter is what a 503 asks the caller to wait, in seconds.
const retryAfter = "5"

// statusOf maps an error to its HTTP status: the one table for the edge.
func statusOf(err error) int {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, errContentType):
		return http.StatusUnsupportedMediaType
	case errors.Is(err, shopify.ErrSignature), errors.Is(err, woocommerce.ErrSignature), errors.Is(err, bigcommerce.ErrSignature),
		errors.Is(err, bigcommerce.ErrMissingHeader):
		return http.StatusUnauthorized
	case errors.Is(err, callback.ErrSignature), errors.Is(err, callback.ErrMissingHeader), errors.Is(err, callback.ErrStale):
		return http.StatusUnauthorized
	case errors.Is(err, shopify.ErrMissingHeader), errors.Is(err, shopify.ErrMalformed),
		errors.Is(err, woocommerce.ErrMissingHeader), errors.Is(err, woocommerce.ErrMalformed),
		errors.Is(err, bigcommerce.ErrMalformed), errors.Is(err, errStale):
		return http.StatusBadRequest
	case errors.Is(err, store.ErrNotFound), errors.Is(err, gate.ErrUnknownOrder):
		return http.StatusNotFound
	case errors.Is(err, gate.ErrNotApplicable):
		return http.StatusConflict
	}
	// Anything else is ours — the store could not commit — so the sender
	// must retry: never 2xx for what was not stored.
	return http.StatusServiceUnavailable
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// writeUnavailable answers 503 with Retry-After: the request was not
// applied, and the same request later may be.
func writeUnavailable(w http.ResponseWriter, msg string) {
	w.Header().Set("Retry-After", retryAfter)
	writeError(w, http.StatusServiceUnavailable, msg)
}

// readOptionalJSON decodes the request's body, if it has one, into v,
// refusing unknown fields; an empty body leaves v as it was. On an error it
// answers the request itself (413 for a body over the cap, else 400) and
// returns false.
func (s *Server) readOptionalJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.maxBody))
	if err != nil {
		writeError(w, statusOf(err), err.Error())
		return false
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return true
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "invalid request body: "+err.Error())
		return false
	}
	return true
}
