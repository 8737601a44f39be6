package netsuitefake

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// token is the client credentials token endpoint. NetSuite documents the
// request and the success reply; its error replies follow RFC 6749 §5.2
// (400 with {"error": …}), which is what the fake sends.
func (f *Fake) token(w http.ResponseWriter, r *http.Request) {
	oauthErr := func(code, desc string) {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": code, "error_description": desc})
	}
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		oauthErr("invalid_request", "POST a form")
		return
	}
	if r.PostForm.Get("grant_type") != "client_credentials" {
		oauthErr("unsupported_grant_type", "grant_type must be client_credentials")
		return
	}
	if r.PostForm.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
		oauthErr("invalid_request", "client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
		return
	}
	if err := f.checkAssertion(r.PostForm.Get("client_assertion"), link(r, tokenPath)); err != nil {
		oauthErr("invalid_client", err.Error())
		return
	}
	tok := rand.Text()
	f.mu.Lock()
	f.tokens[tok] = f.cfg.Now().Add(f.cfg.TokenLifetime)
	f.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{
		"access_token": tok,
		"expires_in":   strconv.Itoa(int(f.cfg.TokenLifetime.Seconds())),
		"token_type":   "Bearer",
	})
}

// checkAssertion verifies a client assertion as NetSuite describes it:
// header typ JWT, alg PS256/384/512 or ES256/384/512, kid the certificate
// id; claims iss the client id, scope naming rest_webservices, aud the
// token endpoint, iat and exp with exp less than an hour after iat.
func (f *Fake) checkAssertion(jwt, aud string) error {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return fmt.Errorf("client_assertion is not a JWS compact serialization")
	}
	var hdr struct{ Alg, Typ, Kid string }
	var claims struct {
		Iss   string          `json:"iss"`
		Scope json.RawMessage `json:"scope"`
		Aud   string          `json:"aud"`
		Iat   int64           `json:"iat"`
		Exp   int64           `json:"exp"`
	}
	if err := decodeSegment(parts[0], &hdr); err != nil {
		return fmt.Errorf("header: %v", err)
	}
	if err := decodeSegment(parts[1], &claims); err != nil {
		return fmt.Errorf("payload: %v", err)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return fmt.Errorf("signature: %v", err)
	}
	if hdr.Typ != "JWT" {
		return fmt.Errorf("typ %q, want JWT", hdr.Typ)
	}
	if hdr.Kid != f.cfg.CertificateID {
		return fmt.Errorf("kid %q is no certificate of this account", hdr.Kid)
	}
	if err := verify(f.cfg.PublicKey, hdr.Alg, []byte(parts[0]+"."+parts[1]), sig); err != nil {
		return err
	}
	if claims.Iss != f.cfg.ClientID {
		return fmt.Errorf("iss %q is no integration of this account", claims.Iss)
	}
	if claims.Aud != aud {
		return fmt.Errorf("aud %q, want %q", claims.Aud, aud)
	}
	if !scopeNames(claims.Scope, "rest_webservices") {
		return fmt.Errorf("scope %s lacks rest_webservices", claims.Scope)
	}
	now := f.cfg.Now().Unix()
	if claims.Exp-claims.Iat >= 3600 || claims.Exp <= claims.Iat {
		return fmt.Errorf("exp must be after iat and less than 60 minutes after it")
	}
	if now >= claims.Exp || claims.Iat > now+300 {
		return fmt.Errorf("assertion not valid now (iat %d, exp %d, now %d)", claims.Iat, claims.Exp, now)
	}
	return nil
}

func decodeSegment(s string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// scopeNames reports whether a scope claim, a list or a comma-separated
// string, names want.
func scopeNames(raw json.RawMessage, want string) bool {
	var list []string
	if json.Unmarshal(raw, &list) != nil {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return false
		}
		list = strings.Split(s, ",")
	}
	for _, s := range list {
		if strings.TrimSpace(s) == want {
			return true
		}
	}
	return false
}

// verify checks a JWS signature (RFC 7518 §3.4, §3.5).
func verify(pub crypto.PublicKey, alg string, signed, sig []byte) error {
	hashes := map[string]crypto.Hash{"256": crypto.SHA256, "384": crypto.SHA384, "512": crypto.SHA512}
	if len(alg) != 5 || hashes[alg[2:]] == 0 {
		return fmt.Errorf("alg %q is not one NetSuite takes", alg)
	}
	hash := hashes[alg[2:]]
	h := hash.New()
	h.Write(signed)
	digest := h.Sum(nil)
	switch key := pub.(type) {
	case *rsa.PublicKey:
		if alg[:2] != "PS" {
			return fmt.Errorf("alg %q for an RSA certificate", alg)
		}
		if rsa.VerifyPSS(key, hash, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) != nil {
			return fmt.Errorf("signature does not verify with the certificate")
		}
		return nil
	case *ecdsa.PublicKey:
		size := (key.Curve.Params().BitSize + 7) / 8
		if alg[:2] != "ES" || len(sig) != 2*size {
			return fmt.Errorf("alg %q with a %d-byte signature for an EC certificate", alg, len(sig))
		}
		r, s := new(big.Int).SetBytes(sig[:size]), new(big.Int).SetBytes(sig[size:])
		if !ecdsa.Verify(key, digest, r, s) {
			return fmt.Errorf("signature does not verify with the certificate")
		}
		return nil
	}
	return fmt.Errorf("no certificate uploaded")
}

// authenticated checks a bearer token the fake issued, or a TBA signature.
func (f *Fake) authenticated(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	if tok, ok := strings.CutPrefix(h, "Bearer "); ok {
		if f.cfg.StaticToken != "" && tok == f.cfg.StaticToken {
			return true
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		exp, ok := f.tokens[tok]
		return ok && f.cfg.Now().Before(exp)
	}
	if rest, ok := strings.CutPrefix(h, "OAuth "); ok {
		return f.checkTBA(r, rest)
	}
	return false
}

// checkTBA verifies an OAuth 1.0a header the way NetSuite does: realm,
// keys, HMAC-SHA256, a fresh timestamp, an unused nonce, and the
// signature over the RFC 5849 base string, recomputed here independently
// of the client's code.
func (f *Fake) checkTBA(r *http.Request, header string) bool {
	params := map[string]string{}
	for _, kv := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok {
			return false
		}
		uv, err := url.PathUnescape(strings.Trim(v, `"`))
		if err != nil {
			return false
		}
		params[k] = uv
	}
	wantRealm := strings.ReplaceAll(strings.ToUpper(f.cfg.Account), "-", "_")
	if f.cfg.ConsumerKey == "" || params["realm"] != wantRealm ||
		params["oauth_consumer_key"] != f.cfg.ConsumerKey || params["oauth_token"] != f.cfg.TokenID ||
		params["oauth_signature_method"] != "HMAC-SHA256" || params["oauth_version"] != "1.0" {
		return false
	}
	ts, err := strconv.ParseInt(params["oauth_timestamp"], 10, 64)
	if err != nil || abs(f.cfg.Now().Unix()-ts) > 300 {
		return false
	}
	nonce := params["oauth_nonce"]
	f.mu.Lock()
	seen := f.nonces[nonce]
	f.nonces[nonce] = true
	f.mu.Unlock()
	if nonce == "" || seen {
		return false
	}
	got, err := base64.StdEncoding.DecodeString(params["oauth_signature"])
	if err != nil {
		return false
	}
	var pairs []string
	for k, v := range params {
		if k != "realm" && k != "oauth_signature" {
			pairs = append(pairs, rfc3986(k)+"="+rfc3986(v))
		}
	}
	for k, vs := range r.URL.Query() {
		for _, v := range vs {
			pairs = append(pairs, rfc3986(k)+"="+rfc3986(v))
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		ki, vi, _ := strings.Cut(pairs[i], "=")
		kj, vj, _ := strings.Cut(pairs[j], "=")
		if ki != kj {
			return ki < kj
		}
		return vi < vj
	})
	uri := "http://" + strings.ToLower(r.Host) + r.URL.EscapedPath()
	base := r.Method + "&" + rfc3986(uri) + "&" + rfc3986(strings.Join(pairs, "&"))
	mac := hmac.New(sha256.New, []byte(rfc3986(f.cfg.ConsumerSecret)+"&"+rfc3986(f.cfg.TokenSecret)))
	mac.Write([]byte(base))
	return hmac.Equal(got, mac.Sum(nil))
}

// rfc3986 percent-encodes all but the unreserved characters, by way of the
// standard library's query escaping.
func rfc3986(s string) string {
	e := url.QueryEscape(s)
	e = strings.ReplaceAll(e, "+", "%20")
	e = strings.ReplaceAll(e, "*", "%2A")
	return strings.ReplaceAll(e, "%7E", "~")
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// today is the fake's date, for shipDate.
func (f *Fake) today() time.Time {
	y, m, d := f.cfg.Now().UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
