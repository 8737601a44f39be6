package chaos

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// readRecorder stands in front of the sandbox ERP and records every
// availability request and its answer: the ERP's own records count them
// but keep neither their times nor their figures, which I5 is judged by.
type readRecorder struct {
	next http.Handler

	mu    sync.Mutex
	reads []Read
}

func (rr *readRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/v1/availability" {
		rr.next.ServeHTTP(w, r)
		return
	}
	rd := Read{At: time.Now(), Asked: r.URL.Query()["sku"]}
	tw := &teeWriter{ResponseWriter: w}
	rr.next.ServeHTTP(tw, r)
	rd.Done, rd.Status, rd.Gone = time.Now(), tw.status, r.Context().Err() != nil
	if rd.Status == http.StatusOK {
		_ = json.Unmarshal(tw.body.Bytes(), &rd.Got)
	}
	rr.mu.Lock()
	rr.reads = append(rr.reads, rd)
	rr.mu.Unlock()
}

func (rr *readRecorder) Reads() []Read {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	return append([]Read(nil), rr.reads...)
}

// teeWriter keeps the status and body a handler writes.
type teeWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (t *teeWriter) WriteHeader(status int) {
	if t.status == 0 {
		t.status = status
	}
	t.ResponseWriter.WriteHeader(status)
}

func (t *teeWriter) Write(b []byte) (int, error) {
	if t.status == 0 {
		t.status = http.StatusOK
	}
	t.body.Write(b)
	return t.ResponseWriter.Write(b)
}

// pushRecorder stands in front of a marketplace fake and records every
// quantity it is told, read from the request as the vendor's API defines
// it, with the time it arrived. The fakes keep the requests but not when.
type pushRecorder struct {
	market string // amazon, ebay or walmart
	next   http.Handler

	mu     sync.Mutex
	pushes []Push
}

func (pr *pushRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	r.Body = io.NopCloser(bytes.NewReader(body))
	told := pr.told(r, body)
	tw := &teeWriter{ResponseWriter: w}
	pr.next.ServeHTTP(tw, r)
	pr.mu.Lock()
	defer pr.mu.Unlock()
	for sku, qty := range told {
		pr.pushes = append(pr.pushes, Push{Market: pr.market, SKU: sku, Qty: qty, At: at, Status: tw.status})
	}
}

// told reads the quantities a request sets, by SKU; nil for any other
// request (a token). A request the fake will refuse as malformed still
// counts: it was sent.
func (pr *pushRecorder) told(r *http.Request, body []byte) map[string]int {
	out := map[string]int{}
	switch pr.market {
	case "amazon":
		// PATCH /listings/2021-08-01/items/{sellerId}/{sku}
		rest, ok := strings.CutPrefix(r.URL.EscapedPath(), "/listings/2021-08-01/items/")
		if !ok || r.Method != http.MethodPatch {
			return nil
		}
		_, esc, _ := strings.Cut(rest, "/")
		sku, _ := url.PathUnescape(esc)
		var req struct {
			Patches []struct {
				Path  string `json:"path"`
				Value []struct {
					Quantity *int `json:"quantity"`
				} `json:"value"`
			} `json:"patches"`
		}
		_ = json.Unmarshal(body, &req)
		for _, p := range req.Patches {
			for _, v := range p.Value {
				if p.Path == "/attributes/fulfillment_availability" && v.Quantity != nil {
					out[sku] = max(out[sku], *v.Quantity)
				}
			}
		}
	case "ebay":
		if r.URL.Path != "/sell/inventory/v1/bulk_update_price_quantity" {
			return nil
		}
		var req struct {
			Requests []struct {
				SKU  string `json:"sku"`
				Ship *struct {
					Quantity int `json:"quantity"`
				} `json:"shipToLocationAvailability"`
				Offers []struct {
					Available *int `json:"availableQuantity"`
				} `json:"offers"`
			} `json:"requests"`
		}
		_ = json.Unmarshal(body, &req)
		for _, q := range req.Requests {
			if q.Ship != nil {
				out[q.SKU] = max(out[q.SKU], q.Ship.Quantity)
			}
			for _, o := range q.Offers {
				if o.Available != nil {
					out[q.SKU] = max(out[q.SKU], *o.Available)
				}
			}
		}
	case "walmart":
		if r.URL.Path != "/v3/inventory" || r.Method != http.MethodPut {
			return nil
		}
		var req struct {
			Quantity struct {
				Amount *int `json:"amount"`
			} `json:"quantity"`
		}
		if json.Unmarshal(body, &req) == nil && req.Quantity.Amount != nil {
			out[r.URL.Query().Get("sku")] = *req.Quantity.Amount
		}
	}
	return out
}

func (pr *pushRecorder) Pushes() []Push {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	return append([]Push(nil), pr.pushes...)
}
