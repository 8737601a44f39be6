package diagnose

import (
	"errors"
	"hash/maphash"
	"math"
)

// none marks a time that is not known.
const none = math.MinInt64

// maxIDLen bounds an order id. Real ids are a few dozen bytes at most; a
// longer one is almost certainly a misread column.
const maxIDLen = 255

// What an order has been seen in.
const (
	seenWebhook uint8 = 1 << iota
	seenERP
	seenConfirmation
	hasLines // the webhook rows carried SKU lines
)

// orderState is everything kept per order: 48 bytes and no pointers.
// Times are Unix milliseconds, none when absent.
type orderState struct {
	triggered int64 // the earliest triggered time over its attempts
	delivered int64 // the delivered time of the accepted attempt
	erp       int64 // the earliest ERP receipt
	confirmed int64 // the earliest confirmation sent

	idOff        uint32 // where its id starts in the arena: chunk<<arenaBits | offset
	attempt      uint16 // the attempt number delivered belongs to
	maxAttempt   uint16 // the highest attempt number seen
	linesAttempt uint16 // the attempt whose SKU lines count as demand
	idLen        uint8
	seen         uint8
}

const (
	chunkBits = 16 // orderStates per chunk: 1<<16 of 48 bytes = 3 MiB
	arenaBits = 20 // id bytes per arena chunk: 1 MiB
)

// table maps order ids to their state without a pointer per order, so
// that the garbage collector has nothing to scan however many orders
// there are, and grows in fixed chunks, so that growing never copies (a
// doubling slice would briefly hold twice the memory).
//
// The map is keyed by a 64-bit hash of the id; the ids themselves live
// back to back in an arena, and a lookup compares the bytes, so two ids
// with one hash are told apart: the second goes to collided, which in
// practice stays empty (about one pair in 10^8 among a million ids).
type table struct {
	seed     maphash.Seed
	byHash   map[uint64]uint32
	collided map[string]uint32
	arena    [][]byte
	states   [][]orderState
	n        uint32
}

func newTable() *table {
	return &table{seed: maphash.MakeSeed(), byHash: make(map[uint64]uint32, 1<<12)}
}

// errIDTooLong is returned for an id longer than maxIDLen.
var errIDTooLong = errors.New("order id longer than 255 bytes")

// lookup returns the order numbered for id, if there is one.
func (t *table) lookup(id string) (uint32, bool) {
	n, ok := t.byHash[maphash.String(t.seed, id)]
	if !ok {
		return 0, false
	}
	if t.idEquals(n, id) {
		return n, true
	}
	n, ok = t.collided[id]
	return n, ok
}

// get returns id's state, adding the order if it is new.
func (t *table) get(id string) (*orderState, error) {
	h := maphash.String(t.seed, id)
	n, ok := t.byHash[h]
	if ok && t.idEquals(n, id) {
		return t.at(n), nil
	}
	if ok {
		if n, ok := t.collided[id]; ok {
			return t.at(n), nil
		}
	}
	if len(id) > maxIDLen {
		return nil, errIDTooLong
	}
	if t.n == math.MaxUint32 {
		return nil, errors.New("more than 4 billion orders")
	}
	n = t.n
	if ok {
		if t.collided == nil {
			t.collided = make(map[string]uint32)
		}
		t.collided[id] = n
	} else {
		t.byHash[h] = n
	}
	if int(n>>chunkBits) == len(t.states) {
		t.states = append(t.states, make([]orderState, 1<<chunkBits))
	}
	st := t.at(n)
	*st = orderState{triggered: none, delivered: none, erp: none, confirmed: none}
	st.idOff, st.idLen = t.store(id), uint8(len(id))
	t.n++
	return st, nil
}

// store copies id into the arena and returns where it starts.
func (t *table) store(id string) uint32 {
	last := len(t.arena) - 1
	if last < 0 || len(t.arena[last])+len(id) > 1<<arenaBits {
		t.arena = append(t.arena, make([]byte, 0, 1<<arenaBits))
		last++
	}
	off := uint32(last)<<arenaBits | uint32(len(t.arena[last]))
	t.arena[last] = append(t.arena[last], id...)
	return off
}

func (t *table) idBytes(n uint32) []byte {
	st := t.at(n)
	c, off := st.idOff>>arenaBits, st.idOff&(1<<arenaBits-1)
	return t.arena[c][off : off+uint32(st.idLen)]
}

func (t *table) idEquals(n uint32, id string) bool { return string(t.idBytes(n)) == id }

// id returns order n's id.
func (t *table) id(n uint32) string { return string(t.idBytes(n)) }

func (t *table) at(n uint32) *orderState { return &t.states[n>>chunkBits][n&(1<<chunkBits-1)] }

// len returns the number of orders.
func (t *table) len() uint32 { return t.n }
