package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/ordergate/ordergate/internal/cutover"
	"github.com/ordergate/ordergate/internal/store"
)

// cutoverReport answers GET /api/v1/cutover/report: the two cohorts of the
// parallel run side by side, with the verdict. Query: storefront (default
// all), since (RFC 3339; default 7 days ago), and any threshold by its
// JSON name (min_gated_orders, max_gated_confirmed_before_erp,
// max_gated_missing_in_erp, max_rejection_rate_increase, max_manual_rate,
// max_gated_p95 as a Go duration).
func (s *Server) cutoverReport(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	since := time.Now().Add(-7 * 24 * time.Hour)
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			writeError(w, http.StatusBadRequest, "since: want an RFC 3339 time")
			return
		}
		since = t
	}
	th, err := thresholdsFrom(q.Get, cutover.DefaultThresholds())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	var sfs []cutover.Storefront
	for _, name := range s.storefrontNames() {
		if want := q.Get("storefront"); want != "" && want != name {
			continue
		}
		gsf, _ := s.gate.Storefront(name)
		sfs = append(sfs, cutover.Storefront{Name: name, SLA: gsf.SLA})
	}
	if len(sfs) == 0 {
		writeError(w, http.StatusNotFound, "no storefront "+q.Get("storefront"))
		return
	}
	rep, err := cutover.Build(r.Context(), s.store, sfs, since, time.Now(), th)
	if err != nil {
		writeUnavailable(w, "cannot build the report: "+err.Error())
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

// thresholdsFrom reads the thresholds a query overrides.
func thresholdsFrom(get func(string) string, th cutover.Thresholds) (cutover.Thresholds, error) {
	ints := []struct {
		name string
		dst  *int
	}{{"min_gated_orders", &th.MinGatedOrders}, {"max_gated_confirmed_before_erp", &th.MaxGatedConfirmedBeforeERP}, {"max_gated_missing_in_erp", &th.MaxGatedMissingInERP}}
	for _, f := range ints {
		if v := get(f.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return th, errors.New(f.name + ": want a whole number, 0 or more")
			}
			*f.dst = n
		}
	}
	rates := []struct {
		name string
		dst  *float64
	}{{"max_rejection_rate_increase", &th.MaxRejectionRateIncrease}, {"max_manual_rate", &th.MaxManualRate}}
	for _, f := range rates {
		if v := get(f.name); v != "" {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil || x < 0 || x > 1 {
				return th, errors.New(f.name + ": want a fraction from 0 to 1")
			}
			*f.dst = x
		}
	}
	if v := get("max_gated_p95"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return th, errors.New("max_gated_p95: want a duration such as 2s")
		}
		th.MaxGatedP95 = d
	}
	return th, nil
}

// cutoverSetting answers GET /api/v1/cutover/{storefront}: the mode and
// rollout percentage in effect, and the audit log of their changes.
func (s *Server) cutoverSetting(w http.ResponseWriter, r *http.Request) {
	name := chi.URLParam(r, "storefront")
	cur, err := s.gate.Rollout(r.Context(), name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "no storefront "+name)
		return
	case err != nil:
		writeUnavailable(w, "cannot read the setting: "+err.Error())
		return
	}
	hist, err := cutover.History(r.Context(), s.store, name, 100)
	if err != nil {
		writeUnavailable(w, "cannot read the audit log: "+err.Error())
		return
	}
	writeJSON(w, http.StatusOK, cutover.State{Setting: cur, History: hist})
}

// cutoverChange is the body of POST /api/v1/cutover/{storefront}: what
// to change; a field left out keeps its value.
type cutoverChange struct {
	Mode           *string `json:"mode"`
	RolloutPercent *int    `json:"rollout_percent"`
	Reason         string  `json:"reason"`
}

// changeCutover answers POST /api/v1/cutover/{storefront} and
// POST /api/v1/cutover/{storefront}/rollback (every new order back to the
// legacy flow: rollout 0%, the mode kept).
func (s *Server) changeCutover(w http.ResponseWriter, r *http.Request) {
	name := chi.URLParam(r, "storefront")
	who, err := actor(r.Header.Get(HeaderActor))
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	var req cutoverChange
	if !s.readOptionalJSON(w, r, &req) {
		return
	}
	cur, err := s.gate.Rollout(r.Context(), name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "no storefront "+name)
		return
	case err != nil:
		writeUnavailable(w, "cannot read the setting: "+err.Error())
		return
	}
	next := cutover.Setting{Storefront: name, Mode: cur.Mode, Percent: cur.Percent, By: who.Via + ":" + who.Name, Reason: req.Reason}
	if strings.HasSuffix(r.URL.Path, "/rollback") {
		next.Percent, next.Rollback = 0, true
	} else {
		if req.Mode == nil && req.RolloutPercent == nil {
			writeError(w, http.StatusBadRequest, "nothing to change: give mode, rollout_percent or both")
			return
		}
		if req.Mode != nil {
			next.Mode = *req.Mode
		}
		if req.RolloutPercent != nil {
			next.Percent = *req.RolloutPercent
		}
	}
	if err := next.Validate(); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if err := s.gate.SetRollout(r.Context(), next); err != nil {
		writeUnavailable(w, "cannot save the setting: "+err.Error())
		return
	}
	s.cutoverSetting(w, r)
}
