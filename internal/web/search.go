package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
)

// searchScan is how many of the newest orders a search reads at most when
// it must look at each (a name or part of an id or e-mail address); an
// exact order id or e-mail address is found however old.
const searchScan = 10000

// search answers GET /api/v1/search?q=…: the orders whose id, name (as the
// customer sees it, "#1042") or customer e-mail address contains q, newest
// first, narrowed by the same filters as GET /api/v1/orders.
func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	term := strings.TrimSpace(q.Get("q"))
	if term == "" {
		writeError(w, http.StatusBadRequest, "q: required: an order id, a name like #1042 or an e-mail address")
		return
	}
	f, ok := filterOf(w, q.Get, "state", "storefront", "attention", "overdue")
	if !ok {
		return
	}
	limit := 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			writeError(w, http.StatusBadRequest, "limit: want a whole number from 1 to 500")
			return
		}
		limit = n
	}
	found, scanned, capped, err := s.find(r.Context(), term, f, limit)
	if err != nil {
		s.log.Error("search orders", "err", err)
		writeError(w, http.StatusInternalServerError, "could not search the orders")
		return
	}
	out := struct {
		Orders []orderJSON `json:"orders"`
		// Scanned is how many orders were looked at; Complete, whether
		// that was every order the filters select.
		Scanned  int  `json:"scanned"`
		Complete bool `json:"complete"`
	}{Orders: make([]orderJSON, 0, len(found)), Scanned: scanned, Complete: !capped}
	for _, o := range found {
		out.Orders = append(out.Orders, s.toJSON(o, nil))
	}
	writeJSON(w, http.StatusOK, out)
}

// find returns up to limit orders matching term and f: those whose name
// is term, then those whose id is, then those of the e-mail address term,
// then the rest that contain it; each group newest first.
func (s *Server) find(ctx context.Context, term string, f store.Filter, limit int) (found []*order.Order, scanned int, capped bool, err error) {
	var byName, byID, byEmail, partial []*order.Order
	// "shop1/1042" or a bare id: a direct read in each storefront named,
	// which finds an order however old.
	id := strings.TrimPrefix(term, "#")
	sf, rest, hasSlash := strings.Cut(term, "/")
	for _, name := range s.storefrontNames() {
		key := order.Key{Storefront: name, ID: id}
		if hasSlash {
			if name != sf {
				continue
			}
			key.ID = rest
		}
		o, err := s.store.Get(ctx, key)
		switch {
		case err == nil:
			byID = append(byID, o)
		case !errors.Is(err, store.ErrNotFound):
			return nil, 0, false, err
		}
	}
	if strings.Contains(term, "@") {
		byMail := f
		byMail.Email, byMail.Limit = term, limit
		if byEmail, err = s.store.List(ctx, byMail); err != nil {
			return nil, 0, false, err
		}
	}
	needle, lowTerm := strings.ToLower(id), strings.ToLower(term)
	scanned, capped, err = s.scan(ctx, f, searchScan, func(o *order.Order) bool {
		name, oid := strings.ToLower(strings.TrimPrefix(o.Name, "#")), strings.ToLower(o.Key.ID)
		switch {
		case name == needle:
			byName = append(byName, o)
		case oid == needle:
			byID = append(byID, o)
		case len(partial) < limit && (strings.Contains(name, needle) || strings.Contains(oid, needle) ||
			strings.Contains(strings.ToLower(o.Customer.Email), lowTerm)):
			partial = append(partial, o)
		}
		return true
	})
	if err != nil {
		return nil, 0, false, err
	}
	newestFirst := func(a, b *order.Order) int { return b.ReceivedAt.Compare(a.ReceivedAt) }
	slices.SortStableFunc(byID, newestFirst)
	seen := map[order.Key]bool{}
	for _, o := range slices.Concat(byName, byID, byEmail, partial) {
		if !seen[o.Key] && len(found) < limit && matches(f, o) {
			seen[o.Key] = true
			found = append(found, o)
		}
	}
	return found, scanned, capped, nil
}

// matches reports whether o passes f's conditions other than the e-mail
// address, limit and cursor, as List would judge them.
func matches(f store.Filter, o *order.Order) bool {
	return (f.State == "" || o.State() == f.State) && (f.Storefront == "" || o.Key.Storefront == f.Storefront) &&
		(!f.Attention || o.Attention != "") && (!f.Overdue || o.Overdue())
}

// scan calls fn for each order f selects, newest first, until fn returns
// false or max orders were passed to it. It returns how many fn took and
// whether max cut the reading short. Pages overlap by the last page's
// receipt time, so that orders received in the same microsecond are
// neither skipped nor seen twice.
func (s *Server) scan(ctx context.Context, f store.Filter, max int, fn func(*order.Order) bool) (n int, capped bool, err error) {
	f.Limit = 1000
	seen := map[order.Key]bool{}
	for {
		page, err := s.store.List(ctx, f)
		if err != nil {
			return n, false, err
		}
		fresh := 0
		for _, o := range page {
			if seen[o.Key] {
				continue
			}
			seen[o.Key] = true
			fresh++
			if n == max {
				return n, true, nil
			}
			if !fn(o) {
				return n, false, nil
			}
			n++
		}
		if len(page) < f.Limit {
			return n, false, nil
		}
		last := page[len(page)-1].ReceivedAt
		if fresh == 0 {
			// A whole page received in one microsecond: step past it.
			f.Before = last
		} else {
			f.Before = last.Add(time.Microsecond)
		}
	}
}

// listStorefronts answers GET /api/v1/storefronts: the configured
// storefronts, each with its kind and the ERP its orders go to. No secret.
func (s *Server) listStorefronts(w http.ResponseWriter, r *http.Request) {
	type storefrontJSON struct {
		Name string `json:"name"`
		Kind string `json:"kind"`
		ERP  string `json:"erp,omitempty"`
	}
	out := struct {
		Storefronts []storefrontJSON `json:"storefronts"`
	}{Storefronts: []storefrontJSON{}}
	for _, name := range s.storefrontNames() {
		sf := s.storefronts[name]
		out.Storefronts = append(out.Storefronts, storefrontJSON{Name: sf.Name, Kind: sf.Kind, ERP: sf.ERP})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) storefrontNames() []string {
	names := make([]string, 0, len(s.storefronts))
	for name := range s.storefronts {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// filterOf reads the named filters of GET /api/v1/orders from get,
// answering 400 and reporting false when one is malformed.
func filterOf(w http.ResponseWriter, get func(string) string, names ...string) (store.Filter, bool) {
	var f store.Filter
	for _, name := range names {
		v := get(name)
		if v == "" {
			continue
		}
		switch name {
		case "state":
			st, err := order.ParseState(v)
			if err != nil {
				writeError(w, http.StatusBadRequest, "state: "+err.Error())
				return f, false
			}
			f.State = st
		case "storefront":
			f.Storefront = v
		case "attention", "overdue":
			on, err := strconv.ParseBool(v)
			if err != nil {
				writeError(w, http.StatusBadRequest, name+": want true or false")
				return f, false
			}
			if name == "attention" {
				f.Attention = on
			} else {
				f.Overdue = on
			}
		}
	}
	return f, true
}
