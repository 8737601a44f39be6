package netsuite

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/ordergate/ordergate/internal/order"
)

func TestCustomerExternalID_OnePerEmailInAnyCaseElseOnePerOrder(t *testing.T) {
	t.Parallel()
	with := func(storefront, id, email string) order.Order {
		return order.Order{Key: order.Key{Storefront: storefront, ID: id}, Customer: order.Customer{Email: email}}
	}
	a := customerExternalID(with("shop", "1", "ada@example.com"))
	// Pinned: changing the rule would give every returning buyer a
	// second customer record.
	if a != "og-cust-1a37e5425546878289fe" {
		t.Errorf("external id = %q, changed", a)
	}
	for _, o := range []order.Order{with("shop", "2", " ADA@Example.com "), with("other", "9", "Ada@example.COM")} {
		if got := customerExternalID(o); got != a {
			t.Errorf("external id for %q = %q, want %q", o.Customer.Email, got, a)
		}
	}
	if customerExternalID(with("shop", "1", "bob@example.com")) == a {
		t.Error("two e-mails share a customer")
	}
	n1, n2 := customerExternalID(with("shop", "1", "")), customerExternalID(with("shop", "2", ""))
	if n1 == n2 || n1 == a || n1 != customerExternalID(with("shop", "1", "  ")) {
		t.Errorf("without e-mail: %q, %q; want one per order, stable", n1, n2)
	}
	if netsuiteExternalID(a) != a || netsuiteExternalID(n1) != n1 {
		t.Error("a customer external id needs encoding for NetSuite")
	}
}

func TestCustomerNames(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 40)
	cases := []struct{ name, email, first, last string }{
		{"Ada Buyer", "", "Ada", "Buyer"},
		{"  Mary   Ann  Smith ", "", "Mary Ann", "Smith"},
		{"Cher", "", "Cher", "-"},
		{"", "ada.buyer@example.com", "ada.buyer", "-"},
		{"", "", "Order", "og-shop-1"},
		{long + " " + long, "", strings.Repeat("x", 32), strings.Repeat("x", 32)},
		{"Zoë Ångström", "", "Zoë", "Ångström"},
	}
	for _, c := range cases {
		o := order.Order{Key: order.Key{Storefront: "shop", ID: "1"}, Customer: order.Customer{Name: c.name, Email: c.email}}
		if first, last := customerNames(o); first != c.first || last != c.last {
			t.Errorf("customerNames(%q, %q) = %q, %q; want %q, %q", c.name, c.email, first, last, c.first, c.last)
		}
	}
}

func TestCustomerPhone_LeavesOffWhatNetSuiteWouldRefuse(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"+1 (555) 010-0199":     "+1 (555) 010-0199",
		" 020 7946 0958 ":       "020 7946 0958",
		"555.0100":              "555.0100",
		"555-01":                "",
		"call after 5":          "",
		"+1 555 010 0199 x":     "",
		"":                      "",
		strings.Repeat("1", 33): "",
	} {
		if got := customerPhone(in); got != want {
			t.Errorf("customerPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCustomerCache_KeepsTheMostRecentlyUsedWithinItsBound(t *testing.T) {
	t.Parallel()
	cc := newCustomerCache(3)
	for i := range 3 {
		cc.put("e"+strconv.Itoa(i), strconv.Itoa(i))
	}
	cc.get("e0") // e1 is now the least recently used
	cc.put("e3", "3")
	if _, ok := cc.get("e1"); ok {
		t.Error("e1 kept over the bound")
	}
	for _, k := range []string{"e0", "e2", "e3"} {
		if _, ok := cc.get(k); !ok {
			t.Errorf("%s forgotten", k)
		}
	}
	if n := cc.len(); n != 3 {
		t.Errorf("len = %d, want 3", n)
	}
	cc.forget("e2")
	if _, ok := cc.get("e2"); ok || cc.len() != 2 {
		t.Errorf("e2 not forgotten (len %d)", cc.len())
	}
}

func TestCustomerCache_OneLookUpPerCustomerAtATime(t *testing.T) {
	t.Parallel()
	for _, leaderFails := range []bool{false, true} {
		t.Run(map[bool]string{false: "WaiterTakesTheAnswer", true: "WaiterTriesItselfAfterAFailure"}[leaderFails], func(t *testing.T) {
			t.Parallel()
			cc := newCustomerCache(10)
			waiting := make(chan struct{})
			cc.onWait = func() { close(waiting) }
			started, release := make(chan struct{}), make(chan struct{})
			leader := make(chan error, 1)
			go func() {
				_, err := cc.do(t.Context(), "e", func() (string, error) {
					close(started)
					<-release
					if leaderFails {
						return "", errors.New("caller went away")
					}
					return "7", nil
				})
				leader <- err
			}()
			<-started
			followerRan := false
			type result struct {
				id  string
				err error
			}
			follower := make(chan result, 1)
			go func() {
				id, err := cc.do(t.Context(), "e", func() (string, error) { followerRan = true; return "8", nil })
				follower <- result{id, err}
			}()
			<-waiting
			close(release)
			r := <-follower
			<-leader
			want := map[bool]string{false: "7", true: "8"}[leaderFails]
			if r.err != nil || r.id != want || followerRan != leaderFails {
				t.Errorf("follower = %q, %v (ran its own: %v); want %q", r.id, r.err, followerRan, want)
			}
			if id, ok := cc.get("e"); !ok || id != want {
				t.Errorf("cached %q, %v; want %q", id, ok, want)
			}
		})
	}
	t.Run("WaiterWhoseContextEndsIsUnavailable", func(t *testing.T) {
		t.Parallel()
		cc := newCustomerCache(10)
		ctx, cancel := context.WithCancel(t.Context())
		cc.onWait = cancel
		started, release := make(chan struct{}), make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			cc.do(t.Context(), "e", func() (string, error) { close(started); <-release; return "7", nil })
		}()
		<-started
		_, err := cc.do(ctx, "e", func() (string, error) { t.Error("waiter ran its own look-up"); return "", nil })
		close(release)
		<-done
		if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "erp unavailable") {
			t.Errorf("do = %v, want unavailable and cancelled", err)
		}
	})
}
