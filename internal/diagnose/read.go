package diagnose

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// RowError is a row that cannot be read: where it is and why.
type RowError struct {
	File   string
	Line   int
	Column string // the column (CSV) or key (JSON) as the export names it; empty for the whole row
	Field  int    // the column's position in a CSV row, from 1; 0 for JSON
	Reason string
}

func (e *RowError) Error() string {
	switch {
	case e.Column == "":
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason)
	case e.Field > 0:
		return fmt.Sprintf("%s:%d: column %s (field %d): %s", e.File, e.Line, e.Column, e.Field, e.Reason)
	}
	return fmt.Sprintf("%s:%d: key %q: %s", e.File, e.Line, e.Column, e.Reason)
}

// format is how an export is written.
type format int

const (
	formatCSV format = iota
	formatTSV
	formatJSONL
)

func (f format) String() string {
	return [...]string{"csv", "tsv", "jsonl"}[f]
}

// input is an export opened for reading.
type input struct {
	name   string
	format format
	gzip   bool
	size   int64 // bytes on disk; 0 when unknown (a pipe)
	disk   *countingReader
	r      *bufio.Reader // the export's text
	closer io.Closer
}

// countingReader counts the bytes read from disk, for the progress bar.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// open opens an export: "-" is standard input. It is gzip if it starts
// like gzip, whatever its name; its format is its extension (.csv, .tsv,
// .jsonl, .ndjson, .json, each optionally .gz), else a guess from its
// first character.
func open(path string) (*input, error) {
	in := &input{name: path}
	var f *os.File
	if path == "-" {
		f, in.name = os.Stdin, "stdin"
	} else {
		var err error
		if f, err = os.Open(path); err != nil {
			return nil, err
		}
		in.closer = f
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			in.size = fi.Size()
		}
	}
	in.disk = &countingReader{r: f}
	br := bufio.NewReaderSize(in.disk, 256<<10)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			in.close()
			return nil, fmt.Errorf("%s: %w", in.name, err)
		}
		in.gzip = true
		br = bufio.NewReaderSize(zr, 256<<10)
	}
	in.r = br
	ext := strings.ToLower(strings.TrimSuffix(strings.ToLower(path), ".gz"))
	switch filepath.Ext(ext) {
	case ".csv":
		in.format = formatCSV
	case ".tsv", ".tab":
		in.format = formatTSV
	case ".jsonl", ".ndjson", ".json":
		in.format = formatJSONL
	default:
		head, _ := br.Peek(512)
		head = bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\ufeff")), " \t\r\n")
		if len(head) > 0 && head[0] == '{' {
			in.format = formatJSONL
		}
	}
	return in, nil
}

func (in *input) close() {
	if in.closer != nil {
		in.closer.Close()
	}
}

// row is one row of an export, its values in the schema's column order,
// trimmed; "" when the export has no value.
type row struct {
	vals []string
	line int
	src  *rowSource
}

// rowSource is what turns a row's problems into RowErrors.
type rowSource struct {
	kind   Source
	file   string
	schema []column
	names  []string // each column's name in the export, "" if it lacks it
	fields []int    // each column's CSV position from 1; 0 for JSON
}

// fail returns a RowError for column c of r.
func (r *row) fail(c int, format string, args ...any) *RowError {
	e := &RowError{File: r.src.file, Line: r.line, Column: r.src.names[c], Field: r.src.fields[c], Reason: fmt.Sprintf(format, args...)}
	if e.Column == "" {
		e.Column = r.src.schema[c].name
	}
	return e
}

// rows reads an export row by row. next returns io.EOF at the end, a
// *RowError for a bad row (reading can go on after it) and any other
// error when it cannot go on.
type rows interface {
	next(r *row) error
	source() *rowSource
	// missing lists the expected columns no row has had.
	missing() []string
}

func newRows(in *input, src Source, m Mapping) (rows, error) {
	if in.format == formatJSONL {
		return newJSONRows(in, src, m), nil
	}
	return newCSVRows(in, src, m)
}

type csvRows struct {
	cr      *csv.Reader
	rs      *rowSource
	cols    []int // each column's index in a record, -1 if absent
	nHeader int
}

func newCSVRows(in *input, src Source, m Mapping) (*csvRows, error) {
	cr := csv.NewReader(in.r)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1 // checked here, to say more than csv would
	if in.format == formatTSV {
		cr.Comma = '\t'
		cr.LazyQuotes = true
	}
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: empty: want a header line (%s) and rows", in.name, strings.Join(columnNames(src), ","))
	}
	if err != nil {
		return nil, fmt.Errorf("%s: header: %w", in.name, err)
	}
	header = slices.Clone(header)
	for i := range header {
		header[i] = strings.TrimSpace(header[i])
	}
	header[0] = strings.TrimPrefix(header[0], "\ufeff")
	c := &csvRows{cr: cr, nHeader: len(header)}
	schema := schemas[src]
	c.rs = &rowSource{kind: src, file: in.name, schema: schema, names: make([]string, len(schema)), fields: make([]int, len(schema))}
	c.cols = make([]int, len(schema))
	for i, col := range schema {
		c.cols[i] = -1
		for _, want := range m.names(src, col) {
			if h := slices.IndexFunc(header, func(h string) bool { return strings.EqualFold(h, want) }); h >= 0 {
				c.cols[i], c.rs.names[i], c.rs.fields[i] = h, header[h], h+1
				break
			}
		}
		if c.cols[i] < 0 && col.need != optional {
			return nil, fmt.Errorf("%s: %s (the header has: %s)", in.name, m.hint(src, col), strings.Join(header, ", "))
		}
	}
	return c, nil
}

func (c *csvRows) source() *rowSource { return c.rs }
func (c *csvRows) missing() []string  { return nil }

func (c *csvRows) next(r *row) error {
	var rec []string
	for {
		var err error
		rec, err = c.cr.Read()
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return &RowError{File: c.rs.file, Line: pe.Line, Reason: "bad CSV: " + pe.Err.Error()}
			}
			return err
		}
		if len(rec) != 1 || c.nHeader == 1 || strings.TrimSpace(rec[0]) != "" {
			break
		}
		// a line of spaces
	}
	r.line, _ = c.cr.FieldPos(0)
	if len(rec) != c.nHeader {
		return &RowError{File: c.rs.file, Line: r.line, Reason: fmt.Sprintf("has %d fields, the header has %d", len(rec), c.nHeader)}
	}
	for i, h := range c.cols {
		if h < 0 {
			r.vals[i] = ""
			continue
		}
		r.vals[i] = strings.TrimSpace(rec[h])
	}
	return nil
}

type jsonRows struct {
	in   *input
	rs   *rowSource
	src  Source
	m    Mapping
	line int
	// keys caches which column each key seen names (-1: none). Bounded:
	// an export has few distinct keys.
	keys   map[string]int
	seen   []bool // the column has had a value in some row
	first  bool
	buf    []byte
	member func(key, val string, kind valueKind) error
	cur    *row
}

// maxLine bounds one JSON line.
const maxLine = 16 << 20

func newJSONRows(in *input, src Source, m Mapping) *jsonRows {
	schema := schemas[src]
	j := &jsonRows{in: in, src: src, m: m, keys: map[string]int{}, first: true, seen: make([]bool, len(schema)),
		rs: &rowSource{kind: src, file: in.name, schema: schema, names: make([]string, len(schema)), fields: make([]int, len(schema))}}
	for i, col := range schema {
		j.rs.names[i] = m.names(src, col)[0]
	}
	j.member = j.take
	return j
}

func (j *jsonRows) source() *rowSource { return j.rs }

func (j *jsonRows) missing() []string {
	var out []string
	for i, col := range schemas[j.src] {
		if col.need == expected && !j.seen[i] {
			out = append(out, j.rs.names[i])
		}
	}
	return out
}

// column returns the column key names, or -1.
func (j *jsonRows) column(key string) int {
	if c, ok := j.keys[key]; ok {
		return c
	}
	c := -1
	for i, col := range schemas[j.src] {
		if slices.ContainsFunc(j.m.names(j.src, col), func(n string) bool { return strings.EqualFold(n, key) }) {
			c = i
			break
		}
	}
	if len(j.keys) < 1024 {
		j.keys[strings.Clone(key)] = c
	}
	return c
}

func (j *jsonRows) take(key, val string, kind valueKind) error {
	c := j.column(key)
	if c < 0 {
		return nil
	}
	if j.rs.names[c] != key {
		j.rs.names[c] = strings.Clone(key)
	}
	switch kind {
	case jsonNested, jsonBool:
		return j.cur.fail(c, "want a string or a number, not %s", val)
	}
	j.cur.vals[c] = strings.TrimSpace(val)
	if j.cur.vals[c] != "" {
		j.seen[c] = true
	}
	return nil
}

func (j *jsonRows) next(r *row) error {
	for {
		line, err := j.readLine()
		if err != nil {
			return err
		}
		if j.line == 1 {
			line = bytes.TrimPrefix(line, []byte("\ufeff"))
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		r.line = j.line
		clear(r.vals)
		j.cur = r
		var keys []string
		if j.first {
			j.member = func(key, val string, kind valueKind) error {
				keys = append(keys, key)
				return j.take(key, val, kind)
			}
		}
		err = scanObject(string(line), j.member)
		if j.first {
			j.first, j.member = false, j.take
			if err == nil {
				if err := j.checkFirst(r, keys); err != nil {
					return err
				}
			}
		}
		if err != nil {
			var re *RowError
			if errors.As(err, &re) {
				return re
			}
			return &RowError{File: j.rs.file, Line: j.line, Reason: err.Error()}
		}
		return nil
	}
}

// checkFirst fails when the first row lacks a required key: the mapping
// is wrong, and every row would fail the same way.
func (j *jsonRows) checkFirst(r *row, keys []string) error {
	for i, col := range schemas[j.src] {
		if col.need == required && r.vals[i] == "" && !slices.ContainsFunc(keys, func(k string) bool { return j.column(k) == i }) {
			return fmt.Errorf("%s:%d: %s (the first row has: %s)", j.in.name, r.line, j.m.hint(j.src, col), strings.Join(keys, ", "))
		}
	}
	return nil
}

// readLine returns the next line, without its newline, valid until the
// next call.
func (j *jsonRows) readLine() ([]byte, error) {
	j.line++
	line, err := j.in.r.ReadSlice('\n')
	if err == nil || (err == io.EOF && len(line) > 0) {
		return line, nil
	}
	if err != bufio.ErrBufferFull {
		return nil, err
	}
	j.buf = append(j.buf[:0], line...)
	for {
		line, err = j.in.r.ReadSlice('\n')
		if len(j.buf)+len(line) > maxLine {
			for err == bufio.ErrBufferFull { // skip the rest of the line
				_, err = j.in.r.ReadSlice('\n')
			}
			if err != nil && err != io.EOF {
				return nil, err
			}
			return nil, &RowError{File: j.rs.file, Line: j.line, Reason: "line longer than " + strconv.Itoa(maxLine>>20) + " MiB"}
		}
		j.buf = append(j.buf, line...)
		if err == nil || err == io.EOF {
			return j.buf, nil
		}
		if err != bufio.ErrBufferFull {
			return nil, err
		}
	}
}
