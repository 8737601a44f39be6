package sandbox_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/erp/sandbox"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
)

// bundle is one simulator on its own server and a client for it.
type bundle struct {
	sim    *erpsim.ERP
	srv    *httptest.Server
	client *sandbox.Client
}

// setup serves a simulator configured by cfg and returns a client for it
// whose requests time out after timeout (a second if 0).
func setup(t *testing.T, cfg erpsim.Config, timeout time.Duration) bundle {
	t.Helper()
	return setupHandler(t, cfg, timeout, nil)
}

// setupHandler is setup with the simulator behind wrap, if not nil.
func setupHandler(t *testing.T, cfg erpsim.Config, timeout time.Duration, wrap func(http.Handler) http.Handler) bundle {
	t.Helper()
	if timeout == 0 {
		timeout = time.Second
	}
	sim := erpsim.New(cfg)
	var h http.Handler = sim
	if wrap != nil {
		h = wrap(sim)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	t.Cleanup(sim.Close) // runs first: releases held requests so Close does not wait
	c, err := sandbox.New(sandbox.Config{BaseURL: srv.URL, Timeout: timeout, HTTPClient: srv.Client(), APIKey: cfg.APIKey})
	if err != nil {
		t.Fatalf("sandbox.New: %v", err)
	}
	return bundle{sim: sim, srv: srv, client: c}
}

// staller holds every request, once stalled, until its client goes away,
// announcing each as it arrives.
type staller struct {
	on      atomic.Bool
	arrived chan struct{}
}

func newStaller() *staller { return &staller{arrived: make(chan struct{}, 16)} }

func (s *staller) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.on.Load() {
			next.ServeHTTP(w, r)
			return
		}
		// Read the body to its end, or the server would not notice the
		// client going away.
		io.Copy(io.Discard, r.Body)
		select {
		case s.arrived <- struct{}{}:
		default:
		}
		<-r.Context().Done()
	})
}

func (s *staller) stall() <-chan struct{} {
	s.on.Store(true)
	return s.arrived
}
