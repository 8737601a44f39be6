package netsuite

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
)

// minRSABits is the smallest RSA key accepted for PS256.
const minRSABits = 2048

// signer signs JWT assertions with the private key of the certificate
// mapped in NetSuite's OAuth 2.0 Client Credentials (M2M) Setup.
type signer struct {
	alg  string // PS256, ES256, ES384 or ES512
	hash crypto.Hash
	rsa  *rsa.PrivateKey
	ec   *ecdsa.PrivateKey
}

// loadSigner reads a PEM private key file.
func loadSigner(path string) (*signer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read private key: %w", err)
	}
	s, err := parseSigner(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// parseSigner finds the first private key in PEM data (a file may hold the
// certificate too): PKCS #8, PKCS #1 (RSA) or SEC 1 (EC).
func parseSigner(data []byte) (*signer, error) {
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return nil, errors.New("no PEM private key found (want a BEGIN PRIVATE KEY, BEGIN RSA PRIVATE KEY or BEGIN EC PRIVATE KEY block)")
		}
		var key any
		var err error
		switch block.Type {
		case "PRIVATE KEY":
			key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		case "RSA PRIVATE KEY":
			key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		case "EC PRIVATE KEY":
			key, err = x509.ParseECPrivateKey(block.Bytes)
		case "ENCRYPTED PRIVATE KEY":
			return nil, errors.New("the private key is encrypted; give an unencrypted key (openssl pkcs8 -nocrypt) and protect the file instead")
		default:
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("parse %s block: %w", block.Type, err)
		}
		return signerFor(key)
	}
}

func signerFor(key any) (*signer, error) {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if bits := k.N.BitLen(); bits < minRSABits {
			return nil, fmt.Errorf("RSA key of %d bits; NetSuite needs at least %d", bits, minRSABits)
		}
		return &signer{alg: "PS256", hash: crypto.SHA256, rsa: k}, nil
	case *ecdsa.PrivateKey:
		switch k.Curve {
		case elliptic.P256():
			return &signer{alg: "ES256", hash: crypto.SHA256, ec: k}, nil
		case elliptic.P384():
			return &signer{alg: "ES384", hash: crypto.SHA384, ec: k}, nil
		case elliptic.P521():
			return &signer{alg: "ES512", hash: crypto.SHA512, ec: k}, nil
		}
		return nil, fmt.Errorf("EC key on curve %s; NetSuite takes P-256, P-384 or P-521", k.Curve.Params().Name)
	}
	return nil, fmt.Errorf("a key of type %T; NetSuite takes RSA (PS256) or EC (ES256, ES384, ES512)", key)
}

// sign returns the JWS signature of data: RSASSA-PSS with a salt as long
// as the hash for PS256, and for ES* the raw r||s, each padded to the
// curve's size (RFC 7518 §3.4), not the ASN.1 form crypto/ecdsa produces.
func (s *signer) sign(rand io.Reader, data []byte) ([]byte, error) {
	h := s.hash.New()
	h.Write(data)
	digest := h.Sum(nil)
	if s.rsa != nil {
		return rsa.SignPSS(rand, s.rsa, s.hash, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	}
	r, sv, err := ecdsa.Sign(rand, s.ec, digest)
	if err != nil {
		return nil, err
	}
	size := (s.ec.Curve.Params().BitSize + 7) / 8
	sig := make([]byte, 2*size)
	r.FillBytes(sig[:size])
	sv.FillBytes(sig[size:])
	return sig, nil
}

// assertionClaims are the claims NetSuite reads from a client assertion.
type assertionClaims struct {
	Issuer   string   `json:"iss"`
	Scope    []string `json:"scope"`
	Audience string   `json:"aud"`
	IssuedAt int64    `json:"iat"`
	Expires  int64    `json:"exp"`
}

// assertion returns a signed JWT: header {alg, typ JWT, kid certificate id}.
func (s *signer) assertion(rand io.Reader, kid string, claims assertionClaims) (string, error) {
	header, err := json.Marshal(map[string]string{"alg": s.alg, "typ": "JWT", "kid": kid})
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	signed := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	sig, err := s.sign(rand, []byte(signed))
	if err != nil {
		return "", fmt.Errorf("sign client assertion: %w", err)
	}
	return signed + "." + enc.EncodeToString(sig), nil
}
