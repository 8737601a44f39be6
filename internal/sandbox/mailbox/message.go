package mailbox

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"strings"
	"time"
)

// Message is one message the mailbox received in full.
type Message struct {
	// MessageID is the Message-ID header, angle brackets included.
	MessageID string `json:"message_id"`
	// From and To are the envelope: MAIL FROM and the accepted RCPT TOs.
	From string   `json:"from"`
	To   []string `json:"to"`
	// Subject is the Subject header, decoded.
	Subject string `json:"subject"`
	// Kind and Order are the X-Ordergate-Kind and X-Ordergate-Order
	// headers ("confirmation", "shop1/1001"); empty when absent.
	Kind  string `json:"kind"`
	Order string `json:"order"`
	// ReceivedAt is when the DATA completed.
	ReceivedAt time.Time `json:"received_at"`
	// Text and HTML are the decoded text/plain and text/html parts (the
	// first of each); empty when the message has none.
	Text string `json:"text"`
	HTML string `json:"html"`
	// Size is the length of the message as received, in bytes.
	Size int `json:"size"`
	// Raw is the message as received. It is left out of the JSON.
	Raw []byte `json:"-"`
	// ParseError says why the headers or the MIME structure could not be
	// read; the message is recorded anyway, with what could be read.
	ParseError string `json:"parse_error,omitempty"`
}

// parse reads what the tests look at out of a raw message. It never fails:
// a message the server accepted is recorded even when it is malformed.
func parse(raw []byte) Message {
	m := Message{Size: len(raw), Raw: raw}
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		m.ParseError = "headers: " + err.Error()
		return m
	}
	var dec mime.WordDecoder
	m.MessageID = strings.TrimSpace(msg.Header.Get("Message-Id"))
	m.Subject = msg.Header.Get("Subject")
	if s, err := dec.DecodeHeader(m.Subject); err == nil {
		m.Subject = s
	}
	m.Kind = strings.TrimSpace(msg.Header.Get("X-Ordergate-Kind"))
	m.Order = strings.TrimSpace(msg.Header.Get("X-Ordergate-Order"))
	if err := m.walk(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, 0); err != nil {
		m.ParseError = "body: " + err.Error()
	}
	return m
}

// walk finds the text and HTML parts in a body of the given type, going
// into nested multiparts (mixed around alternative, say).
func (m *Message) walk(contentType, encoding string, body io.Reader, depth int) error {
	if contentType == "" {
		contentType = "text/plain"
	}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("content type %q: %w", contentType, err)
	}
	switch {
	case strings.HasPrefix(mediaType, "multipart/"):
		if depth > 10 {
			return fmt.Errorf("multipart nested too deep")
		}
		mr := multipart.NewReader(body, params["boundary"])
		for {
			// NextPart decodes quoted-printable itself and then hides
			// the Content-Transfer-Encoding header.
			p, err := mr.NextPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return fmt.Errorf("%s: %w", mediaType, err)
			}
			if err := m.walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, depth+1); err != nil {
				return err
			}
		}
	case mediaType == "text/plain" && m.Text == "", mediaType == "text/html" && m.HTML == "":
		b, err := io.ReadAll(decode(encoding, body))
		if err != nil {
			return fmt.Errorf("%s: %w", mediaType, err)
		}
		if mediaType == "text/plain" {
			m.Text = string(b)
		} else {
			m.HTML = string(b)
		}
	}
	return nil
}

// decode undoes a Content-Transfer-Encoding. The charset is taken to be
// UTF-8, which is what ordergate sends.
func decode(encoding string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, newlineStripper{r})
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	default:
		return r
	}
}

// newlineStripper drops the line breaks that base64 bodies carry, which
// encoding/base64 does not accept.
type newlineStripper struct{ r io.Reader }

func (n newlineStripper) Read(p []byte) (int, error) {
	for {
		c, err := n.r.Read(p)
		k := 0
		for _, b := range p[:c] {
			if b != '\r' && b != '\n' {
				p[k] = b
				k++
			}
		}
		if k > 0 || err != nil {
			return k, err
		}
	}
}
