package smtp

import (
	"errors"
	"fmt"
	netmail "net/mail"
	"strings"

	"github.com/wneessen/go-mail"

	"github.com/ordergate/ordergate/internal/notify"
)

// Headers that tell a receiver (and the sandbox mailbox) which order and
// which kind of message this is.
const (
	HeaderOrder = "X-Ordergate-Order" // "<storefront>/<order id>"
	HeaderKind  = "X-Ordergate-Kind"  // notify.Kind
)

// message builds the e-mail for m: multipart/alternative, plain text first
// and HTML second, with the stable Message-ID.
// MessageID implements notify.Sender: the Message-ID m is sent with.
func (s *Sender) MessageID(m notify.Message) string { return m.ID(s.domain) }

func (s *Sender) message(m notify.Message) (*mail.Msg, error) {
	to, err := recipient(m.Order.Customer.Email, m.Order.Customer.Name)
	if err != nil {
		return nil, err
	}
	r, err := notify.Render(m, s.brand)
	if err != nil {
		return nil, err
	}
	msg := mail.NewMsg(mail.WithNoDefaultUserAgent())
	msg.FromMailAddress(s.from)
	msg.ToMailAddress(to)
	msg.SetMessageIDWithValue(strings.TrimSuffix(strings.TrimPrefix(m.ID(s.domain), "<"), ">"))
	msg.SetDate()
	msg.Subject(r.Subject)
	msg.SetGenHeader(HeaderOrder, m.Order.Key.String())
	msg.SetGenHeader(HeaderKind, string(m.Kind))
	// Automatic replies (out of office) should not answer a confirmation.
	msg.SetGenHeader(mail.HeaderXAutoResponseSuppress, "All")
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetBodyString(mail.TypeTextPlain, r.Text)
	msg.AddAlternativeString(mail.TypeTextHTML, r.HTML)
	return msg, nil
}

// errNoRecipient is the cause when the order has no usable address.
var errNoRecipient = errors.New("customer e-mail")

// recipient parses the customer's address. The error does not repeat the
// address: it ends up in logs and on the order's timeline.
func recipient(email, name string) (*netmail.Address, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return nil, fmt.Errorf("%w: empty", errNoRecipient)
	}
	a, err := netmail.ParseAddress(email)
	if err != nil || a.Address != email {
		return nil, fmt.Errorf("%w: not a single plain address (%s)", errNoRecipient, mask(email))
	}
	a.Name = strings.Join(strings.Fields(name), " ")
	return a, nil
}
