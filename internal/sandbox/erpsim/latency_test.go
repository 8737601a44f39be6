package erpsim

import (
	"testing"
	"time"
)

func TestLatency_SampleIsClippedAtMinAndBounded(t *testing.T) {
	t.Parallel()
	l := Latency{Min: 5 * time.Millisecond, Median: 20 * time.Millisecond, P99: 200 * time.Millisecond}
	cases := []struct {
		name string
		lat  Latency
		norm float64
		want time.Duration
	}{
		{"ZeroIsNoDelay", Latency{}, 1, 0},
		{"OnlyMinIsConstant", Latency{Min: time.Millisecond}, 3, time.Millisecond},
		{"MedianAtZero", l, 0, 20 * time.Millisecond},
		{"P99At2.33", l, 2.3263478740408408, 200 * time.Millisecond},
		{"FarBelowIsMin", l, -10, 5 * time.Millisecond},
		{"FarAboveIsTenTimesP99", l, 50, 2 * time.Second},
		{"NoSpreadIsMedian", Latency{Median: 30 * time.Millisecond}, 2, 30 * time.Millisecond},
	}
	for _, c := range cases {
		got := c.lat.sample(c.norm)
		// Float rounding may land a nanosecond off.
		if d := got - c.want; d < -time.Microsecond || d > time.Microsecond {
			t.Errorf("%s: sample(%v) = %s, want %s", c.name, c.norm, got, c.want)
		}
	}
}
