package alert_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/alert"
	"github.com/ordergate/ordergate/internal/gate"
	"github.com/ordergate/ordergate/internal/order"
)

func TestAlert_PostsSlackCompatibleJSON(t *testing.T) {
	t.Parallel()
	got := make(chan map[string]any, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("got %s with content type %q", r.Method, r.Header.Get("Content-Type"))
		}
		b, _ := io.ReadAll(r.Body)
		var v map[string]any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Errorf("body %s: %v", b, err)
		}
		got <- v
	}))
	t.Cleanup(srv.Close)
	w, err := alert.New(srv.URL+"/services/T000/B000/XXXX", time.Second, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 27, 14, 2, 0, 0, time.UTC)
	a := gate.Alert{Key: order.Key{Storefront: "shop1", ID: "42"}, Name: "#1042", State: order.Submitted,
		ReceivedAt: at, OverdueAt: at.Add(15 * time.Minute), SLA: 15 * time.Minute, Text: "order #1042 is overdue"}
	if err := w.Alert(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	v := <-got
	for k, want := range map[string]any{"text": "order #1042 is overdue", "event": "order_overdue", "storefront": "shop1",
		"order_id": "42", "order_name": "#1042", "state": "submitted", "sla_seconds": 900.0} {
		if v[k] != want {
			t.Errorf("%s = %v, want %v", k, v[k], want)
		}
	}
}

func TestAlert_Non2xxIsAnErrorThatKeepsTheURLSecret(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "invalid_token", http.StatusForbidden)
	}))
	t.Cleanup(srv.Close)
	w, err := alert.New(srv.URL+"/hooks/secret-token", time.Second, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	err = w.Alert(t.Context(), gate.Alert{Key: order.Key{Storefront: "s", ID: "1"}})
	if err == nil || !strings.Contains(err.Error(), "http 403") || !strings.Contains(err.Error(), "invalid_token") {
		t.Fatalf("error %v, want the status and the hook's words", err)
	}
	if strings.Contains(err.Error(), "secret-token") {
		t.Errorf("error %q shows the webhook's secret path", err)
	}
}

func TestNew_RefusesARelativeURL(t *testing.T) {
	t.Parallel()
	if _, err := alert.New("hooks/x", 0, nil); err == nil {
		t.Fatal("New accepted a relative URL")
	}
}
