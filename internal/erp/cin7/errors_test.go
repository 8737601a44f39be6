package cin7_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/erp/cin7"
)

// canned serves one reply to every request for path, and an empty sale
// list to the rest, so that Submit reaches POST /sale.
func canned(t *testing.T, path string, status int, body string) *cin7.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.EqualFold(r.URL.Path, "/ExternalApi/v2"+path) {
			w.Write([]byte(`{"Total":0,"Page":1,"SaleList":[]}`))
			return
		}
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	c, err := cin7.New(cin7.Config{BaseURL: srv.URL + "/ExternalApi/v2", AccountID: testAccount, ApplicationKey: testKey,
		Timeout: 2 * time.Second, HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Every documented status and error body maps to the kind the gate acts
// on, keeping Cin7's code and words.
func TestErrors_BodiesMapToKinds(t *testing.T) {
	t.Parallel()
	type op struct {
		name string
		path string
		run  func(context.Context, *cin7.Client) error
	}
	submit := op{"Submit", "/sale", func(ctx context.Context, c *cin7.Client) error {
		_, err := c.Submit(ctx, testOrder("1", "A", 1))
		return err
	}}
	read := op{"Availability", "/ref/productavailability", func(ctx context.Context, c *cin7.Client) error {
		_, err := c.Availability(ctx, []string{"A"})
		return err
	}}
	cases := []struct {
		name   string
		op     op
		status int
		body   string
		kind   error // nil: a plain error, no *erp.Error
		code   string
		words  []string
	}{
		{"403 array", read, 403, `[{"ErrorCode":403,"Exception":"Incorrect credentials"}]`, erp.ErrAuth, "403",
			[]string{"Incorrect credentials", "auth.account_id", "auth.application_key"}},
		{"401 no body", submit, 401, ``, erp.ErrAuth, "", []string{"http 401", "no error text"}},
		{"503 rate limit", submit, 503, `[{"ErrorCode":503,"Exception":"You reached 60 calls per minute API limit"}]`, erp.ErrThrottled, "503",
			[]string{"You reached 60 calls per minute API limit"}},
		{"429 object", read, 429, `{"ErrorCode":429,"Exception":"Too many requests"}`, erp.ErrThrottled, "429", []string{"Too many requests"}},
		{"500 on a create is in doubt", submit, 500, `{"ErrorCode":500,"Exception":"Unexpected error"}`, erp.ErrInDoubt, "500", []string{"Unexpected error"}},
		{"500 on a read is unavailable", read, 500, `[{"ErrorCode":500,"Exception":"Unexpected error"}]`, erp.ErrUnavailable, "500", []string{"Unexpected error"}},
		{"502 html on a create", submit, 502, "<html>\n<body>Bad gateway</body></html>", erp.ErrInDoubt, "", []string{"http 502", "<html>"}},
		{"504 on a read", read, 504, ``, erp.ErrUnavailable, "", []string{"http 504"}},
		{"two errors in one body", read, 500, `[{"ErrorCode":500,"Exception":"one"},{"ErrorCode":500,"Exception":"two"}]`, erp.ErrUnavailable, "500", []string{"one; two"}},
		{"400 on a create is no rejection", submit, 400, `{"ErrorCode":400,"Exception":"Customer 'Ada Buyer' not found"}`, nil, "",
			[]string{"http 400, code 400", "Customer 'Ada Buyer' not found"}},
		{"404 names base_url", read, 404, `<html>Not found</html>`, nil, "", []string{"http 404", "base_url"}},
		{"405", submit, 405, `[{"ErrorCode":405,"Exception":"The method is not allowed"}]`, nil, "", []string{"405", "The method is not allowed"}},
		{"200 not json on a read", read, 200, `<html>maintenance</html>`, erp.ErrUnavailable, "", []string{"decode reply"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			err := c.op.run(t.Context(), canned(t, c.op.path, c.status, c.body))
			if err == nil {
				t.Fatalf("%s: no error", c.op.name)
			}
			var e *erp.Error
			isERP := errors.As(err, &e)
			if c.kind == nil {
				if isERP {
					t.Fatalf("%s: %v is an *erp.Error of kind %v, want a plain error", c.op.name, err, e.Kind)
				}
			} else {
				if !isERP || !errors.Is(err, c.kind) {
					t.Fatalf("%s: %v, want an *erp.Error that is %q", c.op.name, err, c.kind)
				}
				if e.Code != c.code {
					t.Errorf("%s: code = %q, want %q", c.op.name, e.Code, c.code)
				}
			}
			for _, w := range c.words {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%s: error %q does not contain %q", c.op.name, err, w)
				}
			}
			if strings.Contains(err.Error(), testKey) {
				t.Errorf("%s: error %q shows the application key", c.op.name, err)
			}
		})
	}
}
