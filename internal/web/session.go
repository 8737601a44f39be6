package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"
)

// A dashboard session is a signed cookie, not a row anywhere: it names the
// token it was opened with (by an id derived from the token's hash), its
// expiry, a random nonce and the operator's name, and is signed with
// HMAC-SHA256 under a key derived from that token's hash. So every replica
// configured with the same tokens accepts it, a restart does not end it,
// and removing a token from the configuration ends every session opened
// with it. Signing out adds the nonce to this process's list of ended
// sessions until the cookie would have expired anyway; another replica,
// or this one after a restart, does not know that list.

// DefaultSessionTTL is how long a dashboard sign-in lasts.
const DefaultSessionTTL = 12 * time.Hour

// cookieName names the session cookie.
const cookieName = "ordergate_session"

// The ways a session cookie can fail, worded for "session …: sign in again".
var (
	errNoSession      = errors.New("none")
	errSessionExpired = errors.New("expired")
	errSessionInvalid = errors.New("invalid")
	errSessionEnded   = errors.New("ended")
)

// session is a verified dashboard session.
type session struct {
	cred    credential
	nonce   string
	expires time.Time
	name    string // who signed in, as they gave it; may be empty
}

// cookiePayload is what the cookie carries, before its signature.
type cookiePayload struct {
	Token   string `json:"k"` // credential.id
	Expires int64  `json:"e"` // Unix seconds
	Nonce   string `json:"n"`
	Name    string `json:"u,omitempty"`
}

var b64 = base64.RawURLEncoding

func (c credential) sign(payload string) []byte {
	mac := hmac.New(sha256.New, c.key)
	mac.Write([]byte("ordergate session v1|" + payload))
	return mac.Sum(nil)
}

// csrf returns the session's CSRF token: bound to the session by its nonce
// and to the token by the key, so it needs no storage and dies with both.
func (s *session) csrf() string {
	mac := hmac.New(sha256.New, s.cred.key)
	mac.Write([]byte("ordergate csrf v1|" + s.nonce))
	return b64.EncodeToString(mac.Sum(nil))
}

func (s *session) validCSRF(v string) bool {
	return v != "" && hmac.Equal([]byte(v), []byte(s.csrf()))
}

// actor is who the timeline names for an action taken in this session.
func (s *session) actor() string {
	if s.name != "" {
		return s.name
	}
	return "dashboard"
}

// newSession opens a session for the credential and returns it with the
// cookie value that carries it.
func (s *Server) newSession(c credential, name string) (*session, string) {
	nonce := make([]byte, 16)
	rand.Read(nonce)
	sess := &session{cred: c, nonce: b64.EncodeToString(nonce), expires: s.now().Add(s.sessionTTL).Truncate(time.Second), name: name}
	raw, _ := json.Marshal(cookiePayload{Token: c.id, Expires: sess.expires.Unix(), Nonce: sess.nonce, Name: name})
	payload := b64.EncodeToString(raw)
	return sess, payload + "." + b64.EncodeToString(c.sign(payload))
}

// sessionFrom verifies the request's session cookie.
func (s *Server) sessionFrom(r *http.Request) (*session, error) {
	ck, err := r.Cookie(cookieName)
	if err != nil || ck.Value == "" {
		return nil, errNoSession
	}
	payload, sig, ok := strings.Cut(ck.Value, ".")
	if !ok {
		return nil, errSessionInvalid
	}
	mac, err := b64.DecodeString(sig)
	if err != nil {
		return nil, errSessionInvalid
	}
	raw, err := b64.DecodeString(payload)
	if err != nil {
		return nil, errSessionInvalid
	}
	var p cookiePayload
	if err := json.Unmarshal(raw, &p); err != nil || p.Nonce == "" {
		return nil, errSessionInvalid
	}
	var cred *credential
	for i := range s.creds {
		if s.creds[i].id == p.Token {
			cred = &s.creds[i]
		}
	}
	// A session whose token is no longer configured is not one we could
	// have signed: invalid, the same as a forged one.
	if cred == nil || !hmac.Equal(mac, cred.sign(payload)) {
		return nil, errSessionInvalid
	}
	sess := &session{cred: *cred, nonce: p.Nonce, expires: time.Unix(p.Expires, 0), name: p.Name}
	if !s.now().Before(sess.expires) {
		return nil, errSessionExpired
	}
	if s.revoked.has(sess.nonce) {
		return nil, errSessionEnded
	}
	return sess, nil
}

// setSessionCookie sends the cookie: HttpOnly so no script reads it,
// SameSite=Strict so no other site's page sends it, Secure when the
// request came over TLS (here or at a proxy in front).
func (s *Server) setSessionCookie(w http.ResponseWriter, r *http.Request, value string, expires time.Time) {
	ck := &http.Cookie{Name: cookieName, Value: value, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: secure(r)}
	if value == "" {
		ck.MaxAge = -1
	} else {
		ck.Expires = expires
		ck.MaxAge = int(s.sessionTTL / time.Second)
	}
	http.SetCookie(w, ck)
}

func secure(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// revocations are the sessions signed out in this process, by nonce, each
// kept until the cookie would have expired.
type revocations struct {
	mu    sync.Mutex
	until map[string]time.Time
}

func (v *revocations) add(nonce string, until, now time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.until == nil {
		v.until = make(map[string]time.Time)
	}
	for n, t := range v.until {
		if now.After(t) {
			delete(v.until, n)
		}
	}
	v.until[nonce] = until
}

func (v *revocations) has(nonce string) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	_, ok := v.until[nonce]
	return ok
}

// sessionInfo answers GET /api/v1/session: who the caller is and, for a
// dashboard session, the CSRF token its page must send with each action.
// It never shows a token.
func (s *Server) sessionInfo(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r.Context())
	out := struct {
		Role      string     `json:"role"`
		Via       string     `json:"via"`
		Name      string     `json:"name,omitempty"`
		ExpiresAt *time.Time `json:"expires_at,omitempty"`
		CSRFToken string     `json:"csrf_token,omitempty"`
	}{Role: p.role.String(), Via: "bearer"}
	if p.session != nil {
		out.Via, out.Name, out.ExpiresAt, out.CSRFToken = "session", p.session.name, &p.session.expires, p.session.csrf()
	}
	writeJSON(w, http.StatusOK, out)
}

// The limits on failed sign-ins: after loginFailures from one address
// within loginWindow, that address is refused until the window passes.
const (
	loginFailures = 10
	loginWindow   = 5 * time.Minute
	loginClients  = 10000 // past this many addresses, stale entries are pruned
)

// loginLimiter counts failed sign-ins per client address, so that the
// login form is not a way to guess tokens quickly.
type loginLimiter struct {
	mu    sync.Mutex
	fails map[string]failures
}

type failures struct {
	n     int
	since time.Time
}

func newLoginLimiter() *loginLimiter { return &loginLimiter{fails: make(map[string]failures)} }

func (l *loginLimiter) blocked(addr string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	f, ok := l.fails[addr]
	return ok && now.Sub(f.since) < loginWindow && f.n >= loginFailures
}

func (l *loginLimiter) fail(addr string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.fails) >= loginClients {
		for a, f := range l.fails {
			if now.Sub(f.since) >= loginWindow {
				delete(l.fails, a)
			}
		}
	}
	f := l.fails[addr]
	if now.Sub(f.since) >= loginWindow {
		f = failures{since: now}
	}
	f.n++
	l.fails[addr] = f
}

func (l *loginLimiter) forget(addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, addr)
}
