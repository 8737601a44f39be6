package callback_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/erp/callback"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
)

// The vector: computed outside Go, with
//
//	printf '%s' '1764259200.<body>' | openssl dgst -sha256 -hmac cb_secret_2026
const (
	vectorSecret    = "cb_secret_2026"
	vectorTimestamp = 1764259200
	vectorBody      = `{"ref":"SO-1001","external_id":"og-shop1-1001","status":"acknowledged","lines":[{"sku":"TSHIRT-M","ordered":2,"validated":2}]}`
	vectorSignature = "sha256=28aa34b36480a0703abf9e7457fa6d231b152953d039617a590bf72734385135"
)

var vectorTime = time.Unix(vectorTimestamp, 0)

func headers(ts, sig string) http.Header {
	h := http.Header{}
	if ts != "" {
		h.Set(callback.HeaderTimestamp, ts)
	}
	if sig != "" {
		h.Set(callback.HeaderSignature, sig)
	}
	return h
}

func TestSign_MatchesTheVectorAndTheSimulatorsOwnSigner(t *testing.T) {
	t.Parallel()
	if got := callback.Sign([]byte(vectorSecret), vectorTime, []byte(vectorBody)); got != vectorSignature {
		t.Errorf("Sign = %s, want %s", got, vectorSignature)
	}
	// The same sum written out here with crypto/hmac, and by the sandbox
	// ERP, which implements the protocol on its own.
	m := hmac.New(sha256.New, []byte(vectorSecret))
	m.Write([]byte(strconv.Itoa(vectorTimestamp) + "." + vectorBody))
	if got := "sha256=" + hex.EncodeToString(m.Sum(nil)); got != vectorSignature {
		t.Errorf("crypto/hmac gives %s, want %s", got, vectorSignature)
	}
	if got := erpsim.SignCallback(vectorSecret, vectorTimestamp, []byte(vectorBody)); got != vectorSignature {
		t.Errorf("erpsim.SignCallback = %s, want %s", got, vectorSignature)
	}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	secret := []byte(vectorSecret)
	body := []byte(vectorBody)
	ts := strconv.Itoa(vectorTimestamp)
	flipped := []byte(vectorSignature)
	flipped[len(flipped)-1] ^= 0x01 // '5' → '4'
	tampered := []byte(strings.Replace(vectorBody, `"validated":2`, `"validated":3`, 1))

	tests := []struct {
		name      string
		secrets   [][]byte
		header    http.Header
		body      []byte
		now       time.Time
		tolerance time.Duration
		want      error  // nil: accepted
		wantText  string // in the error
	}{
		{name: "VectorAccepted", secrets: [][]byte{secret}, header: headers(ts, vectorSignature), body: body, now: vectorTime},
		{name: "UpperCaseHexAccepted", secrets: [][]byte{secret}, header: headers(ts, "SHA256="+strings.ToUpper(strings.TrimPrefix(vectorSignature, "sha256="))), body: body, now: vectorTime},
		{name: "SurroundingSpaceAccepted", secrets: [][]byte{secret}, header: headers(" "+ts+" ", " "+vectorSignature+" "), body: body, now: vectorTime},
		{name: "SecondSecretOfARotationAccepted", secrets: [][]byte{[]byte("the-new-one"), secret}, header: headers(ts, vectorSignature), body: body, now: vectorTime},
		{name: "EmptySecretsIgnored", secrets: [][]byte{nil, {}, secret}, header: headers(ts, vectorSignature), body: body, now: vectorTime},
		{name: "JustInsideTheDefaultToleranceLate", secrets: [][]byte{secret}, header: headers(ts, vectorSignature), body: body, now: vectorTime.Add(callback.DefaultTolerance)},
		{name: "JustInsideTheDefaultToleranceEarly", secrets: [][]byte{secret}, header: headers(ts, vectorSignature), body: body, now: vectorTime.Add(-callback.DefaultTolerance)},

		{name: "NoHeaders", secrets: [][]byte{secret}, header: http.Header{}, body: body, now: vectorTime, want: callback.ErrMissingHeader, wantText: callback.HeaderSignature},
		{name: "NoTimestamp", secrets: [][]byte{secret}, header: headers("", vectorSignature), body: body, now: vectorTime, want: callback.ErrMissingHeader, wantText: callback.HeaderTimestamp},
		{name: "NoSignature", secrets: [][]byte{secret}, header: headers(ts, ""), body: body, now: vectorTime, want: callback.ErrMissingHeader, wantText: callback.HeaderSignature},
		{name: "WrongSecret", secrets: [][]byte{[]byte("not-the-secret")}, header: headers(ts, vectorSignature), body: body, now: vectorTime, want: callback.ErrSignature, wantText: "none of 1 secrets"},
		{name: "NoSecretConfigured", secrets: [][]byte{nil}, header: headers(ts, vectorSignature), body: body, now: vectorTime, want: callback.ErrSignature, wantText: "no callback secret"},
		{name: "FlippedBitInSignature", secrets: [][]byte{secret}, header: headers(ts, string(flipped)), body: body, now: vectorTime, want: callback.ErrSignature},
		{name: "BodyChangedAfterSigning", secrets: [][]byte{secret}, header: headers(ts, vectorSignature), body: tampered, now: vectorTime, want: callback.ErrSignature},
		{name: "TimestampChangedAfterSigning", secrets: [][]byte{secret}, header: headers(strconv.Itoa(vectorTimestamp+1), vectorSignature), body: body, now: vectorTime, want: callback.ErrSignature},
		{name: "TimestampWithASign", secrets: [][]byte{secret}, header: headers("+"+ts, vectorSignature), body: body, now: vectorTime, want: callback.ErrSignature, wantText: "Unix seconds"},
		{name: "TimestampInMilliseconds", secrets: [][]byte{secret}, header: headers(ts+"000", vectorSignature), body: body, now: vectorTime, want: callback.ErrSignature},
		{name: "TimestampNotANumber", secrets: [][]byte{secret}, header: headers("2025-11-27T16:00:00Z", vectorSignature), body: body, now: vectorTime, want: callback.ErrSignature, wantText: "Unix seconds"},
		{name: "SignatureWithoutScheme", secrets: [][]byte{secret}, header: headers(ts, strings.TrimPrefix(vectorSignature, "sha256=")), body: body, now: vectorTime, want: callback.ErrSignature, wantText: "sha256="},
		{name: "SignatureTruncated", secrets: [][]byte{secret}, header: headers(ts, vectorSignature[:len(vectorSignature)-2]), body: body, now: vectorTime, want: callback.ErrSignature},
		{name: "SignatureNotHex", secrets: [][]byte{secret}, header: headers(ts, "sha256="+strings.Repeat("zz", 32)), body: body, now: vectorTime, want: callback.ErrSignature},
		{name: "OlderThanTheDefaultTolerance", secrets: [][]byte{secret}, header: headers(ts, vectorSignature), body: body, now: vectorTime.Add(callback.DefaultTolerance + time.Second), want: callback.ErrStale, wantText: "tolerance 5m0s"},
		{name: "FurtherAheadThanTheDefaultTolerance", secrets: [][]byte{secret}, header: headers(ts, vectorSignature), body: body, now: vectorTime.Add(-callback.DefaultTolerance - time.Second), want: callback.ErrStale},
		{name: "OlderThanAGivenTolerance", secrets: [][]byte{secret}, header: headers(ts, vectorSignature), body: body, now: vectorTime.Add(31 * time.Second), tolerance: 30 * time.Second, want: callback.ErrStale, wantText: "tolerance 30s"},
		// A forgery is a forgery however old: the signature is checked first.
		{name: "StaleAndForgedIsASignatureError", secrets: [][]byte{[]byte("not-the-secret")}, header: headers(ts, vectorSignature), body: body, now: vectorTime.Add(time.Hour), want: callback.ErrSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := callback.Verify(tt.secrets, tt.header, tt.body, tt.now, tt.tolerance)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Verify: %v, want accepted", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify: %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("Verify: %q, want it to say %q", err, tt.wantText)
			}
		})
	}
}

func FuzzVerify(f *testing.F) {
	f.Add([]byte(vectorBody), strconv.Itoa(vectorTimestamp), vectorSignature, []byte(vectorSecret), []byte("previous"), int64(0))
	f.Add([]byte(vectorBody), "+1764259200", vectorSignature, []byte(vectorSecret), []byte(nil), int64(3600))
	f.Add([]byte{}, "", "", []byte{}, []byte{}, int64(-1))
	f.Fuzz(func(t *testing.T, body []byte, ts, sig string, current, previous []byte, skew int64) {
		now := vectorTime.Add(time.Duration(skew) * time.Second)
		secrets := [][]byte{current, previous}
		err := callback.Verify(secrets, headers(ts, sig), body, now, 0)
		if err != nil {
			if !errors.Is(err, callback.ErrMissingHeader) && !errors.Is(err, callback.ErrSignature) && !errors.Is(err, callback.ErrStale) {
				t.Fatalf("Verify: %v is none of the documented errors", err)
			}
		} else {
			// Whatever Verify accepts must be a signature under one of
			// the secrets, of the timestamp as sent, within tolerance.
			sent, perr := strconv.ParseInt(strings.TrimSpace(ts), 10, 64)
			if perr != nil {
				t.Fatalf("accepted timestamp %q", ts)
			}
			sign := func(s []byte) string { return callback.Sign(s, time.Unix(sent, 0), body) }
			okCur := len(current) > 0 && strings.EqualFold(strings.TrimSpace(sig), sign(current))
			okPrev := len(previous) > 0 && strings.EqualFold(strings.TrimSpace(sig), sign(previous))
			if !okCur && !okPrev {
				t.Fatalf("accepted %q over %q, which no secret signs", sig, ts)
			}
			if d := now.Sub(time.Unix(sent, 0)); d > callback.DefaultTolerance || d < -callback.DefaultTolerance {
				t.Fatalf("accepted a timestamp %s away", d)
			}
		}
		// Its own signature, fresh, is always accepted.
		if len(current) > 0 {
			h := headers(strconv.FormatInt(now.Unix(), 10), callback.Sign(current, now, body))
			if err := callback.Verify([][]byte{previous, current}, h, body, now, 0); err != nil {
				t.Fatalf("own signature rejected: %v", err)
			}
		}
	})
}
