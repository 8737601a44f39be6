package mailbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ordergate/ordergate/internal/sandbox/mailbox"
)

// multipartMessage is the shape go-mail sends: multipart/alternative with a
// quoted-printable text part and, here, a base64 HTML part.
const multipartMessage = "From: Acme Goods <orders@acme.test>\r\n" +
	"To: ada@example.com\r\n" +
	"Subject: =?UTF-8?q?Your_order_#1001_is_confirmed_=E2=9C=93?=\r\n" +
	"Message-ID: <confirmation.shop1.1001@acme.test>\r\n" +
	"X-Ordergate-Order: shop1/1001\r\n" +
	"X-Ordergate-Kind: confirmation\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/alternative; boundary=b1\r\n" +
	"\r\n" +
	"--b1\r\n" +
	"Content-Type: text/plain; charset=UTF-8\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"Ordered: 3  Confirmed: 1 =E2=80=94 a long line that is soft-=\r\nbroken\r\n" +
	"--b1\r\n" +
	"Content-Type: text/html; charset=UTF-8\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"PHA+T3JkZXJlZDogMzwv\r\ncD4=\r\n" +
	"--b1--\r\n"

func setup(t *testing.T, opts mailbox.Options) *mailbox.Mailbox {
	t.Helper()
	mb, err := mailbox.Start(opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := mb.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return mb
}

// send runs one SMTP transaction with go-smtp's client and returns the
// first error.
func send(t *testing.T, addr string, auth sasl.Client, body string) error {
	t.Helper()
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer c.Close()
	if err := c.Hello("client.test"); err != nil {
		return err
	}
	if auth != nil {
		if err := c.Auth(auth); err != nil {
			return err
		}
	}
	if err := c.Mail("orders@acme.test", nil); err != nil {
		return err
	}
	if err := c.Rcpt("ada@example.com", nil); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write([]byte(body)); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

func TestMailbox_RecordsEnvelopeHeadersAndDecodedParts(t *testing.T) {
	t.Parallel()
	mb := setup(t, mailbox.Options{})
	if err := send(t, mb.Addr(), nil, multipartMessage); err != nil {
		t.Fatalf("send: %v", err)
	}
	got := mb.Messages()
	want := []mailbox.Message{{
		MessageID: "<confirmation.shop1.1001@acme.test>",
		From:      "orders@acme.test",
		To:        []string{"ada@example.com"},
		Subject:   "Your order #1001 is confirmed ✓",
		Kind:      "confirmation",
		Order:     "shop1/1001",
		Text:      "Ordered: 3  Confirmed: 1 — a long line that is soft-broken",
		HTML:      "<p>Ordered: 3</p>",
		Size:      len(multipartMessage),
	}}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(mailbox.Message{}, "ReceivedAt", "Raw")); diff != "" {
		t.Errorf("Messages (-want +got):\n%s", diff)
	}
	if len(got) == 1 && (got[0].ReceivedAt.IsZero() || string(got[0].Raw) != multipartMessage) {
		t.Errorf("ReceivedAt %v, Raw of %d bytes: want a time and the message as sent", got[0].ReceivedAt, len(got[0].Raw))
	}
	if by := mb.ByOrder(); len(by["shop1/1001"]) != 1 {
		t.Errorf("ByOrder()[shop1/1001] has %d messages, want 1", len(by["shop1/1001"]))
	}
}

func TestMailbox_Misbehaves(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		opts     mailbox.Options
		auth     sasl.Client
		wantCode int // 0: an error without an SMTP reply (connection dropped)
		wantKept int
	}{
		{"fail rate 1 refuses RCPT with 451", mailbox.Options{FailRate: 1}, nil, 451, 0},
		{"drop rate 1 keeps the message and drops the connection", mailbox.Options{DropRate: 1}, nil, 0, 1},
		{"auth required refuses MAIL without AUTH", mailbox.Options{Username: "u", Password: "p"}, nil, 502, 0},
		{"auth required refuses a wrong password", mailbox.Options{Username: "u", Password: "p"}, sasl.NewPlainClient("", "u", "wrong"), 535, 0},
		{"auth required takes the right password", mailbox.Options{Username: "u", Password: "p"}, sasl.NewPlainClient("", "u", "p"), -1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mb := setup(t, tt.opts)
			err := send(t, mb.Addr(), tt.auth, multipartMessage)
			var se *smtp.SMTPError
			switch {
			case tt.wantCode == -1 && err != nil:
				t.Errorf("send: %v, want success", err)
			case tt.wantCode == 0 && (err == nil || errors.As(err, &se)):
				t.Errorf("send: %v, want a connection error without a reply", err)
			case tt.wantCode > 0 && (!errors.As(err, &se) || se.Code != tt.wantCode):
				t.Errorf("send: %v, want SMTP reply %d", err, tt.wantCode)
			}
			if got := len(mb.Messages()); got != tt.wantKept {
				t.Errorf("kept %d messages, want %d", got, tt.wantKept)
			}
		})
	}
}

func TestMailbox_SameSeedMakesSameChoices(t *testing.T) {
	t.Parallel()
	outcomes := func() string {
		mb := setup(t, mailbox.Options{FailRate: 0.5, Seed: 42})
		var b strings.Builder
		for range 16 {
			if send(t, mb.Addr(), nil, multipartMessage) == nil {
				b.WriteByte('+')
			} else {
				b.WriteByte('-')
			}
		}
		return b.String()
	}
	first, second := outcomes(), outcomes()
	if first != second {
		t.Errorf("two runs with seed 42 differ: %s and %s", first, second)
	}
	if !strings.Contains(first, "+") || !strings.Contains(first, "-") {
		t.Errorf("fail rate 0.5 gave %s, want some of each", first)
	}
}

func TestMailbox_WaitReturnsOnceEnoughArrivedOrContextEnds(t *testing.T) {
	t.Parallel()
	mb := setup(t, mailbox.Options{})
	done := make(chan error, 1)
	go func() {
		_, err := mb.Wait(t.Context(), 2)
		done <- err
	}()
	for range 2 {
		if err := send(t, mb.Addr(), nil, multipartMessage); err != nil {
			t.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		t.Errorf("Wait(2) after two messages: %v", err)
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if msgs, err := mb.Wait(ctx, 3); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait(3) with two messages and a cancelled context = %d messages, %v; want context.Canceled", len(msgs), err)
	}
}

func TestHandler_ServesMessagesAsJSON(t *testing.T) {
	t.Parallel()
	mb := setup(t, mailbox.Options{})
	if err := send(t, mb.Addr(), nil, multipartMessage); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mb.Handler())
	t.Cleanup(srv.Close)

	tests := []struct {
		name, query string
		want        int
	}{
		{"all", "", 1},
		{"one order", "?order=shop1/1001", 1},
		{"an order without messages", "?order=shop1/9999", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, err := http.Get(srv.URL + "/messages" + tt.query)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || ct != "application/json" {
				t.Fatalf("status %d, content type %q", resp.StatusCode, ct)
			}
			var got []mailbox.Message
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.want {
				t.Fatalf("got %d messages, want %d", len(got), tt.want)
			}
			if tt.want > 0 && (got[0].Order != "shop1/1001" || got[0].HTML == "" || got[0].Raw != nil) {
				t.Errorf("got %+v, want the order's message without Raw", got[0])
			}
		})
	}
}

func TestStart_RefusesRatesOutsideZeroToOne(t *testing.T) {
	t.Parallel()
	for _, opts := range []mailbox.Options{{FailRate: -0.1}, {DropRate: 1.5}} {
		if mb, err := mailbox.Start(opts); err == nil {
			mb.Close()
			t.Errorf("Start(%+v) succeeded", opts)
		}
	}
}
