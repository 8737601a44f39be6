// Package callback signs and verifies the acknowledgments an ERP posts to
// the gateway at POST /erp/{erp}/ack.
//
// The protocol: the ERP sends the receipt as the raw JSON body with two
// headers,
//
//	X-Ordergate-Timestamp: 1764259200      Unix seconds when it was sent
//	X-Ordergate-Signature: sha256=<hex>    HMAC-SHA256(secret, timestamp + "." + body)
//
// The timestamp is part of what is signed, so a captured callback cannot be
// replayed once it falls outside the tolerance (DefaultTolerance, five
// minutes either way, which also absorbs modest clock skew). The signature
// is checked on the exact bytes received, before the body is parsed.
//
// Several secrets may be configured for one ERP while a secret is rotated:
// a callback signed with any of them is accepted.
package callback
