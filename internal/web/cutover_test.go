package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/cutover"
	"github.com/ordergate/ordergate/internal/order"
)

// postCutover posts body to /api/v1/cutover/{path}.
func (b *bundle) postCutover(t *testing.T, path, token, body string) reply {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, b.srv.URL+"/api/v1/cutover/"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set(HeaderActor, "alice")
	req.Header.Set("Content-Type", "application/json")
	return b.do(t, req)
}

func TestAPICutover_ReportSettingAuditAndRollback(t *testing.T) {
	t.Parallel()
	b := setup(t, options{sla: time.Minute})
	gated := b.deliver(t, "orders-create-sample-2025.json")
	if o := b.waitSettled(t, gated); o.State() != order.Confirmed || o.Cutover.Cohort != order.CohortGated {
		t.Fatalf("state %s cohort %q, want confirmed gated", o.State(), o.Cutover.Cohort)
	}

	r := b.get(t, "/api/v1/cutover/report?storefront="+shop1, readOnlyToken)
	var rep cutover.Report
	if r.status != http.StatusOK || json.Unmarshal(r.body, &rep) != nil {
		t.Fatalf("report: %d %s", r.status, r.body)
	}
	// (The sample's capture is years old, so it counts as missing in the
	// erp after its SLA: the report measures from capture.)
	if g := rep.Cohorts.Gated; g.Orders != 1 || g.Confirmed != 1 || g.ConfirmedBeforeERP != 0 || g.Latency.N != 1 {
		t.Errorf("gated cohort %+v, want one order confirmed after the erp took it", g)
	}
	if rep.Verdict.Go {
		t.Errorf("verdict go with one gated order, want no-go: %+v", rep.Verdict)
	}
	if r := b.get(t, "/api/v1/cutover/report?min_gated_orders=x", adminToken); r.status != http.StatusBadRequest {
		t.Errorf("bad threshold: %d %s, want 400", r.status, r.body)
	}

	if r := b.postCutover(t, shop1, readOnlyToken, `{"rollout_percent": 10}`); r.status != http.StatusForbidden {
		t.Errorf("change with a read-only token: %d, want 403", r.status)
	}
	if r := b.postCutover(t, shop1, adminToken, `{"rollout_percent": 150}`); r.status != http.StatusBadRequest {
		t.Errorf("150%%: %d %s, want 400", r.status, r.body)
	}
	r = b.postCutover(t, shop1, adminToken, `{"rollout_percent": 10, "reason": "first step"}`)
	var st cutover.State
	if r.status != http.StatusOK || json.Unmarshal(r.body, &st) != nil {
		t.Fatalf("set: %d %s", r.status, r.body)
	}
	if st.Setting.Percent != 10 || st.Setting.Mode != "gated" || !strings.HasSuffix(st.Setting.By, "alice") {
		t.Errorf("setting %+v, want gated 10%% by alice", st.Setting)
	}
	r = b.postCutover(t, shop1+"/rollback", adminToken, `{"reason": "too many rejections"}`)
	if r.status != http.StatusOK || json.Unmarshal(r.body, &st) != nil {
		t.Fatalf("rollback: %d %s", r.status, r.body)
	}
	if st.Setting.Percent != 0 || !st.Setting.Rollback || len(st.History) != 2 || st.History[1].Reason != "first step" {
		t.Errorf("after rollback %+v, want 0%% marked rollback over a two-entry audit log", st)
	}

	// From now on new orders stay with the legacy flow: nothing reaches
	// the erp for them.
	legacy := b.deliver(t, rest)
	o, err := b.reader(t).Get(t.Context(), legacy)
	if err != nil {
		t.Fatal(err)
	}
	if o.Cutover.Cohort != order.CohortLegacy {
		t.Errorf("after the rollback, cohort %q, want legacy", o.Cutover.Cohort)
	}
	if n := len(b.sim.Records().OrdersFor(legacy.ExternalID())); n != 0 {
		t.Errorf("erp holds %d orders for a legacy order, want 0", n)
	}
}
