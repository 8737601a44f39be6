package woocommercefake

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// UserAgent is what WooCommerce's deliveries and pings send
// ("WooCommerce/{WC_VERSION} Hookshot (WordPress/{wp_version})").
const UserAgent = "WooCommerce/9.9.5 Hookshot (WordPress/6.8.2)"

// Webhook is one webhook configured in the shop.
type Webhook struct {
	ID    int64
	Topic string // e.g. order.created
	// Secret is the key WooCommerce signs with: the webhook's secret after
	// wp_specialchars_decode.
	Secret string
}

// Delivery is one request the shop sends to a webhook's delivery URL.
type Delivery struct {
	Header http.Header
	Body   []byte
}

// Request returns the delivery as a POST to url.
func (d Delivery) Request(url string) *http.Request {
	r, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(d.Body))
	if err != nil {
		panic(err) // only for a url that does not parse, a bug in the test
	}
	r.Header = d.Header.Clone()
	return r
}

// Delivery returns what the shop sends to h for order id, as
// WC_Webhook::deliver builds it: the body is the REST v3 order (just
// {"id": …} for a deleted topic) written by wp_json_encode, signed with
// HMAC-SHA256 in base64, with the seven X-WC-Webhook-* headers; the
// Delivery-ID is a fresh hash each time.
func (s *Shop) Delivery(h Webhook, id int64) (Delivery, error) {
	resource, event, ok := strings.Cut(h.Topic, ".")
	if !ok {
		return Delivery{}, fmt.Errorf("woocommercefake: topic %q is not resource.event", h.Topic)
	}
	var body []byte
	var err error
	if event == "deleted" {
		body, err = PHPJSON(struct {
			ID int64 `json:"id"`
		}{id})
	} else {
		body, err = s.JSON(id)
	}
	if err != nil {
		return Delivery{}, err
	}
	m := hmac.New(sha256.New, []byte(h.Secret))
	m.Write(body)
	var nonce [16]byte
	rand.Read(nonce[:])
	hdr := http.Header{}
	hdr.Set("Content-Type", "application/json")
	hdr.Set("User-Agent", UserAgent)
	hdr.Set("X-WC-Webhook-Source", s.cfg.HomeURL)
	hdr.Set("X-WC-Webhook-Topic", h.Topic)
	hdr.Set("X-WC-Webhook-Resource", resource)
	hdr.Set("X-WC-Webhook-Event", event)
	hdr.Set("X-WC-Webhook-Signature", base64.StdEncoding.EncodeToString(m.Sum(nil)))
	hdr.Set("X-WC-Webhook-ID", strconv.FormatInt(h.ID, 10))
	hdr.Set("X-WC-Webhook-Delivery-ID", hex.EncodeToString(nonce[:]))
	return Delivery{Header: hdr, Body: body}, nil
}

// Ping returns the request the shop sends when h is created or activated
// (WC_Webhook::deliver_ping): the body "webhook_id=N", unsigned, with no
// X-WC-Webhook-* header. WordPress's cURL transport sends a string body
// with the form Content-Type.
func Ping(h Webhook) Delivery {
	hdr := http.Header{}
	hdr.Set("Content-Type", "application/x-www-form-urlencoded")
	hdr.Set("User-Agent", UserAgent)
	return Delivery{Header: hdr, Body: []byte("webhook_id=" + strconv.FormatInt(h.ID, 10))}
}
