package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/sandbox/mailbox"
	"github.com/ordergate/ordergate/internal/storefront/shopify"
)

const (
	ordersToken  = "og-admin-test-token-41c7"
	ordersSecret = "shpss-orders-test-9d2e"
	// The order the sandbox ERP refuses (it does not know IPOD2008RED)
	// and the one it takes.
	rejectedRef  = "shop1/450789469"
	confirmedRef = "shop1/820982911946154508"
)

// ordersConfig writes a config for serve on a loopback port with an
// in-process sandbox ERP that does not know IPOD2008RED, mail to mailAddr
// and one admin token.
func ordersConfig(t *testing.T, db, listen, mailAddr string) string {
	t.Helper()
	return writeFile(t, "ordergate.yaml", fmt.Sprintf(`
database: sqlite:%s
listen: %q
log_level: info
admin_tokens: [%q]
storefronts:
  - {name: shop1, kind: shopify, webhook_secrets: [%q], erp: erp1, notifier: mail}
erps:
  - name: erp1
    kind: sandbox
    sandbox: {unknown_skus: [IPOD2008RED]}
notifiers:
  - {name: mail, kind: smtp, addr: %q, from: "Test Shop <orders@shop.example>", tls: none}
retry: {initial: 50ms, max: 500ms}
# The webhooks are Shopify's published samples, with their own (2008 and
# 2025) dates: no replay window.
limits: {max_event_age: 0s}
`, db, listen, ordersToken, ordersSecret, mailAddr))
}

// deliver posts a Shopify orders/create webhook, signed as Shopify signs
// it, of the web package's testdata file.
func deliver(t *testing.T, addr, file string) {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("..", "..", "internal", "web", "testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, addr+"/webhooks/shopify/shop1", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(shopify.HeaderHmac, shopify.Sign(body, []byte(ordersSecret)))
	req.Header.Set(shopify.HeaderTopic, "orders/create")
	req.Header.Set(shopify.HeaderShopDomain, "shop1.myshopify.com")
	req.Header.Set(shopify.HeaderAPIVersion, "2025-07")
	req.Header.Set(shopify.HeaderWebhookID, "webhook-"+file)
	req.Header.Set(shopify.HeaderEventID, "event-"+file)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if b, _ := io.ReadAll(resp.Body); resp.StatusCode != http.StatusOK {
		t.Fatalf("webhook %s: %d %s", file, resp.StatusCode, b)
	}
}

// shownOrder is the part of the API's order the tests look at.
type shownOrder struct {
	OrderID   string        `json:"order_id"`
	State     order.State   `json:"state"`
	Attempts  int           `json:"erp_attempts"`
	Attention string        `json:"attention"`
	Timeline  []order.Event `json:"timeline"`
}

// waitOrder polls the admin API until ok holds for the order, failing the
// test if that does not happen within a generous deadline (a hang, not a
// slowness being measured).
func waitOrder(t *testing.T, addr, ref, what string, ok func(shownOrder) bool) shownOrder {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	var last shownOrder
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, addr+"/api/v1/orders/"+ref, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+ordersToken)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && json.Unmarshal(b, &last) == nil && ok(last) {
				return last
			}
		}
		select {
		case <-time.After(20 * time.Millisecond):
		case <-ctx.Done():
			t.Fatalf("order %s never %s; last seen %+v", ref, what, last)
		}
	}
}

// The CLI against a real gateway: list and show what the webhooks brought,
// replay the order the ERP rejected (rejected again, since the ERP still
// does not know its SKU), and see a retry of it refused with the reason.
func TestOrders_ListShowReplayAndRetryOfARejectedOrder(t *testing.T) {
	t.Parallel()
	mb, err := mailbox.Start(mailbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mb.Close() })
	dir := t.TempDir()
	addr := startServe(t, ordersConfig(t, filepath.Join(dir, "og.db"), "127.0.0.1:0", mb.Addr()))

	deliver(t, addr, "rest-order-get-450789469.json")
	deliver(t, addr, "orders-create-sample-2025.json")
	// Rejected, and the customer told: nothing more happens to it by itself.
	waitOrder(t, addr, rejectedRef, "rejected and its problem notice sent", func(o shownOrder) bool {
		return o.State == order.Rejected && len(o.Timeline) > 0 && o.Timeline[len(o.Timeline)-1].Kind == order.EventNotified
	})
	waitOrder(t, addr, confirmedRef, "confirmed", func(o shownOrder) bool { return o.State == order.Confirmed })

	server := []string{"--server", addr}
	withToken := append([]string{"--token", ordersToken}, server...)
	env := []string{"USER=tester"}
	ordersCLI := func(t *testing.T, env []string, args ...string) result {
		t.Helper()
		return run(t, env, append([]string{"orders"}, args...)...)
	}

	t.Run("ListShowsEveryOrder", func(t *testing.T) {
		res := ordersCLI(t, env, append([]string{"list"}, withToken...)...)
		if res.exitCode != 0 {
			t.Fatalf("exit %d\n%s", res.exitCode, res.stderr)
		}
		lines := strings.Split(strings.TrimSpace(res.stdout), "\n")
		if len(lines) != 3 || !strings.HasPrefix(lines[0], "ORDER") {
			t.Fatalf("list printed %d lines, want a header and two orders:\n%s", len(lines), res.stdout)
		}
		for _, want := range []struct{ ref, state, flag string }{
			{rejectedRef, "rejected", "attention: rejected by the erp"},
			{confirmedRef, "confirmed", ""},
		} {
			found := false
			for _, l := range lines[1:] {
				if strings.HasPrefix(l, want.ref+" ") {
					found = true
					if !strings.Contains(l, " "+want.state+" ") || !strings.Contains(l, want.flag) {
						t.Errorf("line %q, want %s %s %q", l, want.ref, want.state, want.flag)
					}
				}
			}
			if !found {
				t.Errorf("list does not show %s:\n%s", want.ref, res.stdout)
			}
		}
	})

	t.Run("FindSaysWhereEachOrderStands", func(t *testing.T) {
		res := ordersCLI(t, env, append([]string{"find", "jon@example.com"}, withToken...)...)
		if res.exitCode != 0 {
			t.Fatalf("exit %d\n%s", res.exitCode, res.stderr)
		}
		if !strings.Contains(res.stdout, confirmedRef) || !strings.Contains(res.stdout, "confirmed to the customer") {
			t.Errorf("find by e-mail printed:\n%s\nwant %s and its plain status", res.stdout, confirmedRef)
		}
		res = ordersCLI(t, env, append([]string{"find", "450789469", "--timeline"}, withToken...)...)
		if res.exitCode != 0 || !strings.Contains(res.stdout, "status") || !strings.Contains(res.stdout, "the ERP refused it") {
			t.Errorf("find by id --timeline: exit %d\n%s%s", res.exitCode, res.stdout, res.stderr)
		}
		res = ordersCLI(t, env, append([]string{"find", "#no-such-order"}, withToken...)...)
		if res.exitCode != 0 || !strings.Contains(res.stdout, "no order matches") {
			t.Errorf("find of nothing: exit %d\n%s%s", res.exitCode, res.stdout, res.stderr)
		}
	})

	t.Run("ListFiltersAndPrintsJSON", func(t *testing.T) {
		for _, tt := range []struct {
			args []string
			want []string
		}{
			{[]string{"--state", "rejected"}, []string{"450789469"}},
			{[]string{"--state", "confirmed"}, []string{"820982911946154508"}},
			{[]string{"--attention"}, []string{"450789469"}},
			{[]string{"--overdue"}, []string{}},
			{[]string{"--email", "jon@example.com"}, []string{"820982911946154508"}},
			{[]string{"--storefront", "shop2"}, []string{}},
			{[]string{"--limit", "1"}, []string{"820982911946154508"}},
		} {
			res := ordersCLI(t, env, append(append([]string{"list", "--json"}, withToken...), tt.args...)...)
			var page struct {
				Orders []shownOrder `json:"orders"`
			}
			if err := json.Unmarshal([]byte(res.stdout), &page); err != nil || res.exitCode != 0 {
				t.Fatalf("list --json %v: exit %d, %v\n%s%s", tt.args, res.exitCode, err, res.stdout, res.stderr)
			}
			got := []string{}
			for _, o := range page.Orders {
				got = append(got, o.OrderID)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("list %v: %v, want %v", tt.args, got, tt.want)
			}
		}
		res := ordersCLI(t, env, append([]string{"list", "--state", "lost"}, withToken...)...)
		if res.exitCode == 0 || !strings.Contains(res.stderr, `unknown order state "lost"`) {
			t.Errorf("list --state lost: exit %d, %q; want non-zero naming the state", res.exitCode, res.stderr)
		}
	})

	t.Run("ShowPrintsTheOrderAndItsTimeline", func(t *testing.T) {
		res := ordersCLI(t, env, append([]string{"show", rejectedRef}, withToken...)...)
		if res.exitCode != 0 {
			t.Fatalf("exit %d\n%s", res.exitCode, res.stderr)
		}
		// Compared with each run of spaces as one, since the columns
		// are as wide as their widest entry.
		shown := squash(res.stdout)
		for _, want := range []string{
			"order " + rejectedRef + " #1001",
			"state rejected",
			"attention rejected by the erp: fix the cause in the erp and replay the order, or cancel it",
			"reason sandbox erp: create sales order og-shop1-450789469: rejected by the erp (UNKNOWN_SKU)",
			"customer Bob Norman <bob.norman@mail.example.com>",
			"total 598.94 USD",
			"external id og-shop1-450789469",
			"erp ref - (1 submit attempts)",
			"SKU QTY VALIDATED SHORT PRICE TITLE",
			"IPOD2008RED 1 - - 199.00 IPod Nano - 8gb",
			"TIME KIND SOURCE DETAIL",
			"received shopify",
			"submit_attempt gate attempt 1 erp erp1",
			"rejected erp sandbox erp: create sales order og-shop1-450789469: rejected by the erp (UNKNOWN_SKU)",
		} {
			if !strings.Contains(shown, want) {
				t.Errorf("show does not say %q:\n%s", want, res.stdout)
			}
		}
		// Every timeline entry is a line with its time.
		tl := waitOrder(t, addr, rejectedRef, "shown", func(shownOrder) bool { return true }).Timeline
		_, after, _ := strings.Cut(res.stdout, "\ntimeline\n")
		if got := strings.Count(after, "\n  20"); got != len(tl) {
			t.Errorf("show prints %d timeline lines, the order has %d entries:\n%s", got, len(tl), after)
		}

		res = ordersCLI(t, env, append([]string{"show", "shop1/1"}, withToken...)...)
		if res.exitCode == 0 || !strings.Contains(res.stderr, "no order shop1/1") {
			t.Errorf("show shop1/1: exit %d, %q; want non-zero and no order shop1/1", res.exitCode, res.stderr)
		}
	})

	t.Run("ReplayIsAppliedAndOnTheTimelineWithWhoDidIt", func(t *testing.T) {
		res := ordersCLI(t, env, append([]string{"replay", rejectedRef, "--reason", "SKU added in the erp"}, withToken...)...)
		if res.exitCode != 0 {
			t.Fatalf("exit %d\n%s", res.exitCode, res.stderr)
		}
		want := rejectedRef + " (#1001): replay: sent through the erp handoff again (looked up in the erp first); now received"
		if strings.TrimSpace(res.stdout) != want {
			t.Errorf("replay said %q, want %q", res.stdout, want)
		}
		// The ERP still does not know the SKU: it is rejected again.
		o := waitOrder(t, addr, rejectedRef, "rejected again", func(o shownOrder) bool { return o.State == order.Rejected && o.Attempts == 2 })
		var ops []string
		for _, e := range o.Timeline {
			if e.Kind == order.EventOperator {
				ops = append(ops, e.Detail)
			}
		}
		if len(ops) != 1 || !strings.HasPrefix(ops[0], "replay by tester via api: ") || !strings.HasSuffix(ops[0], "(reason: SKU added in the erp)") {
			t.Errorf("operator entries %q, want one replay by tester via api with the reason", ops)
		}
	})

	t.Run("RetryOfARejectedOrderIsRefusedWithTheReason", func(t *testing.T) {
		res := ordersCLI(t, env, append([]string{"retry", rejectedRef}, withToken...)...)
		want := "ordergate: cannot retry " + rejectedRef + ": the erp rejected the order: fix the cause in the erp, then replay it"
		if res.exitCode == 0 || strings.TrimSpace(res.stderr) != want {
			t.Errorf("retry: exit %d, stderr %q; want non-zero and %q", res.exitCode, res.stderr, want)
		}
		if res.stdout != "" {
			t.Errorf("retry printed %q on stdout, want nothing", res.stdout)
		}
	})

	t.Run("ServerFromTheEnvironmentOrTheConfig", func(t *testing.T) {
		// A config naming the running gateway's address: only its listen
		// is read.
		other := ordersConfig(t, filepath.Join(dir, "other.db"), strings.TrimPrefix(addr, "http://"), mb.Addr())
		for name, args := range map[string][]string{
			"ORDERGATE_SERVER": {"list", "--json"},
			"--config":         {"list", "--json", "--config", other},
		} {
			env := []string{"ORDERGATE_ADMIN_TOKEN=" + ordersToken}
			if name == "ORDERGATE_SERVER" {
				env = append(env, "ORDERGATE_SERVER="+addr)
			}
			res := ordersCLI(t, env, args...)
			if res.exitCode != 0 || !strings.Contains(res.stdout, `"order_id": "450789469"`) {
				t.Errorf("gateway from %s: exit %d\n%s%s", name, res.exitCode, res.stdout, res.stderr)
			}
		}
	})

	t.Run("AWrongOrMissingTokenSaysWhatToGive", func(t *testing.T) {
		for _, tt := range []struct {
			args []string
			want string
		}{
			{append([]string{"list", "--token", "not-the-token"}, server...), "refused the token"},
			{append([]string{"list"}, server...), "give --token or set ORDERGATE_ADMIN_TOKEN"},
		} {
			res := ordersCLI(t, nil, tt.args...)
			if res.exitCode == 0 || !strings.Contains(res.stderr, tt.want) || strings.Contains(res.stderr+res.stdout, "not-the-token") {
				t.Errorf("orders %v: exit %d, %q; want non-zero saying %q and not echoing the token", tt.args, res.exitCode, res.stderr, tt.want)
			}
		}
	})
}

func TestOrders_ServerURLComesFromTheFlagTheConfigTheEnvironmentOrTheDefault(t *testing.T) {
	t.Parallel()
	config := func(listen string) string {
		return ordersConfig(t, filepath.Join(t.TempDir(), "og.db"), listen, "127.0.0.1:1025")
	}
	env := func(v string) func(string) string {
		return func(name string) string {
			if name == "ORDERGATE_SERVER" {
				return v
			}
			return ""
		}
	}
	bad := writeFile(t, "bad.yaml", "database: sqlite:og.db\nlisten: nowhere\n")
	tests := []struct {
		name    string
		cmd     ordersCmd
		env     string
		want    string
		wantErr string
	}{
		{name: "FlagWins", cmd: ordersCmd{Server: "http://gw.example:9000/", Config: config("127.0.0.1:9001")}, env: "http://127.0.0.1:9002", want: "http://gw.example:9000"},
		{name: "FlagWithoutSchemeIsRefused", cmd: ordersCmd{Server: "127.0.0.1:8080"}, wantErr: "--server"},
		{name: "ConfigBeatsTheEnvironment", cmd: ordersCmd{Config: config("127.0.0.1:9001")}, env: "http://127.0.0.1:9002", want: "http://127.0.0.1:9001"},
		{name: "ConfigWithoutHostIsLoopback", cmd: ordersCmd{Config: config(":9001")}, want: "http://127.0.0.1:9001"},
		{name: "ConfigOnEveryIPv4InterfaceIsLoopback", cmd: ordersCmd{Config: config("0.0.0.0:9001")}, want: "http://127.0.0.1:9001"},
		{name: "ConfigOnEveryIPv6InterfaceIsLoopback", cmd: ordersCmd{Config: config("[::]:9001")}, want: "http://[::1]:9001"},
		{name: "ConfigOnOneAddress", cmd: ordersCmd{Config: config("10.1.2.3:9001")}, want: "http://10.1.2.3:9001"},
		{name: "ConfigOnARandomPortSaysToGiveServer", cmd: ordersCmd{Config: config("127.0.0.1:0")}, wantErr: "give --server"},
		{name: "InvalidConfigNamesItsFieldAndSaysToGiveServer", cmd: ordersCmd{Config: bad}, wantErr: "listen"},
		{name: "Environment", env: "https://gw.example/", want: "https://gw.example"},
		{name: "EnvironmentWithoutSchemeIsRefused", env: "gw.example:8080", wantErr: "ORDERGATE_SERVER"},
		{name: "Default", want: "http://127.0.0.1:8080"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.cmd.serverURL(env(tt.env))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("serverURL = %q, %v; want an error saying %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("serverURL = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestOrders_ActorIsTheLoginNameOrCLI(t *testing.T) {
	t.Parallel()
	for user, want := range map[string]string{
		"alice":                 "alice",
		"  bob ":                "bob",
		"":                      "cli",
		"ali\tce":               "cli",
		strings.Repeat("a", 64): strings.Repeat("a", 64),
		strings.Repeat("a", 65): "cli",
	} {
		if got := cliActor(user); got != want {
			t.Errorf("cliActor(%q) = %q, want %q", user, got, want)
		}
	}
}

// squash turns every run of spaces in each line of s into one space.
func squash(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.Join(lines, "\n")
}
