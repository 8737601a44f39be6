package replicas

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
	"github.com/ordergate/ordergate/internal/sandbox/mailbox"
	"github.com/ordergate/ordergate/internal/sandbox/storesim"
	"github.com/ordergate/ordergate/internal/store/postgres/pgtest"
)

// TestReplicas_SLASweepMovesToAnotherReplicaWhenTheLeaderIsKilled runs
// three replicas with a short SLA and a one-second SLA sweep, finds the
// leader from the sweeps' log lines (each names the instance that
// scheduled it), SIGKILLs it, and places orders through the other two that
// the ERP never acknowledges. Their own SLA checks are then deleted from
// the job table, as if lost, so that only the sweep can flag them: they
// must all be marked overdue, by the sla sweep, scheduled by a new leader.
// The time from the kill to the new leader's first sweep is logged.
func TestReplicas_SLASweepMovesToAnotherReplicaWhenTheLeaderIsKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("runs three real gateways and waits for a leader election")
	}
	dsn := pgtest.DSN(t)
	const orders = 5
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	binary := build(t)

	// The ERP takes every order and never acknowledges one within the
	// test: they stay unsettled, and so become overdue.
	erp := erpsim.New(erpsim.Config{AckDelay: time.Hour})
	erpSrv := httptest.NewServer(erp)
	defer erpSrv.Close()
	defer erp.Close()
	mb, err := mailbox.Start(mailbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Close()

	dir := t.TempDir()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("pool_max_conns", "6")
	u.RawQuery = q.Encode()
	set := settings{logLevel: "info", sla: "3s", sweepInterval: "1s"}
	gws := make([]*gateway, replicas)
	for i := range gws {
		gws[i] = &gateway{binary: binary, addr: freeAddr(t), log: filepath.Join(dir, fmt.Sprintf("replica%d.log", i))}
		gws[i].config = writeConfig(t, dir, i, u.String(), gws[i].addr, erpSrv.URL, mb.Addr(), set)
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
	var wg sync.WaitGroup
	for _, g := range gws {
		wg.Go(func() { g.start(ctx) })
	}
	wg.Wait()
	pids := make([]int, replicas)
	for i, g := range gws {
		if g.err != nil {
			t.Fatalf("replica %d: %v", i, g.err)
		}
		pids[i] = g.cmd.Process.Pid
	}

	// The leader is the replica that schedules the sweeps.
	waitSweep(t, ctx, gws, pids, func(s sweepLine) bool { return s.leader >= 0 })
	leader := latestSweep(t, gws, pids).leader
	if leader < 0 {
		t.Fatal("the latest sweep was scheduled by no replica of this test")
	}
	t.Logf("replica %d leads", leader)

	killedAt := time.Now()
	gws[leader].kill()

	// Orders through the survivors only, after the kill.
	var alive []string
	for i, g := range gws {
		if i != leader {
			alive = append(alive, g.addr)
		}
	}
	lb := &roundRobin{addrs: alive, accepted: make([]atomic.Int64, len(alive))}
	sim := storesim.New(storesim.Config{
		Target: "http://replicas/webhooks/shopify/" + storefront, Secret: []byte(secret),
		Orders: orders, Concurrency: orders,
		Retry:  storesim.Retry{Initial: 50 * time.Millisecond, Max: 500 * time.Millisecond, Forever: true},
		Client: lb.client(), Logger: slog.New(slog.DiscardHandler),
	})
	if err := sim.Run(ctx); err != nil {
		t.Fatalf("storefront simulator: %v", err)
	}
	// Lose the orders' own SLA checks. They are scheduled 3s after
	// receipt, and a scheduled job becomes runnable only by the leader's
	// scheduler, which no replica runs until the dead leader's term
	// expires; the test removes them well before either.
	lost := deleteOverdueJobs(t, ctx, dsn)
	if len(lost) == 0 {
		t.Fatal("no per-order SLA check left to remove: every one ran within moments of its order")
	}
	t.Logf("%d orders placed through the other replicas; the SLA checks of %d removed", orders, len(lost))

	next := waitSweep(t, ctx, gws, pids, func(s sweepLine) bool { return s.at.After(killedAt) && s.leader >= 0 && s.leader != leader })
	t.Logf("replica %d SIGKILLed; replica %d was elected and its first sweep ran %.1fs after the kill (on replica %d)",
		leader, next.leader, next.at.Sub(killedAt).Seconds(), next.ranOn)

	// Every order placed after the kill is overdue, and those whose own
	// check was removed were flagged by the sweep: nothing else could.
	var overdue map[string]bool
	for {
		overdue = overdueOrders(t, ctx, alive[0])
		all := true
		for _, o := range sim.Orders() {
			all = all && overdue[o.ID]
		}
		if all && len(overdue) == orders {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("orders overdue: %v; want all %d placed after the kill", overdue, orders)
		case <-time.After(200 * time.Millisecond):
		}
	}
	for id := range lost {
		tl := timeline(t, ctx, alive[0], id)
		var swept int
		for _, e := range tl {
			if e.Kind == order.EventOverdue && strings.Contains(e.Detail, "marked overdue by the sla sweep") {
				swept++
			}
		}
		if swept != 1 {
			t.Errorf("order %s, its own check lost: %d overdue entries by the sla sweep, want 1; timeline %+v", id, swept, tl)
		}
	}
	// They were marked by sweeps the new leadership scheduled, which ran
	// on the survivors.
	marked := 0
	for _, s := range sweeps(t, gws, pids) {
		if !s.at.After(killedAt) {
			continue
		}
		if s.ranOn == leader {
			t.Errorf("a sweep at %v ran on replica %d, SIGKILLed at %v", s.at, leader, killedAt)
		}
		if s.leader != leader {
			marked += s.marked
		}
	}
	if marked < len(lost) {
		t.Errorf("sweeps scheduled after the kill marked %d orders, fewer than the %d whose own check was lost", marked, len(lost))
	}
}

// sweepLine is one "sla sweep" line of a replica's log.
type sweepLine struct {
	at     time.Time
	ranOn  int // the replica whose log it is
	leader int // the replica that scheduled it; -1 if none of ours
	marked int
}

// logField matches one key=value of slog's text format.
var logField = regexp.MustCompile(`(\w+)=("(?:[^"\\]|\\.)*"|\S*)`)

// sweeps reads every replica's log for its sweep lines, mapping the
// instance names (hostname:pid) to replicas by their process ids.
func sweeps(t *testing.T, gws []*gateway, pids []int) []sweepLine {
	t.Helper()
	replicaOf := func(instance string) int {
		for i, pid := range pids {
			if strings.HasSuffix(instance, ":"+strconv.Itoa(pid)) {
				return i
			}
		}
		return -1
	}
	var out []sweepLine
	for i, g := range gws {
		f, err := os.Open(g.log)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if !strings.Contains(sc.Text(), `msg="sla sweep"`) {
				continue
			}
			fields := map[string]string{}
			for _, m := range logField.FindAllStringSubmatch(sc.Text(), -1) {
				v := m[2]
				if uq, err := strconv.Unquote(v); err == nil {
					v = uq
				}
				fields[m[1]] = v
			}
			at, err := time.Parse(time.RFC3339Nano, fields["time"])
			if err != nil {
				t.Fatalf("replica %d: sweep line without a time: %s", i, sc.Text())
			}
			if ran := replicaOf(fields["instance"]); ran != i {
				t.Errorf("replica %d logged a sweep as instance %q", i, fields["instance"])
			}
			n, _ := strconv.Atoi(fields["marked"])
			out = append(out, sweepLine{at: at, ranOn: i, leader: replicaOf(fields["leader"]), marked: n})
		}
		f.Close()
	}
	return out
}

// latestSweep returns the most recent sweep line of all the replicas.
func latestSweep(t *testing.T, gws []*gateway, pids []int) sweepLine {
	t.Helper()
	var last sweepLine
	for _, s := range sweeps(t, gws, pids) {
		if s.at.After(last.at) {
			last = s
		}
	}
	return last
}

// waitSweep waits for the earliest sweep line that ok accepts.
func waitSweep(t *testing.T, ctx context.Context, gws []*gateway, pids []int, ok func(sweepLine) bool) sweepLine {
	t.Helper()
	for {
		var found *sweepLine
		for _, s := range sweeps(t, gws, pids) {
			if ok(s) && (found == nil || s.at.Before(found.at)) {
				found = &s
			}
		}
		if found != nil {
			return *found
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no such sweep: %v", ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// deleteOverdueJobs deletes every per-order SLA check not yet run and
// returns the ids of their orders.
func deleteOverdueJobs(t *testing.T, ctx context.Context, dsn string) map[string]bool {
	t.Helper()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	rows, err := conn.Query(ctx, `DELETE FROM river_job WHERE kind = 'ordergate_overdue' AND state IN ('scheduled', 'available')
		RETURNING args->>'order_id'`)
	if err != nil {
		t.Fatalf("delete the orders' sla checks: %v", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("delete the orders' sla checks: %v", err)
	}
	out := make(map[string]bool)
	for _, id := range ids {
		out[id] = true
	}
	return out
}

// overdueOrders returns the ids of the storefront's orders that the admin
// API lists as overdue.
func overdueOrders(t *testing.T, ctx context.Context, addr string) map[string]bool {
	t.Helper()
	var body struct {
		Orders []struct {
			OrderID string `json:"order_id"`
		} `json:"orders"`
	}
	getJSON(t, ctx, addr, "/api/v1/orders?"+url.Values{"storefront": {storefront}, "overdue": {"true"}, "limit": {"1000"}}.Encode(), &body)
	out := make(map[string]bool)
	for _, o := range body.Orders {
		out[o.OrderID] = true
	}
	return out
}

// timeline returns an order's timeline from the admin API.
func timeline(t *testing.T, ctx context.Context, addr, id string) []order.Event {
	t.Helper()
	var body struct {
		Timeline []order.Event `json:"timeline"`
	}
	getJSON(t, ctx, addr, "/api/v1/orders/"+storefront+"/"+url.PathEscape(id), &body)
	return body.Timeline
}

func getJSON(t *testing.T, ctx context.Context, addr, path string, into any) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", path, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}
