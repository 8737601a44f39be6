// Package diagnose finds where the capture-to-ERP gap comes from, before
// anyone changes an integration.
//
// It puts webhook delivery logs beside ERP receipt timestamps, order by
// order, and reads the distribution of the delay in its two legs:
//
//	triggered ──webhook leg──► delivered ──integration/ERP leg──► ERP received
//	└────────────────────────── whole gap ─────────────────────────┘
//
// A delay that is consistent (low spread, indifferent to order volume and
// to the hour) points at the ERP's processing queue; one that varies with
// volume or the time of day points at webhook delivery or the integration
// queue. Report.Verdict names which, with the evidence; docs/DIAGNOSE.md
// states the rule and its thresholds exactly.
//
// It then checks the three signals of the gap: orders confirmed to the
// customer before (or without) an ERP receipt, marketplace oversells soon
// after busy periods, and per-SKU demand that differs between the
// storefront and the ERP.
//
// Inputs are CSV or JSON-lines exports, plain or gzipped, read as streams
// (Diagnosis.ReadFile), or the gateway's own store (Diagnosis.ReadStore).
// Memory grows with the number of distinct orders, never with the number
// of rows: each order costs one fixed-size record, its id's bytes and one
// pointer-free map entry (see table.go). Reports render as text, JSON and
// a self-contained HTML page with SVG charts.
package diagnose
