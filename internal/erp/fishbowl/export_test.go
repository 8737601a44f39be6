package fishbowl

import "time"

// Stopper is a timer the idle logout can stop.
type Stopper = stopper

// SetAfterFunc replaces the timer the idle logout arms (time.AfterFunc),
// so that a test fires it by hand.
func SetAfterFunc(c *Client, f func(time.Duration, func()) Stopper) { c.afterFunc = f }
