package config

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Strictness has no exception for keys that only hold anchors.
func TestParse_TopLevelAnchorKeyIsUnknown(t *testing.T) {
	t.Parallel()
	data := `
database: sqlite:og.db
x-erp: &erp {kind: sandbox}
erps:
  - <<: *erp
    name: erp1
`
	_, err := Parse([]byte(data), nil)
	if diff := cmp.Diff([]string{"x-erp: unknown field"}, errorLines(err)); diff != "" {
		t.Fatalf("problems mismatch (-want +got):\n%s", diff)
	}
}

func TestParse_MergedValuesAreOverriddenByTheEntrysOwn(t *testing.T) {
	t.Parallel()
	data := `
database: sqlite:og.db
erps:
  - &erp {name: erp1, kind: sandbox, max_concurrency: 4, timeout: 10s}
  - <<: *erp
    name: erp2
    max_concurrency: 16
`
	c, err := Parse([]byte(data), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := []ERP{*c.ERP("erp1"), *c.ERP("erp2")}
	for i := range got {
		got[i].Sandbox = nil
	}
	want := []ERP{
		{Name: "erp1", Kind: "sandbox", MaxConcurrency: 4, Timeout: 10 * time.Second},
		{Name: "erp2", Kind: "sandbox", MaxConcurrency: 16, Timeout: 10 * time.Second},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ERPs mismatch (-want +got):\n%s", diff)
	}
}

func TestParse_UnknownKeyInMergedMappingIsReported(t *testing.T) {
	t.Parallel()
	data := `
database: sqlite:og.db
erps:
  - &erp {name: erp1, kind: sandbox}
  - <<: {kind: sandbox, concurency: 4}
    name: erp2
`
	_, err := Parse([]byte(data), nil)
	if diff := cmp.Diff([]string{"erps[1].concurency: unknown field"}, errorLines(err)); diff != "" {
		t.Errorf("problems mismatch (-want +got):\n%s", diff)
	}
}

func TestParse_RepeatedStockSKUIsReported(t *testing.T) {
	t.Parallel()
	data := `
database: sqlite:og.db
erps:
  - {name: erp1, kind: sandbox, sandbox: {stock: {MUG: 1, MUG: 2}}}
`
	_, err := Parse([]byte(data), nil)
	if diff := cmp.Diff([]string{`erps[0].sandbox.stock["MUG"]: repeated key`}, errorLines(err)); diff != "" {
		t.Errorf("problems mismatch (-want +got):\n%s", diff)
	}
}
