package walmart

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults of Config.
const (
	DefaultBaseURL     = "https://marketplace.walmartapis.com"
	DefaultServiceName = "Walmart Marketplace"
	DefaultTimeout     = 30 * time.Second
	// DefaultRequestsPerSecond and DefaultBurst are ours, not Walmart's:
	// see the package doc.
	DefaultRequestsPerSecond = 1
	DefaultBurst             = 5
)

// Config says how to reach one Walmart seller account. The zero value of
// every optional field means its documented default.
type Config struct {
	// BaseURL is the API root; empty means DefaultBaseURL (the sandbox is
	// https://sandbox.walmartapis.com).
	BaseURL string
	// ClientID and ClientSecret are the seller's API keys. Required.
	ClientID     string
	ClientSecret string
	// ServiceName is sent as WM_SVC.NAME; empty means DefaultServiceName.
	ServiceName string
	// ChannelType, if set, is sent as WM_CONSUMER.CHANNEL.TYPE (solution
	// providers have one).
	ChannelType string
	// RequestsPerSecond and Burst pace the inventory calls; 0 means
	// DefaultRequestsPerSecond and DefaultBurst.
	RequestsPerSecond float64
	Burst             int
	// Timeout bounds each call, token included; 0 means DefaultTimeout.
	Timeout time.Duration
	// HTTPClient makes the requests; nil means a client of our own.
	HTTPClient *http.Client
	// Now is the clock of token expiry and Retry-After dates; nil means
	// time.Now.
	Now func() time.Time
}

// Validate checks the configuration's shape without calling Walmart. Each
// problem names its YAML key; no problem quotes a secret.
func (c Config) Validate() error {
	var errs []error
	if c.BaseURL != "" {
		if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("base_url: %q is not an absolute http or https url", c.BaseURL))
		}
	}
	for _, f := range []struct{ key, v string }{{"auth.client_id", c.ClientID}, {"auth.client_secret", c.ClientSecret}} {
		switch {
		case f.v == "":
			errs = append(errs, fmt.Errorf("%s: required (Seller Center › Settings › API Key Management)", f.key))
		case strings.TrimSpace(f.v) != f.v || strings.ContainsAny(f.v, "\r\n"):
			errs = append(errs, fmt.Errorf("%s: has white space or a line break at an end", f.key))
		}
	}
	if strings.ContainsAny(c.ServiceName+c.ChannelType, "\r\n") {
		errs = append(errs, errors.New("service_name, channel_type: contain a line break"))
	}
	if c.RequestsPerSecond < 0 || c.Burst < 0 {
		errs = append(errs, errors.New("requests_per_second, burst: must not be negative"))
	}
	if c.Timeout < 0 {
		errs = append(errs, fmt.Errorf("timeout: must not be negative, got %s", c.Timeout))
	}
	return errors.Join(errs...)
}
