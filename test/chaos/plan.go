package chaos

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
	"github.com/ordergate/ordergate/internal/sandbox/storesim"
)

// Plan is one round's workload and faults, all drawn from its seed, so that
// a seed names the round.
type Plan struct {
	Round  int
	Seed   int64
	Orders int
	Rate   float64 // orders placed per second
	Mode   string  // gated or ack_gated

	// The ERP's faults and behaviour.
	ERPFaults  erpsim.Faults
	ERPLatency erpsim.Latency
	AckDelay   time.Duration // slow acknowledgments; 0: the create's reply is the ack
	Callback   bool          // the ERP announces acks by signed callback

	// The mailbox's faults.
	MailFailRate      float64 // RCPT refused 451
	MailDropRate      float64 // message taken, connection dropped before the reply
	MailStallRate     float64 // RCPT reply held past the sender's timeout
	MailDataStallRate float64 // message taken, reply held past the sender's timeout
	MailStall         time.Duration

	// The storefront's webhooks.
	DuplicateRate  float64
	OutOfOrderRate float64
	LateRate       float64
	LateDelay      time.Duration
	CancelRate     float64
	CancelDelays   []time.Duration // 0 and a few ms race the ERP create
	UnknownSKURate float64

	Kills []Kill

	// Shops are the round's storefronts, one per flavour, and how many of
	// the round's orders each places.
	Shops []ShopPlan
	// Stock is the ERP's stock of each catalogue SKU at the start: low
	// enough that stock moves and some SKUs sell out within the round.
	Stock map[string]int
	// Markets are the marketplaces the gateway pushes stock to, each a
	// vendor fake in the test process (I5).
	Markets []MarketPlan
}

// ShopPlan is one storefront of a round.
type ShopPlan struct {
	Name   string
	Flavor storesim.Flavor
	Orders int
}

// MarketPlan is one marketplace of a round: its kind (amazon, ebay or
// walmart; the channel is named after it) and the ledger's settings for it.
type MarketPlan struct {
	Kind     string
	Buffer   int
	Lag      time.Duration
	Debounce time.Duration
}

// Kill is one SIGKILL of the gateway: when Trigger's count reaches At.
type Kill struct {
	Trigger string // one of the Trigger* constants
	At      int    // the count, or milliseconds for TriggerTime and TriggerRestart
}

// What a kill waits for.
const (
	TriggerAccepted = "accepted"    // orders the storefront had accepted
	TriggerCreates  = "erp_creates" // create calls the ERP received
	TriggerMail     = "mail"        // messages the mailbox received
	TriggerTime     = "time"        // milliseconds since the round started
	TriggerRestart  = "restart"     // milliseconds after the previous restart: a kill during recovery
)

// JobTimeout is the gateway's jobs.timeout in every round: it bounds an
// SMTP send, so a mailbox stall longer than it is a timeout.
const JobTimeout = 3 * time.Second

// SLA is the storefront's confirmation_sla in every round: short, so that
// orders held up by kills and stalls go overdue and the overdue marking
// (I4) is exercised, and so that each order's SLA check, a job of its own,
// is done soon after the order.
const SLA = 15 * time.Second

// Draw plans round r of a run with the given seed: every fault kind is
// switched on with probability 0.7, at a rate drawn from its range, and 0
// to 3 kills are placed.
func Draw(seed int64, r, orders int, rate float64) Plan {
	rng := rand.New(rand.NewPCG(uint64(seed), uint64(r)+0xc4a05))
	on := func() bool { return rng.Float64() < 0.7 }
	between := func(lo, hi float64) float64 { return lo + (hi-lo)*rng.Float64() }
	ms := func(lo, hi int) time.Duration { return time.Duration(lo+rng.IntN(hi-lo+1)) * time.Millisecond }
	p := Plan{Round: r, Seed: seed, Orders: orders, Rate: rate, Mode: "gated", MailStall: 2 * JobTimeout, UnknownSKURate: 0.02}
	if rng.IntN(2) == 0 {
		p.Mode = "ack_gated"
	}
	f := &p.ERPFaults
	if on() {
		f.ErrorRate = between(0.01, 0.08)
	}
	if on() {
		f.ThrottleRate = between(0.01, 0.05)
		f.RetryAfter = ms(50, 250)
	}
	if on() {
		f.TimeoutRate = between(0.005, 0.02)
		f.Timeout = 2 * time.Second // the gateway gives up after 1s
	}
	if on() {
		f.InDoubtRate = between(0.01, 0.06)
	}
	median := ms(2, 20)
	p.ERPLatency = erpsim.Latency{Min: time.Millisecond, Median: median, P99: 8 * median}
	if on() {
		p.AckDelay = ms(200, 2500)
		p.Callback = rng.IntN(2) == 0
	}
	if on() {
		p.MailFailRate = between(0.01, 0.05)
	}
	if on() {
		p.MailDropRate = between(0.005, 0.02)
	}
	if on() {
		p.MailStallRate = between(0.005, 0.02)
	}
	if on() {
		p.MailDataStallRate = between(0.002, 0.01)
	}
	if on() {
		p.DuplicateRate = between(0.02, 0.1)
	}
	if on() {
		p.OutOfOrderRate = between(0.02, 0.1)
	}
	if on() {
		p.LateRate = between(0.01, 0.05)
		p.LateDelay = ms(300, 3000)
	}
	if on() {
		p.CancelRate = between(0.02, 0.08)
		p.CancelDelays = []time.Duration{0, 5 * time.Millisecond, 30 * time.Millisecond, 150 * time.Millisecond, time.Second, 3 * time.Second}
	}
	duration := int(float64(orders) / rate * 1000)
	for range rng.IntN(4) {
		var k Kill
		switch rng.IntN(5) {
		case 0:
			k = Kill{TriggerAccepted, int(between(0.05, 0.95) * float64(orders))}
		case 1:
			k = Kill{TriggerCreates, int(between(0.05, 0.9) * float64(orders))}
		case 2:
			k = Kill{TriggerMail, int(between(0.05, 0.6) * float64(orders))}
		case 3:
			k = Kill{TriggerTime, 200 + rng.IntN(max(duration, 1))}
		case 4:
			k = Kill{TriggerRestart, rng.IntN(300)}
		}
		p.Kills = append(p.Kills, k)
	}
	drawStock(&p, seed, r)
	return p
}

// drawStock spreads the orders over the three storefront flavours and draws
// the stock and the marketplaces, from a stream of their own so that the
// faults above are what they were before these existed.
func drawStock(p *Plan, seed int64, r int) {
	rng := rand.New(rand.NewPCG(uint64(seed), uint64(r)+0x5707c))
	ms := func(lo, hi int) time.Duration { return time.Duration(lo+rng.IntN(hi-lo+1)) * time.Millisecond }
	flavors := []storesim.Flavor{storesim.Shopify, storesim.WooCommerce, storesim.BigCommerce}
	weights := make([]int, len(flavors))
	sum := 0
	for i := range weights {
		weights[i] = 1 + rng.IntN(3)
		sum += weights[i]
	}
	left := p.Orders
	for i, f := range flavors {
		n := p.Orders * weights[i] / sum
		if i == len(flavors)-1 {
			n = left
		}
		left -= n
		p.Shops = append(p.Shops, ShopPlan{Name: shopNames[f], Flavor: f, Orders: n})
	}
	// An order takes about 0.26 units of each catalogue SKU (two lines of
	// twelve SKUs, 1.55 units a line): stock from 0.8 to 3.5 times what
	// the round asks of a SKU sells some out and leaves others plenty.
	p.Stock = map[string]int{}
	for _, sku := range storesim.DefaultSKUs() {
		demand := float64(p.Orders) * 0.26
		p.Stock[sku] = max(5, int(demand*(0.8+2.7*rng.Float64())))
	}
	market := func(kind string) MarketPlan {
		return MarketPlan{Kind: kind, Buffer: rng.IntN(4), Lag: ms(300, 2000), Debounce: ms(100, 600)}
	}
	// One marketplace in half the rounds: a channel alone is told all
	// that is free (erp − held − buffer), so its pushes meet the I5 bound
	// and the check is tight; several split the stock by share and are
	// told less each.
	kinds := []string{"amazon", "ebay", "walmart"}
	rng.Shuffle(len(kinds), func(i, j int) { kinds[i], kinds[j] = kinds[j], kinds[i] })
	n := 1
	switch u := rng.Float64(); {
	case u >= 0.8:
		n = 3
	case u >= 0.5:
		n = 2
	}
	for _, k := range kinds[:n] {
		p.Markets = append(p.Markets, market(k))
	}
}

// shopNames names each flavour's storefront in the gateway's config.
var shopNames = map[storesim.Flavor]string{storesim.Shopify: "shop1", storesim.WooCommerce: "woo1", storesim.BigCommerce: "bc1"}

// String lists the round's faults on one line each, for the log: with the
// seed, enough to replay it.
func (p Plan) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "round %d (seed %d): %d orders at %.0f/s, mode %s\n", p.Round, p.Seed, p.Orders, p.Rate, p.Mode)
	f := p.ERPFaults
	fmt.Fprintf(&b, "  erp: 5xx %.3f, throttle %.3f (retry-after %s), timeout %.3f, in-doubt %.3f; latency median %s p99 %s; ack delay %s, callback %t\n",
		f.ErrorRate, f.ThrottleRate, f.RetryAfter, f.TimeoutRate, f.InDoubtRate, p.ERPLatency.Median, p.ERPLatency.P99, p.AckDelay, p.Callback)
	fmt.Fprintf(&b, "  smtp: 451 %.3f, drop after data %.3f, stall before data %.3f, stall after data %.3f (stall %s, sender gives up after %s)\n",
		p.MailFailRate, p.MailDropRate, p.MailStallRate, p.MailDataStallRate, p.MailStall, JobTimeout)
	fmt.Fprintf(&b, "  webhooks: duplicate %.3f, reordered %.3f, late %.3f (after %s), cancel %.3f (delays %v), unknown sku %.3f\n",
		p.DuplicateRate, p.OutOfOrderRate, p.LateRate, p.LateDelay, p.CancelRate, p.CancelDelays, p.UnknownSKURate)
	fmt.Fprintf(&b, "  storefronts:")
	for _, s := range p.Shops {
		fmt.Fprintf(&b, " %s (%s) %d orders;", s.Name, s.Flavor, s.Orders)
	}
	fmt.Fprintf(&b, " stock %v\n  marketplaces:", p.Stock)
	for _, m := range p.Markets {
		fmt.Fprintf(&b, " %s buffer %d lag %s debounce %s;", m.Kind, m.Buffer, m.Lag, m.Debounce)
	}
	fmt.Fprintf(&b, "\n  kills:")
	if len(p.Kills) == 0 {
		b.WriteString(" none")
	}
	for _, k := range p.Kills {
		switch k.Trigger {
		case TriggerTime:
			fmt.Fprintf(&b, " [at %dms]", k.At)
		case TriggerRestart:
			fmt.Fprintf(&b, " [%dms after the restart]", k.At)
		default:
			fmt.Fprintf(&b, " [at %d %s]", k.At, k.Trigger)
		}
	}
	return b.String()
}
