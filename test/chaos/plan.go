package chaos

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/ordergate/ordergate/internal/sandbox/erpsim"
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
	return p
}

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
	fmt.Fprintf(&b, "  kills:")
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
