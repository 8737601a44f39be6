package web

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/ordergate/ordergate/internal/store"
	"github.com/ordergate/ordergate/internal/storefront/shopify"
)

// statusOf maps an error to its HTTP status: the one table for the edge.
func statusOf(err error) int {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, shopify.ErrSignature):
		return http.StatusUnauthorized
	case errors.Is(err, shopify.ErrMissingHeader), errors.Is(err, shopify.ErrMalformed):
		return http.StatusBadRequest
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound
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
