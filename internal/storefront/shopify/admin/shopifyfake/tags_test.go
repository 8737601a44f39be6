package shopifyfake

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const tagsAddDoc = `mutation TagsAdd($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { node { id } userErrors { field message } } }`

func TestTagsAdd_KeepsTagsAsASetReadableThroughOrder(t *testing.T) {
	t.Parallel()
	s, _ := setup(t, Options{Scopes: []string{"read_orders", "write_orders"}})
	id := "gid://shopify/Order/450789469"
	for _, tags := range []any{[]any{"a", "b"}, "b, c"} {
		status, reply := post(t, s, s.Token(), tagsAddDoc, map[string]any{"id": id, "tags": tags})
		if status != http.StatusOK || reply["errors"] != nil {
			t.Fatalf("status %d, reply %v", status, reply)
		}
		p := reply["data"].(map[string]any)["tagsAdd"].(map[string]any)
		if p["node"].(map[string]any)["id"] != id || len(p["userErrors"].([]any)) != 0 {
			t.Errorf("payload %v", p)
		}
	}
	if diff := cmp.Diff([]string{"a", "b", "c"}, s.Tags("450789469")); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
	_, reply := post(t, s, s.Token(), `{ order(id: "gid://shopify/Order/450789469") { tags } }`, nil)
	if got := reply["data"].(map[string]any)["order"].(map[string]any)["tags"]; !cmp.Equal(got, []any{"a", "b", "c"}) {
		t.Errorf("order.tags = %v", got)
	}
}

func TestTagsAdd_RefusesUnknownOrderAndMissingScope(t *testing.T) {
	t.Parallel()
	s, _ := setup(t, Options{Scopes: []string{"read_orders", "write_orders"}})
	_, reply := post(t, s, s.Token(), tagsAddDoc, map[string]any{"id": "gid://shopify/Order/1", "tags": []any{"x"}})
	ue := reply["data"].(map[string]any)["tagsAdd"].(map[string]any)["userErrors"].([]any)
	if len(ue) != 1 || ue[0].(map[string]any)["message"] != "Order does not exist" {
		t.Errorf("userErrors %v", ue)
	}

	r, _ := setup(t, Options{})
	_, reply = post(t, r, r.Token(), tagsAddDoc, map[string]any{"id": "gid://shopify/Order/450789469", "tags": []any{"x"}})
	if diff := cmp.Diff([]string{"ACCESS_DENIED"}, errorCodes(reply)); diff != "" {
		t.Errorf("codes (-want +got):\n%s", diff)
	}
	if len(r.Tags("450789469")) != 0 {
		t.Errorf("tags %v added without write_orders", r.Tags("450789469"))
	}
}

func TestThrottleNext_AnswersThrottledWithTheCostBlock(t *testing.T) {
	t.Parallel()
	s, _ := setup(t, Options{Scopes: []string{"read_orders", "write_orders"}})
	s.ThrottleNext("TagsAdd")
	vars := map[string]any{"id": "gid://shopify/Order/450789469", "tags": []any{"x"}}
	status, reply := post(t, s, s.Token(), tagsAddDoc, vars)
	if diff := cmp.Diff([]string{"THROTTLED"}, errorCodes(reply)); status != http.StatusOK || diff != "" {
		t.Fatalf("status %d, codes (-want +got):\n%s", status, diff)
	}
	ts, _ := cost(reply)["throttleStatus"].(map[string]any)
	if ts["currentlyAvailable"] != 0.0 || ts["restoreRate"] == nil {
		t.Errorf("throttleStatus %v, want an empty bucket and its restore rate", ts)
	}
	if len(s.Tags("450789469")) != 0 {
		t.Error("a throttled tagsAdd added the tag")
	}
}
