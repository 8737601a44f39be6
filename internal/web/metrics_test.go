package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/erp/sandbox"
	"github.com/ordergate/ordergate/internal/gate"
	"github.com/ordergate/ordergate/internal/metrics"
	"github.com/ordergate/ordergate/internal/metrics/storegauges"
	"github.com/ordergate/ordergate/internal/notify"
	"github.com/ordergate/ordergate/internal/notify/smtp"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
	"github.com/ordergate/ordergate/internal/sandbox/mailbox"
	"github.com/ordergate/ordergate/internal/store/sqlite"
	"github.com/ordergate/ordergate/internal/storefront/shopify"
	"github.com/ordergate/ordergate/internal/storefront/woocommerce"
)

// observedOptions vary what setupObserved builds.
type observedOptions struct {
	erp   erpsim.Config
	sla   time.Duration // the storefronts' confirmation SLA; 0 means none
	sweep time.Duration // the SLA sweep's interval; 0 means the gate's default
	log   io.Writer     // where the gate and the server log, as JSON at debug; nil discards
}

// setupObserved is setup with a metrics recorder joined to the gate, its
// /metrics served beside the routes as the command serves it, and the gate
// and the server logging as JSON. It serves shop1 and woo1.
func setupObserved(t *testing.T, opts observedOptions) (*bundle, *metrics.Recorder) {
	t.Helper()
	b := &bundle{path: filepath.Join(t.TempDir(), "ordergate.db")}
	quiet := slog.New(slog.DiscardHandler)
	log := quiet
	if opts.log != nil {
		log = slog.New(slog.NewJSONHandler(opts.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	b.srv = httptest.NewUnstartedServer(nil)
	b.sim = erpsim.New(opts.erp)
	erpSrv := httptest.NewServer(b.sim)
	client, err := sandbox.New(sandbox.Config{BaseURL: erpSrv.URL, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if b.mail, err = mailbox.Start(mailbox.Options{}); err != nil {
		t.Fatal(err)
	}
	sender, err := smtp.New(smtp.Config{Addr: b.mail.Addr(), From: "Test Shop <orders@shop.example>", TLS: smtp.TLSNone, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	rec := metrics.New(log)
	g, err := gate.New(gate.Config{
		Storefronts: []gate.Storefront{
			{Name: shop1, Kind: shopify.Kind, ERP: "sandbox", Notifier: "mail", SLA: opts.sla},
			{Name: woo1, Kind: woocommerce.Kind, ERP: "sandbox", Notifier: "mail", SLA: opts.sla},
		},
		ERPs:          map[string]gate.ERP{"sandbox": {Client: client}},
		Notifiers:     map[string]notify.Sender{"mail": sender},
		RetryInitial:  20 * time.Millisecond,
		RetryMax:      200 * time.Millisecond,
		AckPoll:       20 * time.Millisecond,
		SweepInterval: opts.sweep,
		Metrics:       rec,
		Logger:        log,
	})
	if err != nil {
		t.Fatal(err)
	}
	if b.store, err = sqlite.Open(context.Background(), b.path, sqlite.Options{River: g.RiverConfig(), Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	g.Use(b.store)
	rec.Register(storegauges.New(b.store, quiet))
	t.Cleanup(func() {
		b.srv.Close()
		b.closeStore(t)
		b.sim.Close()
		erpSrv.Close()
		b.mail.Close()
	})
	if err := b.store.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := New(g, b.store, Config{
		Storefronts: []Storefront{
			{Name: shop1, Kind: shopify.Kind, Secrets: [][]byte{oldSecret}},
			{Name: woo1, Kind: woocommerce.Kind, Secrets: [][]byte{oldSecret}},
		},
		AdminTokens:  []string{adminToken},
		MaxBodyBytes: maxBody,
		ERPCallbacks: map[string][][]byte{"sandbox": {oldCallbackSecret}},
		Logger:       log,
	})
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", rec.Handler())
	mux.Handle("/", srv.Handler())
	b.srv.Config.Handler = mux
	b.srv.Start()
	return b, rec
}

// scrapeMetrics GETs /metrics and returns each sample by its series as the
// text format writes it, labels sorted: `ordergate_x{a="1",b="2"}`.
func (b *bundle) scrapeMetrics(t *testing.T) map[string]float64 {
	t.Helper()
	r := b.get(t, "/metrics", "")
	if r.status != http.StatusOK {
		t.Fatalf("GET /metrics = %d\n%s", r.status, r.body)
	}
	samples := make(map[string]float64)
	sc := bufio.NewScanner(bytes.NewReader(r.body))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("sample %q: %v", line, err)
		}
		samples[line[:i]] = v
	}
	return samples
}

// waitMetric scrapes until series reaches want: a figure observed after
// a commit may trail the state the store already shows by a moment.
func (b *bundle) waitMetric(t *testing.T, series string, want float64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, ok := b.scrapeMetrics(t)[series]
		if ok && got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s = %v, want %v", series, got, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// otherOrder is the sample order under another id: a second order.
func otherOrder(body []byte, id string) []byte {
	return bytes.ReplaceAll(body, []byte("820982911946154508"), []byte(id))
}

func TestMetrics_CountRealWebhooksERPCallsMessagesAndLatencies(t *testing.T) {
	t.Parallel()
	// IPOD2008BLACK is the one line of the REST order: the ERP refuses it.
	b, _ := setupObserved(t, observedOptions{erp: erpsim.Config{UnknownSKUs: []string{"IPOD2008BLACK"}}})
	first := readTestdata(t, sample)
	second := otherOrder(first, "820982911946154509")
	refused := readTestdata(t, "rest-order-create-response-1073459970-send_receipt.json")

	steps := []struct {
		name       string
		storefront string
		header     http.Header
		body       []byte
		wantStatus int
	}{
		{"first", shop1, signed("orders/create", "evt-1", first, oldSecret), first, http.StatusOK},
		{"first again", shop1, signed("orders/create", "evt-1", first, oldSecret), first, http.StatusOK},
		{"second", shop1, signed("orders/create", "evt-2", second, oldSecret), second, http.StatusOK},
		{"refused by the erp", shop1, signed("orders/create", "evt-3", refused, oldSecret), refused, http.StatusOK},
		{"unsupported topic", shop1, signed("products/update", "evt-4", first, oldSecret), first, http.StatusOK},
		{"bad signature", shop1, signed("orders/create", "evt-5", first, []byte("not the secret")), first, http.StatusUnauthorized},
		{"malformed", shop1, signed("orders/create", "evt-6", first[:len(first)/2], oldSecret), first[:len(first)/2], http.StatusBadRequest},
		{"too large", shop1, nil, append(bytes.Clone(first), bytes.Repeat([]byte(" "), maxBody)...), http.StatusRequestEntityTooLarge},
		{"no such storefront", "nope", signed("orders/create", "evt-7", first, oldSecret), first, http.StatusNotFound},
	}
	for _, s := range steps {
		h := s.header
		if h == nil {
			h = signed("orders/create", "evt-8", s.body, oldSecret)
		}
		if r := b.post(t, s.storefront, h, s.body); r.status != s.wantStatus {
			t.Fatalf("%s: reply %d %s, want %d", s.name, r.status, r.body, s.wantStatus)
		}
	}
	ping, err := http.NewRequestWithContext(t.Context(), http.MethodPost, b.srv.URL+"/webhooks/woocommerce/"+woo1, strings.NewReader("webhook_id=12"))
	if err != nil {
		t.Fatal(err)
	}
	ping.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if r := b.do(t, ping); r.status != http.StatusOK {
		t.Fatalf("ping: reply %d %s", r.status, r.body)
	}

	for _, body := range [][]byte{first, second} {
		if o := b.waitSettled(t, keyOf(t, shop1, body)); o.State() != order.Confirmed {
			t.Fatalf("%s is %s, want confirmed", o.Key, o.State())
		}
	}
	if o := b.waitSettled(t, keyOf(t, shop1, refused)); o.State() != order.Rejected {
		t.Fatalf("%s is %s, want rejected", o.Key, o.State())
	}
	b.waitMetric(t, `ordergate_capture_to_confirmation_seconds_count{storefront="shop1"}`, 2)
	b.waitMetric(t, `ordergate_notifications_total{kind="problem",result="sent"}`, 1)

	got := b.scrapeMetrics(t)
	want := map[string]float64{
		`ordergate_webhooks_total{result="stored",storefront="shop1",topic="orders/create"}`:            3,
		`ordergate_webhooks_total{result="duplicate",storefront="shop1",topic="orders/create"}`:         1,
		`ordergate_webhooks_total{result="ignored",storefront="shop1",topic="products/update"}`:         1,
		`ordergate_webhooks_total{result="refused_signature",storefront="shop1",topic=""}`:              1,
		`ordergate_webhooks_total{result="refused_malformed",storefront="shop1",topic="orders/create"}`: 1,
		`ordergate_webhooks_total{result="too_large",storefront="shop1",topic=""}`:                      1,
		`ordergate_webhooks_total{result="ping",storefront="woo1",topic=""}`:                            1,
		`ordergate_webhook_duration_seconds_count{storefront="shop1"}`:                                  8,
		`ordergate_webhook_duration_seconds_count{storefront="woo1"}`:                                   1,

		// One observation per order, when its step committed: two
		// acknowledged and confirmed, none for the one the ERP refused.
		`ordergate_capture_to_ack_seconds_count{storefront="shop1"}`:          2,
		`ordergate_ack_to_confirmation_seconds_count{storefront="shop1"}`:     2,
		`ordergate_capture_to_confirmation_seconds_count{storefront="shop1"}`: 2,

		`ordergate_erp_calls_total{erp="sandbox",op="submit",result="ok"}`:       2,
		`ordergate_erp_calls_total{erp="sandbox",op="submit",result="rejected"}`: 1,
		`ordergate_erp_calls_total{erp="sandbox",op="submit",result="error"}`:    0,
		`ordergate_erp_call_duration_seconds_count{erp="sandbox",op="submit"}`:   3,
		`ordergate_erp_throttled_total{erp="sandbox"}`:                           0,
		`ordergate_erp_inflight{erp="sandbox"}`:                                  0,
		`ordergate_erp_waiting{erp="sandbox"}`:                                   0,

		`ordergate_notifications_total{kind="confirmation",result="sent"}`:     2,
		`ordergate_notifications_total{kind="problem",result="sent"}`:          1,
		`ordergate_notifications_total{kind="confirmation",result="in_doubt"}`: 0,
		`ordergate_notifications_total{kind="pending",result="sent"}`:          0,

		`ordergate_orders{state="confirmed"}`: 2,
		`ordergate_orders{state="rejected"}`:  1,
		`ordergate_store_up`:                  1,
	}
	for series, v := range want {
		if g, ok := got[series]; !ok || g != v {
			t.Errorf("%s = %v (reported %t), want %v", series, g, ok, v)
		}
	}
	for series := range got {
		if strings.Contains(series, `storefront="nope"`) {
			t.Errorf("%s: a path naming no storefront minted a series", series)
		}
	}
	// The order's capture is years before the test: the latency is real,
	// from the storefront's created_at, not from our receipt.
	if s := got[`ordergate_capture_to_ack_seconds_sum{storefront="shop1"}`]; s < 365*24*3600 {
		t.Errorf("capture → ack sums to %vs, want the years since the samples' created_at", s)
	}

	b.closeStore(t)
	third := otherOrder(first, "820982911946154510")
	if r := b.post(t, shop1, signed("orders/create", "evt-9", third, oldSecret), third); r.status != http.StatusServiceUnavailable {
		t.Fatalf("with the store closed: reply %d %s, want 503", r.status, r.body)
	}
	got = b.scrapeMetrics(t)
	for series, v := range map[string]float64{
		`ordergate_webhooks_total{result="store_error",storefront="shop1",topic="orders/create"}`: 1,
		`ordergate_webhook_duration_seconds_count{storefront="shop1"}`:                            9,
		`ordergate_store_up`: 0,
	} {
		if g, ok := got[series]; !ok || g != v {
			t.Errorf("%s = %v (reported %t), want %v", series, g, ok, v)
		}
	}
}

// lockedBuffer is a log sink that the workers may write while the test
// reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}

func TestLogs_EveryLineAboutAnOrderNamesItsStorefrontAndID(t *testing.T) {
	t.Parallel()
	var logs lockedBuffer
	// The REST sample's IPOD2008BLACK is unknown to the ERP: the order of
	// it alone is refused; the other, with two more lines, is taken short
	// and held for an operator, past its SLA.
	b, _ := setupObserved(t, observedOptions{
		erp: erpsim.Config{UnknownSKUs: []string{"IPOD2008BLACK"}, PartialUnknown: true},
		sla: 100 * time.Millisecond, sweep: 200 * time.Millisecond, log: &logs,
	})
	confirmed := readTestdata(t, sample)
	held := readTestdata(t, "rest-order-get-450789469.json")
	refused := readTestdata(t, "rest-order-create-response-1073459970-send_receipt.json")
	for i, body := range [][]byte{confirmed, held, refused, confirmed} {
		if r := b.post(t, shop1, signed("orders/create", "evt-"+strconv.Itoa(i%3), body, oldSecret), body); r.status != http.StatusOK {
			t.Fatalf("delivery %d: reply %d %s", i, r.status, r.body)
		}
	}
	b.waitSettled(t, keyOf(t, shop1, confirmed))
	b.waitSettled(t, keyOf(t, shop1, refused))
	heldKey := keyOf(t, shop1, held)
	b.waitFor(t, heldKey, "held and overdue", func(o *order.Order) bool { return o.Attention != "" && !o.OverdueAt.IsZero() })
	if r := b.postAction(t, heldKey.Storefront+"/"+heldKey.ID+"/release", adminToken, "alice", ""); r.status != http.StatusOK {
		t.Fatalf("release: reply %d %s", r.status, r.body)
	}
	b.waitState(t, heldKey, order.Confirmed)
	o, err := b.store.Get(t.Context(), keyOf(t, shop1, confirmed))
	if err != nil {
		t.Fatal(err)
	}
	body := ackBody(t, o)
	if r := b.postAck(t, "sandbox", signedAck(oldCallbackSecret, time.Now(), body), body); r.status != http.StatusOK {
		t.Fatalf("callback: reply %d %s", r.status, r.body)
	}
	b.closeStore(t)
	lost := otherOrder(confirmed, "820982911946154511")
	if r := b.post(t, shop1, signed("orders/create", "evt-lost", lost, oldSecret), lost); r.status != http.StatusServiceUnavailable {
		t.Fatalf("with the store closed: reply %d %s, want 503", r.status, r.body)
	}

	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(logs.Bytes()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("log line is not JSON: %v\n%s", err, sc.Bytes())
		}
		msg, _ := rec["msg"].(string)
		seen[msg] = true
		if _, ok := rec["order"]; ok {
			t.Errorf("%q names its order as order=, want storefront and order_id: %s", msg, sc.Bytes())
		}
		_, hasID := rec["order_id"]
		_, hasExt := rec["external_id"]
		if !hasID && !hasExt && !strings.Contains(strings.ToLower(msg), "order") {
			continue // not about an order
		}
		sf, _ := rec["storefront"].(string)
		id, _ := rec["order_id"].(string)
		if sf == "" || id == "" {
			t.Errorf("%q is about an order but lacks storefront or order_id: %s", msg, sc.Bytes())
		}
	}
	for _, msg := range []string{
		"webhook stored", "webhook not stored", "order acknowledged", "order confirmed",
		"order rejected by the erp", "order overdue", "operator action", "erp callback applied",
	} {
		if !seen[msg] {
			t.Errorf("no %q line logged", msg)
		}
	}
}
