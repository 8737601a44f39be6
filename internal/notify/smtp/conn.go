package smtp

import (
	"context"
	"crypto/tls"
	"net"
	"sync"
)

// conversation holds the one connection of one Send, so that it can be
// closed when the context ends, whatever go-mail is doing at the time.
type conversation struct {
	mu     sync.Mutex
	conn   net.Conn
	closed bool
}

// dialer returns the dial function for go-mail: a plain TCP dial, wrapped
// in TLS from the first byte when implicit is set.
func (c *conversation) dialer(implicit bool, cfg *tls.Config) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		var d interface {
			DialContext(ctx context.Context, network, addr string) (net.Conn, error)
		} = &net.Dialer{}
		if implicit {
			d = &tls.Dialer{Config: cfg}
		}
		conn, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.closed {
			conn.Close()
			return nil, net.ErrClosed
		}
		c.conn = conn
		return conn, nil
	}
}

// close closes the connection, now or as soon as it is dialed.
func (c *conversation) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	if c.conn != nil {
		c.conn.Close()
	}
}
