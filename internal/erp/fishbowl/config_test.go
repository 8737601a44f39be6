package fishbowl_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/erp/fishbowl"
)

func validConfig() fishbowl.Config {
	return fishbowl.Config{
		BaseURL:  "https://fishbowl.example.com:2456",
		Username: "ordergate-api", Password: "pw",
		AppName: "ordergate", AppID: "4711",
	}
}

func TestConfig_ValidateNamesEachBadKey(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		adjust func(*fishbowl.Config)
		want   []string // each a line of the error; none: valid
	}{
		{"Valid", func(*fishbowl.Config) {}, nil},
		{"Empty", func(c *fishbowl.Config) { *c = fishbowl.Config{} }, []string{
			"base_url: required", "auth.username: required", "auth.password: required",
			"auth.app_name: required", "auth.app_id: required"}},
		{"RelativeURL", func(c *fishbowl.Config) { c.BaseURL = "fishbowl:2456" }, []string{`base_url: "fishbowl:2456" is not an absolute http or https url`}},
		{"AppIDNotANumber", func(c *fishbowl.Config) { c.AppID = "ordergate" }, []string{`auth.app_id: "ordergate" is not an integer`}},
		{"AppIDTooLarge", func(c *fishbowl.Config) { c.AppID = "99999999999" }, []string{"auth.app_id: 99999999999 is out of range 1 to 2147483647"}},
		{"AppIDZero", func(c *fishbowl.Config) { c.AppID = "0" }, []string{"auth.app_id: 0 is out of range"}},
		{"CustomerNameTooLong", func(c *fishbowl.Config) { c.CustomerName = strings.Repeat("x", 41) }, []string{"customer_name: 41 characters, Fishbowl allows 40"}},
		{"NegativeDurations", func(c *fishbowl.Config) { c.Timeout, c.IdleLogout = -time.Second, -time.Second }, []string{
			"idle_logout: must not be negative", "timeout: must not be negative"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cfg := validConfig()
			c.adjust(&cfg)
			err := cfg.Validate()
			if len(c.want) == 0 {
				if err != nil {
					t.Fatalf("Validate: %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate: nil, want %q", c.want)
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(c.want) {
				t.Errorf("Validate: %d problems %q, want %d", len(lines), lines, len(c.want))
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate: %q lacks %q", err, w)
				}
			}
			if _, nerr := fishbowl.New(cfg); nerr == nil {
				t.Errorf("New accepted a config Validate refuses")
			}
		})
	}
}
