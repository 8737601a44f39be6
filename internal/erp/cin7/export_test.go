package cin7

import (
	"context"
	"time"
)

// SetSleep replaces how the client waits for its rate limiter, so that a
// test can run the limiter on a fake clock.
func (c *Client) SetSleep(f func(ctx context.Context, d time.Duration) error) { c.sleep = f }
