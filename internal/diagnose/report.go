package diagnose

import (
	"encoding/json"
	"io"
	"time"
)

// Verdict is where the gap comes from.
type Verdict string

// The verdicts; docs/DIAGNOSE.md has the rule that picks one.
const (
	// VerdictERPQueue: the delay is consistent, and it is in the leg
	// from delivery to ERP receipt (or the legs cannot be told apart).
	VerdictERPQueue Verdict = "erp_processing_queue"
	// VerdictIntegrationQueue: the delay varies (spread, volume or hour
	// of day), or it is in the webhook leg.
	VerdictIntegrationQueue Verdict = "webhook_or_integration_queue"
	// VerdictHealthy: the whole gap's p95 is within the healthy bound.
	VerdictHealthy Verdict = "healthy"
	// VerdictInsufficient: fewer joined orders than the rule needs.
	VerdictInsufficient Verdict = "insufficient_data"
)

// The legs of the gap, as Leg.Name and Report.DominantLeg give them.
const (
	LegWebhook = "webhook" // triggered → delivered
	LegERP     = "erp"     // delivered → ERP received
	LegTotal   = "total"   // triggered → ERP received
)

// Report is what a diagnosis found. Its JSON is what --json writes.
type Report struct {
	GeneratedAt time.Time `json:"generated_at"`
	Verdict     Verdict   `json:"verdict"`
	// Summary says the verdict in a sentence.
	Summary string `json:"summary"`
	// DominantLeg is the leg the verdict judged: the one with the larger
	// share of the mean gap, or LegTotal when the legs cannot be told
	// apart. Empty when the verdict needed none.
	DominantLeg string   `json:"dominant_leg,omitempty"`
	Evidence    []string `json:"evidence"`
	Checks      []Check  `json:"checks"`
	// Rule is the thresholds and widths the verdict and the signals used.
	Rule Rule `json:"thresholds"`

	JoinedOrders  int         `json:"joined_orders"`
	PercentilesMS Percentiles `json:"percentiles_ms"` // of the whole gap
	MeanMS        float64     `json:"mean_ms"`
	CV            float64     `json:"cv"`
	Legs          []Leg       `json:"legs"` // webhook, erp, total
	Histogram     []Bin       `json:"histogram"`
	Timezone      string      `json:"timezone"`
	ByHour        []Hour      `json:"by_hour"`
	Intervals     Intervals   `json:"intervals"`

	Coverage Coverage        `json:"coverage"`
	Window   Window          `json:"window"`
	Retries  Retries         `json:"retries"`
	Signals  Signals         `json:"signals"`
	Sources  []SourceSummary `json:"sources"`
	Warnings []string        `json:"warnings,omitempty"`

	loc *time.Location
}

// Rule is Thresholds, the interval width and Options.Near as the report
// gives them, in milliseconds.
type Rule struct {
	MinOrders     int     `json:"min_orders"`
	HealthyP95MS  int64   `json:"healthy_p95_ms"`
	MaxCV         float64 `json:"max_cv"`
	MinVolumeCorr float64 `json:"min_volume_corr"`
	MaxHourSwing  float64 `json:"max_hour_swing"`
	IntervalMS    int64   `json:"interval_ms"`
	NearMS        int64   `json:"near_ms"`
}

// Check is one test the verdict rule ran.
type Check struct {
	Name      string  `json:"name"` // healthy_p95, spread, volume, hour_of_day
	Leg       string  `json:"leg"`
	Value     float64 `json:"value"`
	Threshold float64 `json:"threshold"`
	Assessed  bool    `json:"assessed"` // false: too little data to say
	Flagged   bool    `json:"flagged"`  // the value crossed the threshold
	Detail    string  `json:"detail"`
}

// Leg is the delay of one leg of the gap over the joined orders that have
// it.
type Leg struct {
	Name          string      `json:"name"`
	From          string      `json:"from"`
	To            string      `json:"to"`
	Orders        int         `json:"orders"`
	Negative      int         `json:"negative"` // below 0: the two clocks disagree
	Clamped       int         `json:"clamped"`  // beyond ±24.8 days, counted at that bound
	PercentilesMS Percentiles `json:"percentiles_ms"`
	MeanMS        float64     `json:"mean_ms"`
	CV            float64     `json:"cv"`
	TrimmedCV     float64     `json:"trimmed_cv"` // without the lowest and highest 1%
	// ShareOfMean is the leg's part of the mean whole gap, over the orders
	// that have both legs; 1 for the total.
	ShareOfMean float64     `json:"share_of_mean"`
	Volume      Correlation `json:"volume_correlation"`
	Hours       HourSwing   `json:"hour_of_day"`
	Histogram   []Bin       `json:"histogram"`
}

// Correlation is how an interval's median delay follows its order volume.
type Correlation struct {
	Assessed  bool    `json:"assessed"`
	Rho       float64 `json:"rho"` // Spearman
	Intervals int     `json:"intervals"`
	Z         float64 `json:"z"` // rho × √(intervals − 1)
}

// HourSwing is how the hourly medians of a delay differ.
type HourSwing struct {
	Assessed    bool    `json:"assessed"`
	Hours       int     `json:"hours"` // hours with enough orders
	MinMedianMS int64   `json:"min_median_ms"`
	MaxMedianMS int64   `json:"max_median_ms"`
	Swing       float64 `json:"swing"` // (max − min) / the leg's median
}

// Hour is the gap of the orders triggered in one hour of the day.
type Hour struct {
	Hour       int   `json:"hour"`
	Orders     int   `json:"orders"` // triggered in this hour, joined or not
	Joined     int   `json:"joined"`
	P50MS      int64 `json:"p50_ms"`
	P95MS      int64 `json:"p95_ms"`
	WebhookP50 int64 `json:"webhook_p50_ms"`
	ERPP50     int64 `json:"erp_p50_ms"`
}

// Intervals is the gap over time.
type Intervals struct {
	WidthMS int64      `json:"width_ms"`
	Width   string     `json:"width"`
	Points  []Interval `json:"points"`
	// Peak is the volume at or above which an interval is a peak: the
	// smallest volume among the top tenth of intervals.
	PeakOrders int `json:"peak_orders"`
}

// Interval is the orders triggered in one interval.
type Interval struct {
	Start  time.Time `json:"start"`
	Orders int       `json:"orders"`
	Joined int       `json:"joined"`
	P50MS  int64     `json:"p50_ms"`
	P95MS  int64     `json:"p95_ms"`
	Peak   bool      `json:"peak,omitempty"`
}

// Coverage is how the sources join.
type Coverage struct {
	WebhookOrders      int `json:"webhook_orders"`
	ERPOrders          int `json:"erp_orders"`
	ConfirmedOrders    int `json:"confirmed_orders"`
	Joined             int `json:"joined"`
	WebhookNotInERP    int `json:"webhook_not_in_erp"`
	ERPNotInWebhooks   int `json:"erp_not_in_webhooks"`
	Undelivered        int `json:"undelivered"` // webhook orders with no delivered time
	ConfirmedNoWebhook int `json:"confirmed_not_in_webhooks"`
}

// Window is the span the data covers.
type Window struct {
	From      time.Time `json:"from"` // the first order triggered
	To        time.Time `json:"to"`   // the last order triggered: the window's close
	DataStart time.Time `json:"data_start"`
	DataEnd   time.Time `json:"data_end"` // the latest time in any source
}

// Retries counts webhook delivery attempts beyond the first.
type Retries struct {
	Counted       bool `json:"counted"` // false: the export has no attempt numbers
	OrdersRetried int  `json:"orders_retried"`
	Retries       int  `json:"retries"`
	MaxAttempt    int  `json:"max_attempt"`
}

// Signals are the three symptoms of the gap.
type Signals struct {
	ConfirmedBeforeERP ConfirmedSignal `json:"confirmed_before_erp"`
	Oversells          OversellSignal  `json:"oversells"`
	Demand             DemandSignal    `json:"demand"`
}

// ConfirmedSignal is the orders whose customer was told "confirmed"
// before the ERP had them: customer service could not find them there.
type ConfirmedSignal struct {
	Assessed bool   `json:"assessed"`
	Reason   string `json:"reason,omitempty"`
	// Confirmed is the orders with a confirmation.
	Confirmed int `json:"confirmed_orders"`
	// BeforeReceipt were confirmed, then received by the ERP.
	BeforeReceipt int `json:"before_receipt"`
	// WithoutReceipt were confirmed and are not in the ERP export at all.
	WithoutReceipt int `json:"without_receipt"`
	// ExposureMS is, over BeforeReceipt, ERP received − confirmed.
	ExposureMS Percentiles `json:"exposure_ms"`
	// OpenExposureMS is, over WithoutReceipt, the data's end − confirmed:
	// a lower bound, since they are still exposed.
	OpenExposureMS Percentiles `json:"open_exposure_ms"`
	// Orders are the longest exposures first, open ones before closed
	// ones of the same length, at most Options.List.
	Orders []ExposedOrder `json:"orders"`
}

// ExposedOrder is one order confirmed before (or without) ERP receipt.
type ExposedOrder struct {
	OrderID       string     `json:"order_id"`
	ConfirmedAt   time.Time  `json:"confirmed_at"`
	ERPReceivedAt *time.Time `json:"erp_received_at"` // nil: never received
	ExposureMS    int64      `json:"exposure_ms"`
	Open          bool       `json:"open"` // still not in the ERP at the data's end
}

// OversellSignal is how marketplace oversells cluster after busy periods.
type OversellSignal struct {
	Assessed bool   `json:"assessed"`
	Reason   string `json:"reason,omitempty"`
	Events   int    `json:"events"`
	Units    int64  `json:"units"`
	// InWindow is the events from the first interval's start to Near
	// after the last interval's end; the shares are of these.
	InWindow      int     `json:"in_window"`
	NearPeaks     int     `json:"near_peaks"`
	Share         float64 `json:"share"`    // NearPeaks / InWindow
	Coverage      float64 `json:"coverage"` // the part of the window that is near a peak
	Lift          float64 `json:"lift"`     // Share / Coverage: 1 is chance
	PeakOrders    int     `json:"peak_orders"`
	PeakIntervals int     `json:"peak_intervals"`
	NearMS        int64   `json:"near_ms"`
	// ByMarketplace counts events and those near peaks per marketplace.
	ByMarketplace []MarketplaceCount `json:"by_marketplace"`
	// List is the events near peaks, earliest first, at most Options.List.
	List []OversellEvent `json:"near_peak_events"`
}

// MarketplaceCount is one marketplace's oversells.
type MarketplaceCount struct {
	Marketplace string `json:"marketplace"`
	Events      int    `json:"events"`
	NearPeaks   int    `json:"near_peaks"`
}

// OversellEvent is an oversell near a peak, and the peak.
type OversellEvent struct {
	At          time.Time `json:"at"`
	Marketplace string    `json:"marketplace"`
	SKU         string    `json:"sku,omitempty"`
	Units       int       `json:"units"`
	PeakStart   time.Time `json:"peak_start"`
	PeakOrders  int       `json:"peak_orders"`
	AfterPeakMS int64     `json:"after_peak_end_ms"` // negative: during the peak
}

// DemandSignal compares per-SKU demand in the storefront and the ERP.
type DemandSignal struct {
	Assessed bool   `json:"assessed"`
	Reason   string `json:"reason,omitempty"`
	// Close is the window's end, when a planner would read the ERP.
	Close            time.Time `json:"close"`
	SKUs             int       `json:"skus"`
	SKUsShortAtClose int       `json:"skus_short_at_close"`
	SKUsShortInEnd   int       `json:"skus_short_in_the_end"`
	StorefrontUnits  int64     `json:"storefront_units"`
	ERPUnitsAtClose  int64     `json:"erp_units_at_close"`
	ERPUnitsInEnd    int64     `json:"erp_units_in_the_end"`
	ERPUnitsOther    int64     `json:"erp_units_of_other_orders"`
	// Rows are the SKUs that differ, the largest shortfall at close first,
	// at most Options.List.
	Rows []SKUDemand `json:"rows"`
}

// SKUDemand is one SKU's demand on each side.
type SKUDemand struct {
	SKU             string `json:"sku"`
	StorefrontUnits int64  `json:"storefront_units"`
	ERPUnitsAtClose int64  `json:"erp_units_at_close"`
	ERPUnitsInEnd   int64  `json:"erp_units_in_the_end"`
	ShortAtClose    int64  `json:"short_at_close"` // storefront − ERP at close
	ShortInEnd      int64  `json:"short_in_the_end"`
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// Leg returns the named leg; the zero Leg if there is none.
func (r *Report) Leg(name string) Leg {
	for _, l := range r.Legs {
		if l.Name == name {
			return l
		}
	}
	return Leg{}
}
