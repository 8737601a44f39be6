package mailbox

import (
	"encoding/json"
	"net/http"
)

// Handler serves the received messages as JSON, for a test or a demo in
// another process: GET /messages returns them all in arrival order, and
// GET /messages?order=shop1/1001 only those of one order. A message's Raw
// bytes are left out; Size says how long it was.
func (mb *Mailbox) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /messages", func(w http.ResponseWriter, r *http.Request) {
		msgs := mb.Messages()
		if o := r.URL.Query().Get("order"); o != "" {
			msgs = mb.ByOrder()[o]
		}
		if msgs == nil {
			msgs = []Message{}
		}
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(msgs) // the client went away; nothing to do
	})
	return mux
}
