package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/shopspring/decimal"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
)

// orderJSON is an order as the API shows it. Each line says how much the
// ERP validated of it and, when that is less than ordered, why ("short").
// Overdue is whether the order is past its SLA and still unsettled now;
// OverdueAt, when it passed it (kept once the order settles late).
type orderJSON struct {
	Storefront     string           `json:"storefront"`
	OrderID        string           `json:"order_id"`
	Name           string           `json:"name"`
	State          order.State      `json:"state"`
	Customer       order.Customer   `json:"customer"`
	Currency       string           `json:"currency,omitempty"`
	Total          decimal.Decimal  `json:"total"`
	Lines          []order.LineItem `json:"lines"`
	ExternalID     string           `json:"external_id"`
	ERPRef         string           `json:"erp_ref,omitempty"`
	Attempts       int              `json:"erp_attempts"`
	Attention      string           `json:"attention,omitempty"`
	Overdue        bool             `json:"overdue"`
	OverdueAt      *time.Time       `json:"overdue_at,omitempty"`
	Reason         string           `json:"reason,omitempty"`
	CapturedAt     *time.Time       `json:"captured_at,omitempty"`
	ReceivedAt     *time.Time       `json:"received_at,omitempty"`
	AcknowledgedAt *time.Time       `json:"acknowledged_at,omitempty"`
	SettledAt      *time.Time       `json:"settled_at,omitempty"`
	ShipBy         *time.Time       `json:"ship_by,omitempty"`
	Timeline       []order.Event    `json:"timeline,omitempty"`
	// Status says where the order stands in plain language, for
	// customer service: "captured 14:02; waiting for the ERP for 3
	// minutes; confirmation expected by 14:17" (times in UTC).
	Status string `json:"status"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// toJSON is the order as the API shows it, with its plain-language status
// under its storefront's SLA.
func (s *Server) toJSON(o *order.Order, tl []order.Event) orderJSON {
	j := toJSON(o, tl)
	var sla time.Duration
	if sf, ok := s.gate.Storefront(o.Key.Storefront); ok {
		sla = sf.SLA
	}
	j.Status = order.Explain(o, sla, s.now(), nil)
	return j
}

func toJSON(o *order.Order, tl []order.Event) orderJSON {
	return orderJSON{
		Storefront: o.Key.Storefront, OrderID: o.Key.ID, Name: o.Name, State: o.State(), Customer: o.Customer,
		Currency: o.Currency, Total: o.Total, Lines: o.Lines, ExternalID: o.Key.ExternalID(), ERPRef: o.ERPRef,
		Attempts: o.Attempts, Attention: o.Attention, Overdue: o.Overdue(), OverdueAt: optTime(o.OverdueAt), Reason: o.Reason,
		CapturedAt: optTime(o.CapturedAt), ReceivedAt: optTime(o.ReceivedAt), AcknowledgedAt: optTime(o.AcknowledgedAt),
		SettledAt: optTime(o.SettledAt), ShipBy: optTime(o.ShipBy), Timeline: tl,
	}
}

func (s *Server) listOrders(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.Filter{Storefront: q.Get("storefront"), Email: q.Get("email")}
	for _, b := range []struct {
		name string
		to   *bool
	}{{"attention", &f.Attention}, {"overdue", &f.Overdue}} {
		if v := q.Get(b.name); v != "" {
			on, err := strconv.ParseBool(v)
			if err != nil {
				writeError(w, http.StatusBadRequest, b.name+": want true or false")
				return
			}
			*b.to = on
		}
	}
	if v := q.Get("state"); v != "" {
		st, err := order.ParseState(v)
		if err != nil {
			writeError(w, http.StatusBadRequest, "state: "+err.Error())
			return
		}
		f.State = st
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, "limit: want a positive whole number")
			return
		}
		f.Limit = n
	}
	if v := q.Get("before"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			writeError(w, http.StatusBadRequest, "before: want an RFC 3339 time")
			return
		}
		f.Before = t
	}
	orders, err := s.store.List(r.Context(), f)
	if err != nil {
		s.log.Error("list orders", "err", err)
		writeError(w, http.StatusInternalServerError, "could not list orders")
		return
	}
	out := struct {
		Orders []orderJSON `json:"orders"`
		Next   string      `json:"next,omitempty"`
	}{Orders: make([]orderJSON, 0, len(orders))}
	for _, o := range orders {
		out.Orders = append(out.Orders, s.toJSON(o, nil))
	}
	if len(orders) == store.Limit(f.Limit) {
		out.Next = orders[len(orders)-1].ReceivedAt.Format(time.RFC3339Nano)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getOrder(w http.ResponseWriter, r *http.Request) {
	key := order.Key{Storefront: chi.URLParam(r, "storefront"), ID: chi.URLParam(r, "order_id")}
	o, err := s.store.Get(r.Context(), key)
	if err != nil {
		code := statusOf(err)
		if code == http.StatusNotFound {
			writeError(w, code, "no order "+key.String())
			return
		}
		s.log.Error("get order", "order", key.String(), "err", err)
		writeError(w, http.StatusInternalServerError, "could not read the order")
		return
	}
	tl, err := s.store.Timeline(r.Context(), key)
	if err != nil {
		s.log.Error("get timeline", "order", key.String(), "err", err)
		writeError(w, http.StatusInternalServerError, "could not read the timeline")
		return
	}
	if tl == nil {
		tl = []order.Event{}
	}
	writeJSON(w, http.StatusOK, s.toJSON(o, tl))
}
