package woocommerce_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/storefront"
	"github.com/ordergate/ordergate/internal/storefront/woocommerce"
)

func TestConfigValidate_NamesEachKey(t *testing.T) {
	t.Parallel()
	good := woocommerce.Config{Storefront: "woo1", BaseURL: "https://shop.example", ConsumerKey: testKey, ConsumerSecret: testSecret}
	if err := good.Validate(); err != nil {
		t.Fatalf("a good config: %v", err)
	}
	tests := []struct {
		name string
		edit func(*woocommerce.Config)
		want string
	}{
		{"no name", func(c *woocommerce.Config) { c.Storefront = "" }, "name: required"},
		{"no base url", func(c *woocommerce.Config) { c.BaseURL = "" }, "base_url: required"},
		{"relative base url", func(c *woocommerce.Config) { c.BaseURL = "shop.example" }, "base_url:"},
		{"ftp", func(c *woocommerce.Config) { c.BaseURL = "ftp://shop.example" }, "base_url:"},
		{"plain http", func(c *woocommerce.Config) { c.BaseURL = "http://shop.example" }, "base_url: \"http://shop.example\" is plain http"},
		{"credentials in url", func(c *woocommerce.Config) { c.BaseURL = "https://ck:cs@shop.example" }, "base_url: must not carry credentials"},
		{"query in url", func(c *woocommerce.Config) { c.BaseURL = "https://shop.example/?rest_route=/" }, "base_url:"},
		{"no key", func(c *woocommerce.Config) { c.ConsumerKey = "" }, "auth.consumer_key: required"},
		{"no secret", func(c *woocommerce.Config) { c.ConsumerSecret = "" }, "auth.consumer_secret: required"},
		{"swapped", func(c *woocommerce.Config) { c.ConsumerKey, c.ConsumerSecret = testSecret, testKey }, "auth.consumer_key: starts with cs_"},
		{"key with space", func(c *woocommerce.Config) { c.ConsumerKey = testKey + " " }, "auth.consumer_key: has leading or trailing white space"},
		{"secret with newline", func(c *woocommerce.Config) { c.ConsumerSecret = "cs_a\nb" }, "auth.consumer_secret: contains a line break"},
		{"negative timeout", func(c *woocommerce.Config) { c.Timeout = -time.Second }, "timeout: must not be negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := good
			tc.edit(&c)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate = %v, want it to contain %q", err, tc.want)
			}
			if _, err := woocommerce.NewClient(c); err == nil {
				t.Error("NewClient accepted the config")
			}
		})
	}
}

// Plain http is refused with the reason, except for a loopback host.
func TestConfigValidate_PlainHTTPOnlyOnLoopback(t *testing.T) {
	t.Parallel()
	for base, ok := range map[string]bool{
		"http://localhost:8080":      true,
		"http://127.0.0.1:8080/shop": true,
		"http://[::1]:8080":          true,
		"http://127.0.0.2":           true,
		"http://shop.example":        false,
		"http://10.0.0.5":            false,
		"http://localhost.evil.test": false,
		"https://shop.example/shop/": true,
	} {
		c := woocommerce.Config{Storefront: "woo1", BaseURL: base, ConsumerKey: testKey, ConsumerSecret: testSecret}
		err := c.Validate()
		if (err == nil) != ok {
			t.Errorf("%s: Validate = %v, want ok %v", base, err, ok)
		}
		if err != nil && !strings.Contains(err.Error(), "OAuth 1.0a") {
			t.Errorf("%s: %v does not say why", base, err)
		}
	}
}

func TestGetOrder_ReadsOneOrder(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.shop.Put(documentedOrder(t))
	got, err := b.client.GetOrder(t.Context(), "727")
	if err != nil {
		t.Fatal(err)
	}
	want, err := woocommerce.DecodeOrder("woo1", readTestdata(t, "rest-v3-order-retrieve-727.json"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := orderDiff(want, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	if p := b.shop.Requests()[0].Path; p != "/wp-json/wc/v3/orders/727" {
		t.Errorf("path %s", p)
	}
}

func TestGetOrder_UnknownOrDeletedIsErrNotFound(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.shop.Put(documentedOrder(t))
	b.shop.Delete(727)
	_, err := b.client.GetOrder(t.Context(), "727")
	if !errors.Is(err, woocommerce.ErrNotFound) || !strings.Contains(err.Error(), "Invalid ID.") {
		t.Errorf("GetOrder = %v, want ErrNotFound", err)
	}
}

func TestGetSnapshot_TrashedOrderHasStatusTrash(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := documentedOrder(t)
	o.Status = "trash"
	b.shop.Put(o)
	s, err := b.client.GetSnapshot(t.Context(), "727")
	if err != nil {
		t.Fatal(err)
	}
	if s.Status != "trash" || s.Delivery().Topic != storefront.OrderCancelled {
		t.Errorf("status %q, topic %s", s.Status, s.Delivery().Topic)
	}
	// The list leaves the trash out, as status=any does.
	if ids := listIDs(t, b, time.Time{}); len(ids) != 0 {
		t.Errorf("listed %v", ids)
	}
}

func TestGetOrder_RefusesAnIDThatIsNotAPositiveInteger(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, id := range []string{"", "0", "-1", "07", "7a", "../customers", "7/notes", "1e3"} {
		if _, err := b.client.GetOrder(t.Context(), id); err == nil {
			t.Errorf("GetOrder(%q) = nil error", id)
		}
	}
	if n := len(b.shop.Requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

func TestClient_RetriesAfterWhatRetryAfterSays(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		before func(b bundle)
		waits  []time.Duration
	}{
		{"429 with seconds", func(b bundle) { b.shop.Throttle(http.StatusTooManyRequests, "7") }, []time.Duration{7 * time.Second}},
		{"maintenance mode", func(b bundle) { b.shop.Maintenance() }, []time.Duration{10 * time.Minute}},
		{"429 with a date", func(b bundle) {
			b.shop.Throttle(http.StatusTooManyRequests, b.clock.Now().Add(30*time.Second).Format(http.TimeFormat))
		}, []time.Duration{30 * time.Second}},
		{"503 without retry-after backs off", func(b bundle) {
			b.shop.Throttle(http.StatusServiceUnavailable, "")
			b.shop.Throttle(http.StatusServiceUnavailable, "")
			b.shop.Throttle(http.StatusTooManyRequests, "junk")
		}, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			b.shop.Put(documentedOrder(t))
			tc.before(b)
			if _, err := b.client.GetOrder(t.Context(), "727"); err != nil {
				t.Fatalf("GetOrder: %v", err)
			}
			if diff := cmp.Diff(tc.waits, b.clock.Waits()); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
			if n := len(b.shop.Requests()); n != len(tc.waits)+1 {
				t.Errorf("%d requests", n)
			}
		})
	}
}

func TestClient_GivesUpThrottled(t *testing.T) {
	t.Parallel()
	t.Run("after five attempts", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		for range 5 {
			b.shop.Throttle(http.StatusTooManyRequests, "2")
		}
		err := b.client.ListModifiedSince(t.Context(), time.Time{}, func(order.Order) error { return nil })
		if !errors.Is(err, woocommerce.ErrThrottled) || !strings.Contains(err.Error(), "429") {
			t.Errorf("ListModifiedSince = %v, want ErrThrottled", err)
		}
		if diff := cmp.Diff([]time.Duration{2 * time.Second, 2 * time.Second, 2 * time.Second, 2 * time.Second}, b.clock.Waits()); diff != "" {
			t.Errorf("waits (-want +got):\n%s", diff)
		}
	})
	t.Run("at once when retry-after is past the deadline", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.shop.Throttle(http.StatusTooManyRequests, "60")
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		_, err := b.client.GetOrder(ctx, "727")
		if !errors.Is(err, woocommerce.ErrThrottled) || !strings.Contains(err.Error(), "deadline") || len(b.clock.Waits()) != 0 {
			t.Errorf("GetOrder = %v after waits %v", err, b.clock.Waits())
		}
	})
	t.Run("at once when retry-after is an hour", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.shop.Throttle(http.StatusServiceUnavailable, "3600")
		_, err := b.client.GetOrder(t.Context(), "727")
		if !errors.Is(err, woocommerce.ErrThrottled) || !strings.Contains(err.Error(), "1h0m0s") || len(b.clock.Waits()) != 0 {
			t.Errorf("GetOrder = %v after waits %v", err, b.clock.Waits())
		}
	})
}

func TestClient_RefusedKeyIsErrAuthSayingWhatToCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		mod   func(*options)
		words string // WooCommerce's own words, passed on
	}{
		{"wrong secret", func(o *options) { o.client.ConsumerSecret = "cs_wrong" }, "Consumer secret is invalid."},
		{"unknown key", func(o *options) { o.client.ConsumerKey = "ck_unknown" }, "Sorry, you cannot list resources."},
		{"write-only key", func(o *options) { o.shop.Permissions = "write" }, "does not have read permissions"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, tc.mod)
			err := b.client.ListModifiedSince(t.Context(), time.Time{}, func(order.Order) error { return nil })
			if !errors.Is(err, woocommerce.ErrAuth) {
				t.Fatalf("ListModifiedSince = %v, want ErrAuth", err)
			}
			for _, want := range []string{tc.words, "auth.consumer_key", "auth.consumer_secret", "Read"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("%v does not say %q", err, want)
				}
			}
			if len(b.clock.Waits()) != 0 || len(b.shop.Requests()) != 1 {
				t.Errorf("retried a 401: %d requests", len(b.shop.Requests()))
			}
		})
	}
}

// Over plain http (allowed on loopback) WooCommerce does not look at Basic
// auth at all: the 401 says so.
func TestClient_PlainHTTPLoopback401SaysHTTPSIsNeeded(t *testing.T) {
	t.Parallel()
	b := setup(t, func(o *options) { o.plain = true })
	_, err := b.client.GetOrder(t.Context(), "727")
	if !errors.Is(err, woocommerce.ErrAuth) || !strings.Contains(err.Error(), "base_url must be https") {
		t.Errorf("GetOrder = %v", err)
	}
	if r := b.shop.Requests()[0]; r.TLS || r.Key != testKey {
		t.Errorf("request %+v", r)
	}
}

// The key is not sent after a redirect: the error says which address to
// configure.
func TestClient_RefusesRedirects(t *testing.T) {
	t.Parallel()
	var followed atomic.Bool
	b := setup(t, func(o *options) {
		o.wrap = func(h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasPrefix(r.URL.Path, "/www/") {
					followed.Store(true)
				}
				http.Redirect(w, r, "/www"+r.URL.Path, http.StatusMovedPermanently)
			})
		}
	})
	_, err := b.client.GetOrder(t.Context(), "727")
	if err == nil || !strings.Contains(err.Error(), "base_url redirects to /www/wp-json/wc/v3/orders/727") || followed.Load() {
		t.Errorf("GetOrder = %v, followed %v", err, followed.Load())
	}
}

func TestClient_NoRouteNamesBaseURL(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c, err := woocommerce.NewClient(woocommerce.Config{Storefront: "woo1", BaseURL: b.srv.URL + "/blog", ConsumerKey: testKey, ConsumerSecret: testSecret, HTTPClient: b.srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetOrder(t.Context(), "727")
	if err == nil || !strings.Contains(err.Error(), "rest_no_route") || !strings.Contains(err.Error(), "check base_url") || errors.Is(err, woocommerce.ErrNotFound) {
		t.Errorf("GetOrder = %v", err)
	}
}

func TestClient_ReplyThatIsNotAnOrderListIsMalformed(t *testing.T) {
	t.Parallel()
	b := setup(t, func(o *options) {
		o.wrap = func(http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-WP-TotalPages", "1")
				fmt.Fprint(w, "<html>cached page</html>")
			})
		}
	})
	err := b.client.ListModifiedSince(t.Context(), time.Time{}, func(order.Order) error { return nil })
	if !errors.Is(err, woocommerce.ErrMalformed) || !strings.Contains(err.Error(), "cached page") {
		t.Errorf("ListModifiedSince = %v", err)
	}
}
