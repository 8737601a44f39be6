package cutover

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ordergate/ordergate/internal/store"
)

// The modes a setting may name; they are the gate's storefront modes.
const (
	ModeGated    = "gated"
	ModeAckGated = "ack_gated"
	ModeShadow   = "shadow"
)

// Setting is a storefront's mode and rollout percentage as changed at run
// time, and who changed it, when and why. The newest setting of a
// storefront overrides its config file's; the settings, newest first, are
// its audit log.
type Setting struct {
	Storefront string `json:"storefront"`
	// Mode is gated, ack_gated or shadow (every new order to the legacy
	// cohort, whatever the percentage).
	Mode string `json:"mode"`
	// Percent is the share of new orders the gate handles for real.
	Percent int       `json:"rollout_percent"`
	At      time.Time `json:"at"`
	By      string    `json:"by"`
	Reason  string    `json:"reason,omitempty"`
	// Rollback marks a change made by the rollback command.
	Rollback bool `json:"rollback,omitempty"`
}

// Validate checks the setting's values, naming the field at fault.
func (s Setting) Validate() error {
	var errs []error
	if s.Storefront == "" {
		errs = append(errs, errors.New("storefront: required"))
	}
	switch s.Mode {
	case ModeGated, ModeAckGated, ModeShadow:
	default:
		errs = append(errs, fmt.Errorf("mode: invalid value %q: want gated, ack_gated or shadow", s.Mode))
	}
	if s.Percent < 0 || s.Percent > 100 {
		errs = append(errs, fmt.Errorf("rollout_percent: %d is not within 0..100", s.Percent))
	}
	if s.By == "" {
		errs = append(errs, errors.New("by: required (who made the change)"))
	}
	return errors.Join(errs...)
}

// Runs is the part of the store the settings live in: the runs table, one
// run kind per storefront (RunKind), each change one row that is never
// rewritten. The change and its audit entry are one write.
type Runs interface {
	SaveRun(ctx context.Context, r store.Run) error
	Runs(ctx context.Context, kind string, limit int) ([]store.Run, error)
}

// RunKind is the run kind under which a storefront's settings are kept.
func RunKind(storefront string) string { return "cutover:" + storefront }

// Save records s as the storefront's setting from now on.
func Save(ctx context.Context, rs Runs, s Setting) error {
	if err := s.Validate(); err != nil {
		return err
	}
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	// The id sorts by time, so two changes within a microsecond still
	// come back in order.
	id := fmt.Sprintf("cutover-%s-%020d", s.Storefront, s.At.UnixNano())
	if err := rs.SaveRun(ctx, store.Run{ID: id, Kind: RunKind(s.Storefront), StartedAt: s.At, FinishedAt: s.At, Summary: b}); err != nil {
		return fmt.Errorf("cutover: save setting of %s: %w", s.Storefront, err)
	}
	return nil
}

// History returns the storefront's settings, newest first, at most
// store.Limit(limit): its audit log.
func History(ctx context.Context, rs Runs, storefront string, limit int) ([]Setting, error) {
	runs, err := rs.Runs(ctx, RunKind(storefront), limit)
	if err != nil {
		return nil, fmt.Errorf("cutover: settings of %s: %w", storefront, err)
	}
	out := make([]Setting, 0, len(runs))
	for _, r := range runs {
		var s Setting
		if err := json.Unmarshal(r.Summary, &s); err != nil {
			return nil, fmt.Errorf("cutover: setting %s: %w", r.ID, err)
		}
		out = append(out, s)
	}
	return out, nil
}

// Current returns the storefront's newest setting; ok is false when it
// has none and the config file's applies.
func Current(ctx context.Context, rs Runs, storefront string) (s Setting, ok bool, err error) {
	h, err := History(ctx, rs, storefront, 1)
	if err != nil || len(h) == 0 {
		return Setting{}, false, err
	}
	return h[0], true, nil
}

// State is a storefront's setting in effect and its audit log, as the
// API answers them.
type State struct {
	Setting Setting   `json:"setting"`
	History []Setting `json:"history"`
}
