package erpsim_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
)

// A simulator with a small catalogue, a few lost replies and a slow
// acknowledgment, served over HTTP; its records are read back at the end, as
// a test in another process would.
func Example() {
	sim := erpsim.New(erpsim.Config{
		Stock:    map[string]int{"MUG-BLUE": 12, "MUG-RED": 0},
		AckDelay: 2 * time.Second,
		Faults:   erpsim.Faults{InDoubtRate: 0.05, ThrottleRate: 0.02, RetryAfter: 100 * time.Millisecond},
		Latency:  erpsim.Latency{Min: time.Millisecond, Median: 5 * time.Millisecond, P99: 50 * time.Millisecond},
		Seed:     42,
	})
	srv := httptest.NewServer(sim) // or http.ListenAndServe(addr, sim) in a process of its own
	defer srv.Close()
	defer sim.Close()

	// ... the gateway talks to srv.URL ...

	rec, err := erpsim.FetchRecords(context.Background(), nil, srv.URL, "")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(rec.Orders), "orders,", len(rec.DuplicateExternalIDs()), "duplicates")
	// Output: 0 orders, 0 duplicates
}
