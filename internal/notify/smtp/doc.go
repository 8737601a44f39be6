// Package smtp sends the customer's messages by SMTP, with go-mail.
//
// Each Send opens one connection, says EHLO, upgrades to TLS as configured,
// authenticates when a username is set, delivers one message and quits. There
// is no connection pool: a confirmation is one message per order, and a fresh
// connection per message keeps a failure confined to the message that met it.
//
// An error from Send tells the gate whether a retry could duplicate the
// message. Everything that fails before the server has seen the message body
// (the dial, TLS, AUTH, MAIL FROM, RCPT TO, the DATA command itself) wraps
// notify.ErrNotSent: the server cannot have the message, so a retry is safe.
// Anything that fails once the body has started to flow (writing it, the
// server's reply to the final dot, a timeout or a dropped connection at the
// end) does not wrap it: the message may have been delivered, and the gate
// must treat it as in doubt rather than send it again. A server reply of 250
// to the body is success even if the connection then fails on RSET or QUIT.
//
// The Message-ID is notify.Message.ID, the same on every attempt, so that a
// receiving system can also tell a repeat.
package smtp
