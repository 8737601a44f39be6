package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
	"github.com/ordergate/ordergate/internal/store/sqlite"
)

// diagExports writes exports of n orders over a day whose ERP takes 3
// minutes (±10s) after a 1s webhook: the ERP's queue, by construction.
// Every order is confirmed at capture, as a storefront does on its own,
// and the last `lost` orders never reach the ERP.
func diagExports(t *testing.T, n, lost int) (dir string) {
	t.Helper()
	dir = t.TempDir()
	r := rand.New(rand.NewPCG(7, 7))
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	var wh, erp, conf strings.Builder
	wh.WriteString("order_id,triggered_at,delivered_at,attempt,sku,quantity\n")
	erp.WriteString("order_id,received_at,sku,quantity\n")
	conf.WriteString("order_id,sent_at\n")
	for i := range n {
		trig := start.Add(time.Duration(i) * 24 * time.Hour / time.Duration(n))
		deliv := trig.Add(time.Second)
		recv := deliv.Add(3*time.Minute - 10*time.Second + time.Duration(r.Int64N(int64(20*time.Second))))
		id := strconv.Itoa(9000 + i)
		fmt.Fprintf(&wh, "%s,%s,%s,1,SKU-%d,1\n", id, diagRFC(trig), diagRFC(deliv), i%3)
		fmt.Fprintf(&conf, "%s,%s\n", id, diagRFC(trig))
		if i < n-lost {
			fmt.Fprintf(&erp, "%s,%s,SKU-%d,1\n", id, diagRFC(recv), i%3)
		}
	}
	for name, s := range map[string]string{"webhooks.csv": wh.String(), "erp.csv": erp.String(), "confirmations.csv": conf.String(),
		"oversells.csv": "marketplace,sku,at,units\namazon,SKU-1,2026-03-02T12:30:00Z,1\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func diagRFC(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// diagReport is the part of the JSON report the tests read.
type diagReport struct {
	Verdict       string           `json:"verdict"`
	DominantLeg   string           `json:"dominant_leg"`
	JoinedOrders  int              `json:"joined_orders"`
	PercentilesMS map[string]int64 `json:"percentiles_ms"`
	Signals       struct {
		ConfirmedBeforeERP struct {
			Confirmed      int              `json:"confirmed_orders"`
			BeforeReceipt  int              `json:"before_receipt"`
			WithoutReceipt int              `json:"without_receipt"`
			OpenExposureMS map[string]int64 `json:"open_exposure_ms"`
			Orders         []struct {
				OrderID    string `json:"order_id"`
				ExposureMS int64  `json:"exposure_ms"`
				Open       bool   `json:"open"`
			} `json:"orders"`
		} `json:"confirmed_before_erp"`
		Oversells struct {
			Assessed bool `json:"assessed"`
			Events   int  `json:"events"`
		} `json:"oversells"`
		Demand struct {
			Assessed        bool  `json:"assessed"`
			StorefrontUnits int64 `json:"storefront_units"`
			ERPUnitsInEnd   int64 `json:"erp_units_in_the_end"`
		} `json:"demand"`
	} `json:"signals"`
	Sources []struct {
		Rows    int64    `json:"rows"`
		Skipped int64    `json:"skipped_rows"`
		Errors  []string `json:"first_errors"`
	} `json:"sources"`
}

func readDiagReport(t *testing.T, path string) diagReport {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r diagReport
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return r
}

func TestDiagnose_ExportsGiveTheVerdictTextJSONHTMLAndExposedList(t *testing.T) {
	t.Parallel()
	dir := diagExports(t, 600, 12)
	out := t.TempDir()
	at := func(name string) string { return filepath.Join(dir, name) }
	res := run(t, nil, "diagnose", "--webhooks", at("webhooks.csv"), "--erp-receipts", at("erp.csv"), "--confirmations", at("confirmations.csv"),
		"--oversells", at("oversells.csv"), "--json", filepath.Join(out, "r.json"), "--html", filepath.Join(out, "r.html"), "--exposed", filepath.Join(out, "exposed.csv"))
	if res.exitCode != 0 {
		t.Fatalf("exit %d\nstderr:\n%s", res.exitCode, res.stderr)
	}
	for _, want := range []string{"VERDICT  erp_processing_queue", "The ERP's processing queue", "600 triggered, 588 joined", "were confirmed before the ERP had them", "SIGNALS"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("stdout does not say %q:\n%s", want, res.stdout)
		}
	}
	// stderr is not a terminal here: no progress bar, only what was written.
	wantErr := fmt.Sprintf("wrote %s\nwrote %s\nwrote %s\n", filepath.Join(out, "r.json"), filepath.Join(out, "r.html"), filepath.Join(out, "exposed.csv"))
	if res.stderr != wantErr {
		t.Errorf("stderr %q, want %q", res.stderr, wantErr)
	}
	r := readDiagReport(t, filepath.Join(out, "r.json"))
	if r.Verdict != "erp_processing_queue" || r.DominantLeg != "erp" || r.JoinedOrders != 588 {
		t.Errorf("JSON verdict %s (leg %s) over %d joined orders, want erp_processing_queue (erp) over 588", r.Verdict, r.DominantLeg, r.JoinedOrders)
	}
	if p := r.PercentilesMS; p["p50"] < 170_000 || p["p50"] > 192_000 || p["max"] > 192_000 || p["p90"] == 0 || p["p95"] == 0 || p["p99"] == 0 {
		t.Errorf("percentiles_ms %v, want about 3m01s", p)
	}
	c := r.Signals.ConfirmedBeforeERP
	if c.Confirmed != 600 || c.BeforeReceipt != 588 || c.WithoutReceipt != 12 || !r.Signals.Oversells.Assessed || !r.Signals.Demand.Assessed {
		t.Errorf("signals %+v", r.Signals)
	}
	if r.Signals.Demand.StorefrontUnits != 600 || r.Signals.Demand.ERPUnitsInEnd != 588 {
		t.Errorf("demand %+v, want 600 storefront units and 588 in the ERP", r.Signals.Demand)
	}
	page, err := os.ReadFile(filepath.Join(out, "r.html"))
	if err != nil || !strings.HasPrefix(string(page), "<!DOCTYPE html>") || strings.Count(string(page), "<svg") != 4 || strings.Contains(string(page), "http") {
		t.Errorf("HTML: %v; %d bytes, %d charts", err, len(page), strings.Count(string(page), "<svg"))
	}
	exposed, err := os.ReadFile(filepath.Join(out, "exposed.csv"))
	if lines := strings.Split(strings.TrimSpace(string(exposed)), "\n"); err != nil || len(lines) != 601 || !strings.HasSuffix(lines[1], ",without_receipt") {
		t.Errorf("exposed.csv: %v; %d lines, first %q", err, len(lines), lines[:min(2, len(lines))])
	}
}

func TestDiagnose_JSONLinesWithMappedColumns(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var wh, erp strings.Builder
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	for i := range 50 {
		trig := start.Add(time.Duration(i) * time.Minute)
		fmt.Fprintf(&wh, `{"id":"%d","created":"%s","deliveredAt":"%s","try":1}`+"\n", i, diagRFC(trig), diagRFC(trig.Add(time.Second)))
		fmt.Fprintf(&erp, `{"ref":"%d","at":"%s"}`+"\n", i, diagRFC(trig.Add(time.Minute)))
	}
	whPath, erpPath := filepath.Join(dir, "hooks.ndjson"), filepath.Join(dir, "erp.jsonl")
	os.WriteFile(whPath, []byte(wh.String()), 0o600)
	os.WriteFile(erpPath, []byte(erp.String()), 0o600)
	res := run(t, nil, "diagnose", "--webhooks", whPath, "--erp-receipts", erpPath,
		"--map", "webhooks.order_id=id,webhooks.triggered_at=created", "--map", "webhooks.delivered_at=deliveredAt", "--map", "webhooks.attempt=try",
		"--map", "erp.order_id=ref,erp.received_at=at", "--json", filepath.Join(dir, "r.json"))
	if res.exitCode != 0 {
		t.Fatalf("exit %d\nstderr:\n%s", res.exitCode, res.stderr)
	}
	r := readDiagReport(t, filepath.Join(dir, "r.json"))
	if r.Verdict != "insufficient_data" || r.JoinedOrders != 50 || r.PercentilesMS["p50"] != 60_000 || r.PercentilesMS["max"] != 60_000 {
		t.Errorf("verdict %s over %d joined, percentiles %v; want insufficient_data over 50, all 1m", r.Verdict, r.JoinedOrders, r.PercentilesMS)
	}
}

func TestDiagnose_BadRowStopsWithWhereAndWhyUnlessSkipped(t *testing.T) {
	t.Parallel()
	dir := diagExports(t, 20, 0)
	wh := filepath.Join(dir, "webhooks.csv")
	b, _ := os.ReadFile(wh)
	lines := strings.Split(string(b), "\n")
	lines[3] = "9002,2026-03-02T02:24:00Z,not-a-time,1,SKU-2,1"
	lines[7] = "9006,2026-03-02T07:12:00Z,2026-03-02T07:12:01Z,1,SKU-0,many"
	os.WriteFile(wh, []byte(strings.Join(lines, "\n")), 0o600)

	res := run(t, nil, "diagnose", "--webhooks", wh, "--erp-receipts", filepath.Join(dir, "erp.csv"))
	want := "ordergate: " + wh + `:4: column delivered_at (field 3): "not-a-time" is not a time: want RFC 3339 with a zone, e.g. 2026-03-02T14:05:09.120Z, or Unix seconds or milliseconds` +
		"\n(--skip-bad-rows skips such rows, counts them and shows the first few)\n"
	if res.exitCode != 1 || res.stderr != want || res.stdout != "" {
		t.Errorf("exit %d, stdout %q\nstderr %q\nwant %q", res.exitCode, res.stdout, res.stderr, want)
	}

	res = run(t, nil, "diagnose", "--webhooks", wh, "--erp-receipts", filepath.Join(dir, "erp.csv"), "--skip-bad-rows", "--json", filepath.Join(dir, "r.json"))
	if res.exitCode != 0 || !strings.Contains(res.stdout, "18 rows, 2 bad rows skipped") || !strings.Contains(res.stdout, `skipped: `+wh+`:8: column quantity (field 6): "many" is not a whole number of units`) {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", res.exitCode, res.stdout, res.stderr)
	}
	r := readDiagReport(t, filepath.Join(dir, "r.json"))
	if s := r.Sources[0]; s.Rows != 18 || s.Skipped != 2 || len(s.Errors) != 2 {
		t.Errorf("webhooks source %+v: want 18 rows read, 2 skipped and shown", s)
	}
}

func TestDiagnose_RefusesFlagsThatDoNotGoTogether(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"diagnose"}, "give --webhooks FILE and --erp-receipts FILE"},
		{[]string{"diagnose", "--webhooks", "w.csv"}, "give --webhooks FILE and --erp-receipts FILE"},
		{[]string{"diagnose", "--from-store"}, "--from-store needs the database: give --config FILE or --database DSN"},
		{[]string{"diagnose", "--from-store", "--database", "sqlite:x.db", "--webhooks", "w.csv"}, "drop --webhooks, --erp-receipts and --confirmations"},
		{[]string{"diagnose", "--webhooks", "w.csv", "--erp-receipts", "e.csv", "--database", "sqlite:x.db"}, "--config, --database and --since go with --from-store"},
		{[]string{"diagnose", "--webhooks", "w.csv", "--erp-receipts", "e.csv", "--map", "webhook.deliveredat=X"}, `webhooks has no column "deliveredat"`},
		{[]string{"diagnose", "--webhooks", "w.csv", "--erp-receipts", "e.csv", "--tz", "Mars/Olympus"}, `--tz "Mars/Olympus"`},
		{[]string{"diagnose", "--from-store", "--database", "sqlite:/nonexistent/og.db"}, "no database at /nonexistent/og.db"},
		{[]string{"diagnose", "--webhooks", "/nonexistent/w.csv", "--erp-receipts", "e.csv"}, "webhooks: open /nonexistent/w.csv: no such file or directory"},
	}
	for _, tt := range tests {
		res := run(t, nil, tt.args...)
		if res.exitCode == 0 || !strings.Contains(res.stderr, tt.want) {
			t.Errorf("ordergate %s: exit %d, stderr %q; want it to say %q", strings.Join(tt.args, " "), res.exitCode, res.stderr, tt.want)
		}
	}
}

func TestDiagnose_HelpListsTheFlags(t *testing.T) {
	t.Parallel()
	res := run(t, nil, "diagnose", "--help")
	for _, want := range []string{"--webhooks=FILE", "--erp-receipts=FILE", "--confirmations=FILE", "--oversells=FILE", "--map=SOURCE.COLUMN=NAME", "--from-store",
		"--json=FILE", "--html=FILE", "--exposed=FILE", "--skip-bad-rows", "--tz=ZONE", "--interval", "--near", "--min-orders", "--healthy-p95", "--max-cv", "--min-volume-corr", "--max-hour-swing"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("diagnose --help does not mention %s:\n%s", want, res.stdout)
		}
	}
}

// TestDiagnose_FromStoreReadsTheGatewaysOwnRecords fills a real SQLite
// store through the store's API, as a gateway watching a legacy flow
// would have left it (the storefront confirmed every order at capture),
// and reads it
// back with --from-store, once by --database and once by --config.
func TestDiagnose_FromStoreReadsTheGatewaysOwnRecords(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "og.db")
	s, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	r := rand.New(rand.NewPCG(3, 3))
	const n, notAcked = 620, 20
	var last time.Time
	for i := range n {
		captured := start.Add(time.Duration(i) * 24 * time.Hour / n)
		received := captured.Add(500 * time.Millisecond)
		acked := received.Add(4*time.Minute - 10*time.Second + time.Duration(r.Int64N(int64(20*time.Second))))
		key := order.Key{Storefront: "shop1", ID: strconv.Itoa(5000 + i)}
		_, err := s.Ingest(ctx, store.Delivery{DedupKey: "c-" + key.ID, Storefront: "shop1", Topic: "orders/create", DeliveryID: "d-" + key.ID, OrderID: key.ID, ReceivedAt: received, Body: []byte("{}")},
			func(tx store.Tx, _ *order.Order) (*order.Order, error) {
				o := order.New(order.Order{Key: key, Name: "#" + key.ID, Currency: "USD", Total: decimal.RequireFromString("20"), CapturedAt: captured, SourceUpdatedAt: captured,
					Lines: []order.LineItem{{SKU: "MUG", Quantity: 2, Price: decimal.RequireFromString("10")}}}, received, "shopify", "orders/create")
				// The storefront's own confirmation went out at capture.
				if err := tx.PutNotification(ctx, store.Notification{Key: key, Kind: "confirmation", Status: store.NotifySent, Attempts: 1, MessageID: "<m>", UpdatedAt: captured}); err != nil {
					return nil, err
				}
				if i >= n-notAcked {
					return o, nil
				}
				if err := o.Submit("SO-"+key.ID, acked.Add(-time.Second)); err != nil {
					return nil, err
				}
				return o, o.Acknowledge(order.Ack{Ref: "SO-" + key.ID, Validated: map[string]int{"MUG": 2}}, acked)
			})
		if err != nil {
			t.Fatal(err)
		}
		// The data's end: the latest time in the store.
		latest := acked
		if i >= n-notAcked {
			latest = received
		}
		if latest.After(last) {
			last = latest
		}
	}
	s.Close()

	cfg := filepath.Join(dir, "ordergate.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`
database: sqlite:%s
storefronts:
  - {name: shop1, kind: shopify, webhook_secrets: ["secret-for-diagnose-test"], erp: erp1, notifier: mail}
erps:
  - {name: erp1, kind: sandbox}
notifiers:
  - {name: mail, kind: smtp, addr: "127.0.0.1:1025", from: "orders@example.com", tls: none}
`, path)), 0o600)
	for _, how := range [][]string{{"--database", "sqlite:" + path}, {"--config", cfg}} {
		out := filepath.Join(t.TempDir(), "r.json")
		res := run(t, nil, append([]string{"diagnose", "--from-store", "--json", out}, how...)...)
		if res.exitCode != 0 {
			t.Fatalf("%v: exit %d\nstderr:\n%s", how, res.exitCode, res.stderr)
		}
		rep := readDiagReport(t, out)
		if rep.Verdict != "erp_processing_queue" || rep.DominantLeg != "erp" || rep.JoinedOrders != n-notAcked {
			t.Errorf("%v: verdict %s (leg %s) over %d joined; want erp_processing_queue (erp) over %d\n%s", how, rep.Verdict, rep.DominantLeg, rep.JoinedOrders, n-notAcked, res.stdout)
		}
		c := rep.Signals.ConfirmedBeforeERP
		if c.Confirmed != n || c.BeforeReceipt != n-notAcked || c.WithoutReceipt != notAcked || len(c.Orders) != 100 {
			t.Errorf("%v: confirmed-before-receipt %+v", how, c)
			continue
		}
		// The open ones are exposed from their capture (the confirmation)
		// to the data's end, the latest time in the store; the first of
		// them, order 5600, the longest.
		first := start.Add(time.Duration(n-notAcked) * 24 * time.Hour / n)
		if o, want := c.Orders[0], last.UnixMilli()-first.UnixMilli(); o.OrderID != "shop1/5600" || !o.Open || o.ExposureMS != want {
			t.Errorf("%v: longest exposure %+v, want shop1/5600 open for %d ms", how, o, want)
		}
		if d := rep.Signals.Demand; d.StorefrontUnits != 2*n || d.ERPUnitsInEnd != 2*(n-notAcked) {
			t.Errorf("%v: demand %+v", how, d)
		}
	}
}
