package smtp

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	netmail "net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/ordergate/ordergate/internal/notify"
)

// TLS modes for Config.TLS.
const (
	TLSNone     = "none"     // plain SMTP; for a local relay or the sandbox mailbox
	TLSStartTLS = "starttls" // STARTTLS is required; the default
	TLSImplicit = "tls"      // TLS from the first byte (port 465)
)

// DefaultTimeout bounds one Send when Config.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// Config is how to reach the mail server and whom the messages come from.
// The zero value of each optional field means the documented default.
type Config struct {
	// Addr is the server's host:port. Required.
	Addr string
	// From is the sender, as an address or "Name <address>". Required.
	From string
	// Username and Password are for SMTP AUTH; no AUTH when Username is empty.
	Username string
	Password string
	// TLS is "none", "starttls" or "tls"; empty means "starttls".
	TLS string
	// Domain is the right-hand side of the Message-IDs; empty means the
	// domain of From.
	Domain string
	// Timeout bounds each Send, from dial to QUIT, on top of the context's
	// own deadline; zero means DefaultTimeout.
	Timeout time.Duration
	// Brand is the shop's name as the customer knows it; empty means the
	// display name of From.
	Brand string
}

// Sender sends notify.Messages through one SMTP server. It is safe for
// concurrent use; each Send has its own connection.
type Sender struct {
	host    string
	port    int
	from    *netmail.Address
	user    string
	pass    string
	tls     string
	domain  string
	timeout time.Duration
	brand   string
}

var _ notify.Sender = (*Sender)(nil)

// New validates cfg and returns a Sender. It does not connect.
func New(cfg Config) (*Sender, error) {
	host, portStr, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("smtp: addr %q: %w", cfg.Addr, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 1 || port > 65535 {
		return nil, fmt.Errorf("smtp: addr %q: invalid port", cfg.Addr)
	}
	if host == "" {
		return nil, fmt.Errorf("smtp: addr %q: host is empty", cfg.Addr)
	}
	from, err := netmail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("smtp: from %q: %w", cfg.From, err)
	}
	s := &Sender{
		host: host, port: port, from: from,
		user: cfg.Username, pass: cfg.Password,
		tls: strings.ToLower(cfg.TLS), domain: cfg.Domain,
		timeout: cfg.Timeout, brand: cfg.Brand,
	}
	switch s.tls {
	case "":
		s.tls = TLSStartTLS
	case TLSNone, TLSStartTLS, TLSImplicit:
	default:
		return nil, fmt.Errorf("smtp: tls %q: want none, starttls or tls", cfg.TLS)
	}
	if s.domain == "" {
		s.domain = from.Address[strings.LastIndexByte(from.Address, '@')+1:]
	}
	if s.timeout == 0 {
		s.timeout = DefaultTimeout
	}
	if s.timeout < 0 {
		return nil, fmt.Errorf("smtp: timeout %s: must not be negative", cfg.Timeout)
	}
	if s.brand == "" {
		s.brand = from.Name
	}
	if strings.TrimSpace(s.brand) == "" {
		return nil, fmt.Errorf("smtp: brand: required (or a display name in from)")
	}
	return s, nil
}

// Send delivers m to m.Order.Customer.Email over a connection of its own.
// The error wraps notify.ErrNotSent only when the message certainly did not
// reach the server; see the package documentation.
func (s *Sender) Send(ctx context.Context, m notify.Message) error {
	what := fmt.Sprintf("smtp: send %s for %s", m.Kind, m.Order.Key)
	msg, err := s.message(m)
	if err != nil {
		return fmt.Errorf("%s: %w: %w", what, notify.ErrNotSent, err)
	}
	rcpt := m.Order.Customer.Email
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w: %w", what, notify.ErrNotSent, err)
	}
	timeout := s.timeout
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < timeout {
		timeout = max(time.Until(dl), time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	conv := &conversation{}
	client, err := s.client(conv, timeout)
	if err != nil {
		return fmt.Errorf("%s: %w: %w", what, notify.ErrNotSent, err)
	}
	// go-mail watches the context only while dialing, so closing the
	// connection is what makes a cancellation or deadline reach a
	// conversation that is under way.
	stop := context.AfterFunc(ctx, conv.close)
	defer stop()
	defer conv.close()

	sc, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w: connect: %w", what, notify.ErrNotSent, redact(withCause(ctx, err), rcpt))
	}
	err = client.SendWithSMTPClient(sc, msg)
	if err == nil || msg.IsDelivered() {
		// The server took the message; a failing RSET or QUIT after
		// that changes nothing.
		_ = client.CloseWithSMTPClient(sc)
		return nil
	}
	_ = client.CloseWithSMTPClient(sc)
	err = redact(withCause(ctx, err), rcpt)
	if notSent(err) {
		return fmt.Errorf("%s: %w: %w", what, notify.ErrNotSent, err)
	}
	return fmt.Errorf("%s: may have been delivered: %w", what, err)
}

// client returns a go-mail client for one conversation. The dial goes through
// conv, so that the connection can be closed from outside.
func (s *Sender) client(conv *conversation, timeout time.Duration) (*mail.Client, error) {
	tlsConfig := &tls.Config{ServerName: s.host, MinVersion: tls.VersionTLS12}
	opts := []mail.Option{
		mail.WithPort(s.port),
		mail.WithTimeout(timeout),
		mail.WithTLSConfig(tlsConfig),
		mail.WithDialContextFunc(conv.dialer(s.tls == TLSImplicit, tlsConfig)),
	}
	switch s.tls {
	case TLSNone, TLSImplicit:
		// Implicit TLS is done by conv's dialer: go-mail skips its own
		// TLS dialer once a dial function is given.
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	case TLSStartTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if s.user != "" {
		// PLAIN and LOGIN refuse to send the password over an
		// unencrypted connection to anything but localhost.
		opts = append(opts,
			mail.WithOpportunisticSMTPAuth(mail.SMTPAuthSCRAMSHA256, mail.SMTPAuthSCRAMSHA1, mail.SMTPAuthPlain, mail.SMTPAuthLogin, mail.SMTPAuthCramMD5),
			mail.WithUsername(s.user), mail.WithPassword(s.pass))
	}
	c, err := mail.NewClient(s.host, opts...)
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	return c, nil
}
