// Package reconcile compares what the storefronts, the gateway and the ERP
// each hold, and recovers what the gateway missed.
//
// Webhooks are not guaranteed: Shopify says so, WooCommerce never retries,
// BigCommerce deactivates a hook after 48 hours of failures. A run lists
// each storefront's orders changed since a time through its API, backfills
// into the gateway any order it does not hold (through the same idempotent
// Ingest as a webhook, so nothing is created twice whichever path sees the
// order first), and then checks the gateway's orders of the window against
// the ERP. Each run is stored with its findings.
package reconcile

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/ordergate/ordergate/internal/erp"
	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
	"github.com/ordergate/ordergate/internal/storefront"
)

// RunKind is the kind under which runs are stored.
const RunKind = "reconcile"

// Source is the source recorded on the timeline of an order backfilled by
// reconciliation.
const Source = "reconcile"

// The kinds of finding.
const (
	// MissingInGateway: the storefront has the order, the gateway does not
	// (its webhook was lost). Recovered when the run backfilled it.
	MissingInGateway = "missing_in_gateway"
	// MissingInERP: the gateway holds the order as taken by the ERP
	// (submitted, acknowledged, confirmed), and the ERP has no order under
	// its external id.
	MissingInERP = "missing_in_erp"
	// DuplicateInERP: the ERP's order under the external id is not the one
	// the gateway recorded: a second order was made.
	DuplicateInERP = "duplicate_in_erp"
	// Mismatch: the systems disagree on the order: its lines or quantities,
	// its total, a newer version or a cancellation one side missed.
	Mismatch = "mismatch"
	// Stuck: unsettled past its storefront's confirmation SLA.
	Stuck = "stuck"
	// MarketplaceOverLimit: a marketplace was told more than the stock
	// ledger allows. Not checked until the ledger exists.
	MarketplaceOverLimit = "marketplace_over_limit"
)

// Kinds lists the kinds of finding, in report order.
var Kinds = []string{MissingInGateway, MissingInERP, DuplicateInERP, Mismatch, Stuck, MarketplaceOverLimit}

// Finding is one discrepancy.
type Finding struct {
	Kind       string `json:"kind"`
	Storefront string `json:"storefront"`
	OrderID    string `json:"order_id"`
	Detail     string `json:"detail"`
	// Recovered says this run repaired it: a missing order backfilled, or
	// a newer version or a cancellation the gateway missed applied.
	Recovered bool `json:"recovered,omitempty"`
}

// StorefrontReport says how much of one storefront a run covered.
type StorefrontReport struct {
	Name string `json:"name"`
	// Listed is how many orders the storefront's API listed; -1 when the
	// storefront has no API configured, so its side was not compared.
	Listed int `json:"listed"`
	// Gateway is how many of the gateway's orders of the window were
	// checked; ERPChecked how many of those were looked up in the ERP.
	Gateway    int `json:"gateway"`
	ERPChecked int `json:"erp_checked"`
	// NotChecked says what the run could not compare, and why.
	NotChecked []string `json:"not_checked,omitempty"`
}

// Report is one run's result.
type Report struct {
	ID          string             `json:"id"`
	Trigger     string             `json:"trigger"` // "schedule", or who asked
	Since       time.Time          `json:"since"`
	StartedAt   time.Time          `json:"started_at"`
	FinishedAt  time.Time          `json:"finished_at"`
	DryRun      bool               `json:"dry_run"`
	Storefronts []StorefrontReport `json:"storefronts"`
	// Counts has every kind, zeros included.
	Counts    map[string]int `json:"counts"`
	Recovered int            `json:"recovered"`
	Findings  []Finding      `json:"findings"`
	// Errors are the calls that failed (a storefront or ERP down); the run
	// reports what it could check.
	Errors []string `json:"errors,omitempty"`
}

// Storefront is what a run needs of one storefront.
type Storefront struct {
	Name string
	// Lister lists its orders; nil when it has no API configured, and
	// then only the gateway and ERP sides are compared.
	Lister storefront.Lister
	// ERP is its ERP's client, within the gate's budget.
	ERP erp.Client
	// SLA is its confirmation SLA; 0 means none.
	SLA time.Duration
}

// Config wires a Runner.
type Config struct {
	Storefronts []Storefront
	Store       store.Store
	// Ingest takes a delivery through the gate, as a webhook would be.
	Ingest func(ctx context.Context, d storefront.Delivery) (store.IngestResult, error)
	// MaxERPChecks bounds the ERP lookups of one run, per storefront, so a
	// wide window does not spend the ERP's budget; default 1000.
	MaxERPChecks int
	Logger       *slog.Logger
	Now          func() time.Time
}

// Runner runs reconciliations.
type Runner struct{ cfg Config }

// New returns a Runner.
func New(cfg Config) *Runner {
	if cfg.MaxERPChecks <= 0 {
		cfg.MaxERPChecks = 1000
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Runner{cfg: cfg}
}

// Options shape one run.
type Options struct {
	// Since is the start of the window: orders changed (storefront) or
	// received (gateway) since then are compared.
	Since time.Time
	// DryRun reports without backfilling or applying anything.
	DryRun bool
	// Trigger names who asked: "schedule", "cli:alice", "api:bob".
	Trigger string
	// Storefronts limits the run to these; empty means all.
	Storefronts []string
}

// ErrUnknownStorefront is returned for an Options.Storefronts entry that is
// not configured.
var ErrUnknownStorefront = errors.New("unknown storefront")

// Run reconciles the window and stores the report. The report is returned
// even when some calls failed (they are in Errors); an error means the run
// could not be made or stored at all.
func (r *Runner) Run(ctx context.Context, opts Options) (Report, error) {
	now := r.cfg.Now().UTC()
	rep := Report{ID: runID(now), Trigger: opts.Trigger, Since: opts.Since.UTC(), StartedAt: now, DryRun: opts.DryRun,
		Counts: make(map[string]int), Findings: []Finding{}}
	if rep.Trigger == "" {
		rep.Trigger = "unknown"
	}
	for _, name := range opts.Storefronts {
		if !slices.ContainsFunc(r.cfg.Storefronts, func(s Storefront) bool { return s.Name == name }) {
			return Report{}, fmt.Errorf("reconcile: %w %q", ErrUnknownStorefront, name)
		}
	}
	for _, sf := range r.cfg.Storefronts {
		if len(opts.Storefronts) > 0 && !slices.Contains(opts.Storefronts, sf.Name) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return Report{}, err
		}
		rep.Storefronts = append(rep.Storefronts, r.storefront(ctx, sf, opts, &rep))
	}
	for _, k := range Kinds {
		rep.Counts[k] += 0
	}
	for _, f := range rep.Findings {
		rep.Counts[f.Kind]++
		if f.Recovered {
			rep.Recovered++
		}
	}
	slices.SortStableFunc(rep.Findings, func(a, b Finding) int {
		return cmpStrings(kindRank(a.Kind), kindRank(b.Kind), a.Storefront, b.Storefront, a.OrderID, b.OrderID)
	})
	rep.FinishedAt = r.cfg.Now().UTC()
	summary, err := json.Marshal(rep)
	if err != nil {
		return Report{}, err
	}
	if err := r.cfg.Store.SaveRun(ctx, store.Run{ID: rep.ID, Kind: RunKind, StartedAt: rep.StartedAt, FinishedAt: rep.FinishedAt, Summary: summary}); err != nil {
		return rep, fmt.Errorf("reconcile: store the run: %w", err)
	}
	r.cfg.Logger.Info("reconciliation done", "run", rep.ID, "trigger", rep.Trigger, "since", rep.Since, "dry_run", rep.DryRun,
		"findings", len(rep.Findings), "recovered", rep.Recovered, "errors", len(rep.Errors))
	return rep, nil
}

// storefront reconciles one storefront: its side, then the gateway's
// orders against the ERP.
func (r *Runner) storefront(ctx context.Context, sf Storefront, opts Options, rep *Report) StorefrontReport {
	out := StorefrontReport{Name: sf.Name, Listed: -1}
	// repaired are the orders this run changed: their jobs are on their
	// way (an ERP create, an ERP cancel), so the ERP is not compared yet.
	repaired := map[string]bool{}
	add := func(f Finding) {
		f.Storefront = sf.Name
		rep.Findings = append(rep.Findings, f)
		if f.Recovered {
			repaired[f.OrderID] = true
		}
	}
	fail := func(what string, err error) {
		rep.Errors = append(rep.Errors, fmt.Sprintf("%s: %s: %v", sf.Name, what, err))
		r.cfg.Logger.Warn("reconciliation step failed", "storefront", sf.Name, "step", what, "err", err)
	}

	if sf.Lister == nil {
		out.NotChecked = append(out.NotChecked, "storefront side: no api configured for this storefront, so orders whose webhooks were lost cannot be found")
	} else {
		out.Listed = 0
		err := sf.Lister.ListDeliveries(ctx, opts.Since, func(d storefront.Delivery) error {
			out.Listed++
			return r.compareListed(ctx, d, opts.DryRun, add)
		})
		if err != nil {
			fail("list storefront orders", err)
		}
	}

	checked := 0
	err := r.eachReceivedSince(ctx, sf.Name, opts.Since, func(o *order.Order) error {
		out.Gateway++
		now := r.cfg.Now()
		if !o.State().Settled() && sf.SLA > 0 && now.Sub(o.ReceivedAt) > sf.SLA {
			add(Finding{Kind: Stuck, OrderID: o.Key.ID, Detail: fmt.Sprintf("received %s, %s for %s, past the %s SLA",
				clock(o.ReceivedAt), o.State(), now.Sub(o.ReceivedAt).Round(time.Second), sf.SLA)})
		}
		if sf.ERP == nil || !expectedInERP(o) || repaired[o.Key.ID] {
			return nil
		}
		if checked >= r.cfg.MaxERPChecks {
			return nil
		}
		checked++
		out.ERPChecked++
		rec, err := sf.ERP.Lookup(erp.AtPriority(ctx, erp.PriorityBackground), o.Key.ExternalID())
		switch {
		case errors.Is(err, erp.ErrNotFound):
			add(Finding{Kind: MissingInERP, OrderID: o.Key.ID, Detail: fmt.Sprintf("%s in the gateway (erp ref %q), but the erp has no order %s",
				o.State(), o.ERPRef, o.Key.ExternalID())})
			return nil
		case err != nil:
			fail("look up "+o.Key.ExternalID()+" in the erp", err)
			return nil
		}
		if o.ERPRef != "" && rec.Ref != "" && rec.Ref != o.ERPRef {
			add(Finding{Kind: DuplicateInERP, OrderID: o.Key.ID, Detail: fmt.Sprintf("the erp's order under %s is %s, but the gateway recorded %s: the erp may hold two",
				o.Key.ExternalID(), rec.Ref, o.ERPRef)})
		}
		switch {
		case o.State() == order.Cancelled && rec.Status != erp.StatusCancelled:
			add(Finding{Kind: Mismatch, OrderID: o.Key.ID, Detail: fmt.Sprintf("cancelled in the gateway, %s in the erp as %s", rec.Status, rec.Ref)})
		case o.State() == order.Confirmed && rec.Status == erp.StatusCancelled:
			add(Finding{Kind: Mismatch, OrderID: o.Key.ID, Detail: fmt.Sprintf("confirmed to the customer, cancelled in the erp as %s", rec.Ref)})
		}
		if o.State() != order.Cancelled && rec.Status != erp.StatusCancelled {
			if diff := lineDiff(o.Lines, erpLines(rec)); diff != "" {
				add(Finding{Kind: Mismatch, OrderID: o.Key.ID, Detail: "lines differ, gateway vs erp: " + diff})
			}
		}
		return nil
	})
	if err != nil {
		fail("list gateway orders", err)
	}
	if checked >= r.cfg.MaxERPChecks {
		out.NotChecked = append(out.NotChecked, fmt.Sprintf("erp side: only %d orders looked up (max_erp_checks)", checked))
	}
	if sf.ERP == nil {
		out.NotChecked = append(out.NotChecked, "erp side: no erp client")
	}
	out.NotChecked = append(out.NotChecked, "marketplace quantities: no stock ledger yet")
	return out
}

// compareListed compares one order as the storefront lists it with the
// gateway's, backfilling or applying what the gateway missed unless dry.
func (r *Runner) compareListed(ctx context.Context, d storefront.Delivery, dry bool, add func(Finding)) error {
	key := d.Order.Key
	existing, err := r.cfg.Store.Get(ctx, key)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	var f Finding
	applies := true // whether ingesting d repairs the finding
	switch {
	case existing == nil:
		f = Finding{Kind: MissingInGateway, OrderID: key.ID, Detail: fmt.Sprintf("%s in the storefront (updated %s), not in the gateway",
			listedState(d), clock(d.Order.SourceUpdatedAt))}
	case d.Topic == storefront.OrderCancelled && existing.State() != order.Cancelled:
		f = Finding{Kind: Mismatch, OrderID: key.ID, Detail: fmt.Sprintf("cancelled in the storefront, %s in the gateway", existing.State())}
	case d.Order.SourceUpdatedAt.After(existing.SourceUpdatedAt):
		f = Finding{Kind: Mismatch, OrderID: key.ID, Detail: fmt.Sprintf("the storefront's version (updated %s) is newer than the gateway's (%s)",
			clock(d.Order.SourceUpdatedAt), clock(existing.SourceUpdatedAt))}
		// Once the ERP may hold the earlier version, the gate records the
		// newer one without applying it: reported, not repaired.
		applies = existing.State() == order.Received && existing.Attempts == 0
		if !applies {
			f.Detail += "; the erp already has the earlier version, so it is recorded, not applied"
		}
	default:
		if diff := lineDiff(existing.Lines, d.Order.Lines); diff != "" && !d.Order.SourceUpdatedAt.Before(existing.SourceUpdatedAt) {
			add(Finding{Kind: Mismatch, OrderID: key.ID, Detail: "lines differ, gateway vs storefront: " + diff})
		}
		return nil
	}
	if !dry {
		d.Kind, d.RawTopic = Source, Source
		res, err := r.cfg.Ingest(ctx, d)
		if err != nil {
			return fmt.Errorf("backfill %s: %w", key, err)
		}
		f.Recovered = res.Saved && applies
	}
	add(f)
	return nil
}

// eachReceivedSince calls fn with the storefront's orders received at or
// after since, newest first, a page at a time.
func (r *Runner) eachReceivedSince(ctx context.Context, storefrontName string, since time.Time, fn func(*order.Order) error) error {
	before := time.Time{}
	for {
		page, err := r.cfg.Store.List(ctx, store.Filter{Storefront: storefrontName, Before: before, Limit: 500})
		if err != nil {
			return err
		}
		for _, o := range page {
			if o.ReceivedAt.Before(since) {
				return nil
			}
			if err := fn(o); err != nil {
				return err
			}
		}
		if len(page) < 500 {
			return nil
		}
		last := page[len(page)-1].ReceivedAt
		if !before.IsZero() && !last.Before(before) {
			return nil // a page of one instant: cannot page further by time
		}
		before = last
	}
}

// expectedInERP reports whether the gateway holds o as taken by the ERP.
func expectedInERP(o *order.Order) bool {
	switch o.State() {
	case order.Submitted, order.Acknowledged, order.Confirmed:
		return true
	case order.Cancelled:
		return o.ERPRef != ""
	}
	return false
}

func erpLines(rec erp.Receipt) []order.LineItem {
	out := make([]order.LineItem, 0, len(rec.Lines))
	for _, l := range rec.Lines {
		out = append(out, order.LineItem{SKU: l.SKU, Quantity: l.Ordered})
	}
	return out
}

// lineDiff compares quantities by SKU: "" when they agree, else e.g.
// "TSHIRT-M 2 vs 1; MUG-BLUE 1 vs none".
func lineDiff(a, b []order.LineItem) string {
	qa, qb := quantities(a), quantities(b)
	skus := make([]string, 0, len(qa)+len(qb))
	for s := range qa {
		skus = append(skus, s)
	}
	for s := range qb {
		if _, ok := qa[s]; !ok {
			skus = append(skus, s)
		}
	}
	slices.Sort(skus)
	var parts []string
	for _, s := range skus {
		x, okx := qa[s]
		y, oky := qb[s]
		switch {
		case !oky:
			parts = append(parts, fmt.Sprintf("%s %d vs none", s, x))
		case !okx:
			parts = append(parts, fmt.Sprintf("%s none vs %d", s, y))
		case x != y:
			parts = append(parts, fmt.Sprintf("%s %d vs %d", s, x, y))
		}
	}
	return strings.Join(parts, "; ")
}

func quantities(lines []order.LineItem) map[string]int {
	m := make(map[string]int, len(lines))
	for _, l := range lines {
		m[l.SKU] += l.Quantity
	}
	return m
}

func listedState(d storefront.Delivery) string {
	if d.Topic == storefront.OrderCancelled {
		return "cancelled"
	}
	return "placed"
}

func clock(t time.Time) string {
	if t.IsZero() {
		return "(unknown)"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

func kindRank(k string) string {
	if i := slices.Index(Kinds, k); i >= 0 {
		return string(rune('a' + i))
	}
	return k
}

func cmpStrings(pairs ...string) int {
	for i := 0; i+1 < len(pairs); i += 2 {
		if c := strings.Compare(pairs[i], pairs[i+1]); c != 0 {
			return c
		}
	}
	return 0
}

// runID is time-ordered and unique: rc-20261127T140200Z-3f9a1c.
func runID(now time.Time) string {
	b := make([]byte, 3)
	rand.Read(b)
	return "rc-" + now.Format("20060102T150405Z") + "-" + hex.EncodeToString(b)
}
