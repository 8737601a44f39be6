package bigcommerce

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

func TestVerify_AcceptsTheConfiguredHeaderUnderAnySecret(t *testing.T) {
	t.Parallel()
	secrets := [][]byte{[]byte("new-secret"), nil, []byte("old-secret")}
	tests := []struct {
		name   string
		header http.Header
		hname  string
	}{
		{"current secret", http.Header{"X-Ordergate-Token": {"new-secret"}}, DefaultHeader},
		{"previous secret during rotation", http.Header{"X-Ordergate-Token": {"old-secret"}}, DefaultHeader},
		{"empty name means the default header", http.Header{"X-Ordergate-Token": {"new-secret"}}, ""},
		{"lowercased by an HTTP/2 proxy", http.Header{"x-ordergate-token": {"new-secret"}}, DefaultHeader},
		{"name configured in another case", http.Header{"X-Ordergate-Token": {"new-secret"}}, "x-ORDERGATE-token"},
		{"a header of the operator's choosing", http.Header{"X-Shop-Secret": {"old-secret"}}, "X-Shop-Secret"},
		{"surrounding white space", http.Header{"X-Ordergate-Token": {" new-secret "}}, DefaultHeader},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if err := Verify(tc.header, tc.hname, secrets); err != nil {
				t.Errorf("Verify = %v, want nil", err)
			}
		})
	}
}

func TestVerify_RefusesMissingOrWrongTokens(t *testing.T) {
	t.Parallel()
	secrets := [][]byte{[]byte("new-secret"), []byte("old-secret")}
	tests := []struct {
		name    string
		header  http.Header
		secrets [][]byte
		want    error
	}{
		{"no header", http.Header{}, secrets, ErrMissingHeader},
		{"empty header", http.Header{"X-Ordergate-Token": {""}}, secrets, ErrMissingHeader},
		{"another header holds the secret", http.Header{"X-Other": {"new-secret"}}, secrets, ErrMissingHeader},
		{"wrong value", http.Header{"X-Ordergate-Token": {"guess"}}, secrets, ErrSignature},
		{"prefix of a secret", http.Header{"X-Ordergate-Token": {"new-secre"}}, secrets, ErrSignature},
		{"secret with more after it", http.Header{"X-Ordergate-Token": {"new-secret2"}}, secrets, ErrSignature},
		{"other case", http.Header{"X-Ordergate-Token": {"NEW-SECRET"}}, secrets, ErrSignature},
		{"no secret configured", http.Header{"X-Ordergate-Token": {"new-secret"}}, nil, ErrSignature},
		{"only empty secrets", http.Header{"X-Ordergate-Token": {"x"}}, [][]byte{nil, {}}, ErrSignature},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := Verify(tc.header, DefaultHeader, tc.secrets)
			if !errors.Is(err, tc.want) {
				t.Errorf("Verify = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestVerify_ErrorNamesTheHeaderNotTheSecret(t *testing.T) {
	t.Parallel()
	err := Verify(http.Header{"X-Ordergate-Token": {"guess"}}, DefaultHeader, [][]byte{[]byte("s3cret-value")})
	if err == nil {
		t.Fatal("Verify accepted a wrong token")
	}
	msg := err.Error()
	if !strings.Contains(msg, DefaultHeader) || strings.Contains(msg, "s3cret-value") || strings.Contains(msg, "guess") {
		t.Errorf("error %q should name the header and neither the secret nor the value sent", msg)
	}
}
