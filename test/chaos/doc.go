// Package chaos is ordergate's fault-injection harness and history checker,
// in the manner of Jepsen: run a real workload against the real binary,
// inject faults, record what every outside party saw, and let a checker
// reject any history the contract (invariants I1–I6, docs/DESIGN.md)
// forbids.
//
// TestChaos (chaos_test.go) builds cmd/ordergate, and for each round starts
// it against three storefront simulators (storesim: a Shopify, a
// WooCommerce and a BigCommerce shop, the round's orders spread over them
// by its seed, BigCommerce's orders read by the gateway from a fake v2
// API), a sandbox ERP (erpsim) with a seeded stock per SKU, a real SMTP
// mailbox (mailbox) and one to three marketplace fakes (Amazon, eBay,
// Walmart: the vendor fakes of internal/marketplace, which the gateway's
// stock ledger pushes quantities to), all over real HTTP and SMTP in the
// test process, with a mix of faults drawn from the round's seed
// (Plan): SIGKILLs of the gateway and restarts; ERP 5xx, timeouts, in-doubt
// creates, throttling, slow acknowledgments and callbacks; SMTP refusals,
// stalls and dropped connections; duplicate, reordered and late webhooks;
// cancels racing the ERP create.
//
// Check (checker.go) judges a round from the outside records only — what
// the storefronts sent and were answered, every call the ERP received and
// what it holds, every availability read it answered (recorded in front of
// it), what the mailbox received and refused, every quantity a marketplace
// was told (recorded in front of each fake) — plus what an operator sees
// in the gateway's API at the end (state, attention, overdue, timeline).
// It reuses internal/sandbox/verdict for I1–I4 and adds the gateway-side
// I1 checks, the I6 timeline checks and I5 (stock.go: each push against
// the ERP's answers and the orders the records show held; the rule and
// why it is sound are in the comment on checker.stock).
package chaos
