package netsuite

import (
	"crypto/sha1"
	"fmt"
	"strings"
)

// netsuiteExternalID returns the external id NetSuite keeps for ours.
// NetSuite takes letters, digits, '_' and '-' in an external id used as
// eid:, and reads '|' as a delimiter; ours are "og-<storefront>-<id>" and
// usually fit as they are. Any other byte, and '_' itself, becomes _XX
// (hex), which keeps the mapping one-to-one: two orders can never share
// an external id in NetSuite.
func netsuiteExternalID(id string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(id); i++ {
		c := id[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('_')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// idempotencyNamespace is the RFC 4122 URL namespace; the name hashed in it
// is a URN of our own, so that the key is the same on every replica and
// across restarts.
var idempotencyNamespace = [16]byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}

// idempotencyKey returns the X-NetSuite-Idempotency-Key for creating the
// sales order of an external id: a name-based (version 5) UUID, since
// NetSuite wants an RFC 4122 UUID and the key must be stable for the order.
func idempotencyKey(externalID string) string {
	h := sha1.New()
	h.Write(idempotencyNamespace[:])
	h.Write([]byte("urn:ordergate:netsuite:salesOrder:" + externalID))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50 // version 5
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}
