package marketplace

import "time"

// revisions counts the quantity changes each listing took today, for a
// marketplace that allows only so many a day (eBay: 250 per listing per
// calendar day).
type revisions struct {
	limit int // 0: no limit
	zone  *time.Location
	day   map[string]dayCount // by SKU
}

type dayCount struct {
	start time.Time // the day's start, in zone
	n     int
}

func newRevisions(limit int, zone *time.Location) *revisions {
	if zone == nil {
		zone = time.UTC
	}
	return &revisions{limit: limit, zone: zone, day: map[string]dayCount{}}
}

// dayStart returns when the day holding t began.
func (r *revisions) dayStart(t time.Time) time.Time {
	y, m, d := t.In(r.zone).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, r.zone)
}

// nextDay returns when the day after the one holding t begins.
func (r *revisions) nextDay(t time.Time) time.Time {
	y, m, d := t.In(r.zone).Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, r.zone)
}

// left returns how many more revisions sku may take today; -1 without a limit.
func (r *revisions) left(sku string, now time.Time) int {
	if r.limit <= 0 {
		return -1
	}
	c := r.day[sku]
	if !c.start.Equal(r.dayStart(now)) {
		return r.limit
	}
	return max(0, r.limit-c.n)
}

// spend counts one revision of sku now.
func (r *revisions) spend(sku string, now time.Time) {
	if r.limit <= 0 {
		return
	}
	start := r.dayStart(now)
	c := r.day[sku]
	if !c.start.Equal(start) {
		c = dayCount{start: start}
	}
	c.n++
	r.day[sku] = c
}

// used returns the revisions sku took today.
func (r *revisions) used(sku string, now time.Time) int {
	c := r.day[sku]
	if r.limit <= 0 || !c.start.Equal(r.dayStart(now)) {
		return 0
	}
	return c.n
}
