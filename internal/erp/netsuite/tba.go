package netsuite

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// tba is token-based authentication: each request carries an OAuth 1.0a
// Authorization header signed with HMAC-SHA256 (RFC 5849; NetSuite ended
// HMAC-SHA1 in 2023.1).
type tba struct {
	realm          string
	consumerKey    string
	consumerSecret string
	tokenID        string
	tokenSecret    string
	now            func() time.Time
	nonce          func() string
}

func (a *tba) hint() string {
	return "netsuite did not accept the token-based signature; check account (the realm, e.g. 1234567_SB1 for a sandbox), auth.consumer_key and auth.consumer_secret (the integration record), auth.token_id and auth.token_secret (the access token, not revoked, of a user and role with REST Web Services and Log in using Access Tokens), that this machine's clock is right, and the Login Audit Trail for the reason"
}

// retry signs a refused request once more, with a fresh nonce and
// timestamp: Go's transport resends a GET whose connection broke after it
// was written, with the nonce NetSuite may already have seen, and NetSuite
// refuses a nonce twice.
func (a *tba) retry(*http.Request) bool { return true }

// newNonce returns a random nonce of 26 letters and digits.
func newNonce() string { return rand.Text() }

func (a *tba) authorize(_ context.Context, req *http.Request) error {
	params := []param{
		{"oauth_consumer_key", a.consumerKey},
		{"oauth_nonce", a.nonce()},
		{"oauth_signature_method", "HMAC-SHA256"},
		{"oauth_timestamp", strconv.FormatInt(a.now().Unix(), 10)},
		{"oauth_token", a.tokenID},
		{"oauth_version", "1.0"},
	}
	base := signatureBase(req.Method, req.URL, params)
	mac := hmac.New(sha256.New, signingKey(a.consumerSecret, a.tokenSecret))
	mac.Write([]byte(base))
	params = append(params, param{"oauth_signature", base64.StdEncoding.EncodeToString(mac.Sum(nil))})

	var h strings.Builder
	h.WriteString(`OAuth realm="` + percentEncode(a.realm) + `"`)
	for _, p := range params {
		h.WriteString(", " + p.key + `="` + percentEncode(p.value) + `"`)
	}
	req.Header.Set("Authorization", h.String())
	return nil
}

// signingKey is §3.4.2: both secrets, encoded, joined by '&'.
func signingKey(consumerSecret, tokenSecret string) []byte {
	return []byte(percentEncode(consumerSecret) + "&" + percentEncode(tokenSecret))
}

// param is one name/value pair of a signature base string.
type param struct{ key, value string }

// signatureBase returns the RFC 5849 §3.4.1 signature base string: the
// method, the base string URI and the normalized parameters — the query's
// and the given ones (the oauth_* protocol parameters, and any form body
// parameters; NetSuite's JSON bodies have none).
func signatureBase(method string, u *url.URL, params []param) string {
	all := slices.Clone(params)
	for k, vs := range u.Query() {
		for _, v := range vs {
			all = append(all, param{k, v})
		}
	}
	enc := make([]param, len(all))
	for i, p := range all {
		enc[i] = param{percentEncode(p.key), percentEncode(p.value)}
	}
	// §3.4.1.3.2: sorted by encoded name, then by encoded value.
	slices.SortFunc(enc, func(a, b param) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		return strings.Compare(a.value, b.value)
	})
	pairs := make([]string, len(enc))
	for i, p := range enc {
		pairs[i] = p.key + "=" + p.value
	}
	return strings.ToUpper(method) + "&" + percentEncode(baseStringURI(u)) + "&" + percentEncode(strings.Join(pairs, "&"))
}

// baseStringURI is §3.4.1.2: scheme and host in lower case, the default
// port left out, the path as sent, no query.
func baseStringURI(u *url.URL) string {
	scheme, host := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname())
	if p := u.Port(); p != "" && !(scheme == "http" && p == "80") && !(scheme == "https" && p == "443") {
		host += ":" + p
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	return scheme + "://" + host + path
}

// percentEncode is RFC 5849 §3.6: every byte but the unreserved characters
// as %XX with upper-case hex.
func percentEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
