package smtp

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/wneessen/go-mail"
)

// notSent reports whether err, from go-mail's SendWithSMTPClient, came from
// a step before the server saw any of the body. Every step not listed is
// treated as possibly delivered.
func notSent(err error) bool {
	var se *mail.SendError
	if !errors.As(err, &se) {
		return false
	}
	switch se.Reason {
	case mail.ErrGetSender, mail.ErrGetRcpts, mail.ErrNoUnencoded,
		mail.ErrConnCheck, // the NOOP before MAIL FROM
		mail.ErrSMTPMailFrom, mail.ErrSMTPRcptTo,
		mail.ErrSMTPData: // the DATA command was refused or failed: no body was sent
		return true
	default:
		// ErrWriteContent and ErrSMTPDataClose: the body was on its way
		// or complete and the reply is unknown or came too late.
		// ErrSMTPReset comes after a delivery, which Send checks
		// first; ErrAmbiguous is what its name says.
		return false
	}
}

// withCause adds the context's error when the context ended, since then the
// connection was closed under go-mail and its own error ("use of closed
// network connection") does not say why.
func withCause(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); cause != nil && !errors.Is(err, cause) {
		return &causedError{err: err, cause: cause}
	}
	return err
}

type causedError struct{ err, cause error }

func (e *causedError) Error() string   { return e.err.Error() + " (" + e.cause.Error() + ")" }
func (e *causedError) Unwrap() []error { return []error{e.err, e.cause} }

// redact returns err with every occurrence of the customer's address masked
// in its text. go-mail's SendError lists the affected recipients, and
// servers echo them; the text goes to logs and timelines, which must not
// hold full addresses. The chain is kept for errors.Is and errors.As.
func redact(err error, addr string) error {
	if err == nil || addr == "" || !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(addr)) {
		return err
	}
	return &redactedError{err: err, text: replaceFold(err.Error(), addr, mask(addr))}
}

type redactedError struct {
	err  error
	text string
}

func (e *redactedError) Error() string { return e.text }
func (e *redactedError) Unwrap() error { return e.err }

// mask shortens an address to its first letter and domain: "a***@example.com".
func mask(addr string) string {
	local, domain, ok := strings.Cut(addr, "@")
	first, _ := utf8.DecodeRuneInString(local)
	if !ok || local == "" || first == utf8.RuneError {
		return "***"
	}
	return string(first) + "***@" + domain
}

// replaceFold replaces every case-insensitive occurrence of old in s.
func replaceFold(s, old, new string) string {
	lower, lowerOld := strings.ToLower(s), strings.ToLower(old)
	if len(lower) != len(s) {
		// Case mapping changed the length; fall back to an exact match.
		return strings.ReplaceAll(s, old, new)
	}
	var b strings.Builder
	for {
		i := strings.Index(lower, lowerOld)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString(new)
		s, lower = s[i+len(old):], lower[i+len(old):]
	}
}
