package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"github.com/ordergate/ordergate/internal/gate"
	"github.com/ordergate/ordergate/internal/order"
)

// HeaderActor names who asks for an operator action through the API; the
// order's timeline shows it.
const HeaderActor = "X-Ordergate-Actor"

// The limits on what an action request may say.
const (
	maxActorRunes  = 64
	maxReasonRunes = 500
	defaultActor   = "api"
)

// actionRequest is the optional body of an action.
type actionRequest struct {
	Reason string `json:"reason"`
}

// actionReply is what an action answers: the order as it now stands, in
// the shape GET /api/v1/orders/{storefront}/{order_id} gives, and what was
// done, in words.
type actionReply struct {
	Order orderJSON `json:"order"`
	Did   string    `json:"did"`
}

// act applies an operator's recovery action to one order:
// POST /api/v1/orders/{storefront}/{order_id}/{retry|release|cancel|replay}.
func (s *Server) act(w http.ResponseWriter, r *http.Request) {
	key := order.Key{Storefront: chi.URLParam(r, "storefront"), ID: chi.URLParam(r, "order_id")}
	action, ok := parseAction(chi.URLParam(r, "action"))
	if !ok {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("unknown action %q: want retry, release, cancel or replay", chi.URLParam(r, "action")))
		return
	}
	who, err := actor(r.Header.Get(HeaderActor))
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	req, err := s.readActionRequest(w, r)
	if err != nil {
		code := statusOf(err)
		if code >= 500 {
			code = http.StatusBadRequest
		}
		writeError(w, code, err.Error())
		return
	}
	o, did, err := s.gate.Act(r.Context(), key, action, who, req.Reason)
	if err != nil {
		switch code := statusOf(err); code {
		case http.StatusNotFound:
			writeError(w, code, "no order "+key.String())
		case http.StatusConflict:
			writeError(w, code, fmt.Sprintf("cannot %s %s: %s", action, key, reasonOf(err)))
		default:
			s.log.Error("operator action not applied", "order", key.String(), "action", action, "by", who.String(), "err", err)
			writeUnavailable(w, fmt.Sprintf("%s of %s not applied; try again", action, key))
		}
		return
	}
	// The action is committed: a failure to read the timeline now must not
	// turn it into an error that invites the caller to do it again.
	tl, err := s.store.Timeline(r.Context(), key)
	if err != nil {
		s.log.Error("get timeline after an action", "order", key.String(), "action", action, "err", err)
	}
	if tl == nil {
		tl = []order.Event{}
	}
	writeJSON(w, http.StatusOK, actionReply{Order: s.toJSON(o, tl), Did: did})
}

func parseAction(s string) (gate.Action, bool) {
	for _, a := range gate.Actions {
		if string(a) == s {
			return a, true
		}
	}
	return "", false
}

// actor reads the X-Ordergate-Actor header: trimmed, at most 64 printable
// characters, "api" when absent.
func actor(h string) (gate.Actor, error) {
	name := strings.TrimSpace(h)
	if name == "" {
		name = defaultActor
	}
	if !utf8.ValidString(name) || utf8.RuneCountInString(name) > maxActorRunes || strings.IndexFunc(name, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return gate.Actor{}, fmt.Errorf("%s: want at most %d printable characters naming who acts, e.g. a user name", HeaderActor, maxActorRunes)
	}
	return gate.Actor{Name: name, Via: "api"}, nil
}

// readActionRequest reads the optional JSON body {"reason": "..."}.
func (s *Server) readActionRequest(w http.ResponseWriter, r *http.Request) (actionRequest, error) {
	var req actionRequest
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.maxBody))
	if err != nil {
		return req, err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return req, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return req, fmt.Errorf("malformed body: %v; want {\"reason\": \"...\"} or nothing", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return req, errors.New(`malformed body: more after the JSON object; want {"reason": "..."} or nothing`)
	}
	req.Reason = strings.TrimSpace(req.Reason)
	if n := utf8.RuneCountInString(req.Reason); n > maxReasonRunes {
		return req, fmt.Errorf("reason: %d characters, want at most %d", n, maxReasonRunes)
	}
	if strings.IndexFunc(req.Reason, unicode.IsControl) >= 0 {
		return req, errors.New("reason: want one line of text, without control characters")
	}
	return req, nil
}

// reasonOf returns why an action does not apply, without the sentinel's
// own words in front.
func reasonOf(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, gate.ErrNotApplicable.Error()+": "); i >= 0 {
		return msg[i+len(gate.ErrNotApplicable.Error())+2:]
	}
	return msg
}
