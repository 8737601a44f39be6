package fishbowl_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/erp/fishbowl"
	"github.com/ordergate/ordergate/internal/erp/fishbowl/fishbowlfake"
)

func TestSubmit_LostReplyIsInDoubtAndTheRetryReturnsTheOneOrder(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.fake.SetStock("A", 5)
	o := newOrder("1", line("A", 2))
	b.fake.LoseNextReply()

	_, err := b.client.Submit(t.Context(), o)
	if !errors.Is(err, erp.ErrInDoubt) {
		t.Fatalf("Submit whose reply was lost: %v, want ErrInDoubt", err)
	}
	rc, err := b.client.Submit(t.Context(), o)
	if err != nil {
		t.Fatalf("Submit again: %v", err)
	}
	if rc.Ref != "og-shop-1" || rc.Status != erp.StatusAcknowledged {
		t.Errorf("receipt = %+v, want the order the lost import created", rc)
	}
	if n, m := len(b.fake.Imports()), len(b.fake.Orders()); n != 1 || m != 1 {
		t.Errorf("imports = %d, orders = %d; want 1 and 1", n, m)
	}
}

// An outcome the client cannot know is in doubt for a Submit, which may
// have created the order, and unavailable for everything else, which can
// simply be tried again.
func TestUnclearOutcomes_SubmitIsInDoubtTheRestUnavailable(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		breakIt func(t *testing.T, b bundle)
		cause   error // also in the error, if not nil
	}{
		{"ServerStallsPastTheTimeout", func(t *testing.T, b bundle) { b.fake.Stall() }, context.DeadlineExceeded},
		{"ServerGone", func(t *testing.T, b bundle) { b.srv.Close() }, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, func(_ *fishbowlfake.Config, cc *fishbowl.Config) { cc.Timeout = 50 * time.Millisecond })
			b.fake.SetStock("A", 5)
			if _, err := b.client.Availability(t.Context(), []string{"A"}); err != nil {
				t.Fatalf("Availability: %v", err) // logged in
			}
			c.breakIt(t, b)

			calls := []struct {
				name string
				kind error
				call func() error
			}{
				{"Submit", erp.ErrInDoubt, func() error {
					_, err := b.client.Submit(t.Context(), newOrder("1", line("A", 1)))
					return err
				}},
				{"Lookup", erp.ErrUnavailable, func() error { _, err := b.client.Lookup(t.Context(), "og-shop-1"); return err }},
				{"Cancel", erp.ErrUnavailable, func() error { return b.client.Cancel(t.Context(), "og-shop-1", "test") }},
				{"Availability", erp.ErrUnavailable, func() error { _, err := b.client.Availability(t.Context(), []string{"A"}); return err }},
			}
			for _, call := range calls {
				err := call.call()
				if !errors.Is(err, call.kind) {
					t.Errorf("%s: got %v, want %v", call.name, err, call.kind)
				}
				erpError(t, err)
				if c.cause != nil && !errors.Is(err, c.cause) {
					t.Errorf("%s: error %v does not wrap %v", call.name, err, c.cause)
				}
			}
		})
	}
}
