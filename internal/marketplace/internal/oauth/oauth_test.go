package oauth_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/marketplace"
	"github.com/ordergate/ordergate/internal/marketplace/internal/oauth"
)

func TestCache_RenewsAtItsMarginAndAfterForget(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	fetches := 0
	c := oauth.NewCache(func(context.Context) (string, time.Duration, error) {
		fetches++
		return "tok" + string(rune('0'+fetches)), 15 * time.Minute, nil
	}, func() time.Time { return now })
	get := func() string {
		t.Helper()
		tok, err := c.Token(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	if got := get(); got != "tok1" {
		t.Fatalf("first token %q", got)
	}
	now = now.Add(11*time.Minute + 59*time.Second)
	if got := get(); got != "tok1" {
		t.Errorf("before the margin: %q, want tok1", got)
	}
	now = now.Add(time.Second) // 12 minutes: 3 before the 15 are up
	if got := get(); got != "tok2" {
		t.Errorf("at the margin: %q, want tok2", got)
	}
	c.Forget("tok1") // an old token: nothing happens
	if got := get(); got != "tok2" {
		t.Errorf("after forgetting an old token: %q, want tok2", got)
	}
	c.Forget("tok2")
	if got := get(); got != "tok3" {
		t.Errorf("after forgetting the token: %q, want tok3", got)
	}
	if m := oauth.Margin(time.Hour); m != 5*time.Minute {
		t.Errorf("Margin(1h) = %s, want 5m", m)
	}
}

func TestExchange_MapsFailuresAndKeepsSecretsOut(t *testing.T) {
	t.Parallel()
	const secret = "SUPER-SECRET-123"
	cases := []struct {
		name   string
		status int
		body   string
		header map[string]string
		kind   error
		text   string
		wait   time.Duration
	}{
		{"oauth invalid_grant", 400, `{"error":"invalid_grant","error_description":"bad refresh token ` + secret + `"}`, nil,
			marketplace.ErrAuth, "(http 400, invalid_grant): get access token: bad refresh token [redacted]", 0},
		{"walmart list", 401, `{"errors":[{"code":"UNAUTHORIZED.GMP_GATEWAY_API","description":"Unauthorized"}]}`, nil,
			marketplace.ErrAuth, "UNAUTHORIZED.GMP_GATEWAY_API", 0},
		{"walmart nested", 401, `{"errors":{"error":[{"code":"UNAUTHORIZED.GMP_GATEWAY_API","info":"Unauthorized token"}]}}`, nil,
			marketplace.ErrAuth, "Unauthorized token", 0},
		{"throttled", 429, `{}`, map[string]string{"Retry-After": "3"}, marketplace.ErrThrottled, "http 429", 3 * time.Second},
		{"down", 503, `oops`, nil, marketplace.ErrUnavailable, "http 503", 0},
		{"no token", 200, `{"expires_in":900}`, nil, marketplace.ErrUnavailable, "no access_token", 0},
		{"no expiry", 200, `{"access_token":"t"}`, nil, marketplace.ErrUnavailable, "expires_in", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				for k, v := range c.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(c.status)
				_, _ = w.Write([]byte(c.body))
			}))
			t.Cleanup(srv.Close)
			req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader("x"))
			_, _, err := oauth.Exchange(context.Background(), srv.Client(), req, "mp", time.Now(), secret)
			if !errors.Is(err, c.kind) || !strings.Contains(err.Error(), c.text) {
				t.Errorf("error = %v, want %v containing %q", err, c.kind, c.text)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error %q holds the secret", err)
			}
			if got := marketplace.RetryAfter(err); got != c.wait {
				t.Errorf("RetryAfter = %s, want %s", got, c.wait)
			}
		})
	}
}

func TestExchange_ReadsAToken(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"access_token":"Atza|abc","token_type":"bearer","expires_in":3600,"refresh_token":"Atzr|x"}`))
	}))
	t.Cleanup(srv.Close)
	req, _ := http.NewRequest(http.MethodPost, srv.URL, nil)
	tok, life, err := oauth.Exchange(context.Background(), srv.Client(), req, "amazon", time.Now())
	if err != nil || tok != "Atza|abc" || life != time.Hour {
		t.Errorf("Exchange = %q, %s, %v", tok, life, err)
	}
}
