package diagnose

import (
	"fmt"
	"strings"
)

// zCritical is the z a volume correlation must reach to count: 2.576, two-
// sided 1% under no correlation (z = ρ√(k−1) is about standard normal
// then), so that a handful of intervals cannot fake a trend.
const zCritical = 2.576

var legPhrase = map[string]string{
	LegWebhook: "the webhook leg (triggered → delivered)",
	LegERP:     "the integration/ERP leg (delivered → ERP received)",
	LegTotal:   "the whole gap (triggered → ERP received)",
}

// decide applies the verdict rule of docs/DIAGNOSE.md:
//
//  1. fewer than MinOrders joined orders: insufficient_data;
//  2. p95 of the whole gap at or below HealthyP95: healthy;
//  3. otherwise judge the dominant leg (the larger share of the mean gap;
//     the whole gap when fewer than half the joined orders have a
//     delivered time). It is variable if its trimmed CV is above MaxCV,
//     or its interval medians follow volume (Spearman ρ ≥ MinVolumeCorr
//     and z ≥ 2.576), or its hourly medians swing by more than
//     MaxHourSwing of its median;
//  4. variable, or steady but in the webhook leg: webhook_or_integration_queue;
//     steady in the ERP leg (or the whole gap): erp_processing_queue.
func decide(rep *Report, th Thresholds, webhook, erp, total Leg, decomposed bool) {
	n := total.Orders
	if n < th.MinOrders {
		rep.Verdict = VerdictInsufficient
		rep.Summary = fmt.Sprintf("Not enough data: %s orders are in both the webhook export and the ERP receipts; the rule needs %s.", commas(n), commas(th.MinOrders))
		rep.Evidence = append(rep.Evidence, fmt.Sprintf("%s joined orders, fewer than the %s the rule needs (--min-orders); the figures below are shown but not judged", commas(n), commas(th.MinOrders)))
		return
	}
	p := total.PercentilesMS
	healthyMS := th.HealthyP95.Milliseconds()
	healthy := Check{Name: "healthy_p95", Leg: LegTotal, Value: float64(p.P95), Threshold: float64(healthyMS), Assessed: true, Flagged: p.P95 > healthyMS}
	dom := total
	if decomposed {
		dom = erp
		if webhook.ShareOfMean > erp.ShareOfMean {
			dom = webhook
		}
	}
	rep.DominantLeg = dom.Name
	var where string
	if decomposed {
		where = fmt.Sprintf("%s carries %s of the mean gap: %s of %s (the other leg %s)",
			legPhrase[dom.Name], pct(dom.ShareOfMean), human(int64(dom.MeanMS)), human(int64(total.MeanMS)), human(int64(other(dom, webhook, erp).MeanMS)))
	} else {
		where = "too few orders have a delivered time to split the gap into its legs, so the whole gap is judged"
	}

	if !healthy.Flagged {
		healthy.Detail = fmt.Sprintf("p95 of the whole gap is %s, within the healthy bound of %s (p99 %s, max %s, over %s joined orders)",
			human(p.P95), human(healthyMS), human(p.P99), human(p.Max), commas(n))
		rep.Checks = append(rep.Checks, healthy)
		rep.Verdict = VerdictHealthy
		rep.Summary = fmt.Sprintf("Healthy: 95%% of orders reach the ERP within %s of being triggered (p50 %s, p99 %s).", human(p.P95), human(p.P50), human(p.P99))
		rep.Evidence = append(rep.Evidence, healthy.Detail, where)
		return
	}
	healthy.Detail = fmt.Sprintf("p95 of the whole gap is %s, above the healthy bound of %s", human(p.P95), human(healthyMS))

	spread := Check{Name: "spread", Leg: dom.Name, Value: dom.TrimmedCV, Threshold: th.MaxCV, Assessed: true, Flagged: dom.TrimmedCV > th.MaxCV}
	if spread.Flagged {
		spread.Detail = fmt.Sprintf("its spread is high: trimmed CV %.2f, above %.2f (p50 %s, p95 %s)", dom.TrimmedCV, th.MaxCV, human(dom.PercentilesMS.P50), human(dom.PercentilesMS.P95))
	} else {
		spread.Detail = fmt.Sprintf("its spread is low: trimmed CV %.2f, at most %.2f (p50 %s, p95 %s)", dom.TrimmedCV, th.MaxCV, human(dom.PercentilesMS.P50), human(dom.PercentilesMS.P95))
	}

	v := dom.Volume
	volume := Check{Name: "volume", Leg: dom.Name, Value: v.Rho, Threshold: th.MinVolumeCorr, Assessed: v.Assessed,
		Flagged: v.Assessed && v.Rho >= th.MinVolumeCorr && v.Z >= zCritical}
	width := rep.Intervals.Width
	switch {
	case !v.Assessed:
		volume.Detail = fmt.Sprintf("too few intervals with %d or more joined orders (%d of %s; %d needed) to test it against order volume", minPerInterval, v.Intervals, width, minIntervals)
	case volume.Flagged:
		volume.Detail = fmt.Sprintf("it rises with order volume: Spearman ρ %.2f over %d intervals of %s (z %.1f; %.2f and z %.2f count)", v.Rho, v.Intervals, width, v.Z, th.MinVolumeCorr, zCritical)
	default:
		volume.Detail = fmt.Sprintf("it does not follow order volume: Spearman ρ %.2f over %d intervals of %s (z %.1f; it would take %.2f and z %.2f)", v.Rho, v.Intervals, width, v.Z, th.MinVolumeCorr, zCritical)
	}

	hs := dom.Hours
	hour := Check{Name: "hour_of_day", Leg: dom.Name, Value: hs.Swing, Threshold: th.MaxHourSwing, Assessed: hs.Assessed,
		Flagged: hs.Assessed && hs.Swing > th.MaxHourSwing}
	switch {
	case !hs.Assessed:
		hour.Detail = fmt.Sprintf("too few hours of the day with enough orders (%d of %d needed) to compare them", hs.Hours, minHours)
	case hour.Flagged:
		hour.Detail = fmt.Sprintf("it varies with the time of day: hourly medians from %s to %s over %d hours, a swing of %s of its median (above %s)", human(hs.MinMedianMS), human(hs.MaxMedianMS), hs.Hours, pct(hs.Swing), pct(th.MaxHourSwing))
	default:
		hour.Detail = fmt.Sprintf("it is the same at every hour: hourly medians from %s to %s over %d hours, a swing of %s of its median (at most %s)", human(hs.MinMedianMS), human(hs.MaxMedianMS), hs.Hours, pct(hs.Swing), pct(th.MaxHourSwing))
	}
	rep.Checks = append(rep.Checks, healthy, spread, volume, hour)
	rep.Evidence = append(rep.Evidence, healthy.Detail, where, spread.Detail, volume.Detail, hour.Detail)

	var why []string
	if volume.Flagged {
		why = append(why, "rises with order volume")
	}
	if hour.Flagged {
		why = append(why, "varies with the time of day")
	}
	if spread.Flagged {
		why = append(why, "is widely spread")
	}
	figures := fmt.Sprintf("(p50 %s, p95 %s)", human(p.P50), human(p.P95))
	switch {
	case len(why) > 0:
		rep.Verdict = VerdictIntegrationQueue
		rep.Summary = fmt.Sprintf("Webhook delivery or the integration queue: the delay in %s %s %s.", shortLeg(dom.Name), andList(why), figures)
		if spread.Flagged && !volume.Flagged && !hour.Flagged && volume.Assessed && hour.Assessed {
			rep.Evidence = append(rep.Evidence, "only the spread is high: the delay follows neither volume nor the hour. A scheduled ERP import (every N minutes) spreads delays evenly from 0 to N like this; check the ERP's import schedule before blaming the integration")
		}
	case dom.Name == LegWebhook:
		rep.Verdict = VerdictIntegrationQueue
		rep.Summary = fmt.Sprintf("Webhook delivery: the delay is steady, but it sits in the webhook leg %s.", figures)
	default:
		rep.Verdict = VerdictERPQueue
		rep.Summary = fmt.Sprintf("The ERP's processing queue: the delay sits in %s and is steady %s.", shortLeg(dom.Name), figures)
	}
}

// andList joins "a", "b" and "c" as "a, b and c".
func andList(items []string) string {
	if len(items) <= 1 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

func other(dom, webhook, erp Leg) Leg {
	if dom.Name == LegWebhook {
		return erp
	}
	return webhook
}

func shortLeg(name string) string {
	switch name {
	case LegWebhook:
		return "the webhook leg"
	case LegERP:
		return "the ERP leg"
	}
	return "the whole gap"
}
