package sandbox_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/erp/sandbox"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
)

func TestReads_ErrorFaultIsUnavailable(t *testing.T) {
	t.Parallel()
	b := setup(t, erpsim.Config{Faults: erpsim.Faults{ErrorRate: 1}}, 0)

	_, err := b.client.Lookup(t.Context(), "og-shop-1")
	if !errors.Is(err, erp.ErrUnavailable) {
		t.Errorf("Lookup: got %v, want ErrUnavailable", err)
	}
	_, err = b.client.Availability(t.Context(), []string{"A"})
	if !errors.Is(err, erp.ErrUnavailable) {
		t.Errorf("Availability: got %v, want ErrUnavailable", err)
	}
	if got := b.sim.Faults().Error; got != 2 {
		t.Errorf("error faults = %d, want 2", got)
	}
}

func TestUnreachableERP_SubmitIsInDoubtAndReadsAreUnavailable(t *testing.T) {
	t.Parallel()
	b := setup(t, erpsim.Config{}, 0)
	b.srv.Close()

	_, err := b.client.Submit(t.Context(), newOrder("1", line("A", 1)))
	if !errors.Is(err, erp.ErrInDoubt) {
		t.Errorf("Submit: got %v, want ErrInDoubt", err)
	}
	_, err = b.client.Lookup(t.Context(), "og-shop-1")
	if !errors.Is(err, erp.ErrUnavailable) {
		t.Errorf("Lookup: got %v, want ErrUnavailable", err)
	}
	_, err = b.client.Availability(t.Context(), []string{"A"})
	if !errors.Is(err, erp.ErrUnavailable) {
		t.Errorf("Availability: got %v, want ErrUnavailable", err)
	}
}

func TestAuth_WrongKeyIsErrAuth(t *testing.T) {
	t.Parallel()
	b := setup(t, erpsim.Config{APIKey: "right"}, 0)
	c, err := sandbox.New(sandbox.Config{BaseURL: b.srv.URL, APIKey: "wrong"})
	if err != nil {
		t.Fatal(err)
	}

	_, err = c.Submit(t.Context(), newOrder("1", line("A", 1)))
	if !errors.Is(err, erp.ErrAuth) {
		t.Errorf("Submit: got %v, want ErrAuth", err)
	}
	_, err = c.Lookup(t.Context(), "og-shop-1")
	if !errors.Is(err, erp.ErrAuth) {
		t.Errorf("Lookup: got %v, want ErrAuth", err)
	}
	if _, err := b.client.Lookup(t.Context(), "og-shop-1"); !errors.Is(err, erp.ErrNotFound) {
		t.Errorf("Lookup with the right key: got %v, want ErrNotFound", err)
	}
}

func TestAvailability_ManySKUsAreAskedInChunks(t *testing.T) {
	t.Parallel()
	b := setup(t, erpsim.Config{}, 0)
	skus := make([]string, 250)
	want := make(map[string]int, len(skus))
	for i := range skus {
		skus[i] = "SKU-" + string(rune('A'+i%26)) + string(rune('a'+i/26))
		want[skus[i]] = erpsim.DefaultStock
	}

	got, err := b.client.Availability(t.Context(), skus)
	if err != nil {
		t.Fatalf("Availability: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Availability (-want +got):\n%s", diff)
	}
	if n := b.sim.Requests().Availability; n != 3 {
		t.Errorf("availability requests = %d, want 3", n)
	}
}

func TestRecords_ServedOverHTTPMatchTheAccessors(t *testing.T) {
	t.Parallel()
	b := setup(t, erpsim.Config{Stock: map[string]int{"A": 2}}, 0)
	b.client.Submit(t.Context(), newOrder("1", line("A", 1)))
	b.client.Submit(t.Context(), newOrder("1", line("A", 1)))
	b.client.Submit(t.Context(), newOrder("2", line("A", 1)))
	b.client.Lookup(t.Context(), "og-shop-1")

	got, err := erpsim.FetchRecords(t.Context(), b.srv.Client(), b.srv.URL, "")
	if err != nil {
		t.Fatalf("FetchRecords: %v", err)
	}
	if diff := cmp.Diff(b.sim.Records(), got); diff != "" {
		t.Errorf("records over HTTP (-accessors +http):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"og-shop-1"}, got.DuplicateExternalIDs()); diff != "" {
		t.Errorf("DuplicateExternalIDs (-want +got):\n%s", diff)
	}
	want := erpsim.RequestCounts{Create: 3, Lookup: 1}
	if got.Requests != want || len(got.Orders) != 2 || len(got.Rejections) != 1 {
		t.Errorf("records = %+v; want 2 orders, 1 rejection, requests %+v", got, want)
	}
}

func TestNew_RefusesABadConfig(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		cfg  sandbox.Config
	}{
		{"NoBaseURL", sandbox.Config{}},
		{"RelativeBaseURL", sandbox.Config{BaseURL: "/erp"}},
		{"NotHTTP", sandbox.Config{BaseURL: "ftp://erp.example"}},
		{"NegativeTimeout", sandbox.Config{BaseURL: "http://erp.example", Timeout: -1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if _, err := sandbox.New(c.cfg); err == nil {
				t.Errorf("New(%+v) = nil error", c.cfg)
			}
		})
	}
}
