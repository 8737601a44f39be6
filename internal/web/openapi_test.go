package web

import (
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// openAPIFile documents every route the server serves.
const openAPIFile = "../../api/openapi.yaml"

var openAPIMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// loadOpenAPI reads the document as plain YAML: the test checks what it
// says against the router, not against a generator's idea of it.
func loadOpenAPI(t *testing.T) map[string]any {
	t.Helper()
	data, err := os.ReadFile(openAPIFile)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", openAPIFile, err)
	}
	return doc
}

// routes returns "METHOD /path" for every route of the real router.
func routes(t *testing.T) []string {
	t.Helper()
	var out []string
	h, ok := New(nil, nil, Config{}).Handler().(chi.Routes)
	if !ok {
		t.Fatal("the handler is not a chi router")
	}
	err := chi.Walk(h, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		out = append(out, method+" "+strings.TrimSuffix(route, "/*"))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func TestOpenAPI_ListsEveryRouteAndNoOther(t *testing.T) {
	t.Parallel()
	doc := loadOpenAPI(t)
	paths, _ := doc["paths"].(map[string]any)
	var documented []string
	for path, item := range paths {
		ops, _ := item.(map[string]any)
		if outside, _ := ops["x-ordergate-outside-router"].(bool); outside {
			continue // served next to the router, by cmd/ordergate
		}
		for _, m := range openAPIMethods {
			if _, ok := ops[m]; ok {
				documented = append(documented, strings.ToUpper(m)+" "+path)
			}
		}
	}
	slices.Sort(documented)
	if diff := cmp.Diff(routes(t), documented); diff != "" {
		t.Errorf("routes served (-) and routes in %s (+) differ:\n%s", openAPIFile, diff)
	}
}

func TestOpenAPI_IsCompleteEnoughToUse(t *testing.T) {
	t.Parallel()
	doc := loadOpenAPI(t)
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		t.Errorf("openapi %q, want 3.1.x", v)
	}
	components, _ := doc["components"].(map[string]any)
	schemes, _ := components["securitySchemes"].(map[string]any)
	for _, name := range []string{"bearerToken", "sessionCookie"} {
		if _, ok := schemes[name]; !ok {
			t.Errorf("security scheme %s missing", name)
		}
	}
	refs := map[string]bool{}
	collectRefs(doc, refs)
	for ref := range refs {
		if resolve(doc, ref) == nil {
			t.Errorf("$ref %s points nowhere", ref)
		}
	}

	pathParam := regexp.MustCompile(`\{([^}]+)\}`)
	paths, _ := doc["paths"].(map[string]any)
	for path, item := range paths {
		ops, _ := item.(map[string]any)
		for _, m := range openAPIMethods {
			op, ok := ops[m].(map[string]any)
			if !ok {
				continue
			}
			where := strings.ToUpper(m) + " " + path
			if id, _ := op["operationId"].(string); id == "" {
				t.Errorf("%s: no operationId", where)
			}
			if resp, _ := op["responses"].(map[string]any); len(resp) == 0 {
				t.Errorf("%s: no responses", where)
			}
			if _, ok := op["security"]; !ok {
				t.Errorf("%s: no security (write [] for none)", where)
			}
			if strings.HasPrefix(path, "/api/v1/") {
				sec := op["security"].([]any)
				var names []string
				for _, s := range sec {
					for name := range s.(map[string]any) {
						names = append(names, name)
					}
				}
				slices.Sort(names)
				if !slices.Equal(names, []string{"bearerToken", "sessionCookie"}) {
					t.Errorf("%s: security %v, want bearerToken or sessionCookie", where, names)
				}
			}
			declared := map[string]bool{}
			params, _ := op["parameters"].([]any)
			for _, p := range params {
				pm, _ := p.(map[string]any)
				if ref, ok := pm["$ref"].(string); ok {
					pm, _ = resolve(doc, ref).(map[string]any)
				}
				if pm["in"] == "path" {
					declared[pm["name"].(string)] = true
				}
			}
			for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
				if !declared[m[1]] {
					t.Errorf("%s: path parameter %s not declared", where, m[1])
				}
			}
		}
	}
}

// The asset route lists its files; a file added to the dashboard must be
// added there.
func TestOpenAPI_ListsEveryAsset(t *testing.T) {
	t.Parallel()
	doc := loadOpenAPI(t)
	params := resolve(doc, "#/paths/~1assets~1{name}/get/parameters")
	var documented []string
	for _, p := range params.([]any) {
		pm := p.(map[string]any)
		if pm["name"] != "name" {
			continue
		}
		for _, v := range pm["schema"].(map[string]any)["enum"].([]any) {
			documented = append(documented, v.(string))
		}
	}
	var served []string
	for name := range assets {
		served = append(served, name)
	}
	slices.Sort(served)
	slices.Sort(documented)
	if diff := cmp.Diff(served, documented); diff != "" {
		t.Errorf("assets served (-) and listed in %s (+) differ:\n%s", openAPIFile, diff)
	}
}

func collectRefs(v any, into map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && k == "$ref" {
				into[s] = true
			}
			collectRefs(x, into)
		}
	case []any:
		for _, x := range v {
			collectRefs(x, into)
		}
	}
}

// resolve follows a local "#/a/b" reference; nil if it leads nowhere.
func resolve(doc map[string]any, ref string) any {
	path, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil
	}
	var cur any = doc
	for _, part := range strings.Split(path, "/") {
		part = strings.NewReplacer("~1", "/", "~0", "~").Replace(part)
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		if cur, ok = m[part]; !ok {
			return nil
		}
	}
	return cur
}
