package woocommercefake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// PHPJSON encodes v as WordPress's wp_json_encode does with its default
// flags (PHP's json_encode with no options), which is how WooCommerce
// writes webhook bodies and REST responses: compact; "/" written as "\/";
// every character outside ASCII as \uXXXX in lower-case hex, as a UTF-16
// surrogate pair beyond the Basic Multilingual Plane; control characters
// as \b \f \n \r \t or \u00XX; and <, >, &, ' left as they are. Object
// members keep their order (a struct's field order).
//
// Numbers are written as Go writes them; give a json.Number to choose the
// text, as PHP writes a float that happens to be whole with ".0" ("3.0").
func PHPJSON(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return Recode(b)
}

// Recode rewrites JSON text the way PHPJSON writes it, keeping member order
// and each number's text.
func Recode(b []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	type frame struct {
		object bool
		n      int // members or elements written, keys counted apart
	}
	var (
		out   bytes.Buffer
		stack []frame
	)
	sep := func() {
		if len(stack) == 0 {
			return
		}
		f := stack[len(stack)-1]
		switch {
		case f.object && f.n%2 == 1:
			out.WriteByte(':')
		case f.n > 0:
			out.WriteByte(',')
		}
	}
	done := func() {
		if len(stack) > 0 {
			stack[len(stack)-1].n++
		}
	}
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(stack) == 0 && out.Len() > 0 {
			return nil, errors.New("trailing data after the JSON value")
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				sep()
				out.WriteByte(byte(t))
				stack = append(stack, frame{object: t == '{'})
			default:
				stack = stack[:len(stack)-1]
				out.WriteByte(byte(t))
				done()
			}
		case string:
			sep()
			phpString(&out, t)
			done()
		case json.Number:
			sep()
			out.WriteString(t.String())
			done()
		case bool:
			sep()
			fmt.Fprint(&out, t)
			done()
		case nil:
			sep()
			out.WriteString("null")
			done()
		}
	}
	if len(stack) != 0 {
		return nil, io.ErrUnexpectedEOF
	}
	return out.Bytes(), nil
}

const hexDigits = "0123456789abcdef"

// phpString writes s as PHP's json_encode does without options.
func phpString(out *bytes.Buffer, s string) {
	out.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			out.WriteString(`\"`)
		case r == '\\':
			out.WriteString(`\\`)
		case r == '/':
			out.WriteString(`\/`)
		case r == '\b':
			out.WriteString(`\b`)
		case r == '\f':
			out.WriteString(`\f`)
		case r == '\n':
			out.WriteString(`\n`)
		case r == '\r':
			out.WriteString(`\r`)
		case r == '\t':
			out.WriteString(`\t`)
		case r < 0x20:
			unicodeEscape(out, uint16(r))
		case r < utf8.RuneSelf:
			out.WriteByte(byte(r))
		case r > 0xffff:
			hi, lo := utf16.EncodeRune(r)
			unicodeEscape(out, uint16(hi))
			unicodeEscape(out, uint16(lo))
		default:
			unicodeEscape(out, uint16(r))
		}
	}
	out.WriteByte('"')
}

func unicodeEscape(out *bytes.Buffer, u uint16) {
	out.WriteString(`\u`)
	out.WriteByte(hexDigits[u>>12&0xf])
	out.WriteByte(hexDigits[u>>8&0xf])
	out.WriteByte(hexDigits[u>>4&0xf])
	out.WriteByte(hexDigits[u&0xf])
}
