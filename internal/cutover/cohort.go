package cutover

import (
	"hash/fnv"

	"github.com/ordergate/ordergate/internal/order"
)

// Bucket returns the order's stable bucket in [0, 100): FNV-1a of the
// storefront name and the storefront's order id. It never changes for an
// order, so raising the percentage only ever adds orders to the gated
// cohort.
func Bucket(key order.Key) int {
	h := fnv.New32a()
	h.Write([]byte(key.Storefront))
	h.Write([]byte{0})
	h.Write([]byte(key.ID))
	return int(h.Sum32() % 100)
}

// CohortOf returns the cohort of a new order under percent: gated when its
// bucket is below percent.
func CohortOf(key order.Key, percent int) order.Cohort {
	if Bucket(key) < percent {
		return order.CohortGated
	}
	return order.CohortLegacy
}
