package fishbowl_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/erp/fishbowl"
	"github.com/ordergate/ordergate/internal/erp/fishbowl/fishbowlfake"
)

// erpError returns err's *erp.Error, failing t if there is none.
func erpError(t *testing.T, err error) *erp.Error {
	t.Helper()
	var e *erp.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not an *erp.Error", err)
	}
	return e
}

func TestLogin_RefusalsSayWhatTheOperatorMustFix(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		opt      option
		kind     error
		code     string
		wantWord []string // in the error, besides Fishbowl's words
		fishbowl string
	}{
		{
			name:     "WrongPassword",
			opt:      func(_ *fishbowlfake.Config, cc *fishbowl.Config) { cc.Password = "wrong" },
			kind:     erp.ErrAuth,
			wantWord: []string{"auth.username and auth.password", testUser},
			fishbowl: fishbowlfake.MsgBadLogin,
		},
		{
			name: "UserWithMFA",
			opt: func(fc *fishbowlfake.Config, _ *fishbowl.Config) {
				fc.Users[testUser] = fishbowlfake.User{Password: testPass, MFA: true}
			},
			kind:     erp.ErrAuth,
			code:     "mfa_required",
			wantWord: []string{"has MFA enabled; create an integration user without MFA"},
		},
		{
			name:     "AppNotYetApproved",
			opt:      func(fc *fishbowlfake.Config, _ *fishbowl.Config) { fc.RequireApproval = true },
			kind:     erp.ErrAuth,
			code:     "app_not_approved",
			wantWord: []string{"must approve it in Fishbowl's Integrations settings", `"ordergate" (app id 4711)`},
			fishbowl: fishbowlfake.MsgNewApp,
		},
		{
			name: "AllSeatsTaken",
			opt: func(fc *fishbowlfake.Config, _ *fishbowl.Config) {
				fc.Seats = 1
				fc.Users["clerk"] = fishbowlfake.User{Password: "pw"}
			},
			kind:     erp.ErrUnavailable,
			code:     "seats_in_use",
			wantWord: []string{"every Fishbowl licence seat is in use"},
			fishbowl: fishbowlfake.MsgLoginLimit,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, c.opt)
			if c.name == "AllSeatsTaken" {
				// A person holds the one seat.
				clerk := b.newClient(t, func(cc *fishbowl.Config) { cc.Username, cc.Password = "clerk", "pw" })
				if _, err := clerk.Availability(t.Context(), []string{"X"}); err != nil {
					t.Fatalf("clerk's login: %v", err)
				}
			}
			_, err := b.client.Lookup(t.Context(), "og-shop-1")
			if !errors.Is(err, c.kind) {
				t.Fatalf("Lookup: got %v, want %v", err, c.kind)
			}
			e := erpError(t, err)
			if e.Code != c.code {
				t.Errorf("code = %q, want %q", e.Code, c.code)
			}
			for _, w := range append(c.wantWord, c.fishbowl) {
				if !strings.Contains(e.Message, w) {
					t.Errorf("message %q lacks %q", e.Message, w)
				}
			}
			if strings.Contains(err.Error(), testPass) {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
}

func TestLogin_AppWorksOnceApproved(t *testing.T) {
	t.Parallel()
	b := setup(t, func(fc *fishbowlfake.Config, _ *fishbowl.Config) { fc.RequireApproval = true })
	b.fake.SetStock("A", 3)

	_, err := b.client.Availability(t.Context(), []string{"A"})
	if !strings.Contains(fmt.Sprint(err), fishbowlfake.MsgNewApp) {
		t.Fatalf("first login: %v, want Fishbowl's word that the app was added", err)
	}
	_, err = b.client.Availability(t.Context(), []string{"A"})
	if e := erpError(t, err); e.Code != "app_not_approved" || !strings.Contains(e.Message, fishbowlfake.MsgNotApproved) {
		t.Fatalf("second login: %v, want app_not_approved with Fishbowl's words", err)
	}
	b.fake.Approve(testAppID)
	got, err := b.client.Availability(t.Context(), []string{"A"})
	if err != nil || got["A"] != 3 {
		t.Fatalf("after approval: %v, %v; want A: 3", got, err)
	}
}

func TestLogin_AppIDUnderAnotherNameIsErrAuth(t *testing.T) {
	t.Parallel()
	b := setup(t)
	if _, err := b.client.Availability(t.Context(), []string{"A"}); err != nil {
		t.Fatalf("first app's login: %v", err)
	}
	other := b.newClient(t, func(cc *fishbowl.Config) { cc.AppName = "another app" })
	_, err := other.Availability(t.Context(), []string{"A"})
	if !errors.Is(err, erp.ErrAuth) {
		t.Fatalf("got %v, want ErrAuth", err)
	}
	if e := erpError(t, err); e.Code != "app_mismatch" || !strings.Contains(e.Message, "auth.app_name and auth.app_id") {
		t.Errorf("error = %+v, want app_mismatch naming the keys", e)
	}
}

func TestLogin_SendsTheAppAndBearerTokenOnEveryCall(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.fake.SetStock("A", 5)
	if _, err := b.client.Submit(t.Context(), newOrder("1", line("A", 1))); err != nil {
		t.Fatalf("Submit: %v", err)
	}
	reqs := b.fake.Requests()
	if len(reqs) < 2 || reqs[0].Method != http.MethodPost || reqs[0].Path != "/api/login" {
		t.Fatalf("first request = %+v, want POST /api/login", reqs[0])
	}
	if reqs[0].Authorization != "" || reqs[0].ContentType != "application/json" {
		t.Errorf("login sent Authorization %q, Content-Type %q; want none and application/json", reqs[0].Authorization, reqs[0].ContentType)
	}
	tok := reqs[1].Authorization
	if !strings.HasPrefix(tok, "Bearer ") || len(tok) != len("Bearer ")+36 {
		t.Fatalf("Authorization = %q, want Bearer and the session's UUID", tok)
	}
	for _, r := range reqs[1:] {
		if r.Authorization != tok {
			t.Errorf("%s %s sent Authorization %q, want %q", r.Method, r.Path, r.Authorization, tok)
		}
	}
}

func TestSession_ConcurrentCallsLogInOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.fake.SetStock("A", 100)
	const n = 16
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			_, err := b.client.Submit(t.Context(), newOrder(fmt.Sprint(i), line("A", 1)))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Submit: %v", err)
		}
	}
	if got := b.fake.Logins(); got != 1 {
		t.Errorf("%d concurrent Submits logged in %d times, want once", n, got)
	}
	if got := len(b.fake.Orders()); got != n {
		t.Errorf("Fishbowl holds %d orders, want %d", got, n)
	}
}

func TestSession_ForgottenSessionLogsInAgainOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.fake.SetStock("A", 5)
	if _, err := b.client.Availability(t.Context(), []string{"A"}); err != nil {
		t.Fatalf("Availability: %v", err)
	}
	b.fake.ExpireSessions() // Fishbowl restarted: the token is unknown, the fake answers 401

	got, err := b.client.Availability(t.Context(), []string{"A"})
	if err != nil || got["A"] != 5 {
		t.Fatalf("Availability after the session expired: %v, %v", got, err)
	}
	if n := b.fake.Logins(); n != 2 {
		t.Errorf("logins = %d, want 2: one more after the 401", n)
	}
}

func TestSession_RefusedAgainAfterANewLoginIsErrAuth(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for range 2 {
		b.fake.FailNext(http.MethodGet, "/api/parts/inventory", http.StatusUnauthorized, fishbowlfake.MsgInvalidToken, nil)
	}
	_, err := b.client.Availability(t.Context(), []string{"A"})
	if !errors.Is(err, erp.ErrAuth) {
		t.Fatalf("got %v, want ErrAuth", err)
	}
	if e := erpError(t, err); !strings.Contains(e.Message, fishbowlfake.MsgInvalidToken) {
		t.Errorf("message %q lacks Fishbowl's words", e.Message)
	}
	if n := b.fake.Logins(); n != 2 {
		t.Errorf("logins = %d, want 2: the first and the one retry", n)
	}
}

func TestClose_LogsOutFreeingTheSeat(t *testing.T) {
	t.Parallel()
	b := setup(t)
	if _, err := b.client.Availability(t.Context(), []string{"A"}); err != nil {
		t.Fatalf("Availability: %v", err)
	}
	if n := b.fake.SeatsInUse(); n != 1 {
		t.Fatalf("seats in use = %d, want 1", n)
	}
	if err := b.client.Close(t.Context()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if n := b.fake.SeatsInUse(); n != 0 {
		t.Errorf("seats in use after Close = %d, want 0", n)
	}
	if n := b.fake.Logouts(); n != 1 {
		t.Errorf("logouts = %d, want 1", n)
	}
	if err := b.client.Close(t.Context()); err != nil {
		t.Errorf("second Close: %v, want nil", err)
	}
	if _, err := b.client.Availability(t.Context(), []string{"A"}); err == nil {
		t.Errorf("Availability after Close succeeded; want an error, not a new session")
	}
	if n := b.fake.Logins(); n != 1 {
		t.Errorf("logins = %d, want 1: nothing after Close", n)
	}
}

func TestClose_WithoutASessionCallsNothing(t *testing.T) {
	t.Parallel()
	b := setup(t)
	if err := b.client.Close(t.Context()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if reqs := b.fake.Requests(); len(reqs) != 0 {
		t.Errorf("Close without a session sent %+v", reqs)
	}
}
