package diagnose

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// Options tunes a diagnosis. The zero value means the defaults documented
// on each field.
type Options struct {
	// Mapping names the columns of exports whose headers differ.
	Mapping Mapping
	// SkipBadRows skips rows that cannot be read, counting them and
	// keeping the first few errors, instead of stopping at the first.
	SkipBadRows bool
	// Thresholds decide the verdict.
	Thresholds Thresholds
	// Interval is the width of the intervals in which order volume is
	// counted; 0 picks the narrowest of 1m, 5m, 15m, 30m, 1h, 2h, 6h, 12h
	// and 24h that cuts the window into at most 300 intervals.
	Interval time.Duration
	// Near is how long after the end of a peak interval an oversell
	// still counts as near it. Default 1h.
	Near time.Duration
	// Location is the time zone of the by-hour profile. Default UTC.
	Location *time.Location
	// List bounds the orders, events and SKUs the report lists; the
	// counts always cover everything. Default 100.
	List int
	// Progress, when set, is called as reading goes: every 16,384 rows
	// and when a source is done.
	Progress func(Progress)
	// Now is the report's time of writing. Default time.Now.
	Now func() time.Time
}

// Thresholds decide the verdict (docs/DIAGNOSE.md has the rule). Zero
// fields take the defaults.
type Thresholds struct {
	// MinOrders is the number of joined orders below which the verdict
	// is insufficient_data. Default 500.
	MinOrders int
	// HealthyP95 is the p95 of the whole gap at or below which the gap
	// is healthy. Default 1m.
	HealthyP95 time.Duration
	// MaxCV is the dominant leg's trimmed coefficient of variation above
	// which the delay is variable. Default 0.5.
	MaxCV float64
	// MinVolumeCorr is the Spearman correlation between an interval's
	// order volume and its median delay at or above which (when also
	// significant) the delay follows volume. Default 0.3.
	MinVolumeCorr float64
	// MaxHourSwing is the spread of the hourly medians (highest minus
	// lowest), as a share of the overall median, above which the delay
	// varies with the time of day. Default 0.5.
	MaxHourSwing float64
}

func (t Thresholds) withDefaults() Thresholds {
	if t.MinOrders <= 0 {
		t.MinOrders = 500
	}
	if t.HealthyP95 <= 0 {
		t.HealthyP95 = time.Minute
	}
	if t.MaxCV <= 0 {
		t.MaxCV = 0.5
	}
	if t.MinVolumeCorr <= 0 {
		t.MinVolumeCorr = 0.3
	}
	if t.MaxHourSwing <= 0 {
		t.MaxHourSwing = 0.5
	}
	return t
}

func (o Options) withDefaults() Options {
	o.Thresholds = o.Thresholds.withDefaults()
	if o.Near <= 0 {
		o.Near = time.Hour
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.List <= 0 {
		o.List = 100
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Progress is how far reading has come.
type Progress struct {
	Source Source
	File   string
	Rows   int64
	Bytes  int64 // read from disk so far
	Size   int64 // the file's size; 0 when unknown (standard input, the store)
	Done   bool
}

// maxRowErrors is how many row errors a source keeps to show.
const maxRowErrors = 5

// Diagnosis gathers exports, order by order, and reports on them. Read
// the webhooks before the ERP receipts: the per-SKU demand at window close
// needs the window's end when the ERP's lines come in.
type Diagnosis struct {
	opts    Options
	orders  *table
	sources []SourceSummary

	skus      map[string]*skuDemand
	storeMode bool      // ERP lines wait in pending until the window is known
	pending   []erpLine // ERP lines not yet placed before or after the close
	closeAt   int64     // the window's end, valid unless closeDirty
	// closeDirty says a webhook row came in since closeAt was worked out.
	closeDirty bool

	oversells    []oversell
	marketplaces []string
	dataStart    int64
	dataEnd      int64
	numbered     bool // some webhook row had an attempt number
	storefrontSK bool // some webhook row had a SKU line
	erpSKU       bool // some ERP row had a SKU line
	warnings     []string
	read         [len(sourceNames)]bool // the sources read so far
}

// New returns an empty diagnosis.
func New(opts Options) *Diagnosis {
	return &Diagnosis{opts: opts.withDefaults(), orders: newTable(), skus: map[string]*skuDemand{},
		dataStart: none, dataEnd: none, closeAt: none, closeDirty: true}
}

// SourceSummary is what was read from one export.
type SourceSummary struct {
	Source  string   `json:"source"`
	File    string   `json:"file"`
	Format  string   `json:"format"`
	Gzip    bool     `json:"gzip,omitempty"`
	Rows    int64    `json:"rows"`
	Skipped int64    `json:"skipped_rows"`
	Errors  []string `json:"first_errors,omitempty"`
}

// ReadFile reads one export of kind src. A bad row stops it with a
// *RowError, unless Options.SkipBadRows.
func (d *Diagnosis) ReadFile(ctx context.Context, src Source, path string) error {
	in, err := open(path)
	if err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	defer in.close()
	rs, err := newRows(in, src, d.opts.Mapping)
	if err != nil {
		return err
	}
	sum := SourceSummary{Source: src.String(), File: in.name, Format: in.format.String(), Gzip: in.gzip}
	r := row{vals: make([]string, len(schemas[src])), src: rs.source()}
	apply := [...]func(*row) error{Webhooks: d.webhookRow, ERPReceipts: d.erpRow, Confirmations: d.confirmationRow, Oversells: d.oversellRow}[src]
	report := func(done bool) {
		if d.opts.Progress != nil {
			d.opts.Progress(Progress{Source: src, File: in.name, Rows: sum.Rows, Bytes: in.disk.n, Size: in.size, Done: done})
		}
	}
	for {
		err := rs.next(&r)
		if err == io.EOF {
			break
		}
		if err == nil {
			err = apply(&r)
		}
		var re *RowError
		switch {
		case err == nil:
			sum.Rows++
		case errors.As(err, &re) && d.opts.SkipBadRows:
			sum.Skipped++
			if len(sum.Errors) < maxRowErrors {
				sum.Errors = append(sum.Errors, re.Error())
			}
		default:
			return err
		}
		if (sum.Rows+sum.Skipped)&(1<<14-1) == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			report(false)
		}
	}
	report(true)
	for _, col := range rs.missing() {
		d.warnf("%s: no row has %s; %s", in.name, col, missingMeans(src, col))
	}
	if sum.Rows == 0 && sum.Skipped == 0 {
		d.warnf("%s has no rows", in.name)
	}
	d.sources = append(d.sources, sum)
	d.read[src] = true
	return nil
}

func missingMeans(src Source, col string) string {
	if src == Webhooks {
		return fmt.Sprintf("the gap cannot be split into its legs (if the export names it otherwise: --map webhooks.delivered_at=%s)", col)
	}
	return "it is taken as absent"
}

func (d *Diagnosis) warnf(format string, args ...any) {
	d.warnings = append(d.warnings, fmt.Sprintf(format, args...))
}

// seeTime widens the span of all times seen.
func (d *Diagnosis) seeTime(ms int64) {
	if d.dataStart == none || ms < d.dataStart {
		d.dataStart = ms
	}
	if ms > d.dataEnd {
		d.dataEnd = ms
	}
}
