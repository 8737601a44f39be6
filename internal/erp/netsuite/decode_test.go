package netsuite

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/erp"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// publishedBody returns the body of a published reply that starts with its
// status line and headers.
func publishedBody(t testing.TB, name string) []byte {
	b := readTestdata(t, name)
	i := bytes.IndexByte(b, '{')
	if i < 0 {
		t.Fatalf("%s has no body", name)
	}
	return b[i:]
}

// The idempotency conflict as Oracle publishes it: the quotes around
// Location inside "detail" are not escaped, so it is not JSON. The decoder
// still finds the code, which is what decides the kind, and keeps the
// text for the operator.
func TestDecodeErrorBody_PublishedIdempotencyConflictThatIsNotJSON(t *testing.T) {
	t.Parallel()
	body := publishedBody(t, "error-400-idempotency.AS-PUBLISHED-INVALID-JSON.txt")
	if json.Valid(body) {
		t.Fatal("the published body parses; this test no longer shows the lenient path")
	}
	eb := decodeErrorBody(body)
	if eb.Title != "Conflict" || len(eb.Details) != 1 || eb.Details[0].Code != "IDEMPOTENCY_ERROR" {
		t.Fatalf("decoded %+v, want title Conflict and code IDEMPOTENCY_ERROR", eb)
	}
	if !strings.Contains(eb.Details[0].Detail, `See the "Location" header`) {
		t.Errorf("detail %q lost NetSuite's words", eb.Details[0].Detail)
	}
	if !isIdempotencyConflict(body) {
		t.Error("isIdempotencyConflict = false")
	}
}

func TestDecodeErrorBody_PublishedValidBodies(t *testing.T) {
	t.Parallel()
	cases := map[string]errorBody{
		"error-401-invalid-login.json": {
			Type: "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html", Title: "Unauthorized", Status: 401,
			Details: []errorDetail{{Code: "INVALID_LOGIN", Detail: "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail."}},
		},
		"error-400-invalid-content-salesorder-item.json": {
			Type: "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.1", Title: "Bad Request", Status: 400,
			Details: []errorDetail{{Code: "INVALID_CONTENT", Path: "item.items[0].item", Detail: "Error while accessing resource: You have entered an Invalid Field Value 9999 for the following field: item"}},
		},
	}
	for name, want := range cases {
		if diff := cmp.Diff(want, decodeErrorBody(readTestdata(t, name))); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
}

// The completed task as Oracle publishes it: a comma after the last link
// and an unquoted endTime. The two fields needed are read all the same.
func TestDecodeJobStatus_PublishedShapes(t *testing.T) {
	t.Parallel()
	task := readTestdata(t, "async-task-completed.AS-PUBLISHED-INVALID-JSON.txt")
	if json.Valid(task) {
		t.Fatal("the published task parses; this test no longer shows the lenient path")
	}
	cases := []struct {
		name string
		body []byte
		want jobStatus
	}{
		{"PendingJob", readTestdata(t, "async-job-pending.json"), jobStatus{Completed: false, Progress: "pending"}},
		{"CompletedTaskAsPublished", task, jobStatus{Completed: true, Progress: "succeeded"}},
	}
	for _, c := range cases {
		got, err := decodeJobStatus(c.body)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
	if _, err := decodeJobStatus([]byte("<html>gateway timeout</html>")); err == nil {
		t.Error("a body with neither field decoded without error")
	}
}

func TestItemRejection_NamesTheSKUOfTheLine(t *testing.T) {
	t.Parallel()
	eb := decodeErrorBody(readTestdata(t, "error-400-invalid-content-salesorder-item.json"))
	e := itemRejection(eb, []string{"TEE-RED-M"}, describe(400, eb))
	want := "sku TEE-RED-M: http 400 Bad Request: INVALID_CONTENT at item.items[0].item: Error while accessing resource: You have entered an Invalid Field Value 9999 for the following field: item (netsuite code INVALID_CONTENT)"
	if e == nil || e.Kind != erp.ErrRejected || e.Code != erp.CodeUnknownSKU || e.Message != want {
		t.Errorf("itemRejection = %+v, want a rejection %s with message\n%s", e, erp.CodeUnknownSKU, want)
	}
}

func FuzzDecodeErrorBody(f *testing.F) {
	for _, name := range []string{"error-401-invalid-login.json", "error-400-invalid-content-salesorder-item.json"} {
		f.Add(readTestdata(f, name))
	}
	f.Add(publishedBody(f, "error-400-idempotency.AS-PUBLISHED-INVALID-JSON.txt"))
	f.Fuzz(func(t *testing.T, b []byte) {
		eb := decodeErrorBody(b)
		_ = describe(400, eb)
		_ = itemRejection(eb, []string{"A"}, "")
	})
}

func FuzzDecodeJobStatus(f *testing.F) {
	f.Add(readTestdata(f, "async-job-pending.json"))
	f.Add(readTestdata(f, "async-task-completed.AS-PUBLISHED-INVALID-JSON.txt"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := decodeJobStatus(b)
		if err != nil && s != (jobStatus{}) {
			t.Errorf("error %v with a status %+v", err, s)
		}
	})
}
