package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jackc/pgx/v5"

	"github.com/ordergate/ordergate/internal/store/postgres/pgtest"
)

// binary is the ordergate command built once by TestMain.
var binary string

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "ordergate-cmd-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "ordergate")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "go build:", err)
		return 1
	}
	return m.Run()
}

// result is what a finished ordergate process left behind.
type result struct {
	stdout, stderr string
	exitCode       int
}

// run runs the binary to completion with args and the extra environment
// variables env (NAME=value) on top of a clean environment.
func run(t *testing.T, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	return runContext(t, ctx, env, args...)
}

func runContext(t *testing.T, ctx context.Context, env []string, args ...string) result {
	t.Helper()
	cmd := command(ctx, env, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := result{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit) && exit.Exited():
		res.exitCode = exit.ExitCode()
	default:
		t.Fatalf("ordergate %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, res.stdout, res.stderr)
	}
	return res
}

// command is the binary with args, stopped by SIGTERM (then killed) when
// ctx ends.
func command(ctx context.Context, env []string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append(cleanEnv(), env...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

// cleanEnv is this process's environment without the variables ordergate
// or its example config read, so that the developer's shell cannot change
// a test's outcome.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "ORDERGATE_") || name == "SHOPIFY_WEBHOOK_SECRET" || name == "SMTP_PASSWORD" {
			continue
		}
		env = append(env, kv)
	}
	return env
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestHelp_MentionsEveryFlagAndExitsZero(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"--help"}, []string{"--help", "serve", "demo", "migrate", "config check"}},
		{[]string{"serve", "--help"}, []string{"--help", "-c, --config", "--grace", "$ORDERGATE_CONFIG"}},
		{[]string{"demo", "--help"}, []string{
			"--help", "--orders", "--rate", "--concurrency", "--exit", "--json", "--db", "--listen",
			"--[no-]faults", "--seed", "--timeout", "--log-level",
		}},
		{[]string{"migrate", "--help"}, []string{"--help", "-c, --config", "--database", "$ORDERGATE_CONFIG"}},
		{[]string{"config", "check", "--help"}, []string{"--help", "--print", "[<config>]", "$ORDERGATE_CONFIG"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, "_"), func(t *testing.T) {
			t.Parallel()
			res := run(t, nil, tt.args...)
			if res.exitCode != 0 {
				t.Fatalf("ordergate %s exited %d, want 0\nstderr:\n%s", strings.Join(tt.args, " "), res.exitCode, res.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(res.stdout, w) {
					t.Errorf("ordergate %s does not mention %q:\n%s", strings.Join(tt.args, " "), w, res.stdout)
				}
			}
		})
	}
}

const exampleConfig = "../../internal/config/testdata/example.yaml"

// exampleKey is the absolute path of the example config's throwaway
// NetSuite key.
func exampleKey(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs("../../internal/config/testdata/ns-example-key.pem")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// exampleEnv sets every variable the example config refers to.
var exampleEnv = []string{
	"SHOPIFY_WEBHOOK_SECRET=shpss-example-3e7b", "WOO_WEBHOOK_SECRET=woo-example", "WOO_CONSUMER_KEY=ck_example", "WOO_CONSUMER_SECRET=cs_example", "BC_HOOK_TOKEN=bc-hook-example",
	"BC_ACCESS_TOKEN=bc-token-example", "ERP1_CALLBACK_SECRET=cb-example", "NS_CLIENT_ID=ns-client",
	"NS_CERT_ID=ns-cert", "NS_CONSUMER_KEY=ck", "NS_CONSUMER_SECRET=ns-consumer-secret-9", "NS_TOKEN_ID=ti", "NS_TOKEN_SECRET=ns-token-secret-9",
	"CIN7_ACCOUNT_ID=704ef231-cd93-49c9-a201-26b4b5d0d35b", "CIN7_APPLICATION_KEY=c7-key", "FISHBOWL_PASSWORD=fb-pass",
}

func TestConfigCheck(t *testing.T) {
	t.Parallel()
	// A valid config with every kind of secret set, each a value that
	// appears nowhere else.
	secretsConfig := writeFile(t, "secrets.yaml", `
database: sqlite:og.db
admin_tokens: ["admintoken-7f3a9c"]
storefronts:
  - {name: shop1, kind: shopify, webhook_secrets: ["${HOOK_SECRET}", "hooksecret-literal-5b1e"], erp: erp1, notifier: mail, mode: gated}
erps:
  - {name: erp1, kind: sandbox, base_url: "http://erpuser:erppass-c4d2@127.0.0.1:9000"}
notifiers:
  - {name: mail, kind: smtp, addr: "127.0.0.1:1025", from: "Shop <o@example.com>", username: mailer, password: "${MAIL_PASSWORD}", tls: none}
`)
	secretEnv := []string{"HOOK_SECRET=hooksecret-env-90af", "MAIL_PASSWORD=mailpass-e81d"}
	secretValues := []string{"admintoken-7f3a9c", "hooksecret-env-90af", "hooksecret-literal-5b1e", "erppass-c4d2", "mailpass-e81d"}

	tests := []struct {
		name string
		env  []string
		args []string
		// wantOK: exit 0 and "ok" on stderr; otherwise a non-zero exit.
		// wantFields must each appear on stderr: "path: problem".
		wantOK     bool
		wantFields []string
		// wantStdout are strings --print must show.
		wantStdout []string
		// noSecrets must appear in neither stdout nor stderr.
		noSecrets []string
	}{
		{
			name:   "ExampleIsValid",
			env:    exampleEnv,
			args:   []string{exampleConfig},
			wantOK: true,
		},
		{
			name:   "ExampleFromEnvironmentVariableIsValid",
			env:    append([]string{"ORDERGATE_CONFIG=" + exampleConfig}, exampleEnv...),
			wantOK: true,
		},
		{
			name:       "ExamplePrintRedactsTheWebhookSecret",
			env:        exampleEnv,
			args:       []string{"--print", exampleConfig},
			wantOK:     true,
			wantStdout: []string{"shop1", "REDACTED"},
			noSecrets:  []string{"shpss-example-3e7b", "cb-example", "ns-consumer-secret-9", "ns-token-secret-9", "c7-key", "fb-pass"},
		},
		{
			// The shape issue 13 says must work, as written there.
			name: "NetSuiteShapeFromTheIssueIsValid",
			env:  []string{"NS_CLIENT_ID=ns-client", "NS_CERT_ID=ns-cert"},
			args: []string{writeFile(t, "ns.yaml", `
database: sqlite:og.db
storefronts:
  - {name: shop1, kind: shopify, webhook_secrets: [x], erp: ns, notifier: mail}
erps:
  - name: ns
    kind: netsuite
    account: "1234567"
    base_url: https://1234567.suitetalk.api.netsuite.com
    auth: {method: oauth2_m2m, client_id: "${NS_CLIENT_ID}", certificate_id: "${NS_CERT_ID}", private_key_file: `+exampleKey(t)+`}
    max_concurrency: 5
notifiers:
  - {name: mail, kind: smtp, addr: "127.0.0.1:1025", from: "o@example.com", tls: none}
`)},
			wantOK: true,
		},
		{
			name: "ConnectorCredentialsAreCheckedForShape",
			args: []string{writeFile(t, "badns.yaml", `
database: sqlite:og.db
storefronts:
  - {name: shop1, kind: shopify, webhook_secrets: [x], erp: ns, notifier: mail}
erps:
  - {name: ns, kind: netsuite, account: "1234567", auth: {method: oauth2_m2m, client_id: c, private_key_file: /nonexistent/ns.pem}, customer_id: "42"}
  - {name: c7, kind: cin7, auth: {account_id: not-a-guid, application_key: k}}
notifiers:
  - {name: mail, kind: smtp, addr: "127.0.0.1:1025", from: "o@example.com", tls: none}
`)},
			wantFields: []string{
				"erps[0].auth.certificate_id: required for method oauth2_m2m",
				"erps[0].auth.private_key_file:",
				`erps[1].auth.account_id: "not-a-guid" is not a GUID`,
			},
		},
		{
			name:       "PrintNeverShowsASecret",
			env:        secretEnv,
			args:       []string{"--print", secretsConfig},
			wantOK:     true,
			wantStdout: []string{"shop1", "erpuser", "mailer", "REDACTED"},
			noSecrets:  secretValues,
		},
		{
			name:       "ExampleWithoutItsSecretVariableNamesTheSecret",
			args:       []string{exampleConfig},
			wantFields: []string{"storefronts[0].webhook_secrets[0]: environment variable SHOPIFY_WEBHOOK_SECRET is not set"},
		},
		{
			name: "MissingWebhookSecretsNamesTheField",
			args: []string{writeFile(t, "nosecrets.yaml", `
database: sqlite:og.db
storefronts:
  - {name: shop1, kind: shopify, erp: erp1, notifier: mail}
erps:
  - {name: erp1, kind: sandbox}
notifiers:
  - {name: mail, kind: smtp, addr: "127.0.0.1:1025", from: "o@example.com", tls: none}
`)},
			wantFields: []string{"storefronts[0].webhook_secrets: required"},
		},
		{
			name: "UnknownKeyNamesTheField",
			env:  secretEnv,
			args: []string{writeFile(t, "unknown.yaml", `
database: sqlite:og.db
storefronts:
  - {name: shop1, kind: shopify, webhook_secrets: ["s"], erp: erp1, notifier: mail, colour: blue}
erps:
  - {name: erp1, kind: sandbox}
notifiers:
  - {name: mail, kind: smtp, addr: "127.0.0.1:1025", from: "o@example.com", tls: none}
`)},
			wantFields: []string{"storefronts[0].colour: unknown field"},
		},
		{
			name: "EveryProblemIsReported",
			args: []string{writeFile(t, "several.yaml", `
database: sqlite:og.db
storefronts:
  - {name: shop1, kind: shopify, erp: erp1, notifier: mail}
  - {name: shop2, kind: shopify, webhook_secrets: ["s"], erp: erp1, notifier: mail, colour: blue}
erps:
  - {name: erp1, kind: sandbox}
notifiers:
  - {name: mail, kind: smtp, addr: "127.0.0.1:1025", from: "o@example.com", tls: none}
`)},
			wantFields: []string{"storefronts[0].webhook_secrets: required", "storefronts[1].colour: unknown field"},
		},
		{
			name:       "ErrorsNeverShowASecret",
			env:        secretEnv,
			args:       []string{writeFile(t, "badsecrets.yaml", strings.Replace(mustRead(t, secretsConfig), "tls: none", "tls: bogus", 1))},
			wantFields: []string{"notifiers[0].tls"},
			noSecrets:  secretValues,
		},
		{
			name:       "MissingFileFails",
			args:       []string{filepath.Join(t.TempDir(), "absent.yaml")},
			wantFields: []string{"absent.yaml"},
		},
		{
			name:       "NoFileFails",
			wantFields: []string{"give the config file's path"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := run(t, tt.env, append([]string{"config", "check"}, tt.args...)...)
			if tt.wantOK {
				if res.exitCode != 0 || !strings.Contains(res.stderr, ": ok (") {
					t.Errorf("config check exited %d, want 0 and ok\nstderr:\n%s", res.exitCode, res.stderr)
				}
			} else if res.exitCode == 0 {
				t.Errorf("config check exited 0, want non-zero\nstderr:\n%s", res.stderr)
			}
			for _, f := range tt.wantFields {
				if !strings.Contains(res.stderr, f) {
					t.Errorf("config check stderr does not name %q:\n%s", f, res.stderr)
				}
			}
			for _, w := range tt.wantStdout {
				if !strings.Contains(res.stdout, w) {
					t.Errorf("config check stdout does not show %q:\n%s", w, res.stdout)
				}
			}
			for _, s := range tt.noSecrets {
				if strings.Contains(res.stdout, s) || strings.Contains(res.stderr, s) {
					t.Errorf("config check printed the secret %q\nstdout:\n%s\nstderr:\n%s", s, res.stdout, res.stderr)
				}
			}
		})
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestMigrate_SecondRunIsUpToDate(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "og.db")

	first := run(t, nil, "migrate", "--database", "sqlite:"+db)
	second := run(t, nil, "migrate", "--database", "sqlite:"+db)

	got := []result{first, second}
	want := []struct {
		stdout string
	}{{db + " migrated from schema version 0 to"}, {db + " is up to date"}}
	for i, w := range want {
		if got[i].exitCode != 0 {
			t.Errorf("migrate run %d exited %d, want 0\nstderr:\n%s", i+1, got[i].exitCode, got[i].stderr)
		}
		if !strings.Contains(got[i].stdout, w.stdout) {
			t.Errorf("migrate run %d said %q, want it to contain %q", i+1, got[i].stdout, w.stdout)
		}
	}
	if _, err := os.Stat(db); err != nil {
		t.Errorf("migrate left no database: %v", err)
	}
}

func TestMigrate_PostgresIsIdempotentRefusesANewerSchemaAndHidesThePassword(t *testing.T) {
	t.Parallel()
	// A password in the DSN, which the test server's trust auth ignores:
	// migrate must never print it.
	const password = "pgpass-3d9a71"
	u, err := url.Parse(pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(u.User.Username(), password)
	dsn := u.String()

	first := run(t, nil, "migrate", "--database", dsn)
	second := run(t, nil, "migrate", "--database", dsn)
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), `INSERT INTO ordergate_migrations (version, name) VALUES (999, '999_future.sql')`); err != nil {
		t.Fatal(err)
	}
	newer := run(t, nil, "migrate", "--database", dsn)

	for i, tt := range []struct {
		res     result
		code    int
		out     string
		saysOut string
	}{
		{first, 0, first.stdout, "migrated from schema version 0 to"},
		{second, 0, second.stdout, "is up to date"},
		{newer, 1, newer.stderr, "newer than this binary"},
	} {
		if tt.res.exitCode != tt.code || !strings.Contains(tt.out, tt.saysOut) {
			t.Errorf("migrate run %d exited %d saying %q%q, want exit %d and %q", i+1, tt.res.exitCode, tt.res.stdout, tt.res.stderr, tt.code, tt.saysOut)
		}
		if strings.Contains(tt.res.stdout+tt.res.stderr, password) {
			t.Errorf("migrate run %d printed the database password:\n%s%s", i+1, tt.res.stdout, tt.res.stderr)
		}
	}
}

// syncBuffer is a bytes.Buffer safe to write from a process's output
// copier while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// servingAddr finds serve's address in its log, JSON (the default) or text.
var servingAddr = regexp.MustCompile(`"msg":"ordergate serving","addr":"([^"]+)"|msg="ordergate serving" addr=(\S+)`)

// startServe starts `ordergate serve` and returns its base URL once its
// /healthz answers. The process is stopped when the test ends.
func startServe(t *testing.T, config string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := command(ctx, nil, "serve", "--config", config, "--grace", "1s")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	addrs := make(chan string, 1)
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(&logs, line)
			if m := servingAddr.FindStringSubmatch(line); m != nil {
				select {
				case addrs <- m[1] + m[2]:
				default:
				}
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	exited := make(chan error, 1)
	go func() {
		<-copied
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-exited; err != nil && !t.Failed() {
			t.Logf("first serve stopped: %v\n%s", err, logs.String())
		}
	})

	var addr string
	select {
	case addr = <-addrs:
	case err := <-exited:
		exited <- err
		t.Fatalf("serve exited before serving: %v\n%s", err, logs.String())
	case <-time.After(time.Minute):
		t.Fatalf("serve did not log its address within a minute\n%s", logs.String())
	}
	res, err := http.Get(addr + "/healthz")
	if err != nil {
		t.Fatalf("GET /healthz: %v\n%s", err, logs.String())
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /healthz = %d, want 200", res.StatusCode)
	}
	return addr
}

// serveConfig writes a config for serve on a loopback port with the
// database db, an in-process sandbox ERP and a notifier that nothing needs
// to reach; from is the notifier's from (and brand) YAML.
func serveConfig(t *testing.T, db, from string) string {
	t.Helper()
	return writeFile(t, "ordergate.yaml", fmt.Sprintf(`
database: sqlite:%s
listen: 127.0.0.1:0
log_level: info
storefronts:
  - {name: shop1, kind: shopify, webhook_secrets: ["s3cret"], erp: erp1, notifier: mail}
erps:
  - {name: erp1, kind: sandbox}
notifiers:
  - {name: mail, kind: smtp, addr: "127.0.0.1:1", tls: none, %s}
`, db, from))
}

func TestServe_StartsWithAConfigThatConfigCheckAccepts(t *testing.T) {
	t.Parallel()
	config := serveConfig(t, filepath.Join(t.TempDir(), "og.db"), `from: "o@example.com"`)
	if res := run(t, nil, "config", "check", config); res.exitCode != 0 {
		t.Fatalf("config check exited %d, want 0\n%s", res.exitCode, res.stderr)
	}

	addr := startServe(t, config)

	// /metrics serves the store's gauges and the job queue's, read from
	// the database: the leader's periodic jobs are queued from the start.
	resp, err := http.Get(addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, want := range []string{"ordergate_store_up 1", `ordergate_orders{state="received"} 0`, "ordergate_jobs{", "ordergate_job_oldest_age_seconds{"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func TestServe_RefusesADatabaseAnotherServeHolds(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "og.db")
	config := serveConfig(t, db, `from: "Shop <o@example.com>"`)
	startServe(t, config)

	second := run(t, nil, "serve", "--config", config)

	if second.exitCode == 0 {
		t.Fatalf("second serve exited 0, want non-zero\nstderr:\n%s", second.stderr)
	}
	for _, w := range []string{db, "in use by another ordergate process"} {
		if !strings.Contains(second.stderr, w) {
			t.Errorf("second serve stderr does not say %q:\n%s", w, second.stderr)
		}
	}
}

// demoSummary is the demo's --json contract, as a reader of it spells it.
type demoSummary struct {
	Orders                 int      `json:"orders"`
	Accepted               int      `json:"accepted"`
	Confirmed              int      `json:"confirmed"`
	Rejected               int      `json:"rejected"`
	Cancelled              int      `json:"cancelled"`
	ConfirmedBeforeAck     int      `json:"confirmed_before_ack"`
	DuplicateERPOrders     int      `json:"duplicate_erp_orders"`
	DuplicateConfirmations int      `json:"duplicate_confirmations"`
	ERPOrdersNotPlaced     int      `json:"erp_orders_not_placed"`
	Unconfirmed            []string `json:"unconfirmed"`
	Latency                struct {
		P50 float64 `json:"p50"`
		N   int     `json:"n"`
	} `json:"confirmation_latency_ms"`
	Violations []string `json:"violations"`
}

func TestDemo_ExitsWithEveryOrderAccountedForAndNoInvariantBroken(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs the whole demo")
	}
	out := filepath.Join(t.TempDir(), "summary.json")
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()

	res := runContext(t, ctx, nil, "demo", "--orders", "30", "--exit", "--json", out, "--listen", "127.0.0.1:0", "--seed", "7")

	if res.exitCode != 0 {
		t.Fatalf("demo exited %d, want 0\nstdout:\n%s\nstderr:\n%s", res.exitCode, res.stdout, res.stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var got demoSummary
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("summary JSON: %v\n%s", err, b)
	}

	type invariants struct {
		Orders, Accepted                                                                   int
		ConfirmedBeforeAck, DuplicateERPOrders, DuplicateConfirmations, ERPOrdersNotPlaced int
		Violations                                                                         []string
	}
	gotInv := invariants{got.Orders, got.Accepted, got.ConfirmedBeforeAck, got.DuplicateERPOrders, got.DuplicateConfirmations, got.ERPOrdersNotPlaced, got.Violations}
	// The simulator retries every webhook until it is accepted.
	wantInv := invariants{Orders: 30, Accepted: 30}
	if diff := cmp.Diff(wantInv, gotInv, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("demo summary mismatch (-want +got):\n%s\n%s", diff, b)
	}

	// Confirmed orders are held by the ERP (confirmed_before_ack is 0) and
	// rejected ones are not, so no order is both. A cancelled order may
	// have been confirmed or rejected first, so cancelled overlaps them;
	// and an accepted, held, uncancelled order without mail is listed as
	// unconfirmed. Every order must land in at least one of these.
	if got.Confirmed+got.Rejected > got.Orders {
		t.Errorf("confirmed %d + rejected %d > orders %d: an order counted as both\n%s", got.Confirmed, got.Rejected, got.Orders, b)
	}
	if n := got.Confirmed + got.Rejected + got.Cancelled + len(got.Unconfirmed); n < got.Orders {
		t.Errorf("confirmed %d + rejected %d + cancelled %d + unconfirmed %d = %d < orders %d: some orders are unaccounted for\n%s",
			got.Confirmed, got.Rejected, got.Cancelled, len(got.Unconfirmed), n, got.Orders, b)
	}
	if got.Confirmed == 0 {
		t.Errorf("no order was confirmed\n%s", b)
	}
	// Every placed order has a capture time, so every confirmed one has a
	// latency.
	if got.Latency.N != got.Confirmed || got.Latency.P50 <= 0 {
		t.Errorf("confirmation_latency_ms: n %d, p50 %v; want n = confirmed (%d) and p50 > 0\n%s", got.Latency.N, got.Latency.P50, got.Confirmed, b)
	}
}
