package web

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/order"
)

func TestAPI_ReadsNeedATokenOrASession(t *testing.T) {
	t.Parallel()
	e := setupEdge(t, edgeOptions{})
	key := e.seed(t, order.Order{Key: order.Key{Storefront: shop1, ID: "1001"}}, time.Now())
	admin := e.login(t, edgeAdminToken, "alice")
	readOnly := e.login(t, edgeReadOnlyToken, "")
	forged := &http.Cookie{Name: cookieName, Value: admin.Value[:strings.Index(admin.Value, ".")] + ".AAAA"}
	tests := []struct {
		name     string
		with     func(*http.Request)
		want     int
		wantRole string
	}{
		{"NothingIs401", nil, http.StatusUnauthorized, ""},
		{"WrongTokenIs401", bearer("og-admin-guess"), http.StatusUnauthorized, ""},
		{"AdminTokenIs200", bearer(edgeAdminToken), http.StatusOK, "admin"},
		{"ReadOnlyTokenIs200", bearer(edgeReadOnlyToken), http.StatusOK, "read_only"},
		{"AdminSessionIs200", withCookie(admin, ""), http.StatusOK, "admin"},
		{"ReadOnlySessionIs200", withCookie(readOnly, ""), http.StatusOK, "read_only"},
		{"ForgedSessionIs401", withCookie(forged, ""), http.StatusUnauthorized, ""},
		{"GarbageSessionIs401", withCookie(&http.Cookie{Name: cookieName, Value: "not-a-session"}, ""), http.StatusUnauthorized, ""},
		// A bad bearer token is not rescued by a good cookie.
		{"WrongTokenWithSessionIs401", func(r *http.Request) { bearer("nope")(r); r.AddCookie(admin) }, http.StatusUnauthorized, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, path := range []string{"/api/v1/orders", "/api/v1/orders/" + key.String(), "/api/v1/stats", "/api/v1/search?q=1001", "/api/v1/storefronts", "/api/v1/session"} {
				r := e.do(t, http.MethodGet, path, "", tt.with)
				if r.status != tt.want {
					t.Errorf("GET %s: %d %s, want %d", path, r.status, r.body, tt.want)
				}
				if r.status == http.StatusUnauthorized && !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("GET %s: 401 without a Bearer challenge", path)
				}
				if got := r.header.Get("Cache-Control"); got != "no-store" {
					t.Errorf("GET %s: Cache-Control %q, want no-store", path, got)
				}
			}
			if tt.wantRole != "" {
				if got := e.do(t, http.MethodGet, "/api/v1/session", "", tt.with).field(t, "role"); got != tt.wantRole {
					t.Errorf("session role %q, want %q", got, tt.wantRole)
				}
			}
		})
	}
}

func TestActions_ReadOnlyIsRefusedAndNothingChanges(t *testing.T) {
	t.Parallel()
	e := setupEdge(t, edgeOptions{})
	key := e.seed(t, order.Order{Key: order.Key{Storefront: shop1, ID: "1002"}}, time.Now())
	before := e.snapshot(t, key)
	readOnly := e.login(t, edgeReadOnlyToken, "")
	csrf := e.csrfOf(t, readOnly)
	for name, with := range map[string]func(*http.Request){
		"bearer":  bearer(edgeReadOnlyToken),
		"session": withCookie(readOnly, csrf),
	} {
		for _, action := range []string{"retry", "release", "cancel", "replay", "no-such-action"} {
			r := e.do(t, http.MethodPost, "/api/v1/orders/"+key.String()+"/"+action, "", with)
			if r.status != http.StatusForbidden {
				t.Errorf("%s: POST %s: %d %s, want 403", name, action, r.status, r.body)
			}
		}
	}
	if after := e.snapshot(t, key); after != before {
		t.Errorf("a refused action changed the order: %+v, was %+v", after, before)
	}
}

func TestActions_ASessionNeedsItsCSRFTokenAndOrigin(t *testing.T) {
	t.Parallel()
	e := setupEdge(t, edgeOptions{})
	key := e.seed(t, order.Order{Key: order.Key{Storefront: shop1, ID: "1003"}}, time.Now())
	admin := e.login(t, edgeAdminToken, "alice")
	other := e.login(t, edgeAdminToken, "mallory")
	csrf, otherCSRF := e.csrfOf(t, admin), e.csrfOf(t, other)
	if csrf == otherCSRF {
		t.Fatal("two sessions share a CSRF token")
	}
	path := "/api/v1/orders/" + key.String() + "/cancel"
	before := e.snapshot(t, key)
	tests := []struct {
		name string
		with func(*http.Request)
	}{
		{"NoToken", withCookie(admin, "")},
		{"WrongToken", withCookie(admin, "AAAA")},
		{"AnotherSessionsToken", withCookie(admin, otherCSRF)},
		{"CrossSite", func(r *http.Request) { withCookie(admin, csrf)(r); r.Header.Set("Sec-Fetch-Site", "cross-site") }},
		{"SameSiteButNotSameOrigin", func(r *http.Request) { withCookie(admin, csrf)(r); r.Header.Set("Sec-Fetch-Site", "same-site") }},
		{"OldBrowserOtherOrigin", func(r *http.Request) {
			withCookie(admin, csrf)(r)
			r.Header.Del("Sec-Fetch-Site")
			r.Header.Set("Origin", "https://evil.example")
		}},
	}
	for _, tt := range tests {
		r := e.do(t, http.MethodPost, path, `{"reason":"test"}`, tt.with)
		if r.status != http.StatusForbidden {
			t.Errorf("%s: %d %s, want 403", tt.name, r.status, r.body)
		}
	}
	if after := e.snapshot(t, key); after != before {
		t.Fatalf("a refused action changed the order: %+v, was %+v", after, before)
	}

	r := e.do(t, http.MethodPost, path, `{"reason":"customer asked"}`, withCookie(admin, csrf))
	if r.status != http.StatusOK {
		t.Fatalf("with its CSRF token: %d %s, want 200", r.status, r.body)
	}
	if after := e.snapshot(t, key); after.State != order.Cancelled {
		t.Errorf("state %s after the cancel, want cancelled", after.State)
	}
	tl, err := e.store.Timeline(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	last := tl[len(tl)-1]
	if last.Kind != order.EventOperator || !strings.Contains(last.Detail, "cancel by alice via api") || !strings.Contains(last.Detail, "customer asked") {
		t.Errorf("last timeline entry %+v, want the operator's cancel by alice with the reason", last)
	}
}

func TestActions_BearerNeedsNoCSRFToken(t *testing.T) {
	t.Parallel()
	e := setupEdge(t, edgeOptions{})
	key := e.seed(t, order.Order{Key: order.Key{Storefront: shop1, ID: "1004"}}, time.Now())
	r := e.do(t, http.MethodPost, "/api/v1/orders/"+key.String()+"/cancel", "", func(r *http.Request) {
		bearer(edgeAdminToken)(r)
		r.Header.Set(HeaderActor, "ops-script")
	})
	if r.status != http.StatusOK {
		t.Fatalf("bearer cancel: %d %s", r.status, r.body)
	}
	if got := e.snapshot(t, key).State; got != order.Cancelled {
		t.Errorf("state %s, want cancelled", got)
	}
}

func TestLogin_SetsAStrictHttpOnlyCookie(t *testing.T) {
	t.Parallel()
	e := setupEdge(t, edgeOptions{})
	tests := []struct {
		name       string
		proto      string
		next       string
		wantSecure bool
		wantTo     string
	}{
		{"PlainHTTP", "", "/orders?state=rejected", false, "/orders?state=rejected"},
		{"BehindTLSProxy", "https", "/attention", true, "/attention"},
		{"NextOffSiteGoesHome", "", "//evil.example/x", false, "/"},
		{"NextAbsoluteGoesHome", "", "https://evil.example/", false, "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			form := url.Values{"token": {edgeAdminToken}, "next": {tt.next}}.Encode()
			r := e.do(t, http.MethodPost, "/login", form, func(r *http.Request) {
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				r.Header.Set("Sec-Fetch-Site", "same-origin")
				if tt.proto != "" {
					r.Header.Set("X-Forwarded-Proto", tt.proto)
				}
			})
			if r.status != http.StatusSeeOther || r.header.Get("Location") != tt.wantTo {
				t.Fatalf("sign in: %d to %q, want 303 to %q", r.status, r.header.Get("Location"), tt.wantTo)
			}
			cookies := (&http.Response{Header: r.header}).Cookies()
			if len(cookies) != 1 {
				t.Fatalf("%d cookies set, want 1", len(cookies))
			}
			c := cookies[0]
			if c.Name != cookieName || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.Secure != tt.wantSecure {
				t.Errorf("cookie %+v, want %s HttpOnly SameSite=Strict Path=/ Secure=%v", c, cookieName, tt.wantSecure)
			}
			if ttl := time.Duration(c.MaxAge) * time.Second; ttl != DefaultSessionTTL {
				t.Errorf("cookie lasts %s, want %s", ttl, DefaultSessionTTL)
			}
		})
	}
}

func TestLogin_RefusesWrongTokensAndOtherSites(t *testing.T) {
	t.Parallel()
	e := setupEdge(t, edgeOptions{})
	tests := []struct {
		name  string
		token string
		site  string
		want  int
	}{
		{"WrongToken", "og-admin-guess", "same-origin", http.StatusUnauthorized},
		{"EmptyToken", "", "same-origin", http.StatusUnauthorized},
		{"FromAnotherSite", edgeAdminToken, "cross-site", http.StatusForbidden},
	}
	for _, tt := range tests {
		r := e.do(t, http.MethodPost, "/login", url.Values{"token": {tt.token}}.Encode(), func(r *http.Request) {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("Sec-Fetch-Site", tt.site)
		})
		if r.status != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, r.status, tt.want)
		}
		if len(r.header.Values("Set-Cookie")) != 0 {
			t.Errorf("%s: a refused sign-in set a cookie", tt.name)
		}
		if !strings.Contains(string(r.body), `id="token"`) {
			t.Errorf("%s: the answer is not the login form again", tt.name)
		}
	}
}

func TestLogin_TooManyFailuresAreRefusedForAWhile(t *testing.T) {
	t.Parallel()
	e := setupEdge(t, edgeOptions{})
	post := func(token string) int {
		return e.do(t, http.MethodPost, "/login", url.Values{"token": {token}}.Encode(), func(r *http.Request) {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}).status
	}
	for i := range loginFailures {
		if got := post("guess"); got != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d, want 401", i+1, got)
		}
	}
	if got := post(edgeAdminToken); got != http.StatusTooManyRequests {
		t.Errorf("right token after %d failures: %d, want 429", loginFailures, got)
	}
	e.clock.Add(loginWindow)
	if got := post(edgeAdminToken); got != http.StatusSeeOther {
		t.Errorf("right token once the window passed: %d, want 303", got)
	}
}

func TestLogout_EndsTheSessionOnlyWithItsCSRFToken(t *testing.T) {
	t.Parallel()
	e := setupEdge(t, edgeOptions{})
	c := e.login(t, edgeAdminToken, "alice")
	csrf := e.csrfOf(t, c)

	if r := e.do(t, http.MethodPost, "/logout", "", withCookie(c, "")); r.status != http.StatusForbidden {
		t.Fatalf("sign out without the CSRF token: %d, want 403", r.status)
	}
	if r := e.do(t, http.MethodGet, "/api/v1/orders", "", withCookie(c, "")); r.status != http.StatusOK {
		t.Fatalf("a refused sign-out ended the session: %d", r.status)
	}
	r := e.do(t, http.MethodPost, "/logout", "", withCookie(c, csrf))
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/login") {
		t.Fatalf("sign out: %d to %q, want 303 to /login", r.status, r.header.Get("Location"))
	}
	cleared := (&http.Response{Header: r.header}).Cookies()
	if len(cleared) != 1 || cleared[0].Name != cookieName || cleared[0].MaxAge >= 0 {
		t.Errorf("sign out cookies %+v, want %s cleared", cleared, cookieName)
	}
	// A copy of the cookie kept from before is dead too.
	if r := e.do(t, http.MethodGet, "/api/v1/orders", "", withCookie(c, "")); r.status != http.StatusUnauthorized {
		t.Errorf("old cookie after sign out: %d, want 401", r.status)
	}
	if r := e.do(t, http.MethodGet, "/", "", withCookie(c, "")); r.status != http.StatusSeeOther {
		t.Errorf("dashboard with the old cookie: %d, want 303 to sign in", r.status)
	}
}

func TestSession_ExpiresAfterItsTTL(t *testing.T) {
	t.Parallel()
	e := setupEdge(t, edgeOptions{})
	c := e.login(t, edgeAdminToken, "")
	e.clock.Add(DefaultSessionTTL - time.Second)
	if r := e.do(t, http.MethodGet, "/api/v1/orders", "", withCookie(c, "")); r.status != http.StatusOK {
		t.Fatalf("a second before expiry: %d, want 200", r.status)
	}
	e.clock.Add(time.Second)
	r := e.do(t, http.MethodGet, "/api/v1/orders", "", withCookie(c, ""))
	if r.status != http.StatusUnauthorized || !strings.Contains(r.field(t, "error"), "expired") {
		t.Errorf("at expiry: %d %s, want 401 saying expired", r.status, r.body)
	}
	page := e.do(t, http.MethodGet, "/orders?state=rejected", "", withCookie(c, ""))
	loc, _ := url.Parse(page.header.Get("Location"))
	if page.status != http.StatusSeeOther || loc.Path != "/login" || loc.Query().Get("ended") != "expired" || loc.Query().Get("next") != "/orders?state=rejected" {
		t.Errorf("page at expiry: %d to %q, want 303 to /login with ended=expired and the page as next", page.status, page.header.Get("Location"))
	}
	login := e.do(t, http.MethodGet, page.header.Get("Location"), "", nil)
	if !strings.Contains(string(login.body), "Your session expired") {
		t.Errorf("login page after expiry does not say so:\n%s", login.body)
	}
}

func TestSession_OutlivesARestartButNotItsToken(t *testing.T) {
	t.Parallel()
	e := setupEdge(t, edgeOptions{})
	c := e.login(t, edgeAdminToken, "")
	// Another process with the same tokens (a restart, a replica) takes
	// the cookie; one whose configuration dropped the token does not.
	for _, tt := range []struct {
		name   string
		tokens []string
		want   int
	}{
		{"SameTokens", []string{edgeAdminToken}, http.StatusOK},
		{"TokenRemoved", []string{"og-admin-new-token"}, http.StatusUnauthorized},
	} {
		srv := New(e.srv.gate, e.store, Config{AdminTokens: tt.tokens})
		req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/api/v1/session", nil)
		req.AddCookie(c)
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		if rec.Code != tt.want {
			t.Errorf("%s: %d %s, want %d", tt.name, rec.Code, rec.Body, tt.want)
		}
	}
}

func TestSession_TamperedCookieIsRefused(t *testing.T) {
	t.Parallel()
	e := setupEdge(t, edgeOptions{})
	c := e.login(t, edgeReadOnlyToken, "bob")
	payload, sig, _ := strings.Cut(c.Value, ".")
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		t.Fatal(err)
	}
	var p cookiePayload
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatal(err)
	}
	// Lengthen the session and point it at the admin token's id.
	p.Expires += 3600
	p.Token = e.srv.creds[0].id
	raw, _ = json.Marshal(p)
	tampered := &http.Cookie{Name: cookieName, Value: base64.RawURLEncoding.EncodeToString(raw) + "." + sig}
	if r := e.do(t, http.MethodGet, "/api/v1/session", "", withCookie(tampered, "")); r.status != http.StatusUnauthorized {
		t.Errorf("tampered cookie: %d %s, want 401", r.status, r.body)
	}
}

func TestPages_NeedASession(t *testing.T) {
	t.Parallel()
	e := setupEdge(t, edgeOptions{})
	c := e.login(t, edgeReadOnlyToken, "")
	for _, path := range []string{"/", "/orders", "/orders/shop1/1001", "/attention"} {
		r := e.do(t, http.MethodGet, path, "", nil)
		if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/login?next=") {
			t.Errorf("GET %s without a session: %d to %q, want 303 to /login", path, r.status, r.header.Get("Location"))
		}
		// A bearer token is for the API; the pages want the cookie.
		if r := e.do(t, http.MethodGet, path, "", bearer(edgeAdminToken)); r.status != http.StatusSeeOther {
			t.Errorf("GET %s with a bearer token: %d, want 303 to /login", path, r.status)
		}
		r = e.do(t, http.MethodGet, path, "", withCookie(c, ""))
		if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
			t.Errorf("GET %s with a session: %d %s", path, r.status, r.header.Get("Content-Type"))
		}
		if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("GET %s: Content-Security-Policy %q", path, csp)
		}
	}
	// Signed in, the login page sends the operator on.
	if r := e.do(t, http.MethodGet, "/login?next=/attention", "", withCookie(c, "")); r.status != http.StatusSeeOther || r.header.Get("Location") != "/attention" {
		t.Errorf("login page when signed in: %d to %q, want 303 to /attention", r.status, r.header.Get("Location"))
	}
}
