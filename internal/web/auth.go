package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strings"
)

// role is what a caller may do through /api/v1.
type role int

const (
	roleNone     role = iota
	roleReadOnly      // may GET everything; every POST is refused
	roleAdmin         // may also act on orders
)

func (r role) String() string {
	switch r {
	case roleAdmin:
		return "admin"
	case roleReadOnly:
		return "read_only"
	}
	return "none"
}

// credential is one configured token, held only as its SHA-256 hash, with
// what is derived from the hash: the key that signs the dashboard sessions
// opened with the token, and an id that names the token in a session
// cookie without revealing it.
type credential struct {
	hash [32]byte
	role role
	key  []byte // HMAC-SHA256(hash, "ordergate session key v1")
	id   string // hex of the first 8 bytes of SHA-256("ordergate token id v1" ‖ hash)
}

// credentials hashes the configured tokens. A token listed as both admin
// and read-only is an admin token (config validation refuses that case; a
// token passed twice here must not lose its rights).
func credentials(admin, readOnly []string) []credential {
	var out []credential
	seen := map[[32]byte]bool{}
	add := func(tokens []string, r role) {
		for _, t := range tokens {
			if t = strings.TrimSpace(t); t == "" {
				continue
			}
			h := sha256.Sum256([]byte(t))
			if seen[h] {
				continue
			}
			seen[h] = true
			mac := hmac.New(sha256.New, h[:])
			mac.Write([]byte("ordergate session key v1"))
			id := sha256.Sum256(append([]byte("ordergate token id v1"), h[:]...))
			out = append(out, credential{hash: h, role: r, key: mac.Sum(nil), id: hex.EncodeToString(id[:8])})
		}
	}
	add(admin, roleAdmin)
	add(readOnly, roleReadOnly)
	return out
}

// match returns the credential whose token is token, comparing its hash
// against every configured one in constant time, so that neither the
// token nor which one matched shows in the timing.
func (s *Server) match(token string) (credential, bool) {
	sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
	found := -1
	for i := range s.creds {
		found = subtle.ConstantTimeSelect(subtle.ConstantTimeCompare(sum[:], s.creds[i].hash[:]), i, found)
	}
	if found < 0 {
		return credential{}, false
	}
	return s.creds[found], true
}

// principal is who made a request to /api/v1 and how.
type principal struct {
	role role
	// session is the dashboard session the request came with; nil for a
	// bearer token.
	session *session
}

type principalKey struct{}

func principalOf(ctx context.Context) principal {
	p, _ := ctx.Value(principalKey{}).(principal)
	return p
}

// authenticate admits a request that carries a configured token as a
// bearer token or a live dashboard session cookie. A request with an
// Authorization header is judged by that header alone: a bad token is not
// rescued by a cookie.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p principal
		if h := r.Header.Get("Authorization"); h != "" {
			token, ok := strings.CutPrefix(h, "Bearer ")
			if !ok || strings.TrimSpace(token) == "" {
				w.Header().Set("WWW-Authenticate", `Bearer realm="ordergate"`)
				writeError(w, http.StatusUnauthorized, "missing bearer token")
				return
			}
			c, ok := s.match(token)
			if !ok {
				w.Header().Set("WWW-Authenticate", `Bearer realm="ordergate", error="invalid_token"`)
				writeError(w, http.StatusUnauthorized, "invalid bearer token")
				return
			}
			p.role = c.role
		} else {
			sess, err := s.sessionFrom(r)
			switch {
			case err == errNoSession:
				w.Header().Set("WWW-Authenticate", `Bearer realm="ordergate"`)
				writeError(w, http.StatusUnauthorized, "missing bearer token")
				return
			case err != nil:
				w.Header().Set("WWW-Authenticate", `Bearer realm="ordergate", error="invalid_token"`)
				writeError(w, http.StatusUnauthorized, "session "+err.Error()+": sign in again")
				return
			}
			p.role, p.session = sess.cred.role, sess
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	})
}

// HeaderCSRF carries a dashboard session's CSRF token on the requests that
// change something; GET /api/v1/session gives it to the page.
const HeaderCSRF = "X-CSRF-Token"

// guardWrites refuses a request that would change something unless it
// comes from an admin; one made with a session cookie must also come from
// the dashboard's own origin and carry the session's CSRF token. Bearer
// requests need no CSRF token: a browser never adds an Authorization
// header on its own.
func (s *Server) guardWrites(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if safeMethod(r.Method) {
			next.ServeHTTP(w, r)
			return
		}
		p := principalOf(r.Context())
		if p.role != roleAdmin {
			writeError(w, http.StatusForbidden, "a read-only token may not act on orders: use an admin token")
			return
		}
		if p.session != nil {
			if err := s.origins.Check(r); err != nil {
				writeError(w, http.StatusForbidden, "cross-origin request refused")
				return
			}
			if !p.session.validCSRF(r.Header.Get(HeaderCSRF)) {
				writeError(w, http.StatusForbidden, "missing or wrong "+HeaderCSRF+" header: reload the page")
				return
			}
			// The timeline says who acted: the name given at sign-in,
			// unless the page names someone.
			if strings.TrimSpace(r.Header.Get(HeaderActor)) == "" {
				r.Header.Set(HeaderActor, p.session.actor())
			}
		}
		next.ServeHTTP(w, r)
	})
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// noStore keeps API answers, which hold customers' names and addresses,
// out of every cache.
func noStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}
