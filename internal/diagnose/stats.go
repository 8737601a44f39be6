package diagnose

import (
	"math"
	"slices"
	"time"
)

// missing marks an order without a value for a leg, in the []int32 of
// delays.
const missing = math.MinInt32

// Percentiles are nearest-rank percentiles: pN is the smallest value that
// at least N% of the values are at or below.
type Percentiles struct {
	Min int64 `json:"min"`
	P50 int64 `json:"p50"`
	P90 int64 `json:"p90"`
	P95 int64 `json:"p95"`
	P99 int64 `json:"p99"`
	Max int64 `json:"max"`
}

func percentiles(sorted []int32) Percentiles {
	if len(sorted) == 0 {
		return Percentiles{}
	}
	return Percentiles{
		Min: int64(sorted[0]),
		P50: rank(sorted, 50), P90: rank(sorted, 90), P95: rank(sorted, 95), P99: rank(sorted, 99),
		Max: int64(sorted[len(sorted)-1]),
	}
}

// rank returns the nearest-rank p-th percentile of sorted values: the
// value at position ceil(p/100 × n), counting from 1.
func rank(sorted []int32, p float64) int64 {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	k := int(math.Ceil(p / 100 * float64(n)))
	return int64(sorted[min(max(k, 1), n)-1])
}

func rank64(sorted []int64, p float64) int64 {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	k := int(math.Ceil(p / 100 * float64(n)))
	return sorted[min(max(k, 1), n)-1]
}

func percentiles64(v []int64) Percentiles {
	if len(v) == 0 {
		return Percentiles{}
	}
	slices.Sort(v)
	return Percentiles{Min: v[0], P50: rank64(v, 50), P90: rank64(v, 90), P95: rank64(v, 95), P99: rank64(v, 99), Max: v[len(v)-1]}
}

// moments returns the mean and the coefficient of variation (population
// standard deviation over the mean) of v; cv is 0 when the mean is not
// above 0.
func moments(v []int32) (mean, cv float64) {
	if len(v) == 0 {
		return 0, 0
	}
	var sum float64
	for _, x := range v {
		sum += float64(x)
	}
	mean = sum / float64(len(v))
	var ss float64
	for _, x := range v {
		d := float64(x) - mean
		ss += d * d
	}
	if mean <= 0 {
		return mean, 0
	}
	return mean, math.Sqrt(ss/float64(len(v))) / mean
}

// trimmed returns sorted without its lowest and highest 1%: the values a
// trimmed CV is taken over, so that a handful of stragglers cannot turn
// a steady delay into a "variable" one.
func trimmed(sorted []int32) []int32 {
	cut := len(sorted) / 100
	return sorted[cut : len(sorted)-cut]
}

// Bin is one bar of a histogram: the delays in [FromMS, ToMS). A first
// bin that ends at 0 holds the negative delays (clock skew); the last bin
// ends just after the largest delay.
type Bin struct {
	FromMS int64 `json:"from_ms"`
	ToMS   int64 `json:"to_ms"`
	Count  int   `json:"count"`
}

// binEdges are the histogram's edges in milliseconds: about five a
// decade, each a round figure in its own unit.
var binEdges = func() []int64 {
	ms := []int64{0, 10, 20, 50, 100, 200, 300, 500, 750}
	s := []float64{1, 1.5, 2, 3, 5, 7.5, 10, 15, 20, 30, 45}
	m := []float64{1, 1.5, 2, 3, 5, 7.5, 10, 15, 20, 30, 45}
	h := []float64{1, 1.5, 2, 3, 4, 6, 8, 12, 18}
	d := []float64{1, 2, 3, 7}
	for _, x := range s {
		ms = append(ms, int64(x*1000))
	}
	for _, x := range m {
		ms = append(ms, int64(x*60_000))
	}
	for _, x := range h {
		ms = append(ms, int64(x*3_600_000))
	}
	for _, x := range d {
		ms = append(ms, int64(x*86_400_000))
	}
	return ms
}()

// histogram counts sorted delays into binEdges' bins, dropping the empty
// bins before the first and after the last value. Negative delays share
// one bin below 0.
func histogram(sorted []int32) []Bin {
	if len(sorted) == 0 {
		return nil
	}
	bins := make([]Bin, 0, len(binEdges)+1)
	neg, _ := slices.BinarySearch(sorted, 0)
	if neg > 0 {
		bins = append(bins, Bin{FromMS: int64(sorted[0]), ToMS: 0, Count: neg})
	}
	i := neg
	top := int64(sorted[len(sorted)-1]) + 1
	for e := range binEdges {
		from, to := binEdges[e], top
		j := len(sorted)
		if e+1 < len(binEdges) {
			to = binEdges[e+1]
			j, _ = slices.BinarySearch(sorted, int32(to))
		} else {
			to = max(top, from+1)
		}
		bins = append(bins, Bin{FromMS: from, ToMS: to, Count: j - i})
		i = j
	}
	// Trim the empty bins at both ends (the negative bin is never empty).
	lo, hi := 0, len(bins)
	for lo < hi && bins[lo].Count == 0 {
		lo++
	}
	for hi > lo && bins[hi-1].Count == 0 {
		hi--
	}
	return bins[lo:hi]
}

// groups sorts values into n groups by key and returns, per group, the
// number of values and their median and p95 (nearest rank); values equal
// to missing are left out.
func groups(values []int32, keys []int32, n int) (count []int, p50, p95 []int64) {
	count = make([]int, n)
	for i, v := range values {
		if v != missing {
			count[keys[i]]++
		}
	}
	start := make([]int, n+1)
	for g := range n {
		start[g+1] = start[g] + count[g]
	}
	sorted := make([]int32, start[n])
	fill := slices.Clone(start[:n])
	for i, v := range values {
		if v != missing {
			sorted[fill[keys[i]]] = v
			fill[keys[i]]++
		}
	}
	p50, p95 = make([]int64, n), make([]int64, n)
	for g := range n {
		seg := sorted[start[g]:start[g+1]]
		slices.Sort(seg)
		p50[g], p95[g] = rank(seg, 50), rank(seg, 95)
	}
	return count, p50, p95
}

// spearman returns the rank correlation of x and y, and false when it is
// undefined (fewer than 3 pairs, or one side constant).
func spearman(x, y []float64) (float64, bool) {
	if len(x) < 3 {
		return 0, false
	}
	rx, ry := ranks(x), ranks(y)
	var mx, my float64
	for i := range rx {
		mx += rx[i]
		my += ry[i]
	}
	mx /= float64(len(rx))
	my /= float64(len(ry))
	var sxy, sxx, syy float64
	for i := range rx {
		dx, dy := rx[i]-mx, ry[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return 0, false
	}
	return sxy / math.Sqrt(sxx*syy), true
}

// ranks returns the rank of each value from 1, ties sharing their mean
// rank.
func ranks(v []float64) []float64 {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case v[a] < v[b]:
			return -1
		case v[a] > v[b]:
			return 1
		}
		return 0
	})
	r := make([]float64, len(v))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && v[idx[j+1]] == v[idx[i]] {
			j++
		}
		mean := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			r[idx[k]] = mean
		}
		i = j + 1
	}
	return r
}

// clamp32 fits a delay in milliseconds into an int32 (±24.8 days),
// keeping clear of missing.
func clamp32(ms int64) (int32, bool) {
	switch {
	case ms > math.MaxInt32:
		return math.MaxInt32, true
	case ms <= missing:
		return missing + 1, true
	}
	return int32(ms), false
}

// human writes a duration in milliseconds the way people say it: 850ms,
// 12.4s, 4m10s, 2h05m, 3d4h.
func human(ms int64) string {
	neg := ms < 0
	if neg {
		ms = -ms
	}
	var s string
	d := time.Duration(ms) * time.Millisecond
	switch {
	case ms < 1000:
		s = itoa(ms) + "ms"
	case ms < 10_000:
		s = trimZero(float64(ms)/1000, 2) + "s"
	case ms < 60_000:
		s = trimZero(float64(ms)/1000, 1) + "s"
	case d < time.Hour:
		m, sec := ms/60_000, (ms%60_000)/1000
		s = itoa(m) + "m"
		if sec != 0 {
			s += pad2(sec) + "s"
		}
	case d < 48*time.Hour:
		h, m := ms/3_600_000, (ms%3_600_000)/60_000
		s = itoa(h) + "h"
		if m != 0 {
			s += pad2(m) + "m"
		}
	default:
		days, h := ms/86_400_000, (ms%86_400_000)/3_600_000
		s = itoa(days) + "d"
		if h != 0 {
			s += itoa(h) + "h"
		}
	}
	if neg {
		return "-" + s
	}
	return s
}
