package shopify

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"testing"
)

// vector is one entry of testdata/published-hmac-vectors.json.
type vector struct {
	System   string `json:"system"`
	Source   string `json:"source"`
	Secret   string `json:"secret"`
	Body     string `json:"body"`
	Expected string `json:"expected"`
}

// shopifyVectors returns the published Shopify vectors; there must be some.
func shopifyVectors(tb testing.TB) []vector {
	tb.Helper()
	b, err := os.ReadFile("testdata/published-hmac-vectors.json")
	if err != nil {
		tb.Fatal(err)
	}
	var all []vector
	if err := json.Unmarshal(b, &all); err != nil {
		tb.Fatal(err)
	}
	var vs []vector
	for _, v := range all {
		if v.System == "shopify" {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		tb.Fatal("no shopify vectors in testdata")
	}
	return vs
}

func TestVerify_AcceptsEveryPublishedVector(t *testing.T) {
	t.Parallel()
	for _, v := range shopifyVectors(t) {
		t.Run(v.Source, func(t *testing.T) {
			t.Parallel()
			if err := Verify([]byte(v.Body), v.Expected, [][]byte{[]byte(v.Secret)}); err != nil {
				t.Errorf("Verify: %v", err)
			}
			if got := Sign([]byte(v.Body), []byte(v.Secret)); got != v.Expected {
				t.Errorf("Sign = %s, want %s", got, v.Expected)
			}
		})
	}
}

func TestVerify_RejectsTamperedOrUnverifiable(t *testing.T) {
	t.Parallel()
	v := shopifyVectors(t)[0]
	body, secret := []byte(v.Body), []byte(v.Secret)
	sum, err := base64.StdEncoding.DecodeString(v.Expected)
	if err != nil {
		t.Fatal(err)
	}
	flippedSum := append([]byte(nil), sum...)
	flippedSum[7] ^= 0x10
	flippedBody := append([]byte(nil), body...)
	flippedBody[3] ^= 0x01

	tests := []struct {
		name    string
		body    []byte
		header  string
		secrets [][]byte
	}{
		{"flipped bit in signature", body, base64.StdEncoding.EncodeToString(flippedSum), [][]byte{secret}},
		{"flipped bit in body", flippedBody, v.Expected, [][]byte{secret}},
		{"wrong secret", body, v.Expected, [][]byte{[]byte("not-the-secret")}},
		{"truncated header", body, v.Expected[:len(v.Expected)-4], [][]byte{secret}},
		{"header of 31 bytes", body, base64.StdEncoding.EncodeToString(sum[:31]), [][]byte{secret}},
		{"header not base64", body, "!!" + v.Expected[2:], [][]byte{secret}},
		{"hex instead of base64", body, "40dc8e6d394a6ccc76a8394f17f64e65c06a8393a03e0fb6a24cb7ce575cd06c", [][]byte{secret}},
		{"empty header", body, "", [][]byte{secret}},
		{"no secrets", body, v.Expected, nil},
		{"only empty secrets", body, v.Expected, [][]byte{{}, nil}},
		{"empty body", nil, v.Expected, [][]byte{secret}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := Verify(tc.body, tc.header, tc.secrets)
			if !errors.Is(err, ErrSignature) {
				t.Errorf("Verify = %v, want ErrSignature", err)
			}
		})
	}
}

func TestVerify_AcceptsEitherSecretDuringRotation(t *testing.T) {
	t.Parallel()
	v := shopifyVectors(t)[0]
	right, wrong := []byte(v.Secret), []byte("rotated-away")
	tests := []struct {
		name    string
		secrets [][]byte
	}{
		{"current matches", [][]byte{right, wrong}},
		{"previous matches", [][]byte{wrong, right}},
		{"empty slot ignored", [][]byte{nil, right}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if err := Verify([]byte(v.Body), v.Expected, tc.secrets); err != nil {
				t.Errorf("Verify: %v", err)
			}
		})
	}
}

func TestVerify_ToleratesSurroundingWhitespaceInHeader(t *testing.T) {
	t.Parallel()
	v := shopifyVectors(t)[0]
	if err := Verify([]byte(v.Body), " "+v.Expected+"\t", [][]byte{[]byte(v.Secret)}); err != nil {
		t.Errorf("Verify: %v", err)
	}
}
