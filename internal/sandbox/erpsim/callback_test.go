package erpsim_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
)

// The callback is checked against the protocol as documented, computed here
// independently of SignCallback.
func TestCallback_SignedReceiptAfterAckDelayRetriedUntil2xx(t *testing.T) {
	t.Parallel()
	const secret = "s3cret"
	var mu sync.Mutex
	var tries int
	got := make(chan map[string]any, 1)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ts := r.Header.Get(erpsim.HeaderTimestamp)
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte(ts + "." + string(body)))
		want := "sha256=" + hex.EncodeToString(m.Sum(nil))
		if _, err := strconv.ParseInt(ts, 10, 64); err != nil || r.Header.Get(erpsim.HeaderSignature) != want {
			t.Errorf("callback signature %q over timestamp %q, want %q", r.Header.Get(erpsim.HeaderSignature), ts, want)
		}
		mu.Lock()
		tries++
		first := tries == 1
		mu.Unlock()
		if first {
			w.WriteHeader(http.StatusInternalServerError) // the ERP must try again
			return
		}
		var v map[string]any
		if err := json.Unmarshal(body, &v); err != nil {
			t.Errorf("callback body: %v", err)
		}
		got <- v
	}))
	t.Cleanup(hook.Close)
	sim, srv := serve(t, erpsim.Config{AckDelay: 20 * time.Millisecond, Callback: erpsim.Callback{URL: hook.URL, Secret: secret}})

	status, _ := call(t, srv, http.MethodPost, "/v1/sales-orders", `{"external_id":"og-s-1","lines":[{"sku":"A","quantity":2}]}`)
	if status != http.StatusCreated {
		t.Fatalf("create: status %d", status)
	}
	select {
	case v := <-got:
		if v["external_id"] != "og-s-1" || v["status"] != "acknowledged" {
			t.Errorf("callback receipt = %v, want og-s-1 acknowledged", v)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no callback arrived")
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(sim.Records().Callbacks) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cbs := sim.Records().Callbacks
	if len(cbs) != 1 || cbs[0].Tries != 2 || cbs[0].Status != http.StatusOK {
		t.Errorf("callback records = %+v, want one, 2 tries, last 200", cbs)
	}
}

func TestCancel_ReleasesStockAndIsIdempotent(t *testing.T) {
	t.Parallel()
	sim, srv := serve(t, erpsim.Config{Stock: map[string]int{"A": 5}})
	if status, _ := call(t, srv, http.MethodPost, "/v1/sales-orders", `{"external_id":"og-s-1","lines":[{"sku":"A","quantity":2}]}`); status != http.StatusCreated {
		t.Fatalf("create: status %d", status)
	}
	for i := range 2 {
		status, body := call(t, srv, http.MethodPost, "/v1/sales-orders/cancel?external_id=og-s-1", `{"reason":"customer"}`)
		if status != http.StatusOK || body["status"] != "cancelled" {
			t.Fatalf("cancel %d: status %d body %v", i+1, status, body)
		}
	}
	if n, _ := sim.Available("A"); n != 5 {
		t.Errorf("available after cancel = %d, want 5", n)
	}
	if status, _ := call(t, srv, http.MethodPost, "/v1/sales-orders/cancel?external_id=og-s-2", ``); status != http.StatusNotFound {
		t.Errorf("cancel of unknown order: status %d, want 404", status)
	}
	if o := sim.Orders()[0]; !o.Cancelled() || o.CancelReason != "customer" {
		t.Errorf("recorded order = %+v, want cancelled for customer", o)
	}
}
