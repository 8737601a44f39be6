// Package mailbox is an SMTP server that keeps what it receives in memory,
// for tests and for `ordergate demo`. It speaks real SMTP (emersion/go-smtp),
// so a sender is tested through the whole conversation, and it can misbehave
// on purpose: refuse recipients with a transient 451, or take a message and
// drop the connection before answering, which leaves the sender unable to
// know whether the message arrived; or hold a reply until the sender times
// out, before the message (a timeout that proves nothing was delivered) or
// after it (one that leaves the sender in doubt).
package mailbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// DefaultStall is how long a stall holds its reply when Options.Stall is
// zero.
const DefaultStall = 10 * time.Second

// Options configures a Mailbox. The zero value is a well-behaved mailbox on
// a free loopback port.
type Options struct {
	// Addr is where to listen; empty means "127.0.0.1:0", a free port.
	Addr string
	// FailRate is the share of RCPT TO commands refused with a transient
	// 451, from 0 (none) to 1 (all).
	FailRate float64
	// DropRate is the share of messages that are received and recorded in
	// full, after which the connection is dropped before the reply to the
	// final dot, from 0 to 1.
	DropRate float64
	// StallRate is the share of RCPT TO commands whose reply is held for
	// Stall, from 0 to 1: a server that hangs before the message, so the
	// sender times out knowing nothing was delivered. The recipient is
	// refused once the stall ends, should the sender still be there.
	StallRate float64
	// DataStallRate is the share of messages that are received and
	// recorded in full, after which the reply to the final dot is held for
	// Stall, from 0 to 1: a sender that times out first cannot know the
	// message arrived.
	DataStallRate float64
	// Stall is how long a stall holds its reply; default 10s. Close ends
	// every stall.
	Stall time.Duration
	// Seed seeds the choices of FailRate, DropRate, StallRate and
	// DataStallRate: the same seed and the same sequence of commands give
	// the same choices.
	Seed int64
	// Username and Password, when Username is set, make the mailbox offer
	// AUTH PLAIN (without TLS) and refuse MAIL FROM until the client has
	// authenticated with them.
	Username string
	Password string
}

// Mailbox is a running SMTP server and the messages it has received.
type Mailbox struct {
	opts   Options
	ln     net.Listener
	server *smtp.Server
	served chan error
	stop   chan struct{} // closed by Close: ends every stall
	once   sync.Once

	mu       sync.Mutex
	rng      *rand.Rand
	messages []Message
	refusals []Refusal
	arrived  chan struct{} // closed and replaced on every arrival
	open     int           // sessions not yet logged out
	changed  chan struct{} // closed and replaced when open changes
}

// Start listens on opts.Addr and serves SMTP until Close.
func Start(opts Options) (*Mailbox, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	for _, r := range []struct {
		name string
		v    float64
	}{{"fail rate", opts.FailRate}, {"drop rate", opts.DropRate}, {"stall rate", opts.StallRate}, {"data stall rate", opts.DataStallRate}} {
		if r.v < 0 || r.v > 1 {
			return nil, fmt.Errorf("mailbox: %s %v: want 0 to 1", r.name, r.v)
		}
	}
	if opts.Stall <= 0 {
		opts.Stall = DefaultStall
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("mailbox: listen on %s: %w", opts.Addr, err)
	}
	mb := &Mailbox{
		opts:    opts,
		ln:      ln,
		served:  make(chan error, 1),
		stop:    make(chan struct{}),
		rng:     rand.New(rand.NewPCG(uint64(opts.Seed), 0x6d61696c626f78)),
		arrived: make(chan struct{}),
		changed: make(chan struct{}),
	}
	s := smtp.NewServer(smtp.BackendFunc(mb.newSession))
	s.Domain = "mailbox.ordergate.test"
	s.MaxMessageBytes = 10 << 20
	s.MaxRecipients = 50
	s.ReadTimeout = time.Minute
	s.WriteTimeout = time.Minute
	s.AllowInsecureAuth = true
	s.ErrorLog = log.New(io.Discard, "", 0)
	mb.server = s
	go func() { mb.served <- s.Serve(ln) }()
	return mb, nil
}

// Addr returns the host:port the mailbox listens on.
func (mb *Mailbox) Addr() string { return mb.ln.Addr().String() }

// Close stops the server and drops every open connection. The messages
// received stay readable.
func (mb *Mailbox) Close() error {
	mb.once.Do(func() { close(mb.stop) })
	err := mb.server.Close()
	if errors.Is(err, smtp.ErrServerClosed) {
		return nil
	}
	// go-smtp learns of the listener only once Serve runs; a Close that
	// comes first would leave Serve accepting forever.
	if lerr := mb.ln.Close(); lerr != nil && !errors.Is(lerr, net.ErrClosed) && err == nil {
		err = lerr
	}
	if serr := <-mb.served; serr != nil && err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("mailbox: close: %w", err)
	}
	return nil
}

// Messages returns the messages received so far, in the order their DATA
// completed.
func (mb *Mailbox) Messages() []Message {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	return append([]Message(nil), mb.messages...)
}

// ByOrder returns the messages received so far grouped by their
// X-Ordergate-Order header ("shop1/1001"), each group in arrival order.
// Messages without the header are under "".
func (mb *Mailbox) ByOrder() map[string][]Message {
	out := make(map[string][]Message)
	for _, m := range mb.Messages() {
		out[m.Order] = append(out[m.Order], m)
	}
	return out
}

// Wait returns the messages once at least n have arrived, or the context's
// error if it ends first.
func (mb *Mailbox) Wait(ctx context.Context, n int) ([]Message, error) {
	for {
		mb.mu.Lock()
		got, arrived := len(mb.messages), mb.arrived
		mb.mu.Unlock()
		if got >= n {
			return mb.Messages(), nil
		}
		select {
		case <-arrived:
		case <-ctx.Done():
			return nil, fmt.Errorf("mailbox: wait for %d messages, have %d: %w", n, got, context.Cause(ctx))
		}
	}
}

// record keeps a message whose DATA completed and wakes the waiters.
func (mb *Mailbox) record(m Message) {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	mb.messages = append(mb.messages, m)
	close(mb.arrived)
	mb.arrived = make(chan struct{})
}

// chance reports whether an event of the given rate happens this time.
func (mb *Mailbox) chance(rate float64) bool {
	if rate <= 0 {
		return false
	}
	mb.mu.Lock()
	defer mb.mu.Unlock()
	return mb.rng.Float64() < rate
}

// sessionOpened and sessionClosed count the connections being served, for
// idle.
func (mb *Mailbox) sessionOpened() { mb.addOpen(1) }
func (mb *Mailbox) sessionClosed() { mb.addOpen(-1) }

func (mb *Mailbox) addOpen(d int) {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	mb.open += d
	close(mb.changed)
	mb.changed = make(chan struct{})
}

// idle returns once no connection is being served: everything a client
// sent before it hung up has been dealt with.
func (mb *Mailbox) idle(ctx context.Context) error {
	for {
		mb.mu.Lock()
		open, changed := mb.open, mb.changed
		mb.mu.Unlock()
		if open == 0 {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
}
