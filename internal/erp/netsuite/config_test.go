package netsuite_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/erp/netsuite"
)

func writePEM(t *testing.T, typ string, der []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestValidate_NamesEachProblemByItsYAMLKey(t *testing.T) {
	t.Parallel()
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	p224, err := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	p224DER, _ := x509.MarshalECPrivateKey(p224)
	edDER, _ := x509.MarshalPKCS8PrivateKey(edKey)
	ecDER, _ := x509.MarshalECPrivateKey(ecKey())
	certOnly := writePEM(t, "CERTIFICATE", []byte("not a key"))

	m2m := func(mod func(*netsuite.Config)) netsuite.Config {
		c := netsuite.Config{Account: "1234567", AuthMethod: netsuite.AuthOAuth2M2M, ClientID: clientID,
			CertificateID: certID, PrivateKeyFile: writeKey(t, rsaKey()), CustomerID: "107"}
		if mod != nil {
			mod(&c)
		}
		return c
	}
	tba := func(mod func(*netsuite.Config)) netsuite.Config {
		c := netsuite.Config{Account: "1234567_SB1", AuthMethod: netsuite.AuthTBA, ConsumerKey: "ck", ConsumerSecret: "cs",
			TokenID: "ti", TokenSecret: "ts", CustomerID: "107"}
		if mod != nil {
			mod(&c)
		}
		return c
	}
	cases := []struct {
		name string
		cfg  netsuite.Config
		want []string // each a line of the joined error; none: valid
	}{
		{"M2MWithRSAKey", m2m(nil), nil},
		{"M2MWithSEC1ECKey", m2m(func(c *netsuite.Config) { c.PrivateKeyFile = writePEM(t, "EC PRIVATE KEY", ecDER) }), nil},
		{"M2MWithPKCS1RSAKey", m2m(func(c *netsuite.Config) {
			c.PrivateKeyFile = writePEM(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaKey()))
		}), nil},
		{"TBA", tba(nil), nil},
		// The shape issue 13 asks to work: no customer_id, so each
		// order's customer is found or created.
		{"M2MWithoutCustomerID", m2m(func(c *netsuite.Config) {
			c.CustomerID, c.BaseURL = "", "https://1234567.suitetalk.api.netsuite.com"
		}), nil},
		{"WithoutCustomerIDWithSubsidiary", tba(func(c *netsuite.Config) { c.CustomerID, c.SubsidiaryID = "", "3" }), nil},
		{"BaseURLOverride", tba(func(c *netsuite.Config) { c.BaseURL = "http://127.0.0.1:8080" }), nil},
		{"Nothing", netsuite.Config{}, []string{
			"account: required", "auth.method: required: oauth2_m2m or tba"}},
		{"AccountThatWouldMoveTheHost", tba(func(c *netsuite.Config) { c.Account = "evil.example/x#" }), []string{
			`account: "evil.example/x#" is not a NetSuite account id`}},
		{"BadBaseURL", tba(func(c *netsuite.Config) { c.BaseURL = "suitetalk.api.netsuite.com" }), []string{
			`base_url: "suitetalk.api.netsuite.com" is not an absolute http or https url`}},
		{"UnknownMethod", tba(func(c *netsuite.Config) { c.AuthMethod = "password" }), []string{
			`auth.method: "password" is not oauth2_m2m or tba`}},
		{"M2MMissingFields", m2m(func(c *netsuite.Config) { c.ClientID, c.CertificateID, c.PrivateKeyFile = "", "", "" }), []string{
			"auth.client_id: required for method oauth2_m2m", "auth.certificate_id: required for method oauth2_m2m",
			"auth.private_key_file: required for method oauth2_m2m"}},
		{"KeyFileMissing", m2m(func(c *netsuite.Config) { c.PrivateKeyFile = "/nonexistent/ns.pem" }), []string{
			"auth.private_key_file: read private key: open /nonexistent/ns.pem: no such file or directory"}},
		{"KeyFileWithoutAKey", m2m(func(c *netsuite.Config) { c.PrivateKeyFile = certOnly }), []string{
			"auth.private_key_file: " + certOnly + ": no PEM private key found"}},
		{"RSAKeyTooSmall", m2m(func(c *netsuite.Config) {
			c.PrivateKeyFile = writePEM(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(small))
		}), []string{"RSA key of 1024 bits; NetSuite needs at least 2048"}},
		{"ECCurveNetSuiteDoesNotTake", m2m(func(c *netsuite.Config) { c.PrivateKeyFile = writePEM(t, "EC PRIVATE KEY", p224DER) }), []string{
			"EC key on curve P-224; NetSuite takes P-256, P-384 or P-521"}},
		{"Ed25519Key", m2m(func(c *netsuite.Config) { c.PrivateKeyFile = writePEM(t, "PRIVATE KEY", edDER) }), []string{
			"NetSuite takes RSA (PS256) or EC (ES256, ES384, ES512)"}},
		{"EncryptedKey", m2m(func(c *netsuite.Config) { c.PrivateKeyFile = writePEM(t, "ENCRYPTED PRIVATE KEY", []byte{1}) }), []string{
			"the private key is encrypted"}},
		{"EmptyScope", m2m(func(c *netsuite.Config) { c.Scopes = "rest_webservices,," }), []string{
			`auth.scopes: empty scope in "rest_webservices,,"`}},
		{"TBAMissingFields", tba(func(c *netsuite.Config) { c.ConsumerSecret, c.TokenSecret = "", "" }), []string{
			"auth.consumer_secret: required for method tba", "auth.token_secret: required for method tba"}},
		{"BadIDs", tba(func(c *netsuite.Config) { c.CustomerID, c.LocationID = "Web Store", "main" }), []string{
			`customer_id: "Web Store" is not a NetSuite internal id (digits)`, `location_id: "main" is not a NetSuite internal id (digits)`}},
		{"BadSubsidiaryID", tba(func(c *netsuite.Config) { c.CustomerID, c.SubsidiaryID = "", "HQ" }), []string{
			`subsidiary_id: "HQ" is not a NetSuite internal id (digits)`}},
		{"SubsidiaryIDWithCustomerIDWouldBeIgnored", tba(func(c *netsuite.Config) { c.SubsidiaryID = "3" }), []string{
			"subsidiary_id: only used without customer_id"}},
		{"NegativeDurations", tba(func(c *netsuite.Config) { c.Timeout, c.PollInterval, c.AsyncWait = -1, -time.Second, -time.Minute }), []string{
			"timeout: must not be negative", "async_poll_interval: must not be negative", "async_wait: must not be negative"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			err := c.cfg.Validate()
			if len(c.want) == 0 {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				if _, err := netsuite.New(c.cfg); err != nil {
					t.Fatalf("New = %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate = nil, want %q", c.want)
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(c.want) {
				t.Errorf("Validate = %d problems, want %d:\n%v", len(lines), len(c.want), err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate = %q\nlacks %q", err, w)
				}
			}
			if _, err := netsuite.New(c.cfg); err == nil {
				t.Error("New accepted what Validate refused")
			}
		})
	}
}
