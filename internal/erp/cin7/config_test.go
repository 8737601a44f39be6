package cin7_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/erp/cin7"
)

func TestConfig_Validate(t *testing.T) {
	t.Parallel()
	good := cin7.Config{AccountID: testAccount, ApplicationKey: testKey}
	cases := []struct {
		name string
		mod  func(*cin7.Config)
		want []string // each problem's key and words; none: valid
	}{
		{"defaults", func(*cin7.Config) {}, nil},
		{"everything set", func(c *cin7.Config) {
			c.BaseURL, c.Timeout, c.CallsPerMinute, c.Customer, c.TaxRule = "https://inventory.dearsystems.com/ExternalApi/v2/", time.Minute, 60, "Web Store", "Tax Exempt"
		}, nil},
		{"upper-case GUID", func(c *cin7.Config) { c.AccountID = strings.ToUpper(testAccount) }, nil},
		{"no account id", func(c *cin7.Config) { c.AccountID = "" }, []string{"auth.account_id: required"}},
		{"account id not a GUID", func(c *cin7.Config) { c.AccountID = "my-company" }, []string{`auth.account_id: "my-company" is not a GUID`}},
		{"account id with a space", func(c *cin7.Config) { c.AccountID = testAccount + " " }, []string{"auth.account_id: has leading or trailing white space"}},
		{"no application key", func(c *cin7.Config) { c.ApplicationKey = "" }, []string{"auth.application_key: required"}},
		{"key pasted with a newline", func(c *cin7.Config) { c.ApplicationKey = testKey + "\n" }, []string{"auth.application_key: has leading or trailing white space"}},
		{"key with a line break inside", func(c *cin7.Config) { c.ApplicationKey = "abc\ndef" }, []string{"auth.application_key: contains a line break"}},
		{"relative base url", func(c *cin7.Config) { c.BaseURL = "inventory.dearsystems.com/ExternalApi/v2" }, []string{"base_url: "}},
		{"ftp base url", func(c *cin7.Config) { c.BaseURL = "ftp://example.com" }, []string{"base_url: "}},
		{"negative timeout", func(c *cin7.Config) { c.Timeout = -time.Second }, []string{"timeout: must not be negative"}},
		{"over Cin7's limit", func(c *cin7.Config) { c.CallsPerMinute = 61 }, []string{"calls_per_minute: must be between 1 and 60"}},
		{"negative limit", func(c *cin7.Config) { c.CallsPerMinute = -1 }, []string{"calls_per_minute: "}},
		{"every problem at once", func(c *cin7.Config) { *c = cin7.Config{BaseURL: "::", Timeout: -1, CallsPerMinute: 100} },
			[]string{"base_url: ", "auth.account_id: required", "auth.application_key: required", "timeout: ", "calls_per_minute: "}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cfg := good
			c.mod(&cfg)
			err := cfg.Validate()
			if len(c.want) == 0 {
				if err != nil {
					t.Fatalf("Validate: %v, want nil", err)
				}
				if _, err := cin7.New(cfg); err != nil {
					t.Errorf("New: %v", err)
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
					t.Errorf("Validate: %q does not say %q", err, w)
				}
			}
			if strings.Contains(err.Error(), testKey) {
				t.Errorf("Validate: %q shows the key", err)
			}
			if _, nerr := cin7.New(cfg); nerr == nil {
				t.Errorf("New accepted a config Validate refuses")
			}
		})
	}
}
