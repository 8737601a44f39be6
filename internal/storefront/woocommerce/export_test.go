package woocommerce

import (
	"context"
	"time"
)

// SetSleep replaces how the client waits out Retry-After, so that a test
// can record the waits without taking them.
func (c *Client) SetSleep(f func(ctx context.Context, d time.Duration) error) { c.sleep = f }

// SpecialcharsDecode exposes wp_specialchars_decode's port for its table
// test.
func SpecialcharsDecode(s string) string { return string(specialcharsDecode([]byte(s))) }
