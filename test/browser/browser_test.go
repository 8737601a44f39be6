// Package browser drives the dashboard of the real ordergate binary in
// headless Chromium, against a demo run, and checks what a person sees
// against the admin API read directly: the overview's figures, the orders
// list, an order's timeline, and an action confirmed in its dialog that
// lands on the timeline. It saves a screenshot of each page.
//
// It needs Chromium (`apt-get install -y chromium`); without it the test
// is skipped, unless ORDERGATE_REQUIRE_BROWSER=1 (CI sets it). Screenshots
// go to $ORDERGATE_SCREENSHOTS, or to the test's temporary directory.
package browser

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
)

// The operator's name given at sign-in; the timeline names them.
const operator = "browser-test"

func TestDashboard_ShowsWhatTheAPISaysAndActs(t *testing.T) {
	chromium := findChromium(t)
	d := startDemo(t)
	shots := screenshotDir(t)
	b := newBrowser(t, chromium, shots)

	// Sign in: the dashboard sends us to the login form first.
	b.do("open the dashboard", chromedp.Navigate(d.base+"/"), chromedp.WaitVisible(chromedp.CSS("#token")))
	if loc := b.location(); !strings.HasPrefix(loc, d.base+"/login?next=") {
		t.Fatalf("the dashboard without a session is at %s, want the login form", loc)
	}
	b.shot("login")
	b.do("sign in",
		chromedp.SendKeys(chromedp.CSS("#token"), d.token),
		chromedp.SendKeys(chromedp.CSS("#name"), operator),
		chromedp.Click(chromedp.CSS("#sign-in")),
		chromedp.WaitVisible(chromedp.CSS(`#view[data-ready="overview"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#erp-health tbody tr[data-erp]`)),
	)
	if cookie := eval[string](b, `document.cookie`); cookie != "" {
		t.Errorf("the page can read cookies %q: the session cookie must be HttpOnly", cookie)
	}
	b.shot("overview")

	// The overview's figures are the API's.
	checkOverview(t, b, d)
	b.checkClean(d.token)
	b.dark(func() { b.shot("overview-dark") })

	// The rejected orders, as the list shows them and as the API lists them.
	rejected := d.orders(t, "state=rejected&limit=50")
	if len(rejected) == 0 {
		t.Fatal("the demo rejected no order: nothing to act on")
	}
	b.do("open the rejected orders", chromedp.Navigate(d.base+"/orders?state=rejected"), chromedp.WaitVisible(chromedp.CSS(`#view[data-ready="orders"]`)))
	if diff := cmp.Diff(keys(rejected), eval[[]string](b, `[...document.querySelectorAll('#orders-body tr[data-order]')].map(r => r.dataset.order)`)); diff != "" {
		t.Errorf("orders list (-API +page):\n%s", diff)
	}
	b.shot("orders-rejected")

	// Search by the name the customer knows, within the rejected orders.
	target := rejected[len(rejected)-1]
	found := d.search(t, target.Name, "state=rejected")
	b.do("search "+target.Name,
		chromedp.SendKeys(chromedp.CSS("#q"), target.Name),
		chromedp.Poll[chromedp.Void](fmt.Sprintf(`(() => { const r = [...document.querySelectorAll('#orders-body tr[data-order]')]; return r.length === %d && r[0].dataset.order === %q; })()`,
			len(found), found[0].key()), chromedp.WithPollingTimeout(15*time.Second)),
	)
	b.shot("orders-search")
	b.checkClean(d.token)

	// The order's page shows every event of its timeline.
	b.do("open "+target.key(),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`#orders-body tr[data-order=%q] a`, target.key()))),
		chromedp.WaitVisible(chromedp.CSS(`#view[data-ready="order"]`)),
	)
	full := d.order(t, target.key())
	if got := eval[[]string](b, `[...document.querySelectorAll('#timeline li')].map(li => li.dataset.kind)`); !cmp.Equal(kinds(full.Timeline), got) {
		t.Errorf("timeline kinds on the page %v, want the API's %v", got, kinds(full.Timeline))
	}
	if name := eval[string](b, `document.querySelector('#order-name').textContent`); name != full.Name {
		t.Errorf("order page shows %q, want %q", name, full.Name)
	}
	b.shot("order")
	b.checkClean(d.token)

	// Replay it from the attention queue, confirming in the dialog.
	b.do("open the attention queue", chromedp.Navigate(d.base+"/attention"), chromedp.WaitVisible(chromedp.CSS(`#view[data-ready="attention"]`)))
	attention := d.orders(t, "attention=true&limit=200")
	if diff := cmp.Diff(keys(attention), eval[[]string](b, `[...document.querySelectorAll('#attention-body tr[data-order]')].map(r => r.dataset.order)`)); diff != "" {
		t.Errorf("attention queue (-API +page):\n%s", diff)
	}
	b.shot("attention")
	button := fmt.Sprintf(`#attention-body tr[data-order=%q] button[data-action="replay"]`, target.key())
	b.do("ask to replay", chromedp.Click(chromedp.CSS(button)), chromedp.WaitVisible(chromedp.CSS(`#confirm[open] #confirm-ok`)))
	b.do("give a reason", chromedp.SendKeys(chromedp.CSS("#confirm-reason"), "stock added in the erp"))
	b.shot("confirm-replay")
	before := len(d.order(t, target.key()).Timeline)
	b.do("confirm", chromedp.Click(chromedp.CSS("#confirm-ok")), chromedp.WaitVisible(chromedp.CSS(`.toast[data-result="ok"]`)))
	b.shot("replayed")
	b.checkClean(d.token)

	// The action is on the order's timeline, with who did it and why.
	after := d.order(t, target.key())
	var replay *event
	for i := before; i < len(after.Timeline); i++ {
		if e := after.Timeline[i]; e.Kind == "operator" && strings.Contains(e.Detail, "replay by "+operator) {
			replay = &after.Timeline[i]
		}
	}
	if replay == nil || !strings.Contains(replay.Detail, "stock added in the erp") {
		t.Fatalf("no replay by %s with its reason on the timeline after the dialog: %+v", operator, after.Timeline[before:])
	}
	b.do("see the replay on the order page",
		chromedp.Navigate(d.base+"/orders/"+target.Storefront+"/"+target.OrderID),
		chromedp.WaitVisible(chromedp.CSS(`#timeline li[data-kind="operator"]`)),
	)
	b.shot("order-after-replay")
	b.checkClean(d.token)

	// Sign out, and in again with the read-only token: everything is
	// there to read, no action is offered, and one sent anyway is refused.
	b.do("sign out",
		chromedp.Click(chromedp.CSS("#sign-out")),
		chromedp.WaitVisible(chromedp.CSS("#token")),
		chromedp.Poll[chromedp.Void](`document.body.textContent.includes('You are signed out')`),
	)
	b.do("sign in read-only",
		chromedp.Navigate(d.base+"/login?next=/attention"),
		chromedp.WaitVisible(chromedp.CSS("#token")),
		chromedp.SendKeys(chromedp.CSS("#token"), d.readOnly),
		chromedp.Click(chromedp.CSS("#sign-in")),
		chromedp.WaitVisible(chromedp.CSS(`#view[data-ready="attention"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#role[data-role="read_only"]`)),
	)
	if n := eval[int](b, `document.querySelectorAll('#attention-body tr[data-order]').length`); n == 0 {
		t.Error("the read-only attention queue shows no orders")
	}
	if n := eval[int](b, `document.querySelectorAll('button[data-action]').length`); n != 0 {
		t.Errorf("the read-only attention queue offers %d actions", n)
	}
	b.shot("attention-read-only")
	refused := evalAwait[int](b, fmt.Sprintf(`fetch('/api/v1/orders/%s/replay', {method: 'POST', headers: {'X-CSRF-Token': window.OG.session.csrf_token}}).then(r => r.status)`, target.key()))
	if refused != http.StatusForbidden {
		t.Errorf("a read-only session's replay: %d, want 403", refused)
	}
	b.checkClean(d.token)
	b.checkClean(d.readOnly)
	t.Logf("screenshots in %s", shots)
}

// checkOverview compares every figure the overview shows with a fresh read
// of /api/v1/stats, and the state counts with /api/v1/orders too. The demo
// has settled, so the figures hold still; if a minute turns over between
// the two reads, it waits for the page's next refresh and compares again.
func checkOverview(t *testing.T, b *browser, d *demo) {
	t.Helper()
	var diff string
	for range 3 {
		shown := eval[map[string]string](b, `Object.fromEntries([...document.querySelectorAll('[data-stat]')].map(e => [e.dataset.stat, e.dataset.value]))`)
		generated := eval[string](b, `document.querySelector('#view').dataset.generatedAt`)
		var st stats
		d.get(t, "/api/v1/stats", &st)
		if diff = cmp.Diff(st.figures(), shown); diff == "" {
			break
		}
		b.do("wait for the next refresh", chromedp.Poll[chromedp.Void](fmt.Sprintf(`document.querySelector('#view').dataset.generatedAt !== %q`, generated), chromedp.WithPollingTimeout(20*time.Second)))
	}
	if diff != "" {
		t.Fatalf("overview figures (-API +page):\n%s", diff)
	}
	shown := eval[map[string]string](b, `Object.fromEntries([...document.querySelectorAll('[data-stat]')].map(e => [e.dataset.stat, e.dataset.value]))`)
	total := 0
	for _, state := range []string{"received", "submitted", "acknowledged", "confirmed", "rejected", "cancelled"} {
		n := len(d.orders(t, "state="+state+"&limit=1000"))
		total += n
		if shown["state:"+state] != strconv.Itoa(n) {
			t.Errorf("overview shows %s %s, the orders API lists %d", state, shown["state:"+state], n)
		}
	}
	if shown["total"] != strconv.Itoa(total) {
		t.Errorf("overview shows %s orders, the orders API lists %d", shown["total"], total)
	}
	if n := len(d.orders(t, "attention=true&limit=1000")); shown["attention"] != strconv.Itoa(n) {
		t.Errorf("overview shows %s for attention, the orders API lists %d", shown["attention"], n)
	}
	if n := len(d.orders(t, "overdue=true&limit=1000")); shown["overdue"] != strconv.Itoa(n) {
		t.Errorf("overview shows %s overdue, the orders API lists %d", shown["overdue"], n)
	}
}

// stats is the part of /api/v1/stats the overview shows.
type stats struct {
	Orders struct {
		Total     int            `json:"total"`
		ByState   map[string]int `json:"by_state"`
		InFlight  int            `json:"in_flight"`
		Overdue   int            `json:"overdue"`
		Attention int            `json:"attention"`
	} `json:"orders"`
	Latency struct {
		Ack     latency `json:"capture_to_ack"`
		Confirm latency `json:"capture_to_confirmation"`
	} `json:"latency"`
	Throughput struct {
		Received  int     `json:"received"`
		PerMinute float64 `json:"received_per_minute"`
	} `json:"throughput"`
}

type latency struct {
	P50 *int64 `json:"p50_ms"`
	P95 *int64 `json:"p95_ms"`
}

// figures is what the overview's [data-stat] elements should say.
func (s stats) figures() map[string]string {
	ms := func(v *int64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatInt(*v, 10)
	}
	out := map[string]string{
		"total":       strconv.Itoa(s.Orders.Total),
		"in_flight":   strconv.Itoa(s.Orders.InFlight),
		"confirmed":   strconv.Itoa(s.Orders.ByState["confirmed"]),
		"rejected":    strconv.Itoa(s.Orders.ByState["rejected"]),
		"overdue":     strconv.Itoa(s.Orders.Overdue),
		"attention":   strconv.Itoa(s.Orders.Attention),
		"received":    strconv.Itoa(s.Throughput.Received),
		"per_minute":  strconv.FormatFloat(s.Throughput.PerMinute, 'f', -1, 64),
		"ack_p50":     ms(s.Latency.Ack.P50),
		"ack_p95":     ms(s.Latency.Ack.P95),
		"confirm_p50": ms(s.Latency.Confirm.P50),
		"confirm_p95": ms(s.Latency.Confirm.P95),
	}
	for state, n := range s.Orders.ByState {
		out["state:"+state] = strconv.Itoa(n)
	}
	return out
}

// --- the demo -------------------------------------------------------------

// demo is a running `ordergate demo` whose orders have all settled: its
// address, its admin token, and a read-only token given to it.
type demo struct {
	base, token, readOnly string
	client                *http.Client
}

type orderJSON struct {
	Storefront string  `json:"storefront"`
	OrderID    string  `json:"order_id"`
	Name       string  `json:"name"`
	State      string  `json:"state"`
	Timeline   []event `json:"timeline"`
}

func (o orderJSON) key() string { return o.Storefront + "/" + o.OrderID }

type event struct {
	Kind   string `json:"kind"`
	Detail string `json:"detail"`
}

func keys(list []orderJSON) []string {
	out := []string{}
	for _, o := range list {
		out = append(out, o.key())
	}
	return out
}

func kinds(tl []event) []string {
	out := []string{}
	for _, e := range tl {
		out = append(out, e.Kind)
	}
	return out
}

var (
	apiLine       = regexp.MustCompile(`Authorization: Bearer ([0-9a-f]+)' (http://[^/\s]+)/api/v1/`)
	dashboardLine = regexp.MustCompile(`^\s+dashboard\s+(http://\S+)/\s`)
)

// startDemo builds the binary, runs a demo of 60 orders (the default
// scenario, faults on: some orders are rejected) and waits until it says
// every order settled. The demo keeps serving until the test ends.
func startDemo(t *testing.T) *demo {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "ordergate")
	build := exec.Command("go", "build", "-o", bin, "./cmd/ordergate")
	build.Dir = "../.."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build ordergate: %v\n%s", err, out)
	}
	readOnly := "og-readonly-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	cmd := exec.Command(bin, "demo", "--orders", "60", "--seed", "7", "--listen", "127.0.0.1:0", "--db", filepath.Join(dir, "demo.db"))
	cmd.Env = append(os.Environ(), "ORDERGATE_READONLY_TOKEN="+readOnly)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})

	d := &demo{readOnly: readOnly, client: &http.Client{Timeout: 30 * time.Second}}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		io.Copy(io.Discard, stdout)
		cmd.Wait()
		close(exited)
		close(lines)
	}()
	var seen []string
	deadline := time.After(3 * time.Minute)
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("the demo exited before every order settled:\n%s\n%s", strings.Join(seen, "\n"), stderr.String())
			}
			seen = append(seen, line)
			if m := apiLine.FindStringSubmatch(line); m != nil {
				d.token = m[1]
			}
			if m := dashboardLine.FindStringSubmatch(line); m != nil {
				d.base = m[1]
			}
			if strings.HasPrefix(line, "all orders settled") {
				if d.base == "" || d.token == "" {
					t.Fatalf("the demo printed no dashboard address or token:\n%s", strings.Join(seen, "\n"))
				}
				go func() {
					for range lines {
					}
				}()
				return d
			}
		case <-deadline:
			t.Fatalf("the demo's orders did not settle in 3 minutes:\n%s\n%s", strings.Join(seen, "\n"), stderr.String())
		}
	}
}

// get reads an admin API path with the bearer token into v.
func (d *demo) get(t *testing.T, path string, v any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, d.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+d.token)
	resp, err := d.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

func (d *demo) orders(t *testing.T, query string) []orderJSON {
	t.Helper()
	var out struct {
		Orders []orderJSON `json:"orders"`
	}
	d.get(t, "/api/v1/orders?"+query, &out)
	return out.Orders
}

func (d *demo) search(t *testing.T, q, filters string) []orderJSON {
	t.Helper()
	var out struct {
		Orders []orderJSON `json:"orders"`
	}
	d.get(t, "/api/v1/search?limit=200&"+filters+"&q="+url.QueryEscape(q), &out)
	if len(out.Orders) == 0 {
		t.Fatalf("the API finds nothing for %q", q)
	}
	return out.Orders
}

func (d *demo) order(t *testing.T, key string) orderJSON {
	t.Helper()
	var o orderJSON
	d.get(t, "/api/v1/orders/"+key, &o)
	return o
}

// --- the browser ------------------------------------------------------------

func findChromium(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("ORDERGATE_REQUIRE_BROWSER") == "1" {
			t.Fatalf("chromium not found and ORDERGATE_REQUIRE_BROWSER=1: install it (apt-get install -y chromium): %v", err)
		}
		t.Skip("chromium not found: skipping the dashboard's browser test (apt-get install -y chromium; ORDERGATE_REQUIRE_BROWSER=1 makes this a failure)")
	}
	return path
}

func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("ORDERGATE_SCREENSHOTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// browser is one headless Chromium tab.
type browser struct {
	t     *testing.T
	ctx   context.Context
	shots string
	n     int
}

// pageWatch records, in every page the tab loads, uncaught errors and
// Content-Security-Policy violations, for checkClean to read.
const pageWatch = `window.__problems = [];
addEventListener('error', e => window.__problems.push('error: ' + e.message));
addEventListener('unhandledrejection', e => window.__problems.push('unhandled rejection: ' + e.reason));
document.addEventListener('securitypolicyviolation', e => window.__problems.push('csp: ' + e.violatedDirective + ' ' + e.blockedURI));`

func newBrowser(t *testing.T, chromium, shots string) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.WindowSize(1440, 1000),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	// The first run starts the browser and lives as long as ctx: no
	// timeout on it.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: pageWatch}); err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, ctx: ctx, shots: shots}
}

// do runs the steps, each wait bounded, and on failure saves a screenshot
// of what the page showed.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 45*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.shot("failed-" + strings.ReplaceAll(what, " ", "-"))
		b.t.Fatalf("%s: %v (page %s)", what, err, b.location())
	}
}

func eval[T any](b *browser, js string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// evalAwait evaluates js, which gives a promise, and returns what it
// resolves to.
func evalAwait[T any](b *browser, js string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

func (b *browser) location() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	return loc
}

// shot saves a PNG of the whole page.
func (b *browser) shot(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	b.n++
	path := filepath.Join(b.shots, fmt.Sprintf("%02d-%s.png", b.n, name))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Errorf("save screenshot: %v", err)
	}
}

// dark runs fn with the page in the dark colour scheme.
func (b *browser) dark(fn func()) {
	b.t.Helper()
	set := func(value string) {
		if _, err := chromedp.Call(b.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: value}},
		}); err != nil {
			b.t.Fatal(err)
		}
	}
	set("dark")
	defer set("")
	fn()
}

// checkClean fails if the page threw, broke its Content-Security-Policy,
// or shows the token anywhere in its document.
func (b *browser) checkClean(token string) {
	b.t.Helper()
	if problems := eval[[]string](b, `window.__problems || []`); len(problems) > 0 {
		b.t.Errorf("the page reported problems: %q", problems)
	}
	if eval[bool](b, fmt.Sprintf(`document.documentElement.outerHTML.includes(%q)`, token)) {
		b.t.Error("the page shows the token")
	}
}

// lockedBuffer collects the demo's stderr while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
