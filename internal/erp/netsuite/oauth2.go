package netsuite

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ordergate/ordergate/internal/erp"
)

// authorizer signs requests for one of NetSuite's auth methods.
type authorizer interface {
	// authorize sets the Authorization header of req.
	authorize(ctx context.Context, req *http.Request) error
	// retry is told that NetSuite answered 401 to req, and reports
	// whether signing it afresh may help.
	retry(req *http.Request) bool
	// hint says what an operator should check when NetSuite refuses the
	// credentials.
	hint() string
}

const tokenPath = "/services/rest/auth/oauth2/v1/token"

const (
	// assertionLifetime is how long a client assertion is valid. NetSuite
	// wants exp less than an hour after iat; half an hour leaves room for
	// a clock that is a little off.
	assertionLifetime = 30 * time.Minute
	// tokenMargin is how long before its expiry an access token is
	// replaced, so that none expires in flight.
	tokenMargin = 2 * time.Minute
	// defaultTokenLifetime is NetSuite's documented access token lifetime,
	// used when a reply names none.
	defaultTokenLifetime = time.Hour
)

// m2m is OAuth 2.0 client credentials with a JWT assertion: it trades a
// signed assertion for an access token at the token endpoint and caches
// the token until shortly before it expires.
type m2m struct {
	hc       *http.Client
	tokenURL string
	clientID string
	certID   string
	scopes   []string
	signer   *signer
	timeout  time.Duration
	now      func() time.Time
	rand     io.Reader

	sem     chan struct{} // held while fetching, so that one fetch serves all waiting
	mu      sync.Mutex
	token   string
	expires time.Time
}

func (a *m2m) hint() string {
	return "netsuite did not accept the access token; check auth.client_id, auth.certificate_id and auth.private_key_file against the mapping in Setup > Integration > Manage Authentication > OAuth 2.0 Client Credentials (M2M) Setup (not revoked or expired), that the integration record has the Client Credentials (Machine to Machine) grant and the REST Web Services scope, and the Login Audit Trail for the reason"
}

func (a *m2m) authorize(ctx context.Context, req *http.Request) error {
	tok, err := a.get(ctx)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	return nil
}

// retry forgets the token NetSuite refused, if it is still the cached one,
// so that the retry fetches a fresh one.
func (a *m2m) retry(req *http.Request) bool {
	refused := strings.TrimPrefix(req.Header.Get("Authorization"), "Bearer ")
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.token == refused {
		a.token = ""
	}
	return true
}

func (a *m2m) cached() (string, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.token, a.token != "" && a.now().Before(a.expires.Add(-tokenMargin))
}

// get returns a valid access token, fetching one if none is cached.
func (a *m2m) get(ctx context.Context) (string, error) {
	if tok, ok := a.cached(); ok {
		return tok, nil
	}
	select {
	case a.sem <- struct{}{}:
	case <-ctx.Done():
		return "", fmt.Errorf("%w: wait for access token: %w", &erp.Error{Kind: erp.ErrUnavailable}, ctx.Err())
	}
	defer func() { <-a.sem }()
	if tok, ok := a.cached(); ok { // fetched while we waited
		return tok, nil
	}
	tok, lifetime, err := a.fetch(ctx)
	if err != nil {
		return "", err
	}
	a.mu.Lock()
	a.token, a.expires = tok, a.now().Add(lifetime)
	a.mu.Unlock()
	return tok, nil
}

type tokenReply struct {
	AccessToken string          `json:"access_token"`
	ExpiresIn   json.RawMessage `json:"expires_in"` // "3600" or 3600
	TokenType   string          `json:"token_type"`
	// RFC 6749 §5.2 errors.
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// fetch posts a fresh client assertion to the token endpoint. Nothing of
// an order has been sent yet, so no failure here leaves one in doubt.
func (a *m2m) fetch(ctx context.Context) (string, time.Duration, error) {
	now := a.now()
	assertion, err := a.signer.assertion(a.rand, a.certID, assertionClaims{
		Issuer:   a.clientID,
		Scope:    a.scopes,
		Audience: a.tokenURL,
		IssuedAt: now.Unix(),
		Expires:  now.Add(assertionLifetime).Unix(),
	})
	if err != nil {
		return "", 0, err
	}
	form := url.Values{
		"grant_type":            {"client_credentials"},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {assertion},
	}
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", 0, fmt.Errorf("build token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "ordergate")
	resp, err := a.hc.Do(req)
	if err != nil {
		return "", 0, fmt.Errorf("%w: token request: %w", &erp.Error{Kind: erp.ErrUnavailable}, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return "", 0, fmt.Errorf("%w: read token reply: %w", &erp.Error{Kind: erp.ErrUnavailable}, err)
	}
	var tr tokenReply
	_ = json.Unmarshal(b, &tr) // an unreadable body leaves tr empty; the status decides
	switch s := resp.StatusCode; {
	case s == http.StatusOK && tr.AccessToken != "":
		return tr.AccessToken, tokenLifetime(tr.ExpiresIn), nil
	case s == http.StatusOK:
		return "", 0, &erp.Error{Kind: erp.ErrUnavailable, Message: "token endpoint answered 200 without an access_token"}
	case s == http.StatusTooManyRequests:
		return "", 0, &erp.Error{Kind: erp.ErrThrottled, Message: "token endpoint: http 429",
			RetryAfter: retryAfter(resp.Header.Get("Retry-After"), a.now())}
	case s >= 500:
		return "", 0, &erp.Error{Kind: erp.ErrUnavailable, Message: fmt.Sprintf("token endpoint: http %d", s)}
	}
	words := fmt.Sprintf("http %d", resp.StatusCode)
	code := tr.Error
	switch {
	case tr.Error != "":
		words += " " + tr.Error
		if tr.ErrorDescription != "" {
			words += ": " + tr.ErrorDescription
		}
	default: // NetSuite's REST error shape, or something else
		eb := decodeErrorBody(b)
		words = describe(resp.StatusCode, eb)
		if len(eb.Details) > 0 {
			code = eb.Details[0].Code
		}
	}
	return "", 0, &erp.Error{Kind: erp.ErrAuth, Code: code, Message: "the token endpoint refused the client assertion: " + words +
		"; check auth.client_id (the integration record's client id), auth.certificate_id (the certificate id of the M2M mapping), that auth.private_key_file holds the key of the certificate uploaded for that mapping and that the mapping is not revoked or expired, that the integration record has the Client Credentials (Machine to Machine) grant and the REST Web Services scope, and that auth.scopes are among the record's scopes"}
}

// tokenLifetime reads expires_in, which NetSuite sends as a string.
func tokenLifetime(raw json.RawMessage) time.Duration {
	s := strings.Trim(string(raw), `" `)
	if secs, err := strconv.ParseInt(s, 10, 64); err == nil && secs > 0 {
		return time.Duration(secs) * time.Second
	}
	return defaultTokenLifetime
}
