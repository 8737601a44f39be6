// Package chaos is ordergate's fault-injection harness and history checker,
// in the manner of Jepsen: run a real workload against the real binary,
// inject faults, record what every outside party saw, and let a checker
// reject any history the contract (invariants I1–I6, docs/DESIGN.md)
// forbids.
//
// TestChaos (chaos_test.go) builds cmd/ordergate, and for each round starts
// it against a Shopify storefront simulator (storesim), a sandbox ERP
// (erpsim) and a real SMTP mailbox (mailbox), all over real HTTP and SMTP in
// the test process, with a mix of faults drawn from the round's seed
// (Plan): SIGKILLs of the gateway and restarts; ERP 5xx, timeouts, in-doubt
// creates, throttling, slow acknowledgments and callbacks; SMTP refusals,
// stalls and dropped connections; duplicate, reordered and late webhooks;
// cancels racing the ERP create.
//
// Check (checker.go) judges a round from the outside records only — what
// the storefront sent and was answered, every call the ERP received and
// what it holds, what the mailbox received and refused — plus what an
// operator sees in the gateway's API at the end (state, attention, overdue,
// timeline). It reuses internal/sandbox/verdict for I1–I4 and adds the
// gateway-side I1 checks and the I6 timeline checks. I5 is not judged: the
// rounds configure no marketplace yet.
package chaos
