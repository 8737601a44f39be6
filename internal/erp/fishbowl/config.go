package fishbowl

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Defaults for the zero values of Config.
const (
	// DefaultTimeout bounds each request when Config.Timeout is zero.
	DefaultTimeout = 30 * time.Second
	// DefaultIdleLogout is how long a session may sit unused before the
	// client logs it out, giving its licence seat back.
	DefaultIdleLogout = 60 * time.Second
	// DefaultAppDescription is what Fishbowl's administrator sees next to
	// the app name when asked to approve it.
	DefaultAppDescription = "ordergate: hands storefront orders to Fishbowl as sales orders"
)

// maxCustomerName is the length of Fishbowl's CustomerName import column.
const maxCustomerName = 40

// Config says where the Fishbowl server is and how to log in to it.
//
// The YAML keys the lead maps these to are named in Validate's messages.
type Config struct {
	// BaseURL is the root of the self-hosted Fishbowl server's REST API,
	// e.g. https://fishbowl.example.com:2456 (the API's usual port).
	// Required.
	BaseURL string
	// Username and Password are a Fishbowl user's. Use a user made for the
	// integration: one without MFA (an unattended client cannot answer a
	// TOTP prompt) and with access to the Sales Order and Part modules.
	Username string
	Password string
	// AppName, AppDescription and AppID register ordergate as an
	// "integrated app" in Fishbowl, which an administrator must approve
	// once. AppID is an integer kept as a string; Fishbowl recommends at
	// least four digits. AppDescription defaults to DefaultAppDescription.
	AppName        string
	AppDescription string
	AppID          string
	// CustomerName, if set, is the Fishbowl customer every order is filed
	// under, the buyer's name going to the bill-to and ship-to names. If
	// empty, each buyer becomes a Fishbowl customer of their own, which
	// Fishbowl creates on first sight.
	CustomerName string
	// IdleLogout is how long an unused session is kept before logging out;
	// 0 means DefaultIdleLogout. Each session holds a licence seat.
	IdleLogout time.Duration
	// Timeout bounds each request; 0 means DefaultTimeout.
	Timeout time.Duration
	// HTTPClient makes the requests; nil means a client with Timeout.
	HTTPClient *http.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Validate checks the shape of the configuration without calling Fishbowl.
// Each problem names the YAML key it is about.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.BaseURL == "" {
		bad("base_url: required")
	} else if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("base_url: %q is not an absolute http or https url", c.BaseURL)
	}
	if c.Username == "" {
		bad("auth.username: required")
	}
	if c.Password == "" {
		bad("auth.password: required")
	}
	if strings.TrimSpace(c.AppName) == "" {
		bad("auth.app_name: required (Fishbowl shows it to the administrator who approves the app)")
	}
	if c.AppID == "" {
		bad("auth.app_id: required")
	} else if _, err := parseAppID(c.AppID); err != nil {
		bad("auth.app_id: %v", err)
	}
	if n := utf8.RuneCountInString(c.CustomerName); n > maxCustomerName {
		bad("customer_name: %d characters, Fishbowl allows %d", n, maxCustomerName)
	}
	if c.IdleLogout < 0 {
		bad("idle_logout: must not be negative, got %s", c.IdleLogout)
	}
	if c.Timeout < 0 {
		bad("timeout: must not be negative, got %s", c.Timeout)
	}
	return errors.Join(errs...)
}

// parseAppID reads Fishbowl's appId, a Java int in Fishbowl.
func parseAppID(s string) (int, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not an integer", s)
	}
	if n < 1 || n > math.MaxInt32 {
		return 0, fmt.Errorf("%d is out of range 1 to %d", n, math.MaxInt32)
	}
	return int(n), nil
}
