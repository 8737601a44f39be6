package diagnose

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// valueKind is what a JSON member's value is.
type valueKind int

const (
	jsonString valueKind = iota
	jsonNumber
	jsonBool
	jsonNull
	jsonNested // an object or an array, given raw
)

// scanObject calls fn for each member of the JSON object s, in order.
// String values come unescaped; numbers and true/false as written; null
// as ""; nested objects and arrays raw. It reads the flat rows exports
// are made of several times faster than encoding/json, because a value
// without escapes is a substring of s and nothing is allocated.
func scanObject(s string, fn func(key, val string, kind valueKind) error) error {
	i := skipSpace(s, 0)
	if i >= len(s) || s[i] != '{' {
		return errors.New("not a JSON object")
	}
	i = skipSpace(s, i+1)
	if i < len(s) && s[i] == '}' {
		return trailing(s, i+1)
	}
	for {
		if i >= len(s) || s[i] != '"' {
			return errors.New("bad JSON: want a member name in quotes")
		}
		key, j, err := scanString(s, i)
		if err != nil {
			return err
		}
		i = skipSpace(s, j)
		if i >= len(s) || s[i] != ':' {
			return errors.New("bad JSON: want ':' after a member name")
		}
		i = skipSpace(s, i+1)
		val, kind, j, err := scanValue(s, i)
		if err != nil {
			return err
		}
		if err := fn(key, val, kind); err != nil {
			return err
		}
		i = skipSpace(s, j)
		if i >= len(s) {
			return errors.New("bad JSON: the object is not closed")
		}
		switch s[i] {
		case ',':
			if i = skipSpace(s, i+1); i >= len(s) {
				return errors.New("bad JSON: the object is not closed")
			}
		case '}':
			return trailing(s, i+1)
		default:
			return errors.New("bad JSON: want ',' or '}' after a value")
		}
	}
}

func trailing(s string, i int) error {
	if skipSpace(s, i) != len(s) {
		return errors.New("bad JSON: text after the object")
	}
	return nil
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n') {
		i++
	}
	return i
}

func scanValue(s string, i int) (string, valueKind, int, error) {
	if i >= len(s) {
		return "", 0, i, errors.New("bad JSON: missing value")
	}
	switch c := s[i]; {
	case c == '"':
		v, j, err := scanString(s, i)
		return v, jsonString, j, err
	case c == '{' || c == '[':
		j, err := skipNested(s, i)
		return s[i:j], jsonNested, j, err
	case c == '-' || (c >= '0' && c <= '9'):
		j := i + 1
		for j < len(s) && strings.IndexByte("0123456789+-.eE", s[j]) >= 0 {
			j++
		}
		if _, err := strconv.ParseFloat(s[i:j], 64); err != nil {
			return "", 0, i, errors.New("bad JSON: malformed number " + strconv.Quote(s[i:j]))
		}
		return s[i:j], jsonNumber, j, nil
	case strings.HasPrefix(s[i:], "true"):
		return "true", jsonBool, i + 4, nil
	case strings.HasPrefix(s[i:], "false"):
		return "false", jsonBool, i + 5, nil
	case strings.HasPrefix(s[i:], "null"):
		return "", jsonNull, i + 4, nil
	}
	return "", 0, i, errors.New("bad JSON: unexpected character " + strconv.QuoteRune(rune(s[i])))
}

// scanString reads the string starting at the quote s[i] and returns it
// unescaped, with the index after its closing quote.
func scanString(s string, i int) (string, int, error) {
	start := i + 1
	for j := start; j < len(s); j++ {
		switch c := s[j]; {
		case c == '"':
			return s[start:j], j + 1, nil
		case c == '\\':
			return unescape(s, start)
		case c < 0x20:
			return "", j, errors.New("bad JSON: control character in a string")
		}
	}
	return "", len(s), errors.New("bad JSON: unterminated string")
}

// unescape is scanString's slow path, for a string with escapes.
func unescape(s string, start int) (string, int, error) {
	var b strings.Builder
	for j := start; j < len(s); {
		c := s[j]
		switch {
		case c == '"':
			return b.String(), j + 1, nil
		case c < 0x20:
			return "", j, errors.New("bad JSON: control character in a string")
		case c != '\\':
			b.WriteByte(c)
			j++
			continue
		}
		if j+1 >= len(s) {
			break
		}
		switch e := s[j+1]; e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, n := hex4(s, j+2)
			if n < 0 {
				return "", j, errors.New("bad JSON: malformed \\u escape")
			}
			j += 6
			if utf16.IsSurrogate(r) {
				r2, n2 := hex4(s, j+2)
				if n2 >= 0 && s[j] == '\\' && s[j+1] == 'u' {
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						b.WriteRune(d)
						j += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			b.WriteRune(r)
			continue
		default:
			return "", j, errors.New("bad JSON: unknown escape \\" + string(e))
		}
		j += 2
	}
	return "", len(s), errors.New("bad JSON: unterminated string")
}

func hex4(s string, i int) (rune, int) {
	if i+4 > len(s) {
		return 0, -1
	}
	n, err := strconv.ParseUint(s[i:i+4], 16, 32)
	if err != nil {
		return 0, -1
	}
	return rune(n), 4
}

// skipNested returns the index after the object or array starting at
// s[i].
func skipNested(s string, i int) (int, error) {
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return j + 1, nil
			}
		case '"':
			_, k, err := scanString(s, j)
			if err != nil {
				return j, err
			}
			j = k - 1
		}
	}
	return len(s), errors.New("bad JSON: unclosed object or array")
}
