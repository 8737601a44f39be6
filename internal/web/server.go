// Package web is the gateway's HTTP edge: storefront webhooks, the ERPs'
// signed acknowledgment callbacks, the admin API and the health endpoints.
// Errors become statuses in one place (status.go).
package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/ordergate/ordergate/internal/gate"
	"github.com/ordergate/ordergate/internal/store"
)

// Storefront is what the edge needs to verify one storefront's deliveries.
type Storefront struct {
	Name       string
	Kind       string
	Secrets    [][]byte // every secret a delivery may be signed with (rotation)
	ShopDomain string   // shopify: if set, deliveries from any other shop are refused
	AuthHeader string   // bigcommerce: the hook's custom header; default bigcommerce.DefaultHeader
}

// Config configures the server.
type Config struct {
	Storefronts  []Storefront
	AdminTokens  []string // bearer tokens for /api/v1; kept only as hashes
	MaxBodyBytes int64    // default 1 MiB
	// ERPCallbacks maps an ERP's name to the secrets its acknowledgment
	// callbacks (POST /erp/{erp}/ack) may be signed with; any one verifies
	// (rotation). An ERP with none has no callback endpoint.
	ERPCallbacks map[string][][]byte
	// CallbackTolerance is how far a callback's signed timestamp may be
	// from this server's clock, either way; default 5m.
	CallbackTolerance time.Duration
	Logger            *slog.Logger
}

// Server serves the gateway's HTTP surface.
type Server struct {
	gate        *gate.Gate
	store       store.Store
	storefronts map[string]Storefront
	tokens      [][32]byte
	maxBody     int64
	callbacks   map[string][][]byte
	tolerance   time.Duration
	log         *slog.Logger
}

// New returns the server.
func New(g *gate.Gate, s store.Store, cfg Config) *Server {
	srv := &Server{gate: g, store: s, storefronts: make(map[string]Storefront), maxBody: cfg.MaxBodyBytes,
		callbacks: make(map[string][][]byte), tolerance: cfg.CallbackTolerance, log: cfg.Logger}
	if srv.maxBody <= 0 {
		srv.maxBody = 1 << 20
	}
	if srv.log == nil {
		srv.log = slog.Default()
	}
	for _, sf := range cfg.Storefronts {
		srv.storefronts[sf.Name] = sf
	}
	for name, secrets := range cfg.ERPCallbacks {
		for _, sec := range secrets {
			if len(sec) > 0 {
				srv.callbacks[name] = append(srv.callbacks[name], bytes.Clone(sec))
			}
		}
	}
	for _, t := range cfg.AdminTokens {
		if t != "" {
			srv.tokens = append(srv.tokens, sha256.Sum256([]byte(t)))
		}
	}
	return srv
}

// Handler returns the routes.
func (s *Server) Handler() http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.Recoverer)
	r.Get("/healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	r.Get("/readyz", s.ready)
	r.Post("/webhooks/shopify/{storefront}", s.shopifyWebhook)
	r.Post("/webhooks/woocommerce/{storefront}", s.woocommerceWebhook)
	r.Post("/webhooks/bigcommerce/{storefront}", s.bigcommerceWebhook)
	r.Post("/erp/{erp}/ack", s.erpAck)
	r.Route("/api/v1", func(r chi.Router) {
		r.Use(s.authenticate)
		r.Get("/orders", s.listOrders)
		r.Get("/orders/{storefront}/{order_id}", s.getOrder)
		r.Post("/orders/{storefront}/{order_id}/{action}", s.act)
	})
	return r
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		writeError(w, http.StatusServiceUnavailable, "store unavailable: "+err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// authenticate checks the bearer token against the configured ones, in
// constant time, comparing hashes so no token is held in the clear.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || token == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="ordergate"`)
			writeError(w, http.StatusUnauthorized, "missing bearer token")
			return
		}
		sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
		match := 0
		for _, t := range s.tokens {
			match |= subtle.ConstantTimeCompare(sum[:], t[:])
		}
		if match != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="ordergate", error="invalid_token"`)
			writeError(w, http.StatusUnauthorized, "invalid bearer token")
			return
		}
		next.ServeHTTP(w, r)
	})
}
