package sqlite

import (
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"runtime"
	"sync"
)

// Stored payloads — a delivery's raw body, an order's document — are kept
// DEFLATE-compressed: they are JSON, ~2 KB and ~0.6 KB, and compress 2.5×
// and 1.3× (see bodies and documents), and they were most of the bytes on
// disk per order. A row
// written before this, or a payload too small to gain, is stored as it came,
// and reads back as it is.
//
// The format is told by the first byte. A payload as it came is JSON (or,
// for some storefronts, form-encoded text) and never starts with a NUL, so a
// NUL starts a marker:
//
//	anything not starting with 0x00   the payload itself (every row written before)
//	0x00 0x00 payload                 the payload itself, which started with 0x00
//	0x00 0x01 deflate                 RFC 1951 DEFLATE of the payload
//
// The body comes back byte for byte: replaying a delivery or checking its
// signature again needs the exact bytes the storefront signed.

const (
	formatRaw     = 0x00
	formatDeflate = 0x01
)

// Bodies are compressed at flate.BestSpeed, on the webhook's goroutine: the
// default level shrank a webhook body 2–3% more for ~3× the CPU. Documents
// are compressed on the one committer goroutine, where every microsecond
// is serial, so with Huffman coding alone (still DEFLATE): BestSpeed on the
// document was ~18% of the committer's CPU in a profile, and Huffman coding
// alone takes 7 µs against ~19 µs (BenchmarkPack) and keeps 0.76 of a
// document against 0.70.
var (
	bodies    = newPacker(flate.BestSpeed)
	documents = newPacker(flate.HuffmanOnly)
)

// A packer compresses at one level. Its compressors, one per CPU, are made
// when first needed. A compressor holds hundreds of KB of tables, and a
// sync.Pool would keep one per webhook in flight (hundreds under load)
// against the memory target; more compressing at once than there are CPUs
// gains nothing. A caller waits for a free one, for tens of microseconds.
type packer struct {
	level   int
	writers chan *flate.Writer
}

func newPacker(level int) *packer {
	pk := &packer{level: level, writers: make(chan *flate.Writer, runtime.GOMAXPROCS(0))}
	for range cap(pk.writers) {
		pk.writers <- nil
	}
	return pk
}

var readers = sync.Pool{New: func() any { return flate.NewReader(bytes.NewReader(nil)) }}

// pack returns p in its stored form, compressed when that saves space.
func (pk *packer) pack(p []byte) []byte {
	if len(p) >= 64 {
		var buf bytes.Buffer
		buf.Grow(len(p)/2 + 16)
		buf.Write([]byte{0, formatDeflate})
		w := <-pk.writers
		if w == nil {
			w, _ = flate.NewWriter(nil, pk.level) // fails only for a bad level
		}
		w.Reset(&buf)
		_, err := w.Write(p)
		if err == nil {
			err = w.Close()
		}
		pk.writers <- w
		if err == nil && buf.Len() < len(p) {
			return buf.Bytes()
		}
	}
	if len(p) > 0 && p[0] == 0 {
		return append([]byte{0, formatRaw}, p...)
	}
	return p
}

// unpack returns the payload of a stored value, as pack was given it.
func unpack(b []byte) ([]byte, error) {
	if len(b) == 0 || b[0] != 0 {
		return b, nil
	}
	if len(b) < 2 {
		return nil, fmt.Errorf("stored payload: truncated format marker")
	}
	switch b[1] {
	case formatRaw:
		return b[2:], nil
	case formatDeflate:
		r := readers.Get().(io.ReadCloser)
		defer readers.Put(r)
		if err := r.(flate.Resetter).Reset(bytes.NewReader(b[2:]), nil); err != nil {
			return nil, fmt.Errorf("stored payload: %w", err)
		}
		out := bytes.NewBuffer(make([]byte, 0, 3*len(b)))
		if _, err := out.ReadFrom(r); err != nil {
			return nil, fmt.Errorf("stored payload: inflate: %w", err)
		}
		return out.Bytes(), nil
	default:
		return nil, fmt.Errorf("stored payload: unknown format %#x", b[1])
	}
}
