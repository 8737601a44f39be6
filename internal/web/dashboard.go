package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
)

// The dashboard is a page shell, a login form and static assets, all in
// the binary. The shell has no data of its own: its script reads the same
// /api/v1 JSON every other client reads, with the session cookie.
//
//go:embed dashboard
var dashboardFS embed.FS

// contentSecurityPolicy allows nothing from outside and no inline script
// or style: everything the pages use is under /assets.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// asset is one embedded file, with what its answer needs.
type asset struct {
	body        []byte
	contentType string
	etag        string
}

var (
	assets     = loadAssets()
	shell      = mustRead("dashboard/index.html")
	loginPageT = template.Must(template.ParseFS(dashboardFS, "dashboard/login.html"))
)

func loadAssets() map[string]asset {
	out := make(map[string]asset)
	entries, err := fs.ReadDir(dashboardFS, "dashboard/assets")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		body := mustRead("dashboard/assets/" + e.Name())
		sum := sha256.Sum256(body)
		ct := mime.TypeByExtension(path.Ext(e.Name()))
		if ct == "" {
			ct = "application/octet-stream"
		}
		out[e.Name()] = asset{body: body, contentType: ct, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
	}
	return out
}

func mustRead(name string) []byte {
	b, err := dashboardFS.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return b
}

// dashboardRoutes adds the dashboard's pages, its sign-in and sign-out,
// and its assets.
func (s *Server) dashboardRoutes(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(pageHeaders)
		for _, p := range []string{"/", "/orders", "/orders/{storefront}/{order_id}", "/attention"} {
			r.Get(p, s.page)
		}
		r.Get("/login", s.loginPage)
		r.Post("/login", s.login)
		r.Post("/logout", s.logout)
		r.Get("/assets/{name}", serveAsset)
	})
}

// pageHeaders keep the dashboard in its own frame-less, same-origin box.
func pageHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// page serves the shell of every dashboard page to a signed-in operator;
// the script draws the page the path names. Anyone else is sent to sign in.
func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	if _, err := s.sessionFrom(r); err != nil {
		q := url.Values{"next": {r.URL.RequestURI()}}
		if err != errNoSession {
			q.Set("ended", err.Error())
		}
		http.Redirect(w, r, "/login?"+q.Encode(), http.StatusSeeOther)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(shell)
}

func serveAsset(w http.ResponseWriter, r *http.Request) {
	a, ok := assets[chi.URLParam(r, "name")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", a.contentType)
	w.Header().Set("ETag", a.etag)
	w.Header().Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
}

// loginView is what the login template shows. It never holds a token.
type loginView struct {
	Next    string
	Name    string
	Error   string
	Notice  string
	Expires string
}

func (s *Server) renderLogin(w http.ResponseWriter, status int, v loginView) {
	v.Expires = inWords(s.sessionTTL)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := loginPageT.Execute(w, v); err != nil {
		s.log.Error("render the login page", "err", err)
	}
}

// inWords says a duration as a person would: "12 hours", "30 minutes".
func inWords(d time.Duration) string {
	unit, n := "", int64(0)
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		unit, n = "hour", int64(d/time.Hour)
	case d >= time.Minute && d%time.Minute == 0:
		unit, n = "minute", int64(d/time.Minute)
	default:
		return d.String()
	}
	if n != 1 {
		unit += "s"
	}
	return strconv.FormatInt(n, 10) + " " + unit
}

// localPath returns next if it is a path on this server, "/" otherwise,
// so that the login form cannot be made to send an operator elsewhere.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/"
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return next
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	next := localPath(q.Get("next"))
	if _, err := s.sessionFrom(r); err == nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	v := loginView{Next: next}
	switch {
	case q.Get("ended") == errSessionExpired.Error():
		v.Notice = "Your session expired. Sign in again."
	case q.Get("ended") != "":
		v.Notice = "Your session ended. Sign in again."
	case q.Has("signed_out"):
		v.Notice = "You are signed out."
	}
	s.renderLogin(w, http.StatusOK, v)
}

// login checks a pasted token and, when it is one of ours, opens a session.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		s.renderLogin(w, http.StatusBadRequest, loginView{Next: "/", Error: "The form could not be read. Try again."})
		return
	}
	v := loginView{Next: localPath(r.PostForm.Get("next")), Name: strings.TrimSpace(r.PostForm.Get("name"))}
	// Signing someone in to an attacker's account is an attack too.
	if err := s.origins.Check(r); err != nil {
		v.Error = "Sign-in refused: the form was sent from another site."
		s.renderLogin(w, http.StatusForbidden, v)
		return
	}
	if v.Name != "" {
		if _, err := actor(v.Name); err != nil {
			v.Error = "Your name: use at most 64 printable characters."
			s.renderLogin(w, http.StatusBadRequest, v)
			return
		}
	}
	client := clientIP(r, s.limits.cfg.TrustedProxyHeader)
	now := s.now()
	if s.logins.blocked(client, now) {
		v.Error = "Too many failed sign-ins from this address. Wait a few minutes, then try again."
		s.renderLogin(w, http.StatusTooManyRequests, v)
		return
	}
	cred, ok := s.match(r.PostForm.Get("token"))
	if !ok {
		s.logins.fail(client, now)
		s.log.Warn("dashboard sign-in refused", "client", client)
		v.Error = "That token is not one this gateway accepts."
		s.renderLogin(w, http.StatusUnauthorized, v)
		return
	}
	s.logins.forget(client)
	sess, value := s.newSession(cred, v.Name)
	s.setSessionCookie(w, r, value, sess.expires)
	s.log.Info("dashboard sign-in", "role", cred.role.String(), "name", sess.actor(), "client", client)
	http.Redirect(w, r, v.Next, http.StatusSeeOther)
}

// logout ends the session: the cookie is cleared and, in this process,
// the session is refused from now on even if a copy of the cookie is
// replayed. A live session must prove it is the page's own request.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	sess, err := s.sessionFrom(r)
	if err == nil {
		if err := r.ParseForm(); err != nil {
			writeError(w, http.StatusBadRequest, "malformed form")
			return
		}
		csrf := r.Header.Get(HeaderCSRF)
		if csrf == "" {
			csrf = r.PostForm.Get("csrf_token")
		}
		if s.origins.Check(r) != nil || !sess.validCSRF(csrf) {
			writeError(w, http.StatusForbidden, "missing or wrong "+HeaderCSRF+" header: reload the page")
			return
		}
		s.revoked.add(sess.nonce, sess.expires, s.now())
	}
	s.setSessionCookie(w, r, "", time.Time{})
	http.Redirect(w, r, "/login?signed_out=1", http.StatusSeeOther)
}
