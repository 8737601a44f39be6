package netsuitefake_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/erp/netsuite/netsuitefake"
)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func jsonEqual(t *testing.T, what string, want, got []byte) {
	t.Helper()
	var w, g any
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("%s: want: %v", what, err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: got %s: %v", what, got, err)
	}
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("%s (-published +fake):\n%s", what, diff)
	}
}

// The fake answers the requests Oracle publishes with the replies Oracle
// publishes for them.
func TestFake_AnswersPublishedRequestsAsPublished(t *testing.T) {
	t.Parallel()
	fake := netsuitefake.New(netsuitefake.Config{Account: "DEMO123", CustomerID: "110", StaticToken: "tok"})
	fake.SetStock("TEE", 5) // internal id 98, as in the published request
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	put := func(path string, body []byte, auth string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPut, srv.URL+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}

	resp := put("/services/rest/record/v1/salesOrder/eid:SO-1", fixture(t, "salesorder-create-request-orderStatus-B.json"), "Bearer tok")
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Location") != srv.URL+"/services/rest/record/v1/salesOrder/647" {
		t.Errorf("create = %d, Location %q; want 204 with the record's url", resp.StatusCode, resp.Header.Get("Location"))
	}
	if got := fake.Orders(); len(got) != 1 || got[0].Status != "B" || got[0].Lines[0].Committed != 1 {
		t.Errorf("orders = %+v, want one in B with its unit committed", got)
	}

	// The published invalid-item request names customer 107; make it
	// this account's customer so that only the item is wrong.
	invalid := bytes.Replace(fixture(t, "salesorder-create-request-invalid-item.json"), []byte(`"id": 107`), []byte(`"id": 110`), 1)
	resp = put("/services/rest/record/v1/salesOrder/eid:SO-2", invalid, "Bearer tok")
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("invalid item = %d, want 400", resp.StatusCode)
	}
	jsonEqual(t, "invalid item reply", fixture(t, "error-400-invalid-content-salesorder-item.json"), body)

	resp = put("/services/rest/record/v1/salesOrder/eid:SO-3", fixture(t, "salesorder-create-request-orderStatus-B.json"), "Bearer not-a-token")
	body, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("bad token = %d, want 401", resp.StatusCode)
	}
	jsonEqual(t, "invalid login reply", fixture(t, "error-401-invalid-login.json"), body)
	if !bytes.Equal(fixture(t, "error-401-invalid-login.json"), []byte(netsuitefake.InvalidLoginBody())) {
		t.Error("the fake's 401 body is not the published one byte for byte")
	}
}
