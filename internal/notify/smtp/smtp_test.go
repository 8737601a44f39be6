package smtp_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ordergate/ordergate/internal/notify"
	"github.com/ordergate/ordergate/internal/notify/smtp"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/sandbox/mailbox"
)

func qty(n int) *int { return &n }

// confirmation is the message for an order the ERP acknowledged with one
// line short.
func confirmation() notify.Message {
	return notify.Message{Kind: notify.Confirmation, Order: order.Order{
		Key:      order.Key{Storefront: "shop1", ID: "1001"},
		Name:     "#1001",
		Customer: order.Customer{Name: "Ada Lovelace", Email: "ada@example.com"},
		Currency: "USD",
		Total:    decimal.RequireFromString("54.98"),
		Lines: []order.LineItem{
			{SKU: "WID-BLUE", Title: "Widget, blue", Quantity: 2, Price: decimal.RequireFromString("19.99"), Validated: qty(2)},
			{SKU: "GAD-1", Title: "Gadget", Quantity: 3, Price: decimal.RequireFromString("5"), Validated: qty(1)},
		},
		ShipBy: time.Date(2026, 3, 6, 0, 0, 0, 0, time.UTC),
	}}
}

type bundle struct {
	mb     *mailbox.Mailbox
	sender *smtp.Sender
}

// setup starts a mailbox with opts and a sender pointed at it; edit, when
// given, changes the sender's config first.
func setup(t *testing.T, opts mailbox.Options, edit func(*smtp.Config)) bundle {
	t.Helper()
	mb, err := mailbox.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mb.Close() })
	cfg := smtp.Config{
		Addr: mb.Addr(),
		From: "Acme Goods <orders@acme.test>",
		TLS:  smtp.TLSNone,
	}
	if edit != nil {
		edit(&cfg)
	}
	s, err := smtp.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return bundle{mb: mb, sender: s}
}

func TestSend_DeliversBothPartsWithValidatedQuantitiesAndHeaders(t *testing.T) {
	t.Parallel()
	b := setup(t, mailbox.Options{}, nil)
	if err := b.sender.Send(t.Context(), confirmation()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	msgs := b.mb.Messages()
	if len(msgs) != 1 {
		t.Fatalf("mailbox has %d messages, want 1", len(msgs))
	}
	m := msgs[0]
	checks := []struct {
		what, got, want string
	}{
		{"Message-ID", m.MessageID, "<confirmation.shop1.1001@acme.test>"},
		{"envelope from", m.From, "orders@acme.test"},
		{"envelope to", strings.Join(m.To, ","), "ada@example.com"},
		{"subject", m.Subject, "Your order #1001 is confirmed"},
		{"X-Ordergate-Kind", m.Kind, "confirmation"},
		{"X-Ordergate-Order", m.Order, "shop1/1001"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
		}
	}
	for _, part := range []struct{ name, body string }{{"text", m.Text}, {"html", m.HTML}} {
		for _, want := range []string{"Widget, blue", "Gadget", "1 of the 3 you ordered ship now; 2 are on backorder and will ship later", "USD 54.98", "Friday, 6 March 2026"} {
			if !strings.Contains(part.body, want) {
				t.Errorf("%s part lacks %q:\n%s", part.name, want, part.body)
			}
		}
	}
	if !strings.Contains(string(m.Raw), "multipart/alternative") {
		t.Errorf("message is not multipart/alternative:\n%s", m.Raw)
	}
}

func TestSend_MessageIDStableAcrossSendsOfSameOrderAndKind(t *testing.T) {
	t.Parallel()
	b := setup(t, mailbox.Options{}, func(c *smtp.Config) { c.Domain = "mail.acme.test" })
	pending := confirmation()
	pending.Kind = notify.Pending
	for _, m := range []notify.Message{confirmation(), confirmation(), pending} {
		if err := b.sender.Send(t.Context(), m); err != nil {
			t.Fatalf("Send %s: %v", m.Kind, err)
		}
	}
	msgs := b.mb.Messages()
	if len(msgs) != 3 {
		t.Fatalf("mailbox has %d messages, want 3", len(msgs))
	}
	want := []string{
		"<confirmation.shop1.1001@mail.acme.test>",
		"<confirmation.shop1.1001@mail.acme.test>",
		"<pending.shop1.1001@mail.acme.test>",
	}
	for i, m := range msgs {
		if m.MessageID != want[i] {
			t.Errorf("message %d: Message-ID %q, want %q", i, m.MessageID, want[i])
		}
	}
}

// closedPort returns an address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestSend_ClassifiesFailures(t *testing.T) {
	t.Parallel()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	noEmail := confirmation()
	noEmail.Order.Customer.Email = ""
	badEmail := confirmation()
	badEmail.Order.Customer.Email = "ada at example.com"

	tests := []struct {
		name        string
		opts        mailbox.Options
		edit        func(*smtp.Config)
		ctx         context.Context
		msg         notify.Message
		wantNotSent bool
		wantKept    int // messages the mailbox recorded
	}{
		{name: "RCPT refused with 451 is not sent", opts: mailbox.Options{FailRate: 1}, wantNotSent: true},
		{name: "connection refused is not sent", edit: func(c *smtp.Config) { c.Addr = closedPort(t) }, wantNotSent: true},
		{name: "STARTTLS required but not offered is not sent", edit: func(c *smtp.Config) { c.TLS = smtp.TLSStartTLS }, wantNotSent: true},
		{name: "implicit TLS against plain server is not sent", edit: func(c *smtp.Config) { c.TLS = smtp.TLSImplicit }, wantNotSent: true},
		{name: "wrong password is not sent", opts: mailbox.Options{Username: "u", Password: "p"},
			edit: func(c *smtp.Config) { c.Username, c.Password = "u", "wrong" }, wantNotSent: true},
		{name: "MAIL FROM refused without auth is not sent", opts: mailbox.Options{Username: "u", Password: "p"}, wantNotSent: true},
		{name: "cancelled context is not sent", ctx: cancelled, wantNotSent: true},
		{name: "empty customer e-mail is not sent", msg: noEmail, wantNotSent: true},
		{name: "invalid customer e-mail is not sent", msg: badEmail, wantNotSent: true},
		{name: "connection dropped after DATA is in doubt and was delivered", opts: mailbox.Options{DropRate: 1}, wantNotSent: false, wantKept: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, tt.opts, tt.edit)
			ctx, msg := tt.ctx, tt.msg
			if ctx == nil {
				ctx = t.Context()
			}
			if msg.Kind == "" {
				msg = confirmation()
			}
			err := b.sender.Send(ctx, msg)
			if err == nil {
				t.Fatal("Send succeeded, want an error")
			}
			t.Logf("err: %v", err)
			if got := errors.Is(err, notify.ErrNotSent); got != tt.wantNotSent {
				t.Errorf("errors.Is(err, ErrNotSent) = %v, want %v; err: %v", got, tt.wantNotSent, err)
			}
			if !strings.HasPrefix(err.Error(), "smtp: send confirmation for shop1/1001: ") {
				t.Errorf("error %q lacks the send context", err)
			}
			if strings.Contains(err.Error(), "ada@example.com") {
				t.Errorf("error %q holds the full customer address", err)
			}
			if got := len(b.mb.Messages()); got != tt.wantKept {
				t.Errorf("mailbox recorded %d messages, want %d", got, tt.wantKept)
			}
		})
	}
}

func TestSend_AuthenticatesWhenUsernameSet(t *testing.T) {
	t.Parallel()
	b := setup(t, mailbox.Options{Username: "u", Password: "p"}, func(c *smtp.Config) { c.Username, c.Password = "u", "p" })
	if err := b.sender.Send(t.Context(), confirmation()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if got := len(b.mb.Messages()); got != 1 {
		t.Errorf("mailbox has %d messages, want 1", got)
	}
}

func TestSend_ContextEndingMidConversationStopsIt(t *testing.T) {
	t.Parallel()
	// A server that greets and then says nothing: only the context can end
	// the wait for its EHLO reply.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		c.Write([]byte("220 silent.test ESMTP\r\n"))
		accepted <- c
	}()
	s, err := smtp.New(smtp.Config{Addr: ln.Addr().String(), From: "Acme Goods <orders@acme.test>", TLS: smtp.TLSNone, Timeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		c := <-accepted
		t.Cleanup(func() { c.Close() })
		cancel()
	}()
	err = s.Send(ctx, confirmation())
	if !errors.Is(err, context.Canceled) || !errors.Is(err, notify.ErrNotSent) {
		t.Errorf("Send = %v, want context.Canceled and ErrNotSent", err)
	}
}

func TestNew_RefusesBadConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  smtp.Config
	}{
		{"no addr", smtp.Config{From: "Acme <o@acme.test>"}},
		{"addr without port", smtp.Config{Addr: "mail.acme.test", From: "Acme <o@acme.test>"}},
		{"bad from", smtp.Config{Addr: "mail.acme.test:587", From: "acme"}},
		{"unknown tls mode", smtp.Config{Addr: "mail.acme.test:587", From: "Acme <o@acme.test>", TLS: "ssl"}},
		{"no brand anywhere", smtp.Config{Addr: "mail.acme.test:587", From: "o@acme.test"}},
		{"negative timeout", smtp.Config{Addr: "mail.acme.test:587", From: "Acme <o@acme.test>", Timeout: -time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := smtp.New(tt.cfg); err == nil {
				t.Errorf("New(%+v) succeeded", tt.cfg)
			}
		})
	}
}
