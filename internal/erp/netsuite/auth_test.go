package netsuite_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/erp/netsuite"
	"github.com/ordergate/ordergate/internal/erp/netsuite/netsuitefake"
)

// jwtPart decodes one part of a compact JWS.
func jwtPart(t *testing.T, jws string, i int) map[string]any {
	t.Helper()
	parts := strings.Split(jws, ".")
	if len(parts) != 3 {
		t.Fatalf("assertion %q is not three parts", jws)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[i])
	if err != nil {
		t.Fatalf("part %d: %v", i, err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("part %d: %v", i, err)
	}
	return m
}

func TestOAuth2_AssertionIsSignedAsNetSuiteAsksAndTheTokenIsCached(t *testing.T) {
	t.Parallel()
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		auth, alg string
		key       *ecdsa.PrivateKey // instead of the setup's, if set
		sigLen    int               // raw r||s for ES*; 0 to skip
	}{
		{authRSA, "PS256", nil, 0},
		{authEC, "ES256", nil, 64},
		{authEC, "ES384", p384, 96},
	} {
		t.Run(c.alg, func(t *testing.T) {
			t.Parallel()
			clk := newClock(time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC))
			b := setup(t, opts{auth: c.auth,
				fake: func(f *netsuitefake.Config) {
					f.Now = clk.Now
					if c.key != nil {
						f.PublicKey = c.key.Public()
					}
				},
				client: func(n *netsuite.Config) {
					n.Now = clk.Now
					if c.key != nil {
						n.PrivateKeyFile = writeKey(t, c.key)
					}
				},
			})
			b.fake.SetStock("A", 3)
			for range 3 {
				if _, err := b.client.Availability(t.Context(), []string{"A"}); err != nil {
					t.Fatalf("Availability: %v", err)
				}
			}
			toks := b.requests(http.MethodPost, tokenPath)
			if len(toks) != 1 {
				t.Fatalf("token requests = %d, want 1 (the token is cached)", len(toks))
			}
			form, err := url.ParseQuery(string(toks[0].Body))
			if err != nil {
				t.Fatal(err)
			}
			if got := form.Get("grant_type") + " " + form.Get("client_assertion_type"); got != "client_credentials urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
				t.Errorf("grant = %q", got)
			}
			jws := form.Get("client_assertion")
			wantHeader := map[string]any{"alg": c.alg, "typ": "JWT", "kid": certID}
			if diff := cmp.Diff(wantHeader, jwtPart(t, jws, 0)); diff != "" {
				t.Errorf("JWT header (-want +got):\n%s", diff)
			}
			iat := float64(clk.Now().Unix())
			wantClaims := map[string]any{
				"iss": clientID, "scope": []any{"rest_webservices"}, "aud": b.srv.URL + tokenPath,
				"iat": iat, "exp": iat + 1800,
			}
			if diff := cmp.Diff(wantClaims, jwtPart(t, jws, 1)); diff != "" {
				t.Errorf("JWT claims (-want +got):\n%s", diff)
			}
			if c.sigLen > 0 {
				sig, _ := base64.RawURLEncoding.DecodeString(strings.Split(jws, ".")[2])
				if len(sig) != c.sigLen {
					t.Errorf("signature is %d bytes, want raw r||s of %d", len(sig), c.sigLen)
				}
			}
			for _, r := range b.requests(http.MethodPost, suiteQLPath) {
				if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
					t.Errorf("SuiteQL request authorized with %q, want a bearer token", r.Header.Get("Authorization"))
				}
			}
		})
	}
}

func TestOAuth2_TokenIsReplacedBeforeItExpires(t *testing.T) {
	t.Parallel()
	clk := newClock(time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC))
	b := setup(t, opts{
		fake:   func(f *netsuitefake.Config) { f.Now = clk.Now },
		client: func(n *netsuite.Config) { n.Now = clk.Now },
	})
	b.fake.SetStock("A", 3)
	avail := func() {
		t.Helper()
		if _, err := b.client.Availability(t.Context(), []string{"A"}); err != nil {
			t.Fatalf("Availability: %v", err)
		}
	}
	avail()
	clk.Advance(57 * time.Minute) // more than two minutes left of the hour
	avail()
	if n := len(b.requests(http.MethodPost, tokenPath)); n != 1 {
		t.Fatalf("token requests after 57 minutes = %d, want 1", n)
	}
	clk.Advance(time.Minute + time.Second) // less than two minutes left
	avail()
	if n := len(b.requests(http.MethodPost, tokenPath)); n != 2 {
		t.Fatalf("token requests near expiry = %d, want 2", n)
	}
	if n := len(b.requests(http.MethodPost, suiteQLPath)); n != 3 {
		t.Errorf("SuiteQL requests = %d, want 3 (none refused)", n)
	}
}

func TestOAuth2_RefusedTokenIsFetchedAgainOnce(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	b.fake.SetStock("A", 3)
	if _, err := b.client.Availability(t.Context(), []string{"A"}); err != nil {
		t.Fatalf("Availability: %v", err)
	}
	b.fake.RevokeTokens()
	got, err := b.client.Availability(t.Context(), []string{"A"})
	if err != nil {
		t.Fatalf("Availability after the token was revoked: %v", err)
	}
	if got["A"] != 3 {
		t.Errorf("Availability = %v", got)
	}
	if n := len(b.requests(http.MethodPost, tokenPath)); n != 2 {
		t.Errorf("token requests = %d, want 2: one more after the 401", n)
	}
	if n := len(b.requests(http.MethodPost, suiteQLPath)); n != 3 {
		t.Errorf("SuiteQL requests = %d, want 3: one refused and sent again", n)
	}
}

func TestOAuth2_StillRefusedAfterAFreshTokenIsAnAuthError(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	for range 2 {
		b.fake.Inject(netsuitefake.Reply{Method: http.MethodGet, Status: 401, Body: []byte(netsuitefake.InvalidLoginBody())})
	}
	_, err := b.client.Lookup(t.Context(), "og-shop-1")
	var e *erp.Error
	if !errors.As(err, &e) || e.Kind != erp.ErrAuth {
		t.Fatalf("Lookup = %v, want an erp.ErrAuth", err)
	}
	for _, want := range []string{"INVALID_LOGIN", "Login Audit Trail", "auth.certificate_id", "Client Credentials (Machine to Machine)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if n := len(b.requests(http.MethodGet, salesOrderPath)); n != 2 {
		t.Errorf("GET requests = %d, want 2 (one retry, no more)", n)
	}
}

func TestOAuth2_AssertionTheFakeCannotVerifyIsAnAuthErrorNamingWhatToCheck(t *testing.T) {
	t.Parallel()
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		o    opts
	}{
		{"KeyOfAnotherCertificate", opts{auth: authEC, client: func(c *netsuite.Config) { c.PrivateKeyFile = writeKey(t, other) }}},
		{"WrongCertificateID", opts{client: func(c *netsuite.Config) { c.CertificateID = "not-the-certificate" }}},
		{"WrongClientID", opts{client: func(c *netsuite.Config) { c.ClientID = "not-the-client" }}},
		{"ScopeWithoutRESTWebServices", opts{client: func(c *netsuite.Config) { c.Scopes = "restlets" }}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, c.o)
			_, err := b.client.Submit(t.Context(), newOrder("1", line("A", 1)))
			var e *erp.Error
			if !errors.As(err, &e) || e.Kind != erp.ErrAuth {
				t.Fatalf("Submit = %v, want an erp.ErrAuth", err)
			}
			if e.Code != "invalid_client" {
				t.Errorf("code = %q, want the token endpoint's invalid_client", e.Code)
			}
			for _, want := range []string{"auth.client_id", "auth.certificate_id", "auth.private_key_file", "M2M"} {
				if !strings.Contains(e.Message, want) {
					t.Errorf("message %q does not name %q", e.Message, want)
				}
			}
			if n := len(b.requests("", "/services/rest/record")); n != 0 {
				t.Errorf("%d record requests sent without a token", n)
			}
		})
	}
}

func TestTBA_SignatureIsCheckedByTheFake(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		client func(*netsuite.Config)
		ok     bool
	}{
		{"RightSecrets", nil, true},
		{"WrongConsumerSecret", func(c *netsuite.Config) { c.ConsumerSecret = "x" + consSecret[1:] }, false},
		{"WrongTokenSecret", func(c *netsuite.Config) { c.TokenSecret = "x" + tokenSec[1:] }, false},
		{"WrongTokenID", func(c *netsuite.Config) { c.TokenID = "x" + tokenID[1:] }, false},
		// The realm is the account id; a production id for a sandbox
		// account is a classic mistake.
		{"WrongAccount", func(c *netsuite.Config) { c.Account = "1234567" }, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, opts{auth: authTBA, client: c.client})
			b.fake.SetStock("SKU with spaces & 'quotes'", 4)
			// Query parameters are part of the signature base string.
			got, err := b.client.Availability(t.Context(), []string{"SKU with spaces & 'quotes'"})
			if c.ok {
				if err != nil || got["SKU with spaces & 'quotes'"] != 4 {
					t.Fatalf("Availability = %v, %v; want 4", got, err)
				}
				return
			}
			var e *erp.Error
			if !errors.As(err, &e) || e.Kind != erp.ErrAuth || e.Code != "INVALID_LOGIN" {
				t.Fatalf("Availability = %v, want an erp.ErrAuth with INVALID_LOGIN", err)
			}
			for _, want := range []string{"auth.consumer_secret", "auth.token_secret", "realm", "Login Audit Trail"} {
				if !strings.Contains(e.Message, want) {
					t.Errorf("message %q does not name %q", e.Message, want)
				}
			}
			if n := len(b.requests("", suiteQLPath)); n != 2 {
				t.Errorf("requests = %d, want 2: one signed afresh after the 401, no more", n)
			}
		})
	}
}

func TestTBA_HeaderNamesRealmAndHMACSHA256(t *testing.T) {
	t.Parallel()
	clk := newClock(time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC))
	b := setup(t, opts{auth: authTBA,
		fake: func(f *netsuitefake.Config) { f.Account = "1234567-sb1"; f.Now = clk.Now },
		client: func(c *netsuite.Config) {
			c.Account = "1234567-sb1"
			c.Now = clk.Now
		},
	})
	if _, err := b.client.Lookup(t.Context(), "og-shop-1"); !errors.Is(err, erp.ErrNotFound) {
		t.Fatalf("Lookup = %v, want not found (and signed well enough to get that far)", err)
	}
	h := b.requests(http.MethodGet, salesOrderPath)[0].Header.Get("Authorization")
	for _, want := range []string{
		`OAuth realm="1234567_SB1"`,
		`oauth_consumer_key="` + consKey + `"`,
		`oauth_token="` + tokenID + `"`,
		`oauth_signature_method="HMAC-SHA256"`,
		`oauth_timestamp="1772443800"`,
		`oauth_version="1.0"`,
		`oauth_signature="`,
		`oauth_nonce="`,
	} {
		if !strings.Contains(h, want) {
			t.Errorf("Authorization %q lacks %s", h, want)
		}
	}
}

// TestTBA_ReplayedNonceIsSignedAfresh: Go's transport resends a GET whose
// connection broke after it was written; NetSuite, having seen its nonce,
// refuses it, and the client signs it again instead of calling the
// credentials bad.
func TestTBA_ReplayedNonceIsSignedAfresh(t *testing.T) {
	t.Parallel()
	replayOnce := make(chan struct{}, 1)
	replayOnce <- struct{}{}
	b := setup(t, opts{auth: authTBA, wrap: func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-replayOnce:
				h.ServeHTTP(httptest.NewRecorder(), r.Clone(r.Context())) // the first copy, whose reply was lost
			default:
			}
			h.ServeHTTP(w, r)
		})
	}})
	if _, err := b.client.Lookup(t.Context(), "og-shop-1"); !errors.Is(err, erp.ErrNotFound) {
		t.Fatalf("Lookup = %v, want not found once signed afresh", err)
	}
	reqs := b.requests(http.MethodGet, salesOrderPath)
	if len(reqs) != 3 {
		t.Fatalf("GETs = %d, want 3: the lost one, its replay, and the one signed afresh", len(reqs))
	}
	if reqs[1].Header.Get("Authorization") != reqs[0].Header.Get("Authorization") ||
		reqs[2].Header.Get("Authorization") == reqs[1].Header.Get("Authorization") {
		t.Errorf("want the replay signed as the first and the retry signed afresh")
	}
}
