package diagnose_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ordergate/ordergate/internal/diagnose"
)

// diagnoseFiles reads the exports given (empty names skipped) and
// reports.
func diagnoseFiles(t testing.TB, opts diagnose.Options, webhooks, erp, confirmations, oversells string) (diagnose.Report, *diagnose.Diagnosis) {
	t.Helper()
	d := diagnose.New(opts)
	ctx := context.Background()
	for _, f := range []struct {
		src  diagnose.Source
		path string
	}{{diagnose.Webhooks, webhooks}, {diagnose.ERPReceipts, erp}, {diagnose.Confirmations, confirmations}, {diagnose.Oversells, oversells}} {
		if f.path != "" {
			must(t, d.ReadFile(ctx, f.src, f.path))
		}
	}
	return d.Report(), d
}

func check(rep diagnose.Report, name string) diagnose.Check {
	for _, c := range rep.Checks {
		if c.Name == name {
			return c
		}
	}
	return diagnose.Check{}
}

func TestVerdict_SyntheticExportsOfAKnownCause(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		gen         synthetic
		wantVerdict diagnose.Verdict
		wantLeg     string
		// wantFlagged are the checks that must cross their thresholds;
		// every other assessed check must not.
		wantFlagged []string
		// wantP50 bounds the whole gap's median.
		wantP50 [2]time.Duration
	}{
		{
			name:        "ConstantERPDelayIsTheERPQueue",
			gen:         synthetic{Orders: 2000, Webhook: constant(400*time.Millisecond, 200*time.Millisecond), ERP: constant(5*time.Minute, 20*time.Second), RetryRate: 0.02},
			wantVerdict: diagnose.VerdictERPQueue, wantLeg: diagnose.LegERP, wantFlagged: []string{"healthy_p95"},
			wantP50: [2]time.Duration{4*time.Minute + 50*time.Second, 5*time.Minute + 10*time.Second},
		},
		{
			name:        "VolumeDrivenWebhookDelayIsTheWebhookQueue",
			gen:         synthetic{Orders: 2000, Webhook: withLoad(time.Second, 15*time.Minute), ERP: constant(3*time.Second, time.Second)},
			wantVerdict: diagnose.VerdictIntegrationQueue, wantLeg: diagnose.LegWebhook, wantFlagged: []string{"healthy_p95", "spread", "volume", "hour_of_day"},
			wantP50: [2]time.Duration{time.Minute, 15 * time.Minute},
		},
		{
			name:        "VolumeDrivenDelayAfterDeliveryIsTheIntegrationQueue",
			gen:         synthetic{Orders: 2000, Webhook: constant(400*time.Millisecond, 200*time.Millisecond), ERP: withLoad(30*time.Second, 10*time.Minute)},
			wantVerdict: diagnose.VerdictIntegrationQueue, wantLeg: diagnose.LegERP, wantFlagged: []string{"healthy_p95", "spread", "volume", "hour_of_day"},
			wantP50: [2]time.Duration{time.Minute, 10 * time.Minute},
		},
		{
			name:        "SteadyDelayInTheWebhookLegIsStillWebhookDelivery",
			gen:         synthetic{Orders: 2000, Webhook: constant(3*time.Minute, 10*time.Second), ERP: constant(2*time.Second, time.Second)},
			wantVerdict: diagnose.VerdictIntegrationQueue, wantLeg: diagnose.LegWebhook, wantFlagged: []string{"healthy_p95"},
			wantP50: [2]time.Duration{2*time.Minute + 50*time.Second, 3*time.Minute + 10*time.Second},
		},
		{
			name:        "SmallDelaysAreHealthy",
			gen:         synthetic{Orders: 2000, Webhook: constant(300*time.Millisecond, 100*time.Millisecond), ERP: withLoad(2*time.Second, 8*time.Second)},
			wantVerdict: diagnose.VerdictHealthy, wantLeg: diagnose.LegERP,
			wantP50: [2]time.Duration{2 * time.Second, 10 * time.Second},
		},
		{
			name:        "HundredOrdersAreInsufficient",
			gen:         synthetic{Orders: 100, Webhook: withLoad(time.Second, 15*time.Minute), ERP: constant(5*time.Minute, 20*time.Second)},
			wantVerdict: diagnose.VerdictInsufficient,
			wantP50:     [2]time.Duration{4 * time.Minute, 20 * time.Minute},
		},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.gen.Seed = uint64(100 + i)
			e := tt.gen.write(t, t.TempDir())
			rep, _ := diagnoseFiles(t, diagnose.Options{}, e.Webhooks, e.ERP, "", "")
			if rep.Verdict != tt.wantVerdict || rep.DominantLeg != tt.wantLeg {
				t.Fatalf("verdict %s, dominant leg %q; want %s, %q\nevidence:\n  %s", rep.Verdict, rep.DominantLeg, tt.wantVerdict, tt.wantLeg, strings.Join(rep.Evidence, "\n  "))
			}
			if rep.JoinedOrders != tt.gen.Orders || rep.Coverage.WebhookOrders != tt.gen.Orders || rep.Coverage.ERPOrders != tt.gen.Orders {
				t.Errorf("joined %d of %d webhook and %d ERP orders, want all %d", rep.JoinedOrders, rep.Coverage.WebhookOrders, rep.Coverage.ERPOrders, tt.gen.Orders)
			}
			if p50 := time.Duration(rep.PercentilesMS.P50) * time.Millisecond; p50 < tt.wantP50[0] || p50 > tt.wantP50[1] {
				t.Errorf("p50 %s, want within %s–%s", p50, tt.wantP50[0], tt.wantP50[1])
			}
			var flagged []string
			for _, c := range rep.Checks {
				if c.Flagged {
					flagged = append(flagged, c.Name)
				}
			}
			if d := cmp.Diff(tt.wantFlagged, flagged, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("checks flagged (-want +got):\n%s\nevidence:\n  %s", d, strings.Join(rep.Evidence, "\n  "))
			}
			if tt.wantVerdict != diagnose.VerdictInsufficient && len(rep.Evidence) < 2 {
				t.Errorf("evidence %q: want the leg and the checks", rep.Evidence)
			}
		})
	}
}

func TestVerdict_FiguresBehindTheVolumeCheck(t *testing.T) {
	t.Parallel()
	e := synthetic{Orders: 3000, Seed: 7, Webhook: withLoad(time.Second, 15*time.Minute), ERP: constant(3*time.Second, time.Second), RetryRate: 0.05}.write(t, t.TempDir())
	rep, _ := diagnoseFiles(t, diagnose.Options{}, e.Webhooks, e.ERP, "", "")
	web := rep.Leg(diagnose.LegWebhook)
	if !web.Volume.Assessed || web.Volume.Rho < 0.7 || web.Volume.Intervals < 100 {
		t.Errorf("webhook leg against volume: %+v, want a strong correlation over 100+ intervals", web.Volume)
	}
	if erp := rep.Leg(diagnose.LegERP); erp.ShareOfMean > 0.05 || web.ShareOfMean < 0.95 {
		t.Errorf("shares of the mean: webhook %.3f, ERP %.3f; want the webhook leg nearly all of it", web.ShareOfMean, erp.ShareOfMean)
	}
	if n := len(rep.Intervals.Points); rep.Intervals.Width != "15m" || n < 185 || n > 192 {
		t.Errorf("intervals %s × %d, want 15m × about 192 for 48h", rep.Intervals.Width, n)
	}
	// Retries: about 5% of orders, each one retry.
	if r := rep.Retries; !r.Counted || r.MaxAttempt != 2 || r.Retries != r.OrdersRetried || r.Retries < 100 || r.Retries > 200 {
		t.Errorf("retries %+v, want about 150 orders retried once", r)
	}
	var hourly int
	for _, h := range rep.ByHour {
		hourly += h.Orders
	}
	if hourly != 3000 || len(rep.ByHour) != 24 {
		t.Errorf("by hour: %d hours holding %d orders, want 24 holding 3000", len(rep.ByHour), hourly)
	}
}

// gapCSV writes exports in which order i (from 1) is triggered at
// start + i minutes, delivered at once and received by the ERP delay(i)
// later.
func gapCSV(t *testing.T, dir string, n int, delay func(i int) time.Duration) (webhooks, erp string) {
	t.Helper()
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	var w, e strings.Builder
	w.WriteString("order_id,triggered_at,delivered_at,attempt\n")
	e.WriteString("order_id,received_at\n")
	for i := 1; i <= n; i++ {
		trig := start.Add(time.Duration(i) * time.Minute)
		fmt.Fprintf(&w, "o-%d,%s,%s,1\n", i, rfc(trig), rfc(trig))
		fmt.Fprintf(&e, "o-%d,%s\n", i, rfc(trig.Add(delay(i))))
	}
	return writeFile(t, dir, "webhooks.csv", w.String()), writeFile(t, dir, "erp.csv", e.String())
}

func TestPercentiles_AreNearestRankOverEveryOrder(t *testing.T) {
	t.Parallel()
	wh, erp := gapCSV(t, t.TempDir(), 1000, func(i int) time.Duration { return time.Duration(i) * time.Second })
	rep, _ := diagnoseFiles(t, diagnose.Options{}, wh, erp, "", "")
	want := diagnose.Percentiles{Min: 1000, P50: 500_000, P90: 900_000, P95: 950_000, P99: 990_000, Max: 1_000_000}
	if d := cmp.Diff(want, rep.PercentilesMS); d != "" {
		t.Errorf("percentiles (-want +got):\n%s", d)
	}
	if rep.MeanMS != 500_500 {
		t.Errorf("mean %v ms, want 500500", rep.MeanMS)
	}
	// Population standard deviation of 1..n is √((n²−1)/12).
	if wantCV := math.Sqrt((1000*1000-1)/12.0) / 500.5; math.Abs(rep.CV-wantCV) > 1e-9 {
		t.Errorf("CV %v, want %v", rep.CV, wantCV)
	}
	if web := rep.Leg(diagnose.LegWebhook); web.PercentilesMS.Max != 0 || web.Orders != 1000 {
		t.Errorf("webhook leg %+v, want 1000 orders delivered at once", web.PercentilesMS)
	}
	sum := 0
	for i, b := range rep.Histogram {
		sum += b.Count
		if i > 0 && b.FromMS != rep.Histogram[i-1].ToMS {
			t.Errorf("bin %d starts at %d, the one before ends at %d", i, b.FromMS, rep.Histogram[i-1].ToMS)
		}
	}
	if sum != 1000 || rep.Histogram[0].FromMS != 1000 || rep.Histogram[len(rep.Histogram)-1].ToMS <= 1_000_000 {
		t.Errorf("histogram %+v: want 1000 orders from 1s to past 1000s", rep.Histogram)
	}
}

func TestReadFile_JSONLinesCSVAndGzipGiveTheSameReport(t *testing.T) {
	t.Parallel()
	gen := synthetic{Orders: 800, Seed: 11, Webhook: withLoad(time.Second, 5*time.Minute), ERP: constant(time.Minute, 10*time.Second), RetryRate: 0.05, Lines: true, Lost: 0.02, ConfirmAtCapture: true}
	var reps []diagnose.Report
	for _, v := range []struct {
		format string
		gz     bool
	}{{"csv", false}, {"jsonl", false}, {"jsonl", true}, {"csv", true}} {
		g := gen
		g.Format, g.Gzip = v.format, v.gz
		e := g.write(t, t.TempDir())
		rep, _ := diagnoseFiles(t, diagnose.Options{Now: func() time.Time { return time.Time{} }}, e.Webhooks, e.ERP, e.Confirmations, "")
		if rep.Sources[0].Format != v.format || rep.Sources[0].Gzip != v.gz {
			t.Errorf("%s gzip=%v read as %s gzip=%v", v.format, v.gz, rep.Sources[0].Format, rep.Sources[0].Gzip)
		}
		reps = append(reps, rep)
	}
	ignore := cmpopts.IgnoreFields(diagnose.Report{}, "Sources")
	for i := 1; i < len(reps); i++ {
		if d := cmp.Diff(reps[0], reps[i], ignore, cmpopts.IgnoreUnexported(diagnose.Report{}), cmpopts.EquateNaNs()); d != "" {
			t.Errorf("report %d differs from the CSV one (-csv +other):\n%s", i, d)
		}
	}
	if reps[0].Verdict != diagnose.VerdictIntegrationQueue || reps[0].JoinedOrders < 770 || reps[0].JoinedOrders != reps[0].Coverage.ERPOrders {
		t.Errorf("verdict %s over %d joined orders", reps[0].Verdict, reps[0].JoinedOrders)
	}
}

func TestReadFile_MappedColumnsOfAnotherExport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	wh := writeFile(t, dir, "deliveries.csv", "\ufeffOrder ID,CreatedAt,DeliveredAt,Try\n"+
		"A-1,2026-03-02T10:00:00Z,2026-03-02T10:00:01.5Z,1\n"+
		"A-2,2026-03-02 10:01:00+01:00,2026-03-02T09:01:02Z,1\n")
	// The same in JSON lines, with the keys of another export and a
	// nested field that nobody asked for.
	whJSON := writeFile(t, dir, "deliveries.ndjson", `{"OrderID":"A-1","createdAt":"2026-03-02T10:00:00Z","DeliveredAt":"2026-03-02T10:00:01.5Z","try":1,"meta":{"x":[1,2]}}`+"\n"+
		`{"OrderID":"A-2","createdAt":"2026-03-02T09:01:00Z","DeliveredAt":1772442062000,"try":null}`+"\n")
	erp := writeFile(t, dir, "erp.csv", "so_ref,erp_created\nA-1,2026-03-02T10:00:31.5Z\nA-2,1772442122\n")
	for _, w := range []string{wh, whJSON} {
		id := "Order ID"
		if w == whJSON {
			id = "orderid" // names match without regard to case
		}
		m, err := diagnose.ParseMapping([]string{"webhooks.order_id=" + id, "webhooks.triggered_at=CreatedAt", "webhooks.delivered_at=DeliveredAt", "webhooks.attempt=Try", "erp.order_id=so_ref", "erp_receipts.received_at=erp_created"})
		must(t, err)
		opts := diagnose.Options{Mapping: m, Thresholds: diagnose.Thresholds{MinOrders: 1}}
		rep, _ := diagnoseFiles(t, opts, w, erp, "", "")
		web, erpLeg := rep.Leg(diagnose.LegWebhook), rep.Leg(diagnose.LegERP)
		if rep.JoinedOrders != 2 || web.PercentilesMS.Min != 1500 || web.PercentilesMS.Max != 2000 || erpLeg.PercentilesMS.Min != 30000 || erpLeg.PercentilesMS.Max != 60000 {
			t.Errorf("%s: joined %d, webhook leg %+v, ERP leg %+v; want 2, 1.5s–2s, 30s–60s", filepath.Base(w), rep.JoinedOrders, web.PercentilesMS, erpLeg.PercentilesMS)
		}
	}

	// Unmapped, the export's own headers do not say which is which.
	_, err := diagnoseFilesErr(diagnose.Options{}, diagnose.Webhooks, wh)
	want := `no column "order_id"; if the export calls it something else, say so with --map webhooks.order_id=NAME (the header has: Order ID, CreatedAt, DeliveredAt, Try)`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("unmapped export: %v\nwant it to say %s", err, want)
	}
	_, err = diagnoseFilesErr(diagnose.Options{}, diagnose.Webhooks, whJSON)
	if err == nil || !strings.Contains(err.Error(), `deliveries.ndjson:1: no column "order_id"`) || !strings.Contains(err.Error(), "the first row has: OrderID, createdAt") {
		t.Errorf("unmapped JSON export: %v", err)
	}
}

func diagnoseFilesErr(opts diagnose.Options, src diagnose.Source, path string) (*diagnose.Diagnosis, error) {
	d := diagnose.New(opts)
	return d, d.ReadFile(context.Background(), src, path)
}

func TestParseMapping_RefusesWhatItCannotPlace(t *testing.T) {
	t.Parallel()
	tests := []struct{ arg, want string }{
		{"webhooks.delivered_at", "want SOURCE.COLUMN=NAME"},
		{"shipments.order_id=x", `no source "shipments"; want one of webhooks, erp_receipts, confirmations, oversells`},
		{"webhooks.received_at=x", `webhooks has no column "received_at"; its columns are order_id, triggered_at, delivered_at, attempt, sku, quantity`},
		{"erp.order_id=", "want SOURCE.COLUMN=NAME"},
	}
	for _, tt := range tests {
		_, err := diagnose.ParseMapping([]string{tt.arg})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseMapping(%q) = %v, want an error saying %s", tt.arg, err, tt.want)
		}
	}
}

func TestReadFile_BadRowNamesFileLineColumnAndReason(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	csvText := "order_id,triggered_at,delivered_at,attempt\n" +
		"1,2026-03-02T10:00:00Z,2026-03-02T10:00:01Z,1\n" +
		"2,2026-03-02T10:01:00Z,2026-03-02T10:01:01Z,1\n" +
		"3,2026-03-02T10:02:00Z,yesterday,1\n" +
		"4,2026-03-02T10:03:00Z,2026-03-02T10:03:01Z\n" +
		",2026-03-02T10:04:00Z,2026-03-02T10:04:01Z,1\n" +
		"6,2026-03-02T10:05:00Z,2026-03-02T10:05:01Z,first\n" +
		"7,2026-03-02T10:06:00,2026-03-02T10:06:01Z,1\n" +
		"8,2026-02-30T10:06:00Z,2026-03-02T10:06:01Z,1\n" +
		"9,2026-03-02T10:08:00Z,2026-03-02T10:08:01Z,2\n"
	jsonText := `{"order_id":"1","triggered_at":"2026-03-02T10:00:00Z","delivered_at":"2026-03-02T10:00:01Z"}` + "\n" +
		"\n" +
		`{"order_id":"2","triggered_at":"2026-03-02T10:01:00Z","delivered_at":{"at":"x"}}` + "\n" +
		`{"order_id":"3","triggered_at":"2026-03-02T10:02:00Z",` + "\n" +
		`{"order_id":"4","triggered_at":"2026-13-02T10:03:00Z","delivered_at":"2026-03-02T10:03:01Z"}` + "\n" +
		`{"order_id":"5","triggered_at":"2026-03-02T10:04:00Z","delivered_at":"2026-03-02T10:04:01Z"}` + "\n"
	csvPath, jsonPath := writeFile(t, dir, "webhooks.csv", csvText), writeFile(t, dir, "webhooks.jsonl", jsonText)

	timeHelp := "is not a time: want RFC 3339 with a zone, e.g. 2026-03-02T14:05:09.120Z, or Unix seconds or milliseconds"
	wantCSV := []string{
		csvPath + `:4: column delivered_at (field 3): "yesterday" ` + timeHelp,
		csvPath + `:5: has 3 fields, the header has 4`,
		csvPath + `:6: column order_id (field 1): is empty`,
		csvPath + `:7: column attempt (field 4): "first" is not an attempt number (1, 2, …)`,
		csvPath + `:8: column triggered_at (field 2): "2026-03-02T10:06:00" ` + timeHelp,
		csvPath + `:9: column triggered_at (field 2): "2026-02-30T10:06:00Z" ` + timeHelp,
	}
	wantJSON := []string{
		jsonPath + `:3: key "delivered_at": want a string or a number, not {"at":"x"}`,
		jsonPath + `:4: bad JSON: the object is not closed`,
		jsonPath + `:5: key "triggered_at": "2026-13-02T10:03:00Z" ` + timeHelp,
	}
	for _, tt := range []struct {
		path       string
		want       []string
		wantRows   int64
		wantOrders int
	}{{csvPath, wantCSV, 3, 3}, {jsonPath, wantJSON, 2, 2}} {
		// Without --skip-bad-rows the first bad row stops the reading.
		_, err := diagnoseFilesErr(diagnose.Options{}, diagnose.Webhooks, tt.path)
		var re *diagnose.RowError
		if !errors.As(err, &re) || err.Error() != tt.want[0] {
			t.Errorf("%s: error %v\nwant %s", filepath.Base(tt.path), err, tt.want[0])
		}
		// With it, every bad row is counted and the first five shown.
		d, err := diagnoseFilesErr(diagnose.Options{SkipBadRows: true}, diagnose.Webhooks, tt.path)
		must(t, err)
		rep := d.Report()
		src := rep.Sources[0]
		wantShown := tt.want[:min(len(tt.want), 5)]
		if src.Skipped != int64(len(tt.want)) || src.Rows != tt.wantRows || rep.Coverage.WebhookOrders != tt.wantOrders {
			t.Errorf("%s: %d rows read, %d skipped, %d orders; want %d, %d, %d", filepath.Base(tt.path), src.Rows, src.Skipped, rep.Coverage.WebhookOrders, tt.wantRows, len(tt.want), tt.wantOrders)
		}
		if d := cmp.Diff(wantShown, src.Errors); d != "" {
			t.Errorf("%s: errors shown (-want +got):\n%s", filepath.Base(tt.path), d)
		}
	}
}

func TestConfirmedBeforeReceipt_ListsEachOrderWithItsExactExposure(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	wh := writeFile(t, dir, "webhooks.csv", "order_id,triggered_at,delivered_at,attempt\n"+
		"A,2026-03-02T10:00:00Z,2026-03-02T10:00:01Z,1\n"+
		"B,2026-03-02T10:00:00Z,2026-03-02T10:00:01Z,1\n"+
		"C,2026-03-02T10:00:00Z,2026-03-02T10:00:01Z,1\n"+
		"D,2026-03-02T10:00:00Z,2026-03-02T10:00:01Z,1\n")
	erp := writeFile(t, dir, "erp.csv", "order_id,received_at\n"+
		"A,2026-03-02T10:05:30.250Z\n"+ // confirmed 10:00:00 → exposed 5m30.25s
		"C,2026-03-02T10:01:00Z\n"+ // confirmed after receipt: fine
		"D,2026-03-02T12:00:00Z\n") // the data's end
	conf := writeFile(t, dir, "confirmations.csv", "order_id,sent_at\n"+
		"A,2026-03-02T10:00:00Z\n"+
		"B,2026-03-02T10:30:00Z\n"+ // never received: open for 1h30m to the data's end
		"C,2026-03-02T10:02:00Z\n"+
		"A,2026-03-02T10:03:00Z\n") // a second confirmation; the first counts
	rep, d := diagnoseFiles(t, diagnose.Options{}, wh, erp, conf, "")
	s := rep.Signals.ConfirmedBeforeERP
	a := time.Date(2026, 3, 2, 10, 5, 30, 250_000_000, time.UTC)
	want := diagnose.ConfirmedSignal{
		Assessed: true, Confirmed: 3, BeforeReceipt: 1, WithoutReceipt: 1,
		ExposureMS:     diagnose.Percentiles{Min: 330_250, P50: 330_250, P90: 330_250, P95: 330_250, P99: 330_250, Max: 330_250},
		OpenExposureMS: diagnose.Percentiles{Min: 5_400_000, P50: 5_400_000, P90: 5_400_000, P95: 5_400_000, P99: 5_400_000, Max: 5_400_000},
		Orders: []diagnose.ExposedOrder{
			{OrderID: "B", ConfirmedAt: time.Date(2026, 3, 2, 10, 30, 0, 0, time.UTC), ExposureMS: 5_400_000, Open: true},
			{OrderID: "A", ConfirmedAt: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC), ERPReceivedAt: &a, ExposureMS: 330_250},
		},
	}
	if d := cmp.Diff(want, s); d != "" {
		t.Errorf("confirmed-before-receipt signal (-want +got):\n%s", d)
	}
	var b strings.Builder
	must(t, d.WriteExposed(&b))
	wantCSV := "order_id,confirmed_at,erp_received_at,exposure_ms,status\n" +
		"B,2026-03-02T10:30:00Z,,5400000,without_receipt\n" +
		"A,2026-03-02T10:00:00Z,2026-03-02T10:05:30.25Z,330250,before_receipt\n"
	if b.String() != wantCSV {
		t.Errorf("exposed CSV:\n%s\nwant:\n%s", b.String(), wantCSV)
	}
}

func TestDemand_PerSKUStorefrontAgainstERPAtCloseAndInTheEnd(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// Order 1 is retried: its lines on attempt 2 are the same lines, not
	// more demand. The window closes at 10:10, order 3's capture.
	wh := writeFile(t, dir, "webhooks.csv", "order_id,triggered_at,delivered_at,attempt,sku,quantity\n"+
		"1,2026-03-02T10:00:00Z,,1,TEE,2\n"+
		"1,2026-03-02T10:00:00Z,,1,MUG,1\n"+
		"1,2026-03-02T10:01:00Z,2026-03-02T10:01:01Z,2,TEE,2\n"+
		"1,2026-03-02T10:01:00Z,2026-03-02T10:01:01Z,2,MUG,1\n"+
		"2,2026-03-02T10:05:00Z,2026-03-02T10:05:01Z,1,TEE,3\n"+
		"3,2026-03-02T10:10:00Z,2026-03-02T10:10:01Z,1,CAP,1\n"+
		"4,2026-03-02T10:02:00Z,2026-03-02T10:02:01Z,1,CAP,5\n")
	erp := writeFile(t, dir, "erp.csv", "order_id,received_at,sku,quantity\n"+
		"1,2026-03-02T10:03:00Z,TEE,2\n"+
		"1,2026-03-02T10:03:00Z,MUG,1\n"+
		"2,2026-03-02T10:20:00Z,TEE,3\n"+ // after the close
		"3,2026-03-02T10:09:59Z,CAP,1\n"+
		"4,2026-03-02T10:04:00Z,CAP,4\n"+ // the ERP took one fewer
		"9,2026-03-02T10:04:00Z,MUG,7\n") // not a storefront order here
	rep, _ := diagnoseFiles(t, diagnose.Options{}, wh, erp, "", "")
	want := diagnose.DemandSignal{
		Assessed: true, Close: time.Date(2026, 3, 2, 10, 10, 0, 0, time.UTC),
		SKUs: 3, SKUsShortAtClose: 2, SKUsShortInEnd: 1,
		StorefrontUnits: 12, ERPUnitsAtClose: 8, ERPUnitsInEnd: 11, ERPUnitsOther: 7,
		Rows: []diagnose.SKUDemand{
			{SKU: "TEE", StorefrontUnits: 5, ERPUnitsAtClose: 2, ERPUnitsInEnd: 5, ShortAtClose: 3, ShortInEnd: 0},
			{SKU: "CAP", StorefrontUnits: 6, ERPUnitsAtClose: 5, ERPUnitsInEnd: 5, ShortAtClose: 1, ShortInEnd: 1},
		},
	}
	if d := cmp.Diff(want, rep.Signals.Demand); d != "" {
		t.Errorf("demand (-want +got):\n%s", d)
	}
	if rep.Coverage.ERPNotInWebhooks != 1 || rep.Retries.Retries != 1 {
		t.Errorf("coverage %+v, retries %+v", rep.Coverage, rep.Retries)
	}
	// Without SKU columns in the webhooks, the comparison is skipped, and
	// says why.
	plain := writeFile(t, dir, "plain.csv", "order_id,triggered_at,delivered_at\n1,2026-03-02T10:00:00Z,2026-03-02T10:00:01Z\n")
	rep, _ = diagnoseFiles(t, diagnose.Options{}, plain, erp, "", "")
	if s := rep.Signals.Demand; s.Assessed || !strings.Contains(s.Reason, "webhook export has no sku and quantity columns") {
		t.Errorf("demand without storefront SKUs: %+v", s)
	}
}

func TestOversells_NearTheTopTenthOfIntervals(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// Twenty hours with one order each, except 50 at 10:00 and 40 at
	// 11:00: those two hours are the top tenth.
	var b strings.Builder
	b.WriteString("order_id,triggered_at,delivered_at\n")
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	n := 0
	for h := range 20 {
		count := map[int]int{10: 50, 11: 40}[h]
		for i := range max(count, 1) {
			at := start.Add(time.Duration(h)*time.Hour + time.Duration(i)*time.Minute)
			n++
			fmt.Fprintf(&b, "%d,%s,%s\n", n, rfc(at), rfc(at))
		}
	}
	wh := writeFile(t, dir, "webhooks.csv", b.String())
	erp := writeFile(t, dir, "erp.csv", "order_id,received_at\n1,2026-03-02T00:01:00Z\n")
	ov := writeFile(t, dir, "oversells.csv", "marketplace,sku,at,units\n"+
		"amazon,TEE,2026-03-02T12:30:00Z,2\n"+ // 30m after the 11:00 peak ends: near
		"walmart,MUG,2026-03-02T10:15:00Z,\n"+ // during a peak: near
		"amazon,CAP,2026-03-02T13:30:00Z,1\n"+ // 1h30m after: not near
		"ebay,TEE,2026-03-02T05:00:00Z,1\n"+ // quiet hours
		"ebay,TEE,2026-03-01T23:00:00Z,1\n") // before the window
	rep, _ := diagnoseFiles(t, diagnose.Options{Interval: time.Hour, Near: time.Hour}, wh, erp, "", ov)
	s := rep.Signals.Oversells
	want := diagnose.OversellSignal{
		Assessed: true, Events: 5, Units: 6, InWindow: 4, NearPeaks: 2, Share: 0.5,
		Coverage: 3.0 / 21, Lift: 0.5 / (3.0 / 21), PeakOrders: 40, PeakIntervals: 2, NearMS: 3_600_000,
		ByMarketplace: []diagnose.MarketplaceCount{{"amazon", 2, 1}, {"ebay", 2, 0}, {"walmart", 1, 1}},
		List: []diagnose.OversellEvent{
			{At: start.Add(10*time.Hour + 15*time.Minute), Marketplace: "walmart", SKU: "MUG", Units: 1, PeakStart: start.Add(10 * time.Hour), PeakOrders: 50, AfterPeakMS: -45 * 60_000},
			{At: start.Add(12*time.Hour + 30*time.Minute), Marketplace: "amazon", SKU: "TEE", Units: 2, PeakStart: start.Add(11 * time.Hour), PeakOrders: 40, AfterPeakMS: 30 * 60_000},
		},
	}
	if d := cmp.Diff(want, s, cmpopts.EquateApprox(0, 1e-12)); d != "" {
		t.Errorf("oversells (-want +got):\n%s", d)
	}
	if rep.Intervals.PeakOrders != 40 || !rep.Intervals.Points[10].Peak || rep.Intervals.Points[9].Peak {
		t.Errorf("peaks: threshold %d, points 9–11 %+v", rep.Intervals.PeakOrders, rep.Intervals.Points[9:12])
	}
}

func TestWriteText_SaysTheVerdictAndTheSignals(t *testing.T) {
	t.Parallel()
	e := synthetic{Orders: 1500, Seed: 5, Webhook: constant(time.Second, 500*time.Millisecond), ERP: constant(4*time.Minute, 10*time.Second), ConfirmAtCapture: true, Lines: true, Lost: 0.01}.write(t, t.TempDir())
	rep, _ := diagnoseFiles(t, diagnose.Options{}, e.Webhooks, e.ERP, e.Confirmations, "")
	var b strings.Builder
	must(t, rep.WriteText(&b))
	for _, want := range []string{
		"VERDICT  erp_processing_queue",
		"The ERP's processing queue: the delay sits in the ERP leg and is steady",
		"the integration/ERP leg (delivered → ERP received) carries",
		"GAP BY LEG", "DISTRIBUTION OF THE WHOLE GAP", "BY HOUR OF DAY (UTC)",
		"were confirmed before the ERP had them",
		"are not in the ERP at all",
		"not checked: no oversells export was given (--oversells)",
		"at the window's close",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text does not say %q:\n%s", want, b.String())
		}
	}
}

// TestReadFile_StandardGeneratorRowsAreAllRead guards the generator the
// other tests rely on: every row written is read.
func TestReadFile_StandardGeneratorRowsAreAllRead(t *testing.T) {
	t.Parallel()
	e := synthetic{Orders: 500, Seed: 3, Webhook: constant(time.Second, 0), ERP: constant(time.Minute, 0), RetryRate: 0.1, Lines: true, ConfirmAtCapture: true, Format: "jsonl"}.write(t, t.TempDir())
	rep, _ := diagnoseFiles(t, diagnose.Options{}, e.Webhooks, e.ERP, e.Confirmations, "")
	var rows int64
	for _, s := range rep.Sources {
		rows += s.Rows
	}
	if rows != int64(e.Rows) {
		t.Errorf("read %d rows, wrote %d", rows, e.Rows)
	}
	if p := rep.Leg(diagnose.LegERP).PercentilesMS; p.Min != 60_000 || p.Max != 60_000 {
		t.Errorf("ERP leg %+v, want exactly 1m", p)
	}
}
