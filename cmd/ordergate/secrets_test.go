package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/cryptotest"
	"time"

	"github.com/ordergate/ordergate/internal/erp/callback"
	"github.com/ordergate/ordergate/internal/storefront/shopify"
)

// No secret the gateway is given may appear in what it writes: its logs,
// what it prints, the files it writes, the answers it gives. These tests
// run it with every kind of secret configured, make it do everything
// that could be tempted to print one (refusals, failures, retries, debug
// logging), and look for each secret in all of it.

// leaks returns a line for each secret found in text (whole, or its
// first or last 16 characters when it is longer: a truncated secret is
// still a leak), naming where.
func leaks(where, text string, secrets map[string]string) []string {
	var out []string
	for name, s := range secrets {
		probes := []string{s}
		if len(s) > 24 {
			probes = append(probes, s[:16], s[len(s)-16:])
		}
		for _, p := range probes {
			if i := strings.Index(text, p); i >= 0 {
				lo, hi := max(0, i-80), min(len(text), i+len(p)+40)
				out = append(out, fmt.Sprintf("%s holds %s (%q): …%s…", where, name, p, text[lo:hi]))
				break
			}
		}
	}
	return out
}

// capture sends this process's stdout, stderr and standard logger to
// files until the returned function is called; it returns what each got.
// Only for a test that is not parallel: these are the process's own.
func capture(t *testing.T) (stop func() (stdout, stderr string)) {
	t.Helper()
	dir := t.TempDir()
	outF, err := os.Create(filepath.Join(dir, "stdout"))
	if err != nil {
		t.Fatal(err)
	}
	errF, err := os.Create(filepath.Join(dir, "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	oldOut, oldErr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = outF, errF
	log.SetOutput(errF)
	return func() (string, string) {
		os.Stdout, os.Stderr = oldOut, oldErr
		log.SetOutput(oldErr)
		outF.Close()
		errF.Close()
		o, _ := os.ReadFile(outF.Name())
		e, _ := os.ReadFile(errF.Name())
		return string(o), string(e)
	}
}

// The demo makes its own secrets (crypto/rand): with the process's
// cryptographic randomness made deterministic, the test draws the same
// ones the demo will, in the order the demo draws them, and checks the
// prediction against the token the demo prints. Tokens given through
// ORDERGATE_ADMIN_TOKEN and ORDERGATE_READONLY_TOKEN are looked for too.
//
// The demo prints its own admin token on purpose (the curl line and the
// dashboard sign-in need it); that one line is the only place it may be.
//
// Not parallel: it swaps the process's stdout and stderr, and its
// randomness.
func TestDemo_OutputAndLogsHoldNoSecret(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the demo")
	}
	const seed = 20261127
	cryptotest.SetGlobalRandom(t, seed)
	webhookSecret, demoToken, callbackSecret, bcToken := randomHex(32), randomHex(16), randomHex(32), randomHex(16)
	cryptotest.SetGlobalRandom(t, seed)
	envAdmin, envReadOnly := "og-env-admin-5d1c8a2e9b7f4036", "og-env-readonly-8e4b2a6c0d9f1357"
	t.Setenv("ORDERGATE_ADMIN_TOKEN", envAdmin)
	t.Setenv("ORDERGATE_READONLY_TOKEN", envReadOnly)

	summary := filepath.Join(t.TempDir(), "summary.json")
	demo := &demoCmd{Scenario: "default", Storefronts: []string{"shopify", "woocommerce", "bigcommerce"}, Orders: 60, Rate: 0,
		Concurrency: 16, Exit: true, JSON: summary, Listen: "127.0.0.1:0", Faults: true, Seed: 1, Timeout: 2 * time.Minute, LogLevel: "debug"}
	stop := capture(t)
	err := demo.Run()
	stdout, stderr := stop()
	if err != nil {
		t.Fatalf("demo: %v\nstdout:\n%s\nstderr:\n%s", err, stdout, lastBytes(stderr, 4096))
	}
	curl := "curl -H 'Authorization: Bearer " + demoToken + "'"
	if !strings.Contains(stdout, curl) {
		t.Fatalf("the demo did not print the predicted token: the order in which it draws its secrets changed, so this test cannot know them; update the prediction\nstdout:\n%s", stdout)
	}
	if !strings.Contains(stderr, "level=DEBUG") {
		t.Errorf("no debug lines captured: the scan would prove little\n%s", lastBytes(stderr, 2048))
	}
	report, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{"the webhook secret": webhookSecret, "the erp callback secret": callbackSecret,
		"the bigcommerce api token": bcToken, "ORDERGATE_ADMIN_TOKEN": envAdmin, "ORDERGATE_READONLY_TOKEN": envReadOnly}
	var found []string
	found = append(found, leaks("stdout", strings.Replace(stdout, curl, "curl -H 'Authorization: Bearer …'", 1), withToken(secrets, demoToken))...)
	found = append(found, leaks("the logs", stderr, withToken(secrets, demoToken))...)
	found = append(found, leaks("the --json summary", string(report), withToken(secrets, demoToken))...)
	for _, f := range found {
		t.Error(f)
	}
	t.Logf("scanned %d bytes of stdout, %d of logs and %d of summary for %d secrets", len(stdout), len(stderr), len(report), len(secrets)+1)
}

func withToken(m map[string]string, token string) map[string]string {
	out := map[string]string{"the demo's admin token": token}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// serve with every kind of secret the demo does not configure (an SMTP
// password, an alert hook's secret path, read-only tokens, several
// storefront kinds), driven through refusals, failed sends and retries at
// debug level: neither its logs nor its answers hold any of them.
func TestServe_LogsAndAnswersHoldNoSecret(t *testing.T) {
	t.Parallel()
	secrets := map[string]string{
		"shopify webhook secret":     "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",
		"woocommerce webhook secret": "wc-secret-3a9d7e1f5b2c4a6e8d0f",
		"bigcommerce hook token":     "bc-hook-token-7c2e9a4b1d6f3e80",
		"erp callback secret":        "erp-cb-secret-1b3d5f7a9c2e4a6b",
		"admin token":                "og-admin-token-9f8e7d6c5b4a3921",
		"read-only token":            "og-readonly-token-2468ace013579bdf",
		"smtp password":              "smtp-pass-6e5d4c3b2a1f0e9d",
		"alert hook path":            "T0000/B0000/alerthooksecretXYZ123",
	}
	db := filepath.Join(t.TempDir(), "og.db")
	cfg := writeFile(t, "ordergate.yaml", fmt.Sprintf(`
database: sqlite:%s
listen: 127.0.0.1:0
log_level: debug
admin_tokens: [%q]
read_only_tokens: [%q]
storefronts:
  - {name: shop1, kind: shopify, webhook_secrets: [%q], erp: erp1, notifier: mail}
  - {name: woo1, kind: woocommerce, webhook_secrets: [%q], erp: erp1, notifier: mail}
  - {name: bc1, kind: bigcommerce, webhook_secrets: [%q], erp: erp1, notifier: mail, api: {store_hash: abc123, access_token: "${BC_TOKEN}", base_url: "http://127.0.0.1:1/stores/abc123"}}
erps:
  - {name: erp1, kind: sandbox, callback_secrets: [%q]}
notifiers:
  - {name: mail, kind: smtp, addr: "127.0.0.1:1", tls: none, from: "o@example.com", username: "orders", password: %q}
alerts:
  webhook_url: "http://127.0.0.1:1/services/%s"
retry: {initial: 50ms, max: 200ms}
`, db, secrets["admin token"], secrets["read-only token"], secrets["shopify webhook secret"], secrets["woocommerce webhook secret"],
		secrets["bigcommerce hook token"], secrets["erp callback secret"], secrets["smtp password"], secrets["alert hook path"]))
	secrets["bigcommerce api token"] = "bc-api-token-5f4e3d2c1b0a9f8e"
	addr, logs := startServeLogged(t, cfg, []string{"BC_TOKEN=" + secrets["bigcommerce api token"]})

	var answers bytes.Buffer
	send := func(method, path, body string, h http.Header) int {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), method, addr+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range h {
			req.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		fmt.Fprintf(&answers, "%s %s -> %d %v\n%s\n", method, path, resp.StatusCode, resp.Header, b)
		return resp.StatusCode
	}
	now := time.Now().UTC()
	body := fmt.Sprintf(`{"id":5001,"name":"#5001","email":"ada@example.com","created_at":%q,"updated_at":%q,"currency":"USD","total_price":"25.00",`+
		`"line_items":[{"id":1,"sku":"TSHIRT-M","title":"T-shirt","quantity":1,"price":"25.00","requires_shipping":false}]}`, now.Format(time.RFC3339), now.Format(time.RFC3339))
	shop := http.Header{"Content-Type": {"application/json"}, shopify.HeaderTopic: {"orders/create"}, shopify.HeaderShopDomain: {"x.myshopify.com"},
		shopify.HeaderAPIVersion: {"2025-07"}, shopify.HeaderWebhookID: {"w1"}, shopify.HeaderTriggeredAt: {now.Format(time.RFC3339Nano)}}
	good := shop.Clone()
	good.Set(shopify.HeaderHmac, shopify.Sign([]byte(body), []byte(secrets["shopify webhook secret"])))
	bad := shop.Clone()
	bad.Set(shopify.HeaderHmac, shopify.Sign([]byte(body), []byte("guess")))
	if code := send("POST", "/webhooks/shopify/shop1", body, good); code != 200 {
		t.Errorf("valid webhook: %d", code)
	}
	send("POST", "/webhooks/shopify/shop1", body, bad)
	send("POST", "/webhooks/woocommerce/woo1", `{"id":1}`, http.Header{"X-Wc-Webhook-Topic": {"order.created"}, "X-Wc-Webhook-Signature": {"Z3Vlc3M="},
		"X-Wc-Webhook-Source": {"https://shop.example/"}, "X-Wc-Webhook-Id": {"1"}})
	send("POST", "/webhooks/bigcommerce/bc1", `{"scope":"store/order/created","data":{"type":"order","id":1},"hash":"h","created_at":1}`,
		http.Header{"X-Ordergate-Token": {"guess"}, "Content-Type": {"application/json"}})
	send("POST", "/webhooks/bigcommerce/bc1", fmt.Sprintf(`{"scope":"store/order/created","store_id":"1","data":{"type":"order","id":77},"hash":"h77","created_at":%d}`, now.Unix()),
		http.Header{"X-Ordergate-Token": {secrets["bigcommerce hook token"]}, "Content-Type": {"application/json"}})
	ackBody := `{"ref":"SO-1","external_id":"shop1/5001","status":"acknowledged"}`
	send("POST", "/erp/erp1/ack", ackBody, http.Header{callback.HeaderTimestamp: {strconv.FormatInt(now.Unix(), 10)},
		callback.HeaderSignature: {callback.Sign([]byte("guess"), now, []byte(ackBody))}})
	send("GET", "/api/v1/orders", "", http.Header{"Authorization": {"Bearer " + secrets["admin token"] + "x"}})
	send("GET", "/api/v1/storefronts", "", http.Header{"Authorization": {"Bearer " + secrets["read-only token"]}})
	send("GET", "/api/v1/orders/shop1/5001", "", http.Header{"Authorization": {"Bearer " + secrets["admin token"]}})
	send("POST", "/login", "token="+secrets["read-only token"]+"0", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Sec-Fetch-Site": {"same-origin"}})
	send("GET", "/metrics", "", nil)

	// Let the order reach the ERP and its confirmation fail to send (the
	// SMTP server is not there) a few times, so that the failure and retry
	// paths log.
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) && !strings.Contains(logs.String(), "127.0.0.1:1") {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	if !strings.Contains(logs.String(), "127.0.0.1:1") {
		t.Errorf("no failed send or fetch logged within 30s: the scan proves less\n%s", lastBytes(logs.String(), 2048))
	}
	for _, f := range append(leaks("serve's logs", logs.String(), secrets), leaks("serve's answers", answers.String(), secrets)...) {
		t.Error(f)
	}
}

// startServeLogged starts `ordergate serve` with env and returns its base
// URL and its log as it grows.
func startServeLogged(t *testing.T, config string, env []string) (string, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := command(ctx, env, "serve", "--config", config, "--grace", "1s")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	addrs := make(chan string, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			fmt.Fprintln(logs, sc.Text())
			if m := servingAddr.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case addrs <- m[1] + m[2]:
				default:
				}
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		cmd.Wait()
	})
	select {
	case addr := <-addrs:
		return addr, logs
	case <-done:
		t.Fatalf("serve exited before serving\n%s", logs.String())
	case <-time.After(time.Minute):
		t.Fatalf("serve did not log its address within a minute\n%s", logs.String())
	}
	return "", nil
}
