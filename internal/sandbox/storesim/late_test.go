package storesim

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRun_LateRedeliveryOfTheCreateComesAfterTheCancel(t *testing.T) {
	t.Parallel()
	g := setup(t)
	cfg := g.config()
	cfg.Orders = 6
	cfg.CancelRate = 1
	cfg.LateRate = 1
	cfg.LateDelay = 20 * time.Millisecond
	s := New(cfg)
	run(t, s)

	for _, o := range s.Orders() {
		if !o.Late || o.Duplicated {
			t.Errorf("order %s: late %t, duplicated %t; want late, not duplicated", o.ID, o.Late, o.Duplicated)
		}
		var topics []string
		for _, a := range o.Attempts {
			topics = append(topics, a.Topic)
		}
		if diff := cmp.Diff([]string{"orders/create", "orders/cancelled", "orders/create"}, topics); diff != "" {
			t.Errorf("order %s: topics (-want +got):\n%s", o.ID, diff)
			continue
		}
		first, late := o.Attempts[0], o.Attempts[2]
		if late.EventID != first.EventID || !late.Duplicate {
			t.Errorf("order %s: the late delivery has event %s (duplicate %t), want the create's %s", o.ID, late.EventID, late.Duplicate, first.EventID)
		}
		if gap := late.At.Sub(o.Attempts[1].At); gap < cfg.LateDelay {
			t.Errorf("order %s: the late delivery came %s after the cancel, want at least %s", o.ID, gap, cfg.LateDelay)
		}
	}
	if st := s.Stats(); st.DuplicatesSent != cfg.Orders {
		t.Errorf("%d duplicates sent, want %d", st.DuplicatesSent, cfg.Orders)
	}
}

func TestPlan_LateRateLeavesEveryOtherDrawAlone(t *testing.T) {
	t.Parallel()
	base := Config{Orders: 40, Seed: 5, DuplicateRate: 0.3, OutOfOrderRate: 0.3, CancelRate: 0.3, UnknownSKURate: 0.3, DropRate: 0.2}
	want := New(base).Orders()
	cfg := base
	cfg.LateRate = 0.5
	got := New(cfg).Orders()
	late := 0
	for i := range got {
		if got[i].Late {
			late++
		}
		got[i].Late = false
	}
	if late == 0 || late == len(got) {
		t.Errorf("%d of %d orders late at LateRate 0.5", late, len(got))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("LateRate changed the other draws (-without +with):\n%s", diff)
	}
}
