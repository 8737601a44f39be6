package diagnose

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestParseTime_FormsExportsWrite(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 2, 14, 5, 9, 120_000_000, time.UTC).UnixMilli()
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"2026-03-02T14:05:09.120Z", at, true},
		{"2026-03-02T14:05:09.1209999Z", at, true}, // rounded down to the millisecond
		{"2026-03-02 14:05:09.12z", at, true},
		{"2026-03-02t15:05:09.12+01:00", at, true},
		{"2026-03-02T09:35:09.12-04:30", at, true},
		{"1772460309", at - 120, true},
		{"1772460309.12", at, true},
		{"1772460309120", at, true},
		{"2024-02-29T00:00:00Z", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC).UnixMilli(), true},
		{"1969-12-31T23:59:59.5Z", -500, true},
		{"2026-03-02T14:05:09", 0, false}, // no zone: whose local time?
		{"2026-02-29T00:00:00Z", 0, false},
		{"2026-03-02T24:00:00Z", 0, false},
		{"2026-03-02T14:05:09.Z", 0, false},
		{"2026-03-02T14:05:09+0100", 0, false},
		{"03/02/2026 14:05", 0, false},
		{"1772460309120.5", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, err := parseTime(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseTime(%q) = %d, %v; want %d, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// FuzzParseTime holds parseTime to time.Parse wherever both read RFC 3339.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2026-03-02T14:05:09.120Z", "2026-03-02T14:05:09+05:30", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999-23:59", "2026-03-02T14:05:09.1234567891Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ms, err := parseTime(s)
		want, werr := time.Parse(time.RFC3339Nano, s)
		// Both read it: the same instant. time.Parse is laxer (a one-digit
		// hour, an offset of +00:60), so only what Go itself writes must
		// be read.
		if werr == nil && err == nil && ms != want.UnixMilli() {
			t.Fatalf("parseTime(%q) = %d, time.Parse gives %d", s, ms, want.UnixMilli())
		}
		if werr == nil && err != nil && want.Format(time.RFC3339Nano) == s {
			t.Fatalf("parseTime(%q): %v; Go writes times so", s, err)
		}
		if err == nil && len(s) > 10 && s[10] == 'T' && strings.ContainsAny(s[len(s)-1:], "Z0123456789") && s[4] == '-' && werr != nil {
			t.Fatalf("parseTime(%q) = %d, but time.Parse refuses it: %v", s, ms, werr)
		}
	})
}

// FuzzScanObject holds scanObject to encoding/json for flat objects.
func FuzzScanObject(f *testing.F) {
	for _, s := range []string{`{"a":"b","n":1.5e3,"t":true,"z":null}`, `{"s":"\u00e9\ud83d\ude00\n\"x\""}`, `{}`, `{"o":{"x":[1,{"y":"}"}]},"k":"v"}`, `{"a":1,}`, ` {"a" : "b" } `} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := map[string]string{}
		err := scanObject(s, func(k, v string, kind valueKind) error {
			if kind == jsonNested {
				v = "<nested>"
			}
			got[k] = v
			return nil
		})
		var m map[string]any
		jerr := json.Unmarshal([]byte(s), &m)
		if jerr != nil || m == nil || !utf8.ValidString(s) {
			return // encoding/json is stricter about UTF-8 and numbers; only agreement on valid input is required
		}
		if err != nil {
			t.Fatalf("scanObject(%q): %v; encoding/json reads it", s, err)
		}
		want := map[string]string{}
		for k, v := range m {
			switch v := v.(type) {
			case string:
				want[k] = v
			case nil:
				want[k] = ""
			case bool:
				want[k] = fmt.Sprint(v)
			case float64:
				want[k] = got[k] // numbers are given as written
			default:
				want[k] = "<nested>"
			}
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Fatalf("scanObject(%q) (-encoding/json +scanObject):\n%s", s, d)
		}
	})
}

func TestTable_IDsAcrossArenaChunks(t *testing.T) {
	t.Parallel()
	tb := newTable()
	const n = 40_000 // 40,000 ids of 200 bytes fill several 1 MiB chunks
	id := func(i int) string { return fmt.Sprintf("%0200d", i) }
	for i := range n {
		st, err := tb.get(id(i))
		if err != nil {
			t.Fatal(err)
		}
		st.triggered = int64(i)
	}
	if tb.len() != n || len(tb.arena) < 7 {
		t.Fatalf("%d orders in %d arena chunks", tb.len(), len(tb.arena))
	}
	for i := range n {
		k, ok := tb.lookup(id(i))
		if !ok || tb.id(k) != id(i) || tb.at(k).triggered != int64(i) {
			t.Fatalf("order %d: found %v as %d", i, ok, k)
		}
	}
	if _, ok := tb.lookup(id(n)); ok {
		t.Fatal("found an order never added")
	}
	if _, err := tb.get(strings.Repeat("x", 256)); err != errIDTooLong {
		t.Fatalf("256-byte id: %v, want %v", err, errIDTooLong)
	}
}
