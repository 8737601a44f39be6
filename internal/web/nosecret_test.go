package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/order"
)

// TestDashboard_NeverShowsAToken signs in with each token and reads every
// page, asset and API answer the dashboard uses, the refusals included,
// and looks for the tokens (and the session cookie) in what came back.
func TestDashboard_NeverShowsAToken(t *testing.T) {
	t.Parallel()
	e := setupEdge(t, edgeOptions{})
	key := e.seed(t, order.Order{Key: order.Key{Storefront: shop1, ID: "7001"}, Customer: order.Customer{Email: "a@example.com"}}, time.Now(),
		func(o *order.Order) error { o.Flag("check me", "gate", time.Now()); return nil })
	const pasted = "og-someone-elses-secret-9d1e"
	secrets := []string{edgeAdminToken, edgeReadOnlyToken, pasted}

	var answers []struct {
		what string
		r    reply
	}
	record := func(what string, r reply) {
		answers = append(answers, struct {
			what string
			r    reply
		}{what, r})
	}
	form := func(r *http.Request) {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	// The refusals: a wrong token pasted into the form, and the form again.
	record("POST /login wrong", e.do(t, http.MethodPost, "/login", url.Values{"token": {pasted}, "name": {"x"}}.Encode(), form))
	record("GET /login", e.do(t, http.MethodGet, "/login", "", nil))
	record("GET /api/v1/orders wrong bearer", e.do(t, http.MethodGet, "/api/v1/orders", "", bearer(pasted)))

	var cookies []string
	for _, token := range []string{edgeAdminToken, edgeReadOnlyToken} {
		r := e.do(t, http.MethodPost, "/login", url.Values{"token": {token}, "next": {"/"}}.Encode(), form)
		record("POST /login right", r)
		c := e.login(t, token, "ops")
		cookies = append(cookies, c.Value)
		csrf := e.csrfOf(t, c)
		paths := []string{
			"/", "/orders", "/orders/" + key.String(), "/attention", "/login",
			"/api/v1/session", "/api/v1/stats", "/api/v1/orders", "/api/v1/orders?attention=true",
			"/api/v1/orders/" + key.String(), "/api/v1/search?q=7001", "/api/v1/storefronts",
		}
		for name := range assets {
			paths = append(paths, "/assets/"+name)
		}
		for _, path := range paths {
			record("GET "+path, e.do(t, http.MethodGet, path, "", withCookie(c, "")))
		}
		record("POST release", e.do(t, http.MethodPost, "/api/v1/orders/"+key.String()+"/release", "", withCookie(c, csrf)))
		record("POST logout", e.do(t, http.MethodPost, "/logout", "", withCookie(c, csrf)))
	}

	for _, a := range answers {
		var head strings.Builder
		for name, values := range a.r.header {
			if name == "Set-Cookie" {
				continue // the session cookie is the one place a session lives
			}
			head.WriteString(name + ": " + strings.Join(values, ", ") + "\n")
		}
		for _, s := range secrets {
			if strings.Contains(string(a.r.body), s) || strings.Contains(head.String(), s) {
				t.Errorf("%s (%d) shows a token", a.what, a.r.status)
			}
		}
		for _, c := range cookies {
			if strings.Contains(string(a.r.body), c) {
				t.Errorf("%s (%d) shows a session cookie", a.what, a.r.status)
			}
		}
		for _, set := range a.r.header.Values("Set-Cookie") {
			for _, s := range secrets {
				if strings.Contains(set, s) {
					t.Errorf("%s sets a cookie holding a token", a.what)
				}
			}
		}
	}
	if len(answers) < 30 {
		t.Fatalf("only %d answers looked at", len(answers))
	}
}
