package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestDemo_CutoverWalkGatesNothingBeforeTheERP(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs the whole demo")
	}
	out := filepath.Join(t.TempDir(), "cutover.json")
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()
	res := runContext(t, ctx, nil, "demo", "--scenario", "cutover", "--orders", "60", "--exit", "--json", out, "--listen", "127.0.0.1:0")
	if res.exitCode != 0 {
		t.Fatalf("demo exited %d, want 0\nstdout:\n%s\nstderr:\n%s", res.exitCode, res.stdout, lastBytes(res.stderr, 4096))
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	type cohort struct {
		Orders             *int `json:"orders"`
		ConfirmedBeforeERP *int `json:"confirmed_before_erp"`
		MissingInERP       *int `json:"missing_in_erp"`
	}
	var got struct {
		Cohorts struct{ Gated, Legacy cohort } `json:"cohorts"`
		Verdict struct {
			Decision string `json:"decision"`
		} `json:"verdict"`
	}
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	g, l := got.Cohorts.Gated, got.Cohorts.Legacy
	for name, c := range map[string]cohort{"gated": g, "legacy": l} {
		if c.Orders == nil || c.ConfirmedBeforeERP == nil || c.MissingInERP == nil {
			t.Fatalf("cohorts.%s lacks orders, confirmed_before_erp or missing_in_erp: %s", name, data)
		}
	}
	// The last step is 100%: every order gated, none confirmed early.
	if *g.Orders != 60 || *g.ConfirmedBeforeERP != 0 || *g.MissingInERP != 0 || *l.Orders != 0 || got.Verdict.Decision != "go" {
		t.Errorf("last report gated %d/%d/%d legacy %d verdict %s, want 60/0/0, 0 and go", *g.Orders, *g.ConfirmedBeforeERP, *g.MissingInERP, *l.Orders, got.Verdict.Decision)
	}
}
