package erpsim

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"
)

// The headers of a signed acknowledgment callback.
const (
	HeaderTimestamp = "X-Ordergate-Timestamp"
	HeaderSignature = "X-Ordergate-Signature"
)

// SignCallback returns the X-Ordergate-Signature value for body sent at
// timestamp ts (Unix seconds): "sha256=" and the hex HMAC-SHA256, keyed
// with secret, of the timestamp, a dot and the body. It is written out here
// rather than imported because the simulator stands for an outside system
// that implements the documented callback protocol on its own.
func SignCallback(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(ts, 10)))
	m.Write([]byte("."))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// announce schedules the callback for o, if callbacks are configured: once
// its AckDelay has passed, the receipt is POSTed, retried with backoff on
// failure. It does not hold e.mu.
func (e *ERP) announce(o Order) {
	cb := e.cfg.Callback
	if cb.URL == "" {
		return
	}
	go func() {
		if !e.hold(context.Background(), e.cfg.AckDelay) {
			return
		}
		e.mu.Lock()
		cur, ok := e.lookup(o.ExternalID)
		rc := e.receipt(cur)
		e.mu.Unlock()
		if !ok || cur.Ref != o.Ref || rc.Status != statusAcknowledged {
			return // cancelled meanwhile, or a second order under the id
		}
		body, _ := json.Marshal(rc)
		rec := CallbackRecord{ExternalID: o.ExternalID}
		attempts := cb.Attempts
		if attempts <= 0 {
			attempts = 5
		}
		hc := cb.HTTPClient
		if hc == nil {
			hc = &http.Client{Timeout: 10 * time.Second}
		}
		wait := 100 * time.Millisecond
		for rec.Tries < attempts {
			rec.Tries++
			rec.Status = e.post(hc, cb, body)
			if rec.Status >= 200 && rec.Status < 300 {
				break
			}
			if !e.hold(context.Background(), wait) {
				break
			}
			wait *= 2
		}
		rec.At = e.now()
		e.mu.Lock()
		e.callbacks = append(e.callbacks, rec)
		e.mu.Unlock()
	}()
}

// post sends one signed callback and returns its status, 0 on a transport
// failure.
func (e *ERP) post(hc *http.Client, cb Callback, body []byte) int {
	ts := e.now().Unix()
	req, err := http.NewRequest(http.MethodPost, cb.URL, bytes.NewReader(body))
	if err != nil {
		return 0
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, SignCallback(cb.Secret, ts, body))
	resp, err := hc.Do(req)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	return resp.StatusCode
}
