package chaos

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// gateway is one `ordergate serve` process, restarted in place after each
// kill: the same config, database and address, as a deployment would.
type gateway struct {
	config, addr, token string
	log                 *os.File

	mu     sync.Mutex
	proc   *os.Process
	done   chan struct{} // closed once proc has been reaped
	starts []time.Time   // when each process was started, before its exec
}

// start runs the gateway and returns once /healthz answers 200.
func (g *gateway) start(ctx context.Context) error {
	cmd := exec.Command(binary, "serve", "--config", g.config, "--grace", "1s")
	cmd.Stdout, cmd.Stderr = g.log, g.log
	dieWithTest(cmd)
	g.mu.Lock()
	g.starts = append(g.starts, time.Now())
	g.mu.Unlock()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start gateway: %w", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	g.mu.Lock()
	g.proc, g.done = cmd.Process, done
	g.mu.Unlock()
	for {
		resp, err := http.Get("http://" + g.addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-done:
			return fmt.Errorf("gateway exited before it was healthy (see its log)")
		case <-ctx.Done():
			g.kill()
			return fmt.Errorf("gateway did not come up: %w", ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// kill SIGKILLs the gateway, if it runs, and reaps it.
func (g *gateway) kill() {
	g.mu.Lock()
	proc, done := g.proc, g.done
	g.proc = nil
	g.mu.Unlock()
	if proc == nil {
		return
	}
	proc.Signal(syscall.SIGKILL)
	<-done
}

// Starts returns when each process was started.
func (g *gateway) Starts() []time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]time.Time(nil), g.starts...)
}

// apiOrder is an order in the API's list.
type apiOrder struct {
	OrderID string `json:"order_id"`
	GatewayOrder
}

// list returns every order of storefront the API lists, paging through.
func (g *gateway) list(ctx context.Context, storefront string) (map[string]GatewayOrder, error) {
	out := make(map[string]GatewayOrder)
	before := ""
	for {
		q := url.Values{"storefront": {storefront}, "limit": {"1000"}}
		if before != "" {
			q.Set("before", before)
		}
		var page struct {
			Orders []apiOrder `json:"orders"`
			Next   string     `json:"next"`
		}
		if err := g.get(ctx, "/api/v1/orders?"+q.Encode(), &page); err != nil {
			return nil, err
		}
		added := 0
		for _, o := range page.Orders {
			if _, seen := out[o.OrderID]; !seen {
				added++
			}
			out[o.OrderID] = o.GatewayOrder
		}
		if page.Next == "" || added == 0 {
			return out, nil
		}
		// Orders received in the same instant as the page's last may sit
		// on either side of it: step back a microsecond, and the overlap
		// is dropped above.
		t, err := time.Parse(time.RFC3339Nano, page.Next)
		if err != nil {
			return nil, fmt.Errorf("list orders: next %q: %w", page.Next, err)
		}
		before = t.Add(time.Microsecond).Format(time.RFC3339Nano)
	}
}

// order returns one order with its timeline; ok is false on 404.
func (g *gateway) order(ctx context.Context, storefront, id string) (GatewayOrder, bool, error) {
	var o GatewayOrder
	err := g.get(ctx, "/api/v1/orders/"+storefront+"/"+id, &o)
	if err == errNotFound {
		return o, false, nil
	}
	return o, err == nil, err
}

var errNotFound = fmt.Errorf("not found")

func (g *gateway) get(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+g.addr+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+g.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		return json.NewDecoder(resp.Body).Decode(v)
	case http.StatusNotFound:
		return errNotFound
	}
	return fmt.Errorf("GET %s: status %d", path, resp.StatusCode)
}

// pendingJobs sums ordergate_jobs over every queue but the periodic one
// (the leader's schedule is always there): 0 once the gateway has nothing
// left to do.
func (g *gateway) pendingJobs(ctx context.Context) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+g.addr+"/metrics", nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET /metrics: status %d", resp.StatusCode)
	}
	n := 0
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "ordergate_jobs{") || strings.Contains(line, `queue="periodic"`) {
			continue
		}
		f := strings.Fields(line)
		v, err := strconv.ParseFloat(f[len(f)-1], 64)
		if err != nil {
			return 0, fmt.Errorf("metrics line %q: %w", line, err)
		}
		n += int(v)
	}
	return n, sc.Err()
}

// freeAddr returns a loopback address that was free a moment ago.
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
