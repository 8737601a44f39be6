package netsuite

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Auth methods, as Config.AuthMethod names them.
const (
	// AuthOAuth2M2M is OAuth 2.0 client credentials with a signed JWT
	// assertion, NetSuite's way for new integrations.
	AuthOAuth2M2M = "oauth2_m2m"
	// AuthTBA is token-based authentication (OAuth 1.0a, HMAC-SHA256),
	// for integrations that already have it: NetSuite allows no new TBA
	// integrations from 2027.1.
	AuthTBA = "tba"
)

// Defaults for the zero values of Config.
const (
	DefaultTimeout      = 60 * time.Second
	DefaultPollInterval = 2 * time.Second
	DefaultAsyncWait    = 5 * time.Minute
	DefaultScopes       = "rest_webservices"
)

// Config says which NetSuite account to reach, how to sign in, and how to
// enter sales orders.
type Config struct {
	// BaseURL is the account's REST host; empty means the one NetSuite
	// derives from Account, https://<account>.suitetalk.api.netsuite.com.
	BaseURL string
	// Account is the NetSuite account id, e.g. 1234567 or 1234567_SB1.
	// Required: it is also the OAuth 1.0a realm.
	Account string
	// AuthMethod is AuthOAuth2M2M or AuthTBA.
	AuthMethod string

	// ClientID, CertificateID and PrivateKeyFile are for AuthOAuth2M2M:
	// the integration record's client id, the certificate id from
	// "OAuth 2.0 Client Credentials (M2M) Setup", and a PEM file with the
	// private key of that certificate (RSA signs PS256, EC P-256 ES256,
	// P-384 ES384, P-521 ES512).
	ClientID       string
	CertificateID  string
	PrivateKeyFile string
	// Scopes is a comma-separated list of NetSuite scopes for the access
	// token; empty means DefaultScopes.
	Scopes string

	// ConsumerKey, ConsumerSecret, TokenID and TokenSecret are for
	// AuthTBA: the integration record's consumer key and secret and the
	// access token of the user and role the integration runs as.
	ConsumerKey    string
	ConsumerSecret string
	TokenID        string
	TokenSecret    string

	// CustomerID, if set, is the internal id of the one customer record
	// every sales order is entered for (a web-store customer, say), and
	// nothing about customers is looked up or created. Empty means each
	// order's own customer: found in NetSuite by our customer external id,
	// then by e-mail, or created (see the package doc).
	CustomerID string
	// SubsidiaryID, if set, is the internal id of the subsidiary the
	// customers Submit creates belong to. A OneWorld account refuses a
	// customer without one; other accounts have no subsidiaries. Only
	// used without CustomerID.
	SubsidiaryID string
	// LocationID, if set, is the internal id of the location the orders
	// ship from.
	LocationID string
	// PendingApproval enters orders as Pending Approval (A) for someone in
	// NetSuite to approve; their receipts stay pending until then. By
	// default orders are entered as Pending Fulfillment (B), which commits
	// stock at once, and that commitment is the acknowledgment.
	PendingApproval bool

	// Async submits creates with "Prefer: respond-async" and an
	// idempotency key derived from the external id, and polls the job
	// every PollInterval (0: DefaultPollInterval) for at most AsyncWait
	// (0: DefaultAsyncWait).
	Async        bool
	PollInterval time.Duration
	AsyncWait    time.Duration

	// Timeout bounds each request; 0 means DefaultTimeout.
	Timeout time.Duration
	// HTTPClient makes the requests; nil means a client of our own.
	HTTPClient *http.Client
	// Now is the clock for token lifetimes, OAuth timestamps and
	// Retry-After dates; nil means time.Now.
	Now func() time.Time
}

// accountPattern is what a NetSuite account id looks like. It is checked
// before the id goes into a host name, so that no value can move the
// signed requests to another host.
var accountPattern = regexp.MustCompile(`^[A-Za-z0-9]+([_-][A-Za-z0-9]+)*$`)

// internalIDPattern is what a NetSuite internal id looks like.
var internalIDPattern = regexp.MustCompile(`^[0-9]+$`)

// Validate checks the configuration's shape without calling NetSuite. It
// reads the private key file, so that a wrong path or a key of the wrong
// kind fails at start. Each problem names the YAML key it comes from.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	switch {
	case c.Account == "":
		bad("account", "required")
	case !accountPattern.MatchString(c.Account):
		bad("account", "%q is not a NetSuite account id (letters, digits, '_' or '-')", c.Account)
	}
	if c.BaseURL != "" {
		if _, err := parseBaseURL(c.BaseURL); err != nil {
			bad("base_url", "%v", err)
		}
	}
	switch c.AuthMethod {
	case AuthOAuth2M2M:
		if c.ClientID == "" {
			bad("auth.client_id", "required for method %s", AuthOAuth2M2M)
		}
		if c.CertificateID == "" {
			bad("auth.certificate_id", "required for method %s", AuthOAuth2M2M)
		}
		if c.PrivateKeyFile == "" {
			bad("auth.private_key_file", "required for method %s", AuthOAuth2M2M)
		} else if _, err := loadSigner(c.PrivateKeyFile); err != nil {
			bad("auth.private_key_file", "%v", err)
		}
		for s := range strings.SplitSeq(c.Scopes, ",") {
			if c.Scopes != "" && strings.TrimSpace(s) == "" {
				bad("auth.scopes", "empty scope in %q", c.Scopes)
				break
			}
		}
	case AuthTBA:
		for _, f := range []struct{ key, val string }{
			{"auth.consumer_key", c.ConsumerKey},
			{"auth.consumer_secret", c.ConsumerSecret},
			{"auth.token_id", c.TokenID},
			{"auth.token_secret", c.TokenSecret},
		} {
			if f.val == "" {
				bad(f.key, "required for method %s", AuthTBA)
			}
		}
	case "":
		bad("auth.method", "required: %s or %s", AuthOAuth2M2M, AuthTBA)
	default:
		bad("auth.method", "%q is not %s or %s", c.AuthMethod, AuthOAuth2M2M, AuthTBA)
	}
	if c.CustomerID != "" && !internalIDPattern.MatchString(c.CustomerID) {
		bad("customer_id", "%q is not a NetSuite internal id (digits)", c.CustomerID)
	}
	switch {
	case c.SubsidiaryID == "":
	case !internalIDPattern.MatchString(c.SubsidiaryID):
		bad("subsidiary_id", "%q is not a NetSuite internal id (digits)", c.SubsidiaryID)
	case c.CustomerID != "":
		bad("subsidiary_id", "only used without customer_id, for the customers created for orders; with customer_id every order goes to that customer, so remove one of the two")
	}
	if c.LocationID != "" && !internalIDPattern.MatchString(c.LocationID) {
		bad("location_id", "%q is not a NetSuite internal id (digits)", c.LocationID)
	}
	for _, d := range []struct {
		key string
		val time.Duration
	}{{"timeout", c.Timeout}, {"async_poll_interval", c.PollInterval}, {"async_wait", c.AsyncWait}} {
		if d.val < 0 {
			bad(d.key, "must not be negative, got %s", d.val)
		}
	}
	return errors.Join(errs...)
}

// DefaultBaseURL returns the REST host NetSuite gives an account: its id in
// lower case with '_' as '-', under suitetalk.api.netsuite.com.
func DefaultBaseURL(account string) string {
	host := strings.ReplaceAll(strings.ToLower(account), "_", "-")
	return "https://" + host + ".suitetalk.api.netsuite.com"
}

// realm returns the OAuth 1.0a realm for an account: its id in upper case
// with '-' as '_' (1234567_SB1, not 1234567-sb1).
func realm(account string) string {
	return strings.ReplaceAll(strings.ToUpper(account), "-", "_")
}

func parseBaseURL(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSuffix(s, "/"))
	if err != nil {
		return nil, err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an absolute http or https url", s)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("%q must be a plain url without user, query or fragment", s)
	}
	return u, nil
}

// scopes returns the configured scopes as a list.
func (c Config) scopes() []string {
	if strings.TrimSpace(c.Scopes) == "" {
		return []string{DefaultScopes}
	}
	var out []string
	for s := range strings.SplitSeq(c.Scopes, ",") {
		out = append(out, strings.TrimSpace(s))
	}
	return out
}
