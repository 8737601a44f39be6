package netsuite_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/erp/netsuite"
	"github.com/ordergate/ordergate/internal/erp/netsuite/netsuitefake"
	"github.com/ordergate/ordergate/internal/order"
)

// Auth setups the tests run with.
const (
	authRSA = "oauth2_m2m PS256"
	authEC  = "oauth2_m2m ES256"
	authTBA = "tba"
)

const (
	account    = "1234567_SB1"
	clientID   = "c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2"
	certID     = "pDmAqK0vYvBuEqz3Fc3vP5ezoSTvnYTpnEyG9RjGq2s"
	consKey    = "ef40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4"
	consSecret = "d26ad321a4b2f23b0741c8d38392ce01c3e23e109df6c96eac6d099e9ab9e8b5"
	tokenID    = "2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc"
	tokenSec   = "c29a677df7d5439a458c063654187e3d01d8b0ffd5ff17ceeae4a6a87d8e4aa4"
	customerID = "107"
)

var (
	rsaKey = sync.OnceValue(func() *rsa.PrivateKey {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		return k
	})
	ecKey = sync.OnceValue(func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		return k
	})
)

// writeKey writes key as a PKCS #8 PEM file and returns its path.
func writeKey(t *testing.T, key crypto.Signer) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ns.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// opts is what a test varies.
type opts struct {
	auth string // authRSA (default), authEC or authTBA
	// fake and client adjust the two configurations after the defaults.
	fake   func(*netsuitefake.Config)
	client func(*netsuite.Config)
	// wrap, if set, stands in front of the fake.
	wrap func(http.Handler) http.Handler
}

// bundle is a fake account on its own server and a client for it.
type bundle struct {
	fake   *netsuitefake.Fake
	srv    *httptest.Server
	client *netsuite.Client
	cfg    netsuite.Config
}

// setup serves a fake account and returns a client signed in to it as
// o.auth says.
func setup(t *testing.T, o opts) bundle {
	t.Helper()
	fcfg := netsuitefake.Config{
		Account: account, ClientID: clientID, CertificateID: certID,
		ConsumerKey: consKey, ConsumerSecret: consSecret, TokenID: tokenID, TokenSecret: tokenSec,
		CustomerID: customerID,
	}
	ccfg := netsuite.Config{Account: account, CustomerID: customerID, Timeout: 5 * time.Second, PollInterval: time.Millisecond}
	switch o.auth {
	case authTBA:
		ccfg.AuthMethod = netsuite.AuthTBA
		ccfg.ConsumerKey, ccfg.ConsumerSecret, ccfg.TokenID, ccfg.TokenSecret = consKey, consSecret, tokenID, tokenSec
	case authEC:
		fcfg.PublicKey = ecKey().Public()
		ccfg.AuthMethod = netsuite.AuthOAuth2M2M
		ccfg.ClientID, ccfg.CertificateID, ccfg.PrivateKeyFile = clientID, certID, writeKey(t, ecKey())
	default:
		fcfg.PublicKey = rsaKey().Public()
		ccfg.AuthMethod = netsuite.AuthOAuth2M2M
		ccfg.ClientID, ccfg.CertificateID, ccfg.PrivateKeyFile = clientID, certID, writeKey(t, rsaKey())
	}
	if o.fake != nil {
		o.fake(&fcfg)
	}
	fake := netsuitefake.New(fcfg)
	var h http.Handler = fake
	if o.wrap != nil {
		h = o.wrap(fake)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	t.Cleanup(fake.Close) // runs first: releases stalled requests so that Close does not wait
	ccfg.BaseURL = srv.URL
	ccfg.HTTPClient = srv.Client()
	if o.client != nil {
		o.client(&ccfg)
	}
	c, err := netsuite.New(ccfg)
	if err != nil {
		t.Fatalf("netsuite.New: %v", err)
	}
	return bundle{fake: fake, srv: srv, client: c, cfg: ccfg}
}

// requests returns the requests the fake received to paths with prefix,
// by method if method is not empty.
func (b bundle) requests(method, prefix string) []netsuitefake.Request {
	var out []netsuitefake.Request
	for _, r := range b.fake.Requests() {
		if (method == "" || r.Method == method) && len(r.Path) >= len(prefix) && r.Path[:len(prefix)] == prefix {
			out = append(out, r)
		}
	}
	return out
}

// clock is a hand-moved clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newOrder(id string, lines ...order.LineItem) order.Order {
	return order.Order{
		Key:      order.Key{Storefront: "shop", ID: id},
		Name:     "#" + id,
		Customer: order.Customer{Name: "Ada Buyer", Email: "ada@example.com"},
		Currency: "USD",
		Lines:    lines,
	}
}

func line(sku string, qty int) order.LineItem { return order.LineItem{SKU: sku, Quantity: qty} }

const (
	tokenPath      = "/services/rest/auth/oauth2/v1/token"
	salesOrderPath = "/services/rest/record/v1/salesOrder/"
	suiteQLPath    = "/services/rest/query/v1/suiteql"
	jobPath        = "/services/rest/async/v1/job/"
)
