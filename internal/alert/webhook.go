// Package alert tells operators of orders that need them, by POSTing JSON to
// a webhook. The body has a "text" field, so a Slack or Mattermost incoming
// webhook URL works as it is, and the structured fields for anything else.
package alert

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ordergate/ordergate/internal/gate"
)

// Webhook posts alerts to one URL.
type Webhook struct {
	url     string
	hc      *http.Client
	timeout time.Duration
}

var _ gate.Alerter = (*Webhook)(nil)

// New returns a webhook poster. hc may be nil.
func New(rawURL string, timeout time.Duration, hc *http.Client) (*Webhook, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("alert webhook: %q is not an absolute http or https url", redact(rawURL))
	}
	if hc == nil {
		hc = &http.Client{}
	}
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	return &Webhook{url: rawURL, hc: hc, timeout: timeout}, nil
}

// Payload is the JSON body of one alert.
type Payload struct {
	Text       string    `json:"text"`  // one line for chat tools
	Event      string    `json:"event"` // "order_overdue"
	Storefront string    `json:"storefront"`
	OrderID    string    `json:"order_id"`
	OrderName  string    `json:"order_name,omitempty"`
	State      string    `json:"state"`
	ReceivedAt time.Time `json:"received_at"`
	OverdueAt  time.Time `json:"overdue_at"`
	SLASeconds float64   `json:"sla_seconds"`
	ERPRef     string    `json:"erp_ref,omitempty"`
	Attention  string    `json:"attention,omitempty"`
}

// Alert posts a. Any 2xx is success; anything else is an error, so the
// gate tries again.
func (w *Webhook) Alert(ctx context.Context, a gate.Alert) error {
	body, err := json.Marshal(Payload{
		Text: a.Text, Event: "order_overdue", Storefront: a.Key.Storefront, OrderID: a.Key.ID, OrderName: a.Name,
		State: string(a.State), ReceivedAt: a.ReceivedAt, OverdueAt: a.OverdueAt, SLASeconds: a.SLA.Seconds(),
		ERPRef: a.ERPRef, Attention: a.Attention,
	})
	if err != nil {
		return fmt.Errorf("alert webhook: encode: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, w.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("alert webhook: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "ordergate-alerts")
	resp, err := w.hc.Do(req)
	if err != nil {
		// The URL may carry a token (Slack's do); never log it.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return fmt.Errorf("alert webhook %s: %w", redact(w.url), err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("alert webhook %s: http %d: %s", redact(w.url), resp.StatusCode, strings.TrimSpace(string(snippet)))
	}
	return nil
}

// redact keeps a URL's scheme and host: Slack-style webhook URLs carry
// their secret in the path.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(invalid url)"
	}
	return u.Scheme + "://" + u.Host + "/…"
}
