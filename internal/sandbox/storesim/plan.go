package storesim

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// plannedOrder is everything about an order fixed by the seed. Times are
// filled in when it is placed.
type plannedOrder struct {
	ID         int64
	Number     int
	CustomerID int64
	First      string
	Last       string
	Email      string
	Phone      string
	Address    address
	Lines      []plannedLine
	Total      decimal.Decimal

	OutOfOrder   bool
	Dropped      bool          // every webhook of it is lost
	CancelReason string        // set when the order will be cancelled
	CancelDelay  time.Duration // how long the cancel waits after the create

	deliveries []*delivery
}

type plannedLine struct {
	ID        int64
	ProductID int64
	VariantID int64
	Product   product
	Quantity  int
	Unknown   bool
}

// event is one merchant action: one payload, shared by every delivery of
// it. The body is built when it first goes out and reused for retries and
// duplicates, as Shopify resends the original payload (and as BigCommerce
// resends one callback, hash and all).
type event struct {
	action action
	Topic  string // the platform's raw topic
	// ID names the event: X-Shopify-Event-Id, drawn with the plan; for
	// WooCommerce the key the gateway dedups on, and for BigCommerce the
	// callback's hash, both set by render.
	ID     string
	body   []byte
	at     string      // X-Shopify-Triggered-At
	header http.Header // WooCommerce: the headers made with the body
}

// delivery is one X-Shopify-Webhook-Id: an event sent, retried until
// accepted or given up. (The WebhookID is drawn for every flavor, so that
// one seed plans the same orders in each; only Shopify sends it.)
type delivery struct {
	Event     *event
	WebhookID string
	Duplicate bool // a second delivery of an event already delivered
	// Late says the delivery is a redelivery of the create that waits
	// Config.LateDelay after the order's other webhooks (Config.LateRate).
	Late bool
}

var (
	firstNames = []string{"Ava", "Noah", "Mia", "Liam", "Zoe", "Omar", "Ines", "Kenji", "Priya", "Lucas", "Freya", "Mateo", "Aisha", "Jonas", "Chloe", "Ravi"}
	lastNames  = []string{"Hughes", "Okafor", "Larsen", "Moreau", "Tanaka", "Silva", "Novak", "Kowalski", "Ahmed", "Schmidt", "Rossi", "Walsh", "Nguyen", "Berg", "Costa", "Patel"}
	reasons    = []string{"customer", "customer", "inventory", "fraud", "declined", "other"}
)

// plan draws every order from one seeded source, so a seed names a run.
func plan(c Config) []plannedOrder {
	rng := rand.New(rand.NewPCG(uint64(c.Seed), 0x0d3a_6a7e))
	// Drops come from a stream of their own, one draw per order whatever
	// the rate: which orders are dropped is independent of every other
	// draw, and a config without DropRate plans the same orders as before
	// it existed.
	drops := rand.New(rand.NewPCG(uint64(c.Seed), 0x1057_d0e5))
	// Late redeliveries too: one draw per order, and one id per late one.
	lates := rand.New(rand.NewPCG(uint64(c.Seed), 0x1a7e_de11))
	// Line, product and customer ids live above 2^53 too, in ranges of
	// their own.
	lineID := int64(1<<53) + 7_000_000_001
	orders := make([]plannedOrder, c.Orders)
	for i := range orders {
		number := 1001 + i
		o := plannedOrder{
			ID:         c.FirstOrderID + int64(i),
			Number:     number,
			CustomerID: int64(1<<53) + 3_000_000_000 + int64(rng.IntN(1_000_000)),
			First:      firstNames[rng.IntN(len(firstNames))],
			Last:       lastNames[rng.IntN(len(lastNames))],
			Address:    addresses[rng.IntN(len(addresses))],
			Phone:      fmt.Sprintf("+1 555-01%02d", rng.IntN(100)),
			OutOfOrder: rng.Float64() < c.OutOfOrderRate,
			Dropped:    drops.Float64() < c.DropRate,
		}
		o.Email = fmt.Sprintf("%s.%s.%d@example.com", strings.ToLower(o.First), strings.ToLower(o.Last), number)
		for _, sku := range pick(rng, c.SKUs, 1+rng.IntN(c.MaxLinesPerOrder)) {
			o.Lines = append(o.Lines, plannedLine{Product: productFor(sku), Quantity: quantity(rng)})
		}
		if rng.Float64() < c.UnknownSKURate {
			o.Lines = append(o.Lines, plannedLine{Product: unknownProduct(rng.Uint32()), Quantity: 1, Unknown: true})
		}
		for j := range o.Lines {
			l := &o.Lines[j]
			l.ID = lineID
			lineID++
			l.ProductID = int64(1<<53) + 5_000_000_000 + productHash(l.Product.SKU)
			l.VariantID = l.ProductID + 1_000_000_000
			o.Total = o.Total.Add(l.Product.Price.Mul(decimal.NewFromInt(int64(l.Quantity))))
		}
		duplicate := rng.Float64() < c.DuplicateRate
		if rng.Float64() < c.CancelRate {
			o.CancelReason = reasons[rng.IntN(len(reasons))]
			o.CancelDelay = c.CancelDelay
			// Drawn only when asked for, so that a config without
			// CancelDelays plans the same orders as before it existed.
			if len(c.CancelDelays) > 0 {
				o.CancelDelay = c.CancelDelays[rng.IntN(len(c.CancelDelays))]
			}
		}
		o.deliveries = deliveries(rng, c.Flavor.topics(), o.OutOfOrder, duplicate, o.CancelReason != "")
		if lates.Float64() < c.LateRate {
			create := o.event(actCreate)
			o.deliveries = append(o.deliveries, &delivery{Event: create, WebhookID: uuid(lates), Duplicate: true, Late: true})
		}
		orders[i] = o
	}
	return orders
}

// deliveries lays out the webhooks of one order in the order they go out.
func deliveries(rng *rand.Rand, topics topicNames, outOfOrder, duplicate, cancel bool) []*delivery {
	newEvent := func(a action) *event { return &event{action: a, Topic: topics[a], ID: uuid(rng)} }
	create := newEvent(actCreate)
	var ds []*delivery
	if outOfOrder {
		ds = append(ds, &delivery{Event: newEvent(actUpdate), WebhookID: uuid(rng)})
	}
	ds = append(ds, &delivery{Event: create, WebhookID: uuid(rng)})
	if duplicate {
		ds = append(ds, &delivery{Event: create, WebhookID: uuid(rng), Duplicate: true})
	}
	if cancel {
		ds = append(ds, &delivery{Event: newEvent(actCancel), WebhookID: uuid(rng)})
	}
	return ds
}

// pick returns n distinct SKUs (fewer if the catalogue is smaller).
func pick(rng *rand.Rand, skus []string, n int) []string {
	idx := rng.Perm(len(skus))
	if n > len(idx) {
		n = len(idx)
	}
	out := make([]string, n)
	for i := range out {
		out[i] = skus[idx[i]]
	}
	return out
}

// quantity is mostly 1, sometimes a few.
func quantity(rng *rand.Rand) int {
	switch r := rng.IntN(10); {
	case r < 7:
		return 1
	case r < 9:
		return 2
	default:
		return 3 + rng.IntN(4)
	}
}

// uuid returns a version-4-shaped id, as Shopify's webhook and event ids are.
func uuid(rng *rand.Rand) string {
	a, b := rng.Uint64(), rng.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x",
		a>>32, (a>>16)&0xffff, a&0x0fff, 0x8000|(b>>48)&0x3fff, b&0xffffffffffff)
}

func productHash(sku string) int64 {
	h := fnv.New32a()
	h.Write([]byte(sku))
	return int64(h.Sum32() % 1_000_000_000)
}

func idString(n int64) string { return strconv.FormatInt(n, 10) }

// event returns the order's event of action a, or nil if it has none.
func (o *plannedOrder) event(a action) *event {
	for _, d := range o.deliveries {
		if d.Event.action == a {
			return d.Event
		}
	}
	return nil
}

// stableHex is a hex digest of parts: an id that looks random and is the
// same in every run.
func stableHex(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "|")))
	return hex.EncodeToString(sum[:])
}
