package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
)

// rest is the order whose IPOD2008RED line the tests' ERPs do not know.
const rest = "rest-order-get-450789469.json"

// actionReplyJSON is the shape of an action's reply, as a client reads it.
type actionReplyJSON struct {
	Order struct {
		OrderID   string           `json:"order_id"`
		State     order.State      `json:"state"`
		Attention string           `json:"attention"`
		Overdue   *bool            `json:"overdue"`
		Lines     []map[string]any `json:"lines"`
		Timeline  []order.Event    `json:"timeline"`
	} `json:"order"`
	Did string `json:"did"`
}

func decodeAction(t *testing.T, r reply) actionReplyJSON {
	t.Helper()
	var got actionReplyJSON
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatalf("reply %d %s: %v", r.status, r.body, err)
	}
	return got
}

// operatorEntries returns the details of the timeline's operator entries.
func operatorEntries(tl []order.Event) []string {
	var out []string
	for _, e := range tl {
		if e.Kind == order.EventOperator {
			out = append(out, e.Detail)
		}
	}
	return out
}

// deliver posts the testdata order file to shop1 and returns its key.
func (b *bundle) deliver(t *testing.T, file string) order.Key {
	t.Helper()
	body := readTestdata(t, file)
	if r := b.post(t, shop1, signed("orders/create", "evt-"+file, body, oldSecret), body); r.status != http.StatusOK {
		t.Fatalf("delivery of %s: %d %s", file, r.status, r.body)
	}
	return keyOf(t, shop1, body)
}

func TestAPIAction_RejectedOrderIsReplayedAndReleasedWithWhoDidIt(t *testing.T) {
	t.Parallel()
	b := setup(t, options{erp: erpsim.Config{UnknownSKUs: []string{"IPOD2008RED"}}})
	key := b.deliver(t, rest)
	if o := b.waitSettled(t, key); o.State() != order.Rejected {
		t.Fatalf("state %s, want rejected", o.State())
	}
	path := shop1 + "/" + key.ID + "/"

	// Each step in turn on the same order: what applies, and what does
	// not and says why.
	steps := []struct {
		action, actor, body string
		wantStatus          int
		wantText            string // in the reply's did or error
		wantState           order.State
	}{
		{"retry", "", "", http.StatusConflict, "cannot retry shop1/450789469: the erp rejected the order: fix the cause in the erp, then replay it", ""},
		{"cancel", "", "", http.StatusConflict, "the order is already rejected", ""},
		{"resubmit", "", "", http.StatusBadRequest, `unknown action "resubmit": want retry, release, cancel or replay`, ""},
		{"replay", "alice", `{"reason": "SKU added in the erp"}`, http.StatusOK, "sent through the erp handoff again", order.Received},
	}
	for _, s := range steps {
		r := b.postAction(t, path+s.action, adminToken, s.actor, s.body)
		if r.status != s.wantStatus {
			t.Fatalf("%s: reply %d %s, want %d", s.action, r.status, r.body, s.wantStatus)
		}
		if s.wantStatus != http.StatusOK {
			if got := r.field(t, "error"); got != s.wantText && !strings.Contains(got, s.wantText) {
				t.Errorf("%s: error %q, want it to say %q", s.action, got, s.wantText)
			}
			continue
		}
		got := decodeAction(t, r)
		if !strings.Contains(got.Did, s.wantText) || got.Order.OrderID != key.ID || got.Order.State != s.wantState || got.Order.Overdue == nil {
			t.Errorf("%s: did %q, order %s %s (overdue shown: %v); want did %q and order %s %s in the GET shape",
				s.action, got.Did, got.Order.OrderID, got.Order.State, got.Order.Overdue != nil, s.wantText, key.ID, s.wantState)
		}
		ops := operatorEntries(got.Order.Timeline)
		if len(ops) != 1 || !strings.Contains(ops[0], "replay by alice via api") || !strings.Contains(ops[0], "(reason: SKU added in the erp)") {
			t.Errorf("operator entries in the reply %q, want one naming alice via api and the reason", ops)
		}
	}

	// The ERP still does not know the SKU: the replay looked the order
	// up first, found nothing, created, and was refused again.
	o := b.waitFor(t, key, "rejected twice", func(o *order.Order) bool { return o.State() == order.Rejected && o.Attempts == 2 })
	var lookups int
	for _, e := range b.timeline(t, key) {
		if e.Kind == order.EventLookup {
			lookups++
		}
	}
	if lookups != 1 {
		t.Errorf("%d erp lookups on the timeline, want the one before the replay's create", lookups)
	}
	if o.Attention == "" {
		t.Fatal("a rejected order is not flagged for attention")
	}

	// Releasing the flag, with no actor given: the API is named.
	r := b.postAction(t, path+"release", adminToken, "", "")
	got := decodeAction(t, r)
	if r.status != http.StatusOK || got.Did != "attention cleared as handled" || got.Order.Attention != "" {
		t.Fatalf("release: %d did %q attention %q, want 200, attention cleared as handled, none left", r.status, got.Did, got.Order.Attention)
	}
	if ops := operatorEntries(got.Order.Timeline); len(ops) != 2 || !strings.HasPrefix(ops[1], "release by api via api: ") {
		t.Errorf("operator entries %q, want the replay then a release by api via api", ops)
	}
	r = b.postAction(t, path+"release", adminToken, "", "")
	if r.status != http.StatusConflict || !strings.Contains(r.field(t, "error"), "needs no attention") {
		t.Errorf("second release: %d %s, want 409 saying it needs no attention", r.status, r.body)
	}
}

func TestAPIAction_RefusedRequestsChangeNothing(t *testing.T) {
	t.Parallel()
	b := setup(t, options{erp: erpsim.Config{UnknownSKUs: []string{"IPOD2008RED"}}})
	key := b.deliver(t, rest)
	// A rejected order is flagged, so a release of it would apply: each
	// request below is refused for what it is, not for the order.
	b.waitSettled(t, key)
	release := shop1 + "/" + key.ID + "/release"
	tests := []struct {
		name, method, path, token, actor, body string
		wantStatus                             int
		wantError                              string
	}{
		{"NoTokenIs401", http.MethodPost, release, "", "", "", http.StatusUnauthorized, "bearer token"},
		{"WrongTokenIs401", http.MethodPost, release, "not-the-token", "", "", http.StatusUnauthorized, "bearer token"},
		{"ActorOver64CharactersIs400", http.MethodPost, release, adminToken, strings.Repeat("a", 65), "", http.StatusBadRequest, HeaderActor},
		{"ActorWithATabIs400", http.MethodPost, release, adminToken, "ali\tce", "", http.StatusBadRequest, "printable"},
		{"MalformedBodyIs400", http.MethodPost, release, adminToken, "", `{"reason":`, http.StatusBadRequest, `want {"reason": "..."}`},
		{"UnknownFieldIs400", http.MethodPost, release, adminToken, "", `{"reson": "typo"}`, http.StatusBadRequest, "reson"},
		{"TwoObjectsIs400", http.MethodPost, release, adminToken, "", `{"reason": "a"} {"reason": "b"}`, http.StatusBadRequest, "more after"},
		{"ReasonOfManyLinesIs400", http.MethodPost, release, adminToken, "", `{"reason": "a\nb"}`, http.StatusBadRequest, "one line"},
		{"ReasonTooLongIs400", http.MethodPost, release, adminToken, "", `{"reason": "` + strings.Repeat("x", 501) + `"}`, http.StatusBadRequest, "at most 500"},
		{"BodyOverTheLimitIs413", http.MethodPost, release, adminToken, "", `{"reason": "` + strings.Repeat("x", maxBody) + `"}`, http.StatusRequestEntityTooLarge, ""},
		{"UnknownActionIs400", http.MethodPost, shop1 + "/" + key.ID + "/delete", adminToken, "", "", http.StatusBadRequest, "want retry, release, cancel or replay"},
		{"NoSuchOrderIs404", http.MethodPost, shop1 + "/1/release", adminToken, "", "", http.StatusNotFound, "no order shop1/1"},
		{"UnknownStorefrontIs404", http.MethodPost, "nope/" + key.ID + "/release", adminToken, "", "", http.StatusNotFound, "no order nope/" + key.ID},
		{"GetIs405", http.MethodGet, release, adminToken, "", "", http.StatusMethodNotAllowed, ""},
	}
	// The group returns when its parallel subtests are done.
	t.Run("Refused", func(t *testing.T) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				var r reply
				if tt.method == http.MethodGet {
					r = b.get(t, "/api/v1/orders/"+tt.path, tt.token)
				} else {
					r = b.postAction(t, tt.path, tt.token, tt.actor, tt.body)
				}
				if r.status != tt.wantStatus {
					t.Fatalf("reply %d %s, want %d", r.status, r.body, tt.wantStatus)
				}
				if tt.wantError != "" && !strings.Contains(r.field(t, "error"), tt.wantError) {
					t.Errorf("error %q, want it to say %q", r.field(t, "error"), tt.wantError)
				}
			})
		}
	})
	o, err := b.store.Get(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	if o.Attention == "" {
		t.Error("the order's attention flag was cleared by a refused request")
	}
	if ops := operatorEntries(b.timeline(t, key)); len(ops) != 0 {
		t.Errorf("operator entries %q after refused requests, want none", ops)
	}
	// And the release itself applies.
	if r := b.postAction(t, release, adminToken, "", ""); r.status != http.StatusOK {
		t.Errorf("the release refused above, asked properly: %d %s, want 200", r.status, r.body)
	}
}

func TestAPIAction_CancelOfASubmittedOrderCancelsItInTheERP(t *testing.T) {
	t.Parallel()
	b := setup(t, options{erp: erpsim.Config{AckDelay: time.Hour}, ackPoll: time.Hour})
	o := submitted(t, b)

	r := b.postAction(t, shop1+"/"+o.Key.ID+"/cancel", adminToken, "  bob  ", `{"reason": "customer called"}`)

	got := decodeAction(t, r)
	if r.status != http.StatusOK || got.Did != "cancelled; erp cancel queued" || got.Order.State != order.Cancelled {
		t.Fatalf("cancel: %d did %q state %s, want 200, cancelled; erp cancel queued, cancelled\n%s", r.status, got.Did, got.Order.State, r.body)
	}
	if ops := operatorEntries(got.Order.Timeline); len(ops) != 1 || !strings.HasPrefix(ops[0], "cancel by bob via api: ") {
		t.Errorf("operator entries %q, want one cancel by bob via api (the header trimmed)", ops)
	}
	b.waitFor(t, o.Key, "cancelled in the erp", func(*order.Order) bool {
		recs := b.sim.Orders()
		return len(recs) == 1 && recs[0].Cancelled()
	})
	if reason := b.sim.Orders()[0].CancelReason; reason != "customer called" {
		t.Errorf("erp cancel reason %q, want the operator's", reason)
	}
	if n := len(b.mail.ByOrder()[o.Key.String()]); n != 0 {
		t.Errorf("%d messages for a cancelled order, want none", n)
	}
}

// An order the ERP accepted without one line is held under the reject
// policy; the API shows the short line, and release confirms it as it
// stands.
func TestAPIAction_ReleaseConfirmsAnOrderHeldForAShortLine(t *testing.T) {
	t.Parallel()
	b := setup(t, options{erp: erpsim.Config{UnknownSKUs: []string{"IPOD2008RED"}, PartialUnknown: true}})
	key := b.deliver(t, rest)
	b.waitFor(t, key, "held", func(o *order.Order) bool { return o.State() == order.Acknowledged && o.Attention != "" })

	r := b.get(t, "/api/v1/orders/"+shop1+"/"+key.ID, adminToken)
	var shown struct {
		Attention string `json:"attention"`
		Lines     []struct {
			SKU       string  `json:"sku"`
			Validated *int    `json:"validated"`
			Short     *string `json:"short"`
		} `json:"lines"`
	}
	if err := json.Unmarshal(r.body, &shown); err != nil {
		t.Fatalf("reply %d %s: %v", r.status, r.body, err)
	}
	shorts := map[string]string{}
	for _, l := range shown.Lines {
		if l.Short != nil {
			shorts[l.SKU] = *l.Short
		}
	}
	if len(shorts) != 1 || shorts["IPOD2008RED"] != order.ShortUnknownSKU || !strings.Contains(shown.Attention, "IPOD2008RED: unknown to the erp") {
		t.Errorf("short lines %v, attention %q; want IPOD2008RED short as unknown_sku and named in the attention", shorts, shown.Attention)
	}

	r = b.postAction(t, shop1+"/"+key.ID+"/release", adminToken, "carol", "")
	if got := decodeAction(t, r); r.status != http.StatusOK || got.Did != "confirmation with the short lines queued" {
		t.Fatalf("release: %d %s, want 200 confirmation with the short lines queued", r.status, r.body)
	}
	if o := b.waitSettled(t, key); o.State() != order.Confirmed {
		t.Errorf("after release: %s, want confirmed", o.State())
	}
}
