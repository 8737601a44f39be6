package inventory

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestApportion_SplitsByWeightCapsAndRotatesTheRemainder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		pool          int
		weights, caps []int
		start         int
		want          []int
	}{
		{"even", 9, []int{1, 1, 1}, []int{0, 0, 0}, 0, []int{3, 3, 3}},
		{"remainder from the first", 10, []int{1, 1, 1}, []int{0, 0, 0}, 0, []int{4, 3, 3}},
		{"remainder from the last, wrapping", 11, []int{1, 1, 1}, []int{0, 0, 0}, 2, []int{4, 3, 4}},
		{"weights", 7, []int{2, 1}, []int{0, 0}, 1, []int{4, 3}},
		{"weight 0 gets nothing", 5, []int{1, 0, 1}, []int{0, 0, 0}, 1, []int{2, 0, 3}},
		{"a cap frees its part for the others", 12, []int{1, 1, 1}, []int{0, 1, 0}, 0, []int{6, 1, 5}},
		{"caps below every share", 10, []int{1, 1}, []int{2, 3}, 0, []int{2, 3}},
		{"one unit among three", 1, []int{1, 1, 1}, []int{0, 0, 0}, 1, []int{0, 1, 0}},
		{"nothing", 0, []int{1, 1}, []int{0, 0}, 0, []int{0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := apportion(tt.pool, tt.weights, tt.caps, tt.start)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("apportion(%d, %v, %v, %d) (-want +got):\n%s", tt.pool, tt.weights, tt.caps, tt.start, diff)
			}
			sum := 0
			for _, n := range got {
				sum += n
			}
			if sum > tt.pool {
				t.Errorf("gave %d of %d", sum, tt.pool)
			}
		})
	}
}

func TestRotation_SpreadsTheOddUnitOverSKUs(t *testing.T) {
	t.Parallel()
	seen := map[int]bool{}
	for _, sku := range []string{"A", "B", "C", "D", "E", "F", "G", "H"} {
		r := rotation(sku, 3)
		if r != rotation(sku, 3) {
			t.Fatalf("rotation(%s) not deterministic", sku)
		}
		seen[r] = true
	}
	if len(seen) < 2 {
		t.Errorf("eight SKUs all start the remainder at the same channel")
	}
}
