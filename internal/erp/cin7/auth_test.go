package cin7_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/erp/cin7"
	"github.com/ordergate/ordergate/internal/erp/cin7/cin7fake"
)

// The fake checks both headers against the account's credentials; a client
// with either wrong gets Cin7's 403 on every operation, as erp.ErrAuth with
// a message that says what to fix and shows no secret.
func TestAuth_WrongCredentialsAreErrAuthOnEveryOperation(t *testing.T) {
	t.Parallel()
	ops := map[string]func(context.Context, *cin7.Client) error{
		"Submit": func(ctx context.Context, c *cin7.Client) error {
			_, err := c.Submit(ctx, testOrder("1", "A", 1))
			return err
		},
		"Lookup": func(ctx context.Context, c *cin7.Client) error {
			_, err := c.Lookup(ctx, "og-shop-1")
			return err
		},
		"Cancel": func(ctx context.Context, c *cin7.Client) error { return c.Cancel(ctx, "og-shop-1", "test") },
		"Availability": func(ctx context.Context, c *cin7.Client) error {
			_, err := c.Availability(ctx, []string{"A"})
			return err
		},
	}
	creds := []struct{ name, account, key string }{
		{"wrong key", testAccount, "0342a546-e0c2-0dff-f0be-000000000000"},
		{"wrong account", "00000000-cd93-49c9-a201-26b4b5d0d35b", testKey},
	}
	for _, cr := range creds {
		for name, op := range ops {
			t.Run(cr.name+"/"+name, func(t *testing.T) {
				t.Parallel()
				b := setup(t, func(_ *cin7fake.Config, c *cin7.Config) { c.AccountID, c.ApplicationKey = cr.account, cr.key })
				b.erp.SetStock("A", 5)
				err := op(t.Context(), b.client)
				var e *erp.Error
				if !errors.As(err, &e) || !errors.Is(err, erp.ErrAuth) {
					t.Fatalf("%v, want an *erp.Error that is ErrAuth", err)
				}
				for _, w := range []string{"http 403", "auth.account_id", "auth.application_key", "Integrations › API"} {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not say %q", err, w)
					}
				}
				if strings.Contains(err.Error(), cr.key) || strings.Contains(err.Error(), cr.account) {
					t.Errorf("error %q shows a credential", err)
				}
				reqs := b.erp.Requests()
				if len(reqs) != 1 || reqs[0].Status != http.StatusForbidden {
					t.Errorf("the fake answered %+v, want one 403 (nothing after it)", reqs)
				}
				if len(b.erp.Sales()) != 0 {
					t.Errorf("the fake holds sales after a refused call")
				}
			})
		}
	}
}

// The right credentials are let through, and the headers are what make the
// difference: the same client with the right pair reaches the account.
func TestAuth_RightCredentialsReachTheAccount(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.erp.SetStock("A", 5)
	got, err := b.client.Availability(t.Context(), []string{"A"})
	if err != nil || got["A"] != 5 {
		t.Fatalf("Availability = %v, %v; want A: 5", got, err)
	}
}
