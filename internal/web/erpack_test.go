package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/erp/callback"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
)

// submitted delivers the sample order to a gate whose ERP leaves it
// pending and which polls only hourly, and returns it once the ERP holds it:
// from there only a callback moves it on.
func submitted(t *testing.T, b *bundle) *order.Order {
	t.Helper()
	body := readTestdata(t, sample)
	if r := b.post(t, shop1, signed("orders/create", "evt-1", body, oldSecret), body); r.status != http.StatusOK {
		t.Fatalf("delivery: %d %s", r.status, r.body)
	}
	return b.waitState(t, keyOf(t, shop1, body), order.Submitted)
}

// ackBody is the receipt an ERP sends when it has validated all of o.
func ackBody(t *testing.T, o *order.Order) []byte {
	t.Helper()
	rec := erp.Receipt{Ref: o.ERPRef, ExternalID: o.Key.ExternalID(), Status: erp.StatusAcknowledged}
	for _, l := range o.Lines {
		rec.Lines = append(rec.Lines, erp.Line{SKU: l.SKU, Ordered: l.Quantity, Validated: l.Quantity})
	}
	b, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// callbackNotes returns the timeline entries a callback left.
func callbackNotes(tl []order.Event) []order.Event {
	var notes []order.Event
	for _, e := range tl {
		if strings.HasPrefix(e.Detail, "callback: ") {
			notes = append(notes, e)
		}
	}
	return notes
}

func TestERPCallback_RefusalsApplyNothingThenASignedReceiptConfirms(t *testing.T) {
	t.Parallel()
	b := setup(t, options{erp: erpsim.Config{AckDelay: time.Hour}, ackPoll: time.Hour})
	o := submitted(t, b)
	key := o.Key
	good := ackBody(t, o)
	now := time.Now()
	unknown, _ := json.Marshal(erp.Receipt{Ref: "SO-9", ExternalID: order.Key{Storefront: shop1, ID: "999"}.ExternalID(), Status: erp.StatusAcknowledged})
	without := func(name string) http.Header {
		h := signedAck(oldCallbackSecret, now, good)
		h.Del(name)
		return h
	}
	withSigned := func(body []byte) (http.Header, []byte) { return signedAck(oldCallbackSecret, now, body), body }
	tests := []struct {
		name       string
		erp        string
		header     http.Header
		body       []byte
		wantStatus int
		wantError  string
	}{
		{"NoSignatureIs401", "sandbox", without(callback.HeaderSignature), good, http.StatusUnauthorized, callback.HeaderSignature},
		{"NoTimestampIs401", "sandbox", without(callback.HeaderTimestamp), good, http.StatusUnauthorized, callback.HeaderTimestamp},
		{"NoHeadersIs401", "sandbox", http.Header{}, good, http.StatusUnauthorized, "sign"},
		{"WrongSecretIs401", "sandbox", signedAck([]byte("not-the-secret"), now, good), good, http.StatusUnauthorized, "signature"},
		{"ShopifySecretIs401", "sandbox", signedAck(oldSecret, now, good), good, http.StatusUnauthorized, "signature"},
		{"BodyChangedAfterSigningIs401", "sandbox", signedAck(oldCallbackSecret, now, good), bytes.Replace(good, []byte(`"validated":1`), []byte(`"validated":0`), 1), http.StatusUnauthorized, "signature"},
		{"StaleTimestampIs401", "sandbox", signedAck(oldCallbackSecret, now.Add(-10*time.Minute), good), good, http.StatusUnauthorized, "replay"},
		{"FutureTimestampIs401", "sandbox", signedAck(oldCallbackSecret, now.Add(10*time.Minute), good), good, http.StatusUnauthorized, "clock"},
		{"ERPWithoutCallbacksIs404", "other", signedAck(oldCallbackSecret, now, good), good, http.StatusNotFound, "no callbacks configured for erp other"},
		{"UnknownOrderIs404AndSaysToRetry", "sandbox", signedAck(oldCallbackSecret, now, unknown), unknown, http.StatusNotFound, "send the callback again later"},
	}
	for _, c := range []struct {
		name, body, wantError string
	}{
		{"MalformedJSONIs400", `{"ref": "SO-1", "external_id":`, "malformed receipt"},
		{"EmptyBodyIs400", ``, "empty body"},
		{"NoExternalIDIs400", `{"ref":"SO-1","status":"acknowledged"}`, "external_id is required"},
		{"UnknownStatusIs400", `{"ref":"SO-1","external_id":"` + key.ExternalID() + `","status":"shipped"}`, "want acknowledged, pending"},
	} {
		h, body := withSigned([]byte(c.body))
		tests = append(tests, struct {
			name       string
			erp        string
			header     http.Header
			body       []byte
			wantStatus int
			wantError  string
		}{c.name, "sandbox", h, body, http.StatusBadRequest, c.wantError})
	}
	// Still a valid receipt and validly signed: only its size is wrong.
	big := append(bytes.Clone(good), bytes.Repeat([]byte(" "), maxBody)...)
	tests = append(tests, struct {
		name       string
		erp        string
		header     http.Header
		body       []byte
		wantStatus int
		wantError  string
	}{"BodyOverTheLimitIs413", "sandbox", signedAck(oldCallbackSecret, now, big), big, http.StatusRequestEntityTooLarge, ""})

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := b.postAck(t, tt.erp, tt.header, tt.body)
			if r.status != tt.wantStatus {
				t.Fatalf("reply %d %s, want %d", r.status, r.body, tt.wantStatus)
			}
			if !strings.Contains(r.field(t, "error"), tt.wantError) {
				t.Errorf("error %q, want it to say %q", r.field(t, "error"), tt.wantError)
			}
			got, err := b.store.Get(t.Context(), key)
			if err != nil {
				t.Fatal(err)
			}
			if got.State() != order.Submitted {
				t.Errorf("order %s after the refusal, want still submitted", got.State())
			}
			if notes := callbackNotes(b.timeline(t, key)); len(notes) != 0 {
				t.Errorf("timeline holds %v after a refused callback, want nothing from it", notes)
			}
		})
	}

	// The receipt as it should be, signed with the secret rotated in: it
	// is applied, and applying it again changes nothing more.
	for i := range 2 {
		r := b.postAck(t, "sandbox", signedAck(newCallbackSecret, time.Now(), good), good)
		if r.status != http.StatusOK || r.field(t, "status") != "applied" {
			t.Fatalf("good callback %d: reply %d %s, want 200 applied", i+1, r.status, r.body)
		}
		if got := b.waitSettled(t, key); got.State() != order.Confirmed {
			t.Fatalf("after the callback: %s, want confirmed", got.State())
		}
	}
	if n := len(b.mail.ByOrder()[key.String()]); n != 1 {
		t.Errorf("%d confirmations, want 1", n)
	}
	if n := len(b.sim.Records().OrdersFor(key.ExternalID())); n != 1 {
		t.Errorf("erp holds %d orders, want 1", n)
	}
	notes := callbackNotes(b.timeline(t, key))
	if len(notes) != 2 || notes[0].Detail != "callback: "+o.ERPRef+" is acknowledged" {
		t.Errorf("callback notes %+v, want two saying %s is acknowledged", notes, o.ERPRef)
	}
}

func TestERPCallback_StoreFailureIs503AndAppliesNothing(t *testing.T) {
	t.Parallel()
	b := setup(t, options{erp: erpsim.Config{AckDelay: time.Hour}, ackPoll: time.Hour})
	o := submitted(t, b)
	good := ackBody(t, o)
	b.closeStore(t)

	r := b.postAck(t, "sandbox", signedAck(oldCallbackSecret, time.Now(), good), good)

	if r.status != http.StatusServiceUnavailable {
		t.Fatalf("reply %d %s with the store closed, want 503", r.status, r.body)
	}
	if r.header.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
	if !strings.Contains(r.field(t, "error"), "again") {
		t.Errorf("error %q, want it to tell the erp to send it again", r.field(t, "error"))
	}
	got, err := b.reader(t).Get(t.Context(), o.Key)
	if err != nil {
		t.Fatal(err)
	}
	if got.State() != order.Submitted {
		t.Errorf("order %s after a 503, want still submitted", got.State())
	}
}

// End to end: the sandbox ERP takes the order as pending, then calls back
// signed once it has validated it. The gate polls only hourly, so the
// confirmation can come from the callback alone.
func TestERPCallback_SandboxERPAcknowledgesByCallbackAlone(t *testing.T) {
	t.Parallel()
	b := setup(t, options{
		erp:            erpsim.Config{AckDelay: 50 * time.Millisecond},
		callbackSecret: newCallbackSecret,
		ackPoll:        time.Hour,
	})
	body := readTestdata(t, sample)
	if r := b.post(t, shop1, signed("orders/create", "evt-1", body, oldSecret), body); r.status != http.StatusOK {
		t.Fatalf("delivery: %d %s", r.status, r.body)
	}
	key := keyOf(t, shop1, body)

	o := b.waitSettled(t, key)

	if o.State() != order.Confirmed {
		t.Fatalf("state %s, want confirmed", o.State())
	}
	// The create's reply said pending (the ERP validates later) and the
	// gate does not poll within the test, so the one acknowledgment must
	// follow the callback. Whether the create's reply was committed before
	// the callback came does not matter.
	var kinds []string
	for _, e := range b.timeline(t, key) {
		switch {
		case strings.HasPrefix(e.Detail, "callback: "):
			kinds = append(kinds, e.Detail)
		case e.Kind == order.EventAcknowledged, e.Kind == order.EventConfirmed:
			kinds = append(kinds, string(e.Kind))
		}
	}
	want := []string{"callback: " + o.ERPRef + " is acknowledged", string(order.EventAcknowledged), string(order.EventConfirmed)}
	if diff := cmp.Diff(want, kinds); diff != "" {
		t.Errorf("callback, acknowledgment and confirmation on the timeline (-want +got):\n%s", diff)
	}
	if n := len(b.mail.ByOrder()[key.String()]); n != 1 {
		t.Errorf("%d confirmations, want 1", n)
	}
	// The ERP records its callback once its POST is answered.
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	for len(b.sim.Records().Callbacks) == 0 {
		select {
		case <-time.After(10 * time.Millisecond):
		case <-ctx.Done():
			t.Fatal("the sandbox erp never recorded its callback")
		}
	}
	if cbs := b.sim.Records().Callbacks; len(cbs) != 1 || cbs[0].Status != http.StatusOK || cbs[0].Tries != 1 || cbs[0].ExternalID != key.ExternalID() {
		t.Errorf("erp callbacks %+v, want one for %s answered 200 at the first try", cbs, key.ExternalID())
	}
}
