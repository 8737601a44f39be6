package netsuitefake

import (
	"encoding/json"
	"maps"
	"net/http"
)

// invalidLogin is NetSuite's 401 body, verbatim from the Help Center
// (../testdata/error-401-invalid-login.json).
const invalidLogin = `{
    "type": "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html",
    "title": "Unauthorized",
    "status": 401,
    "o:errorDetails": [
        {
            "detail": "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail.",
            "o:errorCode": "INVALID_LOGIN"
        }
    ]
}
`

// InvalidLoginBody returns the 401 body the fake sends, for tests that
// check it against the published one.
func InvalidLoginBody() string { return invalidLogin }

// idempotencyConflictAsPublished is the body Oracle publishes for a repeated
// idempotency key (../testdata/error-400-idempotency.AS-PUBLISHED-INVALID-JSON.txt):
// the quotes around Location inside "detail" are not escaped, so it is not
// JSON. Sent with Config.AsPublished.
const idempotencyConflictAsPublished = `{
    "type": "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.10",
    "title": "Conflict",
    "status": 400,
    "o:errorDetails": [
        {
            "detail": "A request with the same idempotency key is already submitted.             See the "Location" header for a link to the previously submitted job",
            "o:errorCode": "IDEMPOTENCY_ERROR"
        }
    ]
}
`

// detail is one entry of o:errorDetails.
type detail struct {
	Detail string `json:"detail"`
	Code   string `json:"o:errorCode"`
	Path   string `json:"o:errorPath,omitempty"`
	Header string `json:"o:errorHeader,omitempty"`
}

// typeURL is the "type" NetSuite gives each status (the RFC 2616 section).
var typeURL = map[int]string{
	400: "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.1",
	401: "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.2",
	403: "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.4",
	404: "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.5",
	405: "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.6",
	429: "https://tools.ietf.org/html/rfc6585#section-4",
	500: "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.5.1",
}

// ErrorBody returns a NetSuite error body.
func ErrorBody(status int, title, code, detailText, path string) []byte {
	b, _ := json.MarshalIndent(errorBody(status, title, detail{Detail: detailText, Code: code, Path: path}), "", "    ")
	return b
}

func errorBody(status int, title string, ds ...detail) map[string]any {
	return map[string]any{"type": typeURL[status], "title": title, "status": status, "o:errorDetails": ds}
}

func writeError(w http.ResponseWriter, status int, title string, ds ...detail) {
	writeJSON(w, status, errorBody(status, title, ds...))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.MarshalIndent(v, "", "    ")
	w.Header().Set("Content-Type", "application/vnd.oracle.resource+json; type=singular")
	if status >= 400 {
		w.Header().Set("Content-Type", "application/vnd.oracle.resource+json; type=error")
	}
	w.WriteHeader(status)
	w.Write(b)
}

func writeRaw(w http.ResponseWriter, status int, h http.Header, body string) {
	maps.Copy(w.Header(), h)
	if w.Header().Get("Content-Type") == "" && body != "" {
		w.Header().Set("Content-Type", "application/vnd.oracle.resource+json; type=error")
	}
	w.WriteHeader(status)
	w.Write([]byte(body))
}
