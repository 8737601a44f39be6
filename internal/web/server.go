// Package web is the gateway's HTTP edge: storefront webhooks, the ERPs'
// signed acknowledgment callbacks, the admin API, the dashboard and the
// health endpoints. Errors become statuses in one place (status.go); who
// may call what is decided in auth.go.
package web

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/ordergate/ordergate/internal/gate"
	"github.com/ordergate/ordergate/internal/reconcile"
	"github.com/ordergate/ordergate/internal/store"
)

// Storefront is what the edge needs to verify one storefront's deliveries.
type Storefront struct {
	Name       string
	Kind       string
	Secrets    [][]byte // every secret a delivery may be signed with (rotation)
	ShopDomain string   // shopify: if set, deliveries from any other shop are refused
	AuthHeader string   // bigcommerce: the hook's custom header; default bigcommerce.DefaultHeader
	ERP        string   // the ERP its orders go to, for the dashboard's ERP health
}

// Config configures the server.
type Config struct {
	Storefronts []Storefront
	AdminTokens []string // bearer tokens for /api/v1; kept only as hashes
	// ReadOnlyTokens may read everything under /api/v1 and the dashboard
	// but take no action: every POST is refused with 403. Kept only as
	// hashes; a token also in AdminTokens is an admin token.
	ReadOnlyTokens []string
	// SessionTTL is how long a dashboard sign-in lasts; default 12h.
	SessionTTL   time.Duration
	MaxBodyBytes int64 // default 1 MiB
	// ERPCallbacks maps an ERP's name to the secrets its acknowledgment
	// callbacks (POST /erp/{erp}/ack) may be signed with; any one verifies
	// (rotation). An ERP with none has no callback endpoint.
	ERPCallbacks map[string][][]byte
	// CallbackTolerance is how far a callback's signed timestamp may be
	// from this server's clock, either way; default 5m.
	CallbackTolerance time.Duration
	// Reconciler runs reconciliations for POST /api/v1/reconcile; nil
	// answers 404. ReconcileWindow is how far back a run looks when the
	// request does not say; default 2h.
	Reconciler      Reconciler
	ReconcileWindow time.Duration
	// Stock reads the stock ledger for GET /api/v1/stock; nil answers 404.
	Stock StockReporter
	// Limits are the webhook edge's rate limit, load shedding and replay
	// window (limits.go).
	Limits Limits
	Logger *slog.Logger
}

// Reconciler runs one reconciliation and stores its report.
type Reconciler interface {
	Run(ctx context.Context, opts reconcile.Options) (reconcile.Report, error)
}

// Server serves the gateway's HTTP surface.
type Server struct {
	gate        *gate.Gate
	store       store.Store
	storefronts map[string]Storefront
	creds       []credential
	maxBody     int64
	callbacks   map[string][][]byte
	tolerance   time.Duration
	log         *slog.Logger

	sessionTTL time.Duration
	revoked    revocations
	logins     *loginLimiter
	origins    *http.CrossOriginProtection
	now        func() time.Time // the clock for sessions and stats; tests set it

	statsMu    sync.Mutex // one stats computation at a time; see stats.go
	statsCache map[time.Duration]cachedStats

	reconciler      Reconciler
	stock           StockReporter
	reconcileWindow time.Duration

	limits *edgeLimits
}

// New returns the server.
func New(g *gate.Gate, s store.Store, cfg Config) *Server {
	srv := &Server{gate: g, store: s, storefronts: make(map[string]Storefront), maxBody: cfg.MaxBodyBytes,
		callbacks: make(map[string][][]byte), tolerance: cfg.CallbackTolerance, log: cfg.Logger,
		sessionTTL: cfg.SessionTTL, logins: newLoginLimiter(), origins: http.NewCrossOriginProtection(), now: time.Now,
		statsCache: make(map[time.Duration]cachedStats), reconciler: cfg.Reconciler, reconcileWindow: cfg.ReconcileWindow, stock: cfg.Stock,
		limits: newEdgeLimits(cfg.Limits)}
	if srv.reconcileWindow <= 0 {
		srv.reconcileWindow = 2 * time.Hour
	}
	if srv.sessionTTL <= 0 {
		srv.sessionTTL = DefaultSessionTTL
	}
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
	srv.creds = credentials(cfg.AdminTokens, cfg.ReadOnlyTokens)
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
	r.With(s.rateLimit).Post("/webhooks/shopify/{storefront}", s.shopifyWebhook)
	r.With(s.rateLimit).Post("/webhooks/woocommerce/{storefront}", s.woocommerceWebhook)
	r.With(s.rateLimit).Post("/webhooks/bigcommerce/{storefront}", s.bigcommerceWebhook)
	r.Post("/erp/{erp}/ack", s.erpAck)
	r.Route("/api/v1", func(r chi.Router) {
		r.Use(noStore, s.authenticate, s.guardWrites)
		r.Get("/orders", s.listOrders)
		r.Get("/orders/{storefront}/{order_id}", s.getOrder)
		r.Post("/orders/{storefront}/{order_id}/{action}", s.act)
		r.Get("/search", s.search)
		r.Get("/stats", s.stats)
		r.Get("/storefronts", s.listStorefronts)
		r.Get("/session", s.sessionInfo)
		r.Post("/reconcile", s.reconcileNow)
		r.Get("/reconcile/runs", s.reconcileRuns)
		r.Get("/reconcile/runs/{run_id}", s.reconcileRun)
		r.Get("/cutover/report", s.cutoverReport)
		r.Get("/cutover/{storefront}", s.cutoverSetting)
		r.Post("/cutover/{storefront}", s.changeCutover)
		r.Post("/cutover/{storefront}/rollback", s.changeCutover)
		r.Get("/stock", s.stockReport)
	})
	s.dashboardRoutes(r)
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
