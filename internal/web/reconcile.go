package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/ordergate/ordergate/internal/reconcile"
	"github.com/ordergate/ordergate/internal/store"
)

// reconcileRequest is the body of POST /api/v1/reconcile; every field is
// optional.
type reconcileRequest struct {
	// Since is the start of the window (RFC 3339); default now minus the
	// configured window.
	Since       *time.Time `json:"since"`
	DryRun      bool       `json:"dry_run"`
	Storefronts []string   `json:"storefronts"`
}

// reconcileNow runs a reconciliation and answers with its report, once it
// is done and stored.
func (s *Server) reconcileNow(w http.ResponseWriter, r *http.Request) {
	if s.reconciler == nil {
		writeError(w, http.StatusNotFound, "reconciliation is not configured on this gateway")
		return
	}
	who, err := actor(r.Header.Get(HeaderActor))
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	var req reconcileRequest
	if !s.readOptionalJSON(w, r, &req) {
		return
	}
	opts := reconcile.Options{Since: time.Now().Add(-s.reconcileWindow), DryRun: req.DryRun, Storefronts: req.Storefronts,
		Trigger: who.Via + ":" + who.Name}
	if req.Since != nil {
		if req.Since.After(time.Now()) {
			writeError(w, http.StatusBadRequest, "since is in the future")
			return
		}
		opts.Since = *req.Since
	}
	rep, err := s.reconciler.Run(r.Context(), opts)
	switch {
	case errors.Is(err, reconcile.ErrUnknownStorefront):
		writeError(w, http.StatusBadRequest, err.Error())
		return
	case err != nil:
		s.log.Error("reconciliation failed", "err", err)
		writeUnavailable(w, "reconciliation failed: "+err.Error())
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

// reconcileRuns lists the latest runs, newest first (?limit=, default 20).
func (s *Server) reconcileRuns(w http.ResponseWriter, r *http.Request) {
	limit := 20
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			writeError(w, http.StatusBadRequest, "limit: want a whole number from 1 to 1000")
			return
		}
		limit = n
	}
	runs, err := s.store.Runs(r.Context(), reconcile.RunKind, limit)
	if err != nil {
		writeUnavailable(w, "cannot read the runs: "+err.Error())
		return
	}
	out := make([]json.RawMessage, 0, len(runs))
	for _, run := range runs {
		out = append(out, run.Summary)
	}
	writeJSON(w, http.StatusOK, map[string]any{"runs": out})
}

// reconcileRun returns one stored run.
func (s *Server) reconcileRun(w http.ResponseWriter, r *http.Request) {
	run, err := s.store.Run(r.Context(), chi.URLParam(r, "run_id"))
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "no reconciliation run "+chi.URLParam(r, "run_id"))
		return
	case err != nil:
		writeUnavailable(w, "cannot read the run: "+err.Error())
		return
	}
	if run.Kind != reconcile.RunKind {
		writeError(w, http.StatusNotFound, "no reconciliation run "+run.ID)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(run.Summary)
}
