package mailbox

import (
	"errors"
	"io"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// session is one SMTP connection's state.
type session struct {
	mb     *Mailbox
	conn   *smtp.Conn
	authed bool
	from   string
	to     []string
}

var _ smtp.AuthSession = (*session)(nil)

func (mb *Mailbox) newSession(c *smtp.Conn) (smtp.Session, error) {
	mb.sessionOpened()
	return &session{mb: mb, conn: c}, nil
}

// errTransient is the reply to a RCPT TO chosen by FailRate.
var errTransient = &smtp.SMTPError{
	Code:         451,
	EnhancedCode: smtp.EnhancedCode{4, 3, 0},
	Message:      "Mailbox temporarily unavailable, try again later",
}

// AuthMechanisms offers PLAIN when the mailbox has a username, else nothing.
func (s *session) AuthMechanisms() []string {
	if s.mb.opts.Username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

// Auth checks PLAIN credentials against the mailbox's.
func (s *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain || s.mb.opts.Username == "" {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != s.mb.opts.Username || password != s.mb.opts.Password {
			return smtp.ErrAuthFailed
		}
		s.authed = true
		return nil
	}), nil
}

// Mail starts a message, once authenticated if the mailbox requires it.
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.mb.opts.Username != "" && !s.authed {
		return smtp.ErrAuthRequired
	}
	s.from, s.to = from, nil
	return nil
}

// Rcpt adds a recipient, or refuses it for now as FailRate decides, or
// holds the reply and then refuses it as StallRate decides.
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.mb.chance(s.mb.opts.FailRate) {
		s.mb.refuse(Refusal{To: to, Fault: RefusedTransient, At: time.Now()})
		return errTransient
	}
	if s.mb.chance(s.mb.opts.StallRate) {
		s.mb.refuse(Refusal{To: to, Fault: RefusedStalled, At: time.Now()})
		s.mb.stall()
		return errTransient
	}
	s.to = append(s.to, to)
	return nil
}

// Data reads the message. Only a message read to its final dot is recorded;
// a client that goes away mid-DATA leaves nothing. When DropRate decides,
// the connection is dropped after recording and before the reply, so the
// client never learns that the message arrived; when DataStallRate
// decides, the reply is held for Stall after recording.
func (s *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := parse(raw)
	m.From, m.To, m.ReceivedAt = s.from, append([]string(nil), s.to...), time.Now()
	s.mb.record(m)
	first := ""
	if len(s.to) > 0 {
		first = s.to[0]
	}
	if s.mb.chance(s.mb.opts.DropRate) {
		s.mb.refuse(Refusal{To: first, Fault: DroppedAfterData, MessageID: m.MessageID, At: time.Now()})
		s.conn.Conn().Close()
		return errDropped
	}
	if s.mb.chance(s.mb.opts.DataStallRate) {
		s.mb.refuse(Refusal{To: first, Fault: StalledAfterData, MessageID: m.MessageID, At: time.Now()})
		s.mb.stall()
	}
	return nil
}

// errDropped is returned after the connection was closed on purpose; the
// server's attempt to write the reply goes nowhere.
var errDropped = errors.New("connection dropped on purpose")

// Reset forgets the message in progress.
func (s *session) Reset() { s.from, s.to = "", nil }

// Logout ends the session; go-smtp calls it once, when the connection is
// closed.
func (s *session) Logout() error {
	s.mb.sessionClosed()
	return nil
}
