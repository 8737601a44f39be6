package sqlite

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergate/ordergate/internal/order"
	"github.com/ordergate/ordergate/internal/store"
	"github.com/ordergate/ordergate/internal/store/storetest"
)

// shopifyBody is a real orders/create body (source: the Shopify package's
// testdata/SOURCES.md).
func shopifyBody(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("../../storefront/shopify/testdata/go-shopify-order.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPack_ReturnsThePayloadByteForByte(t *testing.T) {
	t.Parallel()
	noise := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range noise {
		noise[i] = byte(rng.Uint32())
	}
	for _, tt := range []struct {
		name   string
		p      []byte
		shrink bool // stored smaller than given
	}{
		{"empty", nil, false},
		{"small json", []byte(`{"id":1}`), false},
		{"webhook body", shopifyBody(t), true},
		{"form-encoded", []byte(strings.Repeat("line_items%5B0%5D%5Bsku%5D=TSHIRT-M&", 40)), true},
		{"starts with NUL", []byte("\x00\x01not deflate"), false},
		{"large, starts with NUL", append([]byte{0, 1}, bytes.Repeat([]byte("ab"), 200)...), true},
		{"incompressible", noise, false},
	} {
		for name, pk := range map[string]*packer{"body": bodies, "document": documents} {
			t.Run(tt.name+"/"+name, func(t *testing.T) {
				t.Parallel()
				stored := pk.pack(tt.p)
				if got := len(stored) < len(tt.p); got != tt.shrink {
					t.Errorf("stored %d bytes of %d: shrank = %v, want %v", len(stored), len(tt.p), got, tt.shrink)
				}
				got, err := unpack(stored)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, tt.p) {
					t.Errorf("unpack(pack(p)) differs from p:\n%s", cmp.Diff(string(tt.p), string(got)))
				}
			})
		}
	}
}

func TestUnpack_UnknownFormatIsAnError(t *testing.T) {
	t.Parallel()
	for _, b := range [][]byte{{0}, {0, 7, 'x'}, {0, formatDeflate, 0xff, 0xff}} {
		if _, err := unpack(b); err == nil {
			t.Errorf("unpack(%q) = nil error, want one", b)
		}
	}
}

// Rows written before compression — the document as JSON text, the body as
// it came — must read as they did, beside rows written compressed.
func TestStoredFormats_OldRowsReadBesideCompressedOnes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openTemp(t, nil).(*Store)
	body := shopifyBody(t)
	now := time.Now().UTC()

	// New: through Ingest.
	neu := storetest.Sample("new")
	if _, err := s.Ingest(ctx, store.Delivery{DedupKey: "create-new", Storefront: "shop1", Topic: "orders/create", DeliveryID: "d-new",
		OrderID: "new", ReceivedAt: now, Body: body}, func(store.Tx, *order.Order) (*order.Order, error) {
		return order.New(neu, now, "shopify", "orders/create"), nil
	}); err != nil {
		t.Fatal(err)
	}
	// Old: the row shapes the previous binary wrote, in SQL.
	old := order.New(storetest.Sample("old"), now, "shopify", "orders/create")
	doc, err := store.EncodeDocument(old)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.write.ExecContext(ctx, `INSERT INTO orders (storefront, order_id, name, state, email, document, received_at, updated_at)
		VALUES ('shop1', 'old', ?, ?, ?, ?, ?, 1)`, old.Name, string(old.State()), strings.ToLower(old.Customer.Email), string(doc), micros(old.ReceivedAt)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.write.ExecContext(ctx, `INSERT INTO deliveries (dedup_key, storefront, topic, delivery_id, order_id, received_at, body)
		VALUES ('create-old', 'shop1', 'orders/create', 'd-old', 'old', 1, ?)`, body); err != nil {
		t.Fatal(err)
	}

	var storedBody, storedDoc int
	if err := s.read.QueryRowContext(ctx, `SELECT length(d.body), length(CAST(o.document AS BLOB)) FROM deliveries d JOIN orders o
		ON o.storefront = d.storefront AND o.order_id = d.order_id WHERE d.dedup_key = 'create-new'`).Scan(&storedBody, &storedDoc); err != nil {
		t.Fatal(err)
	}
	if storedBody >= len(body) {
		t.Errorf("new body stored in %d bytes of %d: not compressed", storedBody, len(body))
	}
	for _, id := range []string{"new", "old"} {
		d, err := s.Delivery(ctx, "create-"+id)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(d.Body, body) {
			t.Errorf("%s delivery: body differs from the one sent:\n%s", id, cmp.Diff(string(body), string(d.Body)))
		}
		o, err := s.Get(ctx, order.Key{Storefront: "shop1", ID: id})
		if err != nil {
			t.Fatal(err)
		}
		want := storetest.Sample(id)
		if diff := cmp.Diff(want.Customer, o.Customer); diff != "" {
			t.Errorf("%s order: customer (-want +got):\n%s", id, diff)
		}
		if diff := cmp.Diff(want.Lines, o.Lines); diff != "" {
			t.Errorf("%s order: lines (-want +got):\n%s", id, diff)
		}
		if !o.Total.Equal(want.Total) {
			t.Errorf("%s order: total %s, want %s", id, o.Total, want.Total)
		}
	}
	if _, err := s.Delivery(ctx, "create-none"); !strings.Contains(err.Error(), store.ErrNotFound.Error()) {
		t.Errorf("missing delivery: %v, want not found", err)
	}
}

// page_size takes effect only on a new file and only before WAL is set;
// the driver runs _pragma values in name order, which once put
// journal_mode first and left every database on 4 KiB pages.
func TestOpen_NewFileHas8KiBPagesInWAL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openTemp(t, nil).(*Store)
	var size int
	var mode string
	if err := s.write.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&size); err != nil {
		t.Fatal(err)
	}
	if err := s.write.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if size != 8192 || mode != "wal" {
		t.Errorf("page_size %d, journal_mode %s; want 8192 and wal", size, mode)
	}
}

// BenchmarkPack is the compression of a ~3.6 KB webhook body (done on the
// webhook's goroutine) and of an order document (done on the committer's).
func BenchmarkPack(b *testing.B) {
	o := order.New(storetest.Sample("1"), time.Now(), "shopify", "")
	doc, err := store.EncodeDocument(o)
	if err != nil {
		b.Fatal(err)
	}
	for _, bb := range []struct {
		name string
		pk   *packer
		p    []byte
	}{{"body", bodies, shopifyBody(b)}, {"document", documents, doc}} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			var n int
			for b.Loop() {
				n = len(bb.pk.pack(bb.p))
			}
			b.ReportMetric(float64(n)/float64(len(bb.p)), "stored/given")
		})
		b.Run(bb.name+"/unpack", func(b *testing.B) {
			stored := bb.pk.pack(bb.p)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := unpack(stored); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
