package woocommerce_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/ordergate/ordergate/internal/storefront/woocommerce"
	"github.com/ordergate/ordergate/internal/storefront/woocommerce/woocommercefake"
)

// vector is one entry of testdata/published-hmac-vectors.json.
type vector struct {
	System   string `json:"system"`
	Source   string `json:"source"`
	Secret   string `json:"secret"`
	Body     string `json:"body"`
	Expected string `json:"expected"`
}

// wooVector returns the vector from WooCommerce's own unit tests.
func wooVector(tb testing.TB) vector {
	tb.Helper()
	var all []vector
	if err := json.Unmarshal(readTestdata(tb, "published-hmac-vectors.json"), &all); err != nil {
		tb.Fatal(err)
	}
	for _, v := range all {
		if v.System == "woocommerce" {
			return v
		}
	}
	tb.Fatal("no woocommerce vector in testdata")
	return vector{}
}

// WooCommerce's test_generate_signature signs "secret" with a webhook whose
// secret is empty: Sign reproduces it, and Verify still refuses to treat an
// empty secret as configured.
func TestSign_MatchesWooCommercesPublishedVector(t *testing.T) {
	t.Parallel()
	v := wooVector(t)
	if got := woocommerce.Sign([]byte(v.Body), []byte(v.Secret)); got != v.Expected {
		t.Errorf("Sign = %s, want %s", got, v.Expected)
	}
	h := http.Header{}
	h.Set(woocommerce.HeaderSignature, v.Expected)
	if err := woocommerce.Verify([][]byte{[]byte(v.Secret)}, h, []byte(v.Body)); !errors.Is(err, woocommerce.ErrSignature) {
		t.Errorf("Verify with only the empty secret = %v, want ErrSignature", err)
	}
}

// signedDelivery is what the fake shop sends for an order whose text needs
// PHP's escapes: "/" in links and addresses, non-ASCII in names.
func signedDelivery(t *testing.T, secret string) woocommercefake.Delivery {
	t.Helper()
	shop := woocommercefake.New(woocommercefake.Config{Location: siteZone})
	o := documentedOrder(t)
	o.Billing.FirstName = "Zoë"
	o.Billing.Address1 = "Hauptstraße 5/7"
	o.LineItems[1].Name = "Café crème – “Deluxe” 😀 <b>&amp;</b>"
	shop.Put(o)
	d, err := shop.Delivery(woocommercefake.Webhook{ID: 12, Topic: "order.created", Secret: secret}, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestVerify_AcceptsPHPEncodedBodyAsSent(t *testing.T) {
	t.Parallel()
	d := signedDelivery(t, "wh-secret")
	// The body is PHP's JSON, not Go's: these are the bytes that are signed.
	for _, want := range []string{`https:\/\/example.com\/wp-json\/wc\/v3\/orders\/727`, `Zo\u00eb`, `5\/7`, `\ud83d\ude00`, `<b>&amp;<\/b>`} {
		if !bytes.Contains(d.Body, []byte(want)) {
			t.Fatalf("body lacks %s: %s", want, d.Body)
		}
	}
	if err := woocommerce.Verify([][]byte{[]byte("wh-secret")}, d.Header, d.Body); err != nil {
		t.Errorf("Verify: %v", err)
	}
}

// Any re-encoding of the body before verifying breaks the signature: the
// bytes WooCommerce signed cannot be produced again from the decoded JSON
// by Go's encoder, nor survive a "harmless" unescaping of slashes.
func TestVerify_ReencodedBodyFails(t *testing.T) {
	t.Parallel()
	d := signedDelivery(t, "wh-secret")
	dec := json.NewDecoder(bytes.NewReader(d.Body))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	var goJSON bytes.Buffer
	enc := json.NewEncoder(&goJSON)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	reencoded := map[string][]byte{
		"go encoder":          bytes.TrimSpace(goJSON.Bytes()),
		"slashes unescaped":   bytes.ReplaceAll(d.Body, []byte(`\/`), []byte(`/`)),
		"pretty printed":      indent(t, d.Body),
		"trailing newline":    append(append([]byte(nil), d.Body...), '\n'),
		"unicode as raw utf8": []byte(strings.ReplaceAll(string(d.Body), `Zo\u00eb`, "Zoë")),
	}
	for name, body := range reencoded {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if bytes.Equal(body, d.Body) {
				t.Fatal("re-encoding left the bytes unchanged; the test proves nothing")
			}
			err := woocommerce.Verify([][]byte{[]byte("wh-secret")}, d.Header, body)
			if !errors.Is(err, woocommerce.ErrSignature) {
				t.Errorf("Verify = %v, want ErrSignature", err)
			}
		})
	}
}

func indent(t *testing.T, b []byte) []byte {
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestVerify_RejectsTamperedOrUnverifiable(t *testing.T) {
	t.Parallel()
	d := signedDelivery(t, "wh-secret")
	secret := []byte("wh-secret")
	sig := d.Header.Get(woocommerce.HeaderSignature)
	sum, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		t.Fatal(err)
	}
	flippedSum := append([]byte(nil), sum...)
	flippedSum[7] ^= 0x10
	flippedBody := append([]byte(nil), d.Body...)
	flippedBody[10] ^= 0x01
	sha1Sized := base64.StdEncoding.EncodeToString(sum[:20])

	tests := []struct {
		name    string
		body    []byte
		sig     string
		secrets [][]byte
	}{
		{"flipped bit in signature", d.Body, base64.StdEncoding.EncodeToString(flippedSum), [][]byte{secret}},
		{"flipped bit in body", flippedBody, sig, [][]byte{secret}},
		{"wrong secret", d.Body, sig, [][]byte{[]byte("not-the-secret")}},
		{"truncated signature", d.Body, sig[:len(sig)-4], [][]byte{secret}},
		{"signature of another algorithm's length", d.Body, sha1Sized, [][]byte{secret}},
		{"signature not base64", d.Body, "!!" + sig[2:], [][]byte{secret}},
		{"no secrets", d.Body, sig, nil},
		{"only empty secrets", d.Body, sig, [][]byte{{}, nil}},
		{"empty body", nil, sig, [][]byte{secret}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := d.Header.Clone()
			h.Set(woocommerce.HeaderSignature, tc.sig)
			err := woocommerce.Verify(tc.secrets, h, tc.body)
			if !errors.Is(err, woocommerce.ErrSignature) {
				t.Errorf("Verify = %v, want ErrSignature", err)
			}
			if errors.Is(err, woocommerce.ErrMissingHeader) {
				t.Errorf("Verify = %v: the header is there", err)
			}
		})
	}
}

func TestVerify_MissingSignatureIsBothSignatureAndMissingHeader(t *testing.T) {
	t.Parallel()
	d := signedDelivery(t, "wh-secret")
	d.Header.Del(woocommerce.HeaderSignature)
	err := woocommerce.Verify([][]byte{[]byte("wh-secret")}, d.Header, d.Body)
	if !errors.Is(err, woocommerce.ErrSignature) || !errors.Is(err, woocommerce.ErrMissingHeader) || !strings.Contains(err.Error(), woocommerce.HeaderSignature) {
		t.Errorf("Verify = %v, want ErrSignature and ErrMissingHeader naming %s", err, woocommerce.HeaderSignature)
	}
}

func TestVerify_AcceptsEitherSecretDuringRotation(t *testing.T) {
	t.Parallel()
	d := signedDelivery(t, "new-secret")
	right, wrong := []byte("new-secret"), []byte("old-secret")
	for name, secrets := range map[string][][]byte{
		"current matches":    {right, wrong},
		"previous matches":   {wrong, right},
		"empty slot ignored": {nil, right},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if err := woocommerce.Verify(secrets, d.Header, d.Body); err != nil {
				t.Errorf("Verify: %v", err)
			}
		})
	}
}

func TestVerify_ReadsLowercaseHeaderAndToleratesSpaces(t *testing.T) {
	t.Parallel()
	d := signedDelivery(t, "wh-secret")
	h := http.Header{"x-wc-webhook-signature": {" " + d.Header.Get(woocommerce.HeaderSignature) + "\t"}}
	if err := woocommerce.Verify([][]byte{[]byte("wh-secret")}, h, d.Body); err != nil {
		t.Errorf("Verify: %v", err)
	}
}

// WooCommerce signs with wp_specialchars_decode(secret): a secret stored as
// "p&amp;ss&#039;word" is signed with "p&ss'word". Either spelling in the
// configuration verifies; a different secret does not.
func TestVerify_SecretWithEntitiesWorksAsTypedOrAsStored(t *testing.T) {
	t.Parallel()
	d := signedDelivery(t, "p&ss'word\"<x>")
	for _, tc := range []struct {
		secret string
		ok     bool
	}{
		{`p&ss'word"<x>`, true},
		{`p&amp;ss&#039;word&quot;&lt;x&gt;`, true},
		{`p&#38;ss&#x27;word&#34;&#060;x&#x3E;`, false}, // &#x3E; is not in WordPress's table
		{`p&#38;ss&#x27;word&#34;&#060;x&gt;`, true},
		{`p&amp;amp;ss'word"<x>`, false}, // decoded once, as WordPress does
	} {
		err := woocommerce.Verify([][]byte{[]byte(tc.secret)}, d.Header, d.Body)
		if (err == nil) != tc.ok {
			t.Errorf("secret %q: Verify = %v, want ok %v", tc.secret, err, tc.ok)
		}
	}
}

// The port of wp_specialchars_decode($s, ENT_QUOTES), against what
// WordPress's implementation does with each case.
func TestSpecialcharsDecode_MatchesWordPress(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"plain":               "plain",
		"&amp;":               "&",
		"&amp;lt;":            "&lt;", // strtr does not rescan what it replaced
		"&#039;&#39;&#0039;":  "'''",
		"&#x27;&#X27;&#x027;": "'''",
		"&quot;&#34;&#x22;":   `"""`,
		"&lt;&#60;&gt;&#62;":  "<<>>",
		"&#38;&#038;&#x26;":   "&&&",
		"&nbsp;&eacute;":      "&nbsp;&eacute;", // only & < > " ' are decoded
		"&QUOT;&AMP;":         "&QUOT;&AMP;",
		"&#x3E;":              "&#x3E;",
		"a&&amp;b&":           "a&&b&",
	} {
		if got := woocommerce.SpecialcharsDecode(in); got != want {
			t.Errorf("SpecialcharsDecode(%q) = %q, want %q", in, got, want)
		}
	}
}
