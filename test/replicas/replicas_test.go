// Package replicas runs three real `ordergate serve` processes against one
// PostgreSQL database, spreads a storefront's webhooks over them as a
// round-robin load balancer would, SIGKILLs one midway and restarts it, and
// judges the outcome from the outside records alone: what the storefront
// simulator had accepted, what the sandbox ERP holds, and what the mailbox
// received. The sandbox ERP and the mailbox run in the test process, outside
// the replicas, so that all three talk to the same ones. A second test
// (leader_test.go) SIGKILLs the elected leader and shows the leader-only
// work, the SLA sweep, carry on from another replica.
package replicas

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
	"github.com/ordergate/ordergate/internal/sandbox/mailbox"
	"github.com/ordergate/ordergate/internal/sandbox/storesim"
	"github.com/ordergate/ordergate/internal/sandbox/verdict"
	"github.com/ordergate/ordergate/internal/store/postgres/pgtest"
)

const (
	storefront = "shop1"
	secret     = "replicas-test-secret"
	token      = "replicas-test-token"
	replicas   = 3
)

// Environment variables that change the load, each a whole number: the
// orders placed (default 5000; fewer for a quicker local run), and the
// orders placed per second (default 60: what three replicas and their
// database keep up with on the two-core CI machine, so that the run ends
// within two minutes; more to measure the pipeline's ceiling).
const (
	ordersEnv = "ORDERGATE_REPLICAS_ORDERS"
	rateEnv   = "ORDERGATE_REPLICAS_RATE"
)

// TestReplicas_ThreeOnOneDatabaseOneKilledMidwayKeepEveryInvariant places
// the orders through three replicas, kills one when half of them have been
// accepted, restarts it once the other two have taken another twentieth
// alone, and checks I1–I3 from the records.
func TestReplicas_ThreeOnOneDatabaseOneKilledMidwayKeepEveryInvariant(t *testing.T) {
	if testing.Short() {
		t.Skip("runs three real gateways for minutes")
	}
	dsn := pgtest.DSN(t)
	orders, rate := envInt(t, ordersEnv, 5000, 20), envInt(t, rateEnv, 60, 1)
	seed := time.Now().UnixNano()
	if s := os.Getenv("ORDERGATE_REPLICAS_SEED"); s != "" {
		seed, _ = strconv.ParseInt(s, 10, 64)
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	victim := rng.IntN(replicas)
	t.Logf("seed %d (rerun with ORDERGATE_REPLICAS_SEED=%d); %d orders at %d/s; replica %d is killed", seed, seed, orders, rate, victim)

	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	binary := build(t)

	stock := map[string]int{}
	for _, sku := range storesim.DefaultSKUs() {
		stock[sku] = 1_000_000
	}
	erp := erpsim.New(erpsim.Config{
		Seed:    seed,
		Stock:   stock,
		Latency: erpsim.Latency{Min: 2 * time.Millisecond, Median: 10 * time.Millisecond, P99: 80 * time.Millisecond},
		Faults: erpsim.Faults{ErrorRate: 0.02, ThrottleRate: 0.02, InDoubtRate: 0.03, TimeoutRate: 0.005,
			RetryAfter: 100 * time.Millisecond, Timeout: 2 * time.Second},
	})
	erpSrv := httptest.NewServer(erp)
	defer erpSrv.Close()
	defer erp.Close()
	mb, err := mailbox.Start(mailbox.Options{Seed: seed, FailRate: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Close()

	// The replicas share everything but their address. A small pool each:
	// three of them, and the other packages' tests, share one server's
	// connection limit.
	dir := t.TempDir()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("pool_max_conns", "12")
	u.RawQuery = q.Encode()
	gws := make([]*gateway, replicas)
	for i := range gws {
		gws[i] = &gateway{binary: binary, addr: freeAddr(t), log: filepath.Join(dir, fmt.Sprintf("replica%d.log", i))}
		gws[i].config = writeConfig(t, dir, i, u.String(), gws[i].addr, erpSrv.URL, mb.Addr(), settings{})
	}
	defer func() {
		for i, g := range gws {
			g.kill()
			if t.Failed() {
				b, _ := os.ReadFile(g.log)
				t.Logf("replica %d log (last 4 KB):\n%s", i, tail(b, 4096))
			}
		}
	}()
	// All three at once: they migrate the empty database together.
	var wg sync.WaitGroup
	for _, g := range gws {
		wg.Go(func() { g.start(ctx) })
	}
	wg.Wait()
	for i, g := range gws {
		if g.err != nil {
			t.Fatalf("replica %d: %v", i, g.err)
		}
	}

	lb := &roundRobin{addrs: make([]string, replicas), accepted: make([]atomic.Int64, replicas)}
	for i, g := range gws {
		lb.addrs[i] = g.addr
	}
	sim := storesim.New(storesim.Config{
		Target: "http://replicas/webhooks/shopify/" + storefront, Secret: []byte(secret),
		Orders: orders, Rate: float64(rate), Concurrency: 32, Seed: seed,
		DuplicateRate: 0.05, OutOfOrderRate: 0.05, CancelRate: 0.02, UnknownSKURate: 0.02,
		Retry:  storesim.Retry{Initial: 50 * time.Millisecond, Max: 500 * time.Millisecond, Forever: true},
		Client: lb.client(),
		Logger: slog.New(slog.DiscardHandler),
	})
	started := time.Now()
	simDone := make(chan error, 1)
	go func() { simDone <- sim.Run(ctx) }()

	waitAccepted(t, ctx, sim, orders/2)
	gws[victim].kill()
	killedAt := sim.Accepted()
	t.Logf("%.0fs: replica %d SIGKILLed with %d orders accepted, %d messages in the mailbox", time.Since(started).Seconds(), victim, killedAt, len(mb.Messages()))
	waitAccepted(t, ctx, sim, killedAt+orders/20)
	gws[victim].start(ctx)
	if gws[victim].err != nil {
		t.Fatalf("restart replica %d: %v", victim, gws[victim].err)
	}
	t.Logf("%.0fs: replica %d restarted with %d orders accepted", time.Since(started).Seconds(), victim, sim.Accepted())

	if err := <-simDone; err != nil {
		t.Fatalf("storefront simulator: %v", err)
	}
	placed := time.Since(started)
	states := waitSettled(t, ctx, gws, sim.Accepted())
	t.Logf("placed in %.0fs, all settled in %.0fs; webhooks accepted per replica %v", placed.Seconds(), time.Since(started).Seconds(), lb.counts())

	records := erp.Records()
	sum := verdict.Judge(storefront, sim.Orders(), records, mb.Messages(), sim.Stats())
	t.Logf("orders %d accepted %d confirmed %d rejected %d cancelled %d; erp faults %+v; confirmation p50 %.0f ms p99 %.0f ms",
		sum.Orders, sum.Accepted, sum.Confirmed, sum.Rejected, sum.Cancelled, sum.ERPFaults,
		sum.ConfirmationLatencyMS.P50, sum.ConfirmationLatencyMS.P99)
	// I2 and I3: no order twice in the ERP, no confirmation twice or
	// before the ERP held the order, no ERP order nobody placed.
	for _, v := range sum.Violations {
		t.Errorf("violation: %s", v)
	}
	if sum.Accepted != orders {
		t.Errorf("%d of %d orders accepted; the simulator retries forever, so all must be", sum.Accepted, orders)
	}
	// The load balancer did spread the work: each replica took webhooks.
	for i, n := range lb.counts() {
		if n == 0 {
			t.Errorf("replica %d accepted no webhook: the traffic was not spread", i)
		}
	}
	for _, o := range sim.Orders() {
		st, ok := states[o.ID]
		switch {
		case !ok:
			// I1: accepted means stored.
			t.Errorf("order %s was accepted (first 2xx at %s) but no replica holds it", o.ID, o.AcceptedAt.Format(time.RFC3339Nano))
		case !st.state.Settled():
			t.Errorf("order %s is still %s", o.ID, st.state)
		case st.state == order.Confirmed:
			// I2: a confirmed order is in the ERP exactly once.
			ext := order.Key{Storefront: storefront, ID: o.ID}.ExternalID()
			if n := len(records.OrdersFor(ext)); n != 1 {
				t.Errorf("order %s is confirmed and the erp holds it %d times, want exactly 1", o.ID, n)
			}
		}
	}
	// A held, uncancelled order without a confirmation is acceptable only
	// where a replica flagged an in-doubt send (at most once beats at least
	// once for a customer e-mail).
	for _, key := range sum.Unconfirmed {
		id := key[len(storefront)+1:]
		if st := states[id]; st.attention == "" {
			t.Errorf("order %s: the erp holds it, it was not cancelled, no confirmation arrived, and no replica flagged it", key)
		}
	}
}

// envInt returns the whole number in the environment variable name, or
// def when it is unset; a value that is not a whole number of at least
// atLeast fails the test.
func envInt(t *testing.T, name string, def, atLeast int) int {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < atLeast {
		t.Fatalf("%s=%q: want a whole number of at least %d", name, s, atLeast)
	}
	return n
}

// gateway is one replica: its config, and its process while it runs.
type gateway struct {
	binary, config, addr, log string
	cmd                       *exec.Cmd
	exited                    chan struct{} // closed once cmd has been reaped
	err                       error         // why the last start failed
}

// start runs the replica and waits until it answers /healthz, setting
// g.err if it does not.
func (g *gateway) start(ctx context.Context) {
	logf, err := os.OpenFile(g.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		g.err = err
		return
	}
	defer logf.Close() // the child has its own copy
	cmd := exec.Command(g.binary, "serve", "--config", g.config, "--grace", "1s", "--log-format", "text")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		g.err = err
		return
	}
	exited := make(chan struct{})
	g.cmd, g.exited = cmd, exited
	go func() { cmd.Wait(); close(exited) }()
	for {
		resp, err := http.Get("http://" + g.addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				g.err = nil
				return
			}
		}
		select {
		case <-exited:
			g.err = fmt.Errorf("exited before serving: %v", cmd.ProcessState)
			return
		case <-ctx.Done():
			g.err = fmt.Errorf("did not come up: %w", ctx.Err())
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// kill SIGKILLs the replica and waits for it to be gone.
func (g *gateway) kill() {
	if g.cmd == nil || g.cmd.Process == nil {
		return
	}
	g.cmd.Process.Signal(syscall.SIGKILL)
	<-g.exited
	g.cmd = nil
}

// settings are what the tests vary in the replicas' config; an empty field
// leaves the setting at the value below.
type settings struct {
	logLevel      string // default warn
	sla           string // the storefront's confirmation_sla; default ordergate's
	sweepInterval string // jobs.sweep_interval; default ordergate's
}

func writeConfig(t *testing.T, dir string, i int, dsn, addr, erpURL, mailAddr string, set settings) string {
	t.Helper()
	path := filepath.Join(dir, fmt.Sprintf("replica%d.yaml", i))
	var sla, sweep string
	if set.sla != "" {
		sla = ", confirmation_sla: " + set.sla
	}
	if set.sweepInterval != "" {
		sweep = ", sweep_interval: " + set.sweepInterval
	}
	cfg := fmt.Sprintf(`database: %q
listen: %s
log_level: %s
admin_tokens: [%q]
storefronts:
  - {name: %s, kind: shopify, webhook_secrets: [%q], erp: erp1, notifier: mail, mode: gated%s}
erps:
  - {name: erp1, kind: sandbox, base_url: %q, max_concurrency: 16, timeout: 1s}
notifiers:
  - {name: mail, kind: smtp, addr: %q, from: "Replica Shop <orders@replicas.example>", tls: none}
retry: {initial: 50ms, max: 500ms, max_attempts: 200}
jobs: {timeout: 10s, rescue_after: 20s%s}
`, dsn, addr, cmp.Or(set.logLevel, "warn"), token, storefront, secret, sla, erpURL, mailAddr, sweep)
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// roundRobin sends each webhook to the next replica in turn, as a load
// balancer in front of them would. A replica that is down refuses the
// connection; the storefront retries, and the retry goes to the next one.
type roundRobin struct {
	addrs    []string
	next     atomic.Uint64
	accepted []atomic.Int64
	rt       http.RoundTripper
}

func (lb *roundRobin) client() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: time.Second}).DialContext
	t.MaxIdleConnsPerHost = 32
	lb.rt = t
	return &http.Client{Timeout: 5 * time.Second, Transport: lb}
}

func (lb *roundRobin) RoundTrip(r *http.Request) (*http.Response, error) {
	i := int(lb.next.Add(1) % uint64(len(lb.addrs)))
	r = r.Clone(r.Context())
	r.URL.Host, r.Host = lb.addrs[i], lb.addrs[i]
	resp, err := lb.rt.RoundTrip(r)
	if err == nil && resp.StatusCode/100 == 2 {
		lb.accepted[i].Add(1)
	}
	return resp, err
}

func (lb *roundRobin) counts() []int64 {
	out := make([]int64, len(lb.accepted))
	for i := range lb.accepted {
		out[i] = lb.accepted[i].Load()
	}
	return out
}

func waitAccepted(t *testing.T, ctx context.Context, sim *storesim.Sim, n int) {
	t.Helper()
	for sim.Accepted() < n {
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %d accepted orders: %d so far: %v", n, sim.Accepted(), ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

type orderState struct {
	state     order.State
	attention string
}

// waitSettled polls the replicas' API until every accepted order is held and
// settled, and returns each order's state.
func waitSettled(t *testing.T, ctx context.Context, gws []*gateway, accepted int) map[string]orderState {
	t.Helper()
	var last map[string]orderState
	for i := 0; ; i++ {
		// Any replica answers for all: they share the database.
		last = listOrders(ctx, gws[i%len(gws)].addr)
		open := 0
		for _, s := range last {
			if !s.state.Settled() {
				open++
			}
		}
		if len(last) >= accepted && open == 0 {
			return last
		}
		select {
		case <-ctx.Done():
			t.Fatalf("orders not settled in time: %d held of %d accepted, %d unsettled", len(last), accepted, open)
		case <-time.After(time.Second):
		}
	}
}

// listOrders reads every order of the storefront, a page at a time, newest
// first. A page ends at its oldest order's receipt time; the next starts a
// microsecond later so that orders received in the same microsecond are not
// skipped (the map drops the repeats).
func listOrders(ctx context.Context, addr string) map[string]orderState {
	out := make(map[string]orderState)
	before := ""
	for {
		q := url.Values{"limit": {"1000"}, "storefront": {storefront}}
		if before != "" {
			q.Set("before", before)
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/api/v1/orders?"+q.Encode(), nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return out
		}
		var body struct {
			Orders []struct {
				OrderID   string      `json:"order_id"`
				State     order.State `json:"state"`
				Attention string      `json:"attention"`
			} `json:"orders"`
			Next string `json:"next"`
		}
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || err != nil {
			return out
		}
		grew := false
		for _, o := range body.Orders {
			if _, seen := out[o.OrderID]; !seen {
				grew = true
			}
			out[o.OrderID] = orderState{o.State, o.Attention}
		}
		next, err := time.Parse(time.RFC3339Nano, body.Next)
		if body.Next == "" || err != nil || !grew {
			return out
		}
		before = next.Add(time.Microsecond).Format(time.RFC3339Nano)
	}
}

// build compiles the ordergate command into the test's temporary directory.
func build(t *testing.T) string {
	t.Helper()
	binary := filepath.Join(t.TempDir(), "ordergate")
	cmd := exec.Command("go", "build", "-o", binary, "./cmd/ordergate")
	cmd.Dir = "../.."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build ordergate: %v\n%s", err, out)
	}
	return binary
}

// freeAddr returns a loopback address that was free a moment ago; a replica
// keeps it across its restart, as a real deployment would.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
