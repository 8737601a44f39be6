package shopifyfake

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// This file parses the subset of GraphQL the fake answers: one operation
// (query or mutation, named or not) with variable definitions, fields with
// aliases and arguments, and inline fragments. Named fragments and
// directives are refused, loudly, so that a client relying on them notices.

type document struct {
	op   string // "query" or "mutation"
	name string
	sel  []*selection
}

// selection is a field, or an inline fragment when on is set.
type selection struct {
	alias, name string
	args        map[string]value
	sel         []*selection
	on          string // "... on Type"
}

func (s *selection) key() string {
	if s.alias != "" {
		return s.alias
	}
	return s.name
}

// value is an argument's value as written: a literal, a variable, a list
// or an object.
type value struct {
	kind   byte // 'v'ariable, 's'tring, 'n'umber, 'e'num/bool/null, 'l'ist, 'o'bject
	text   string
	list   []value
	fields map[string]value
}

// resolve returns v as a JSON-like Go value: string, json.Number, bool, nil,
// []any or map[string]any; an enum as its name.
func (v value) resolve(vars map[string]any) any {
	switch v.kind {
	case 'v':
		return vars[v.text]
	case 's':
		return v.text
	case 'n':
		return json.Number(v.text)
	case 'e':
		switch v.text {
		case "true":
			return true
		case "false":
			return false
		case "null":
			return nil
		}
		return v.text
	case 'l':
		out := make([]any, len(v.list))
		for i, e := range v.list {
			out[i] = e.resolve(vars)
		}
		return out
	case 'o':
		out := make(map[string]any, len(v.fields))
		for k, e := range v.fields {
			out[k] = e.resolve(vars)
		}
		return out
	}
	return nil
}

type token struct {
	kind byte // 'n'ame, 's'tring, '#' number, 'p'unctuator, 0 at the end
	text string
	pos  int
}

func lex(src string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',':
			i++
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '.':
			if !strings.HasPrefix(src[i:], "...") {
				return nil, fmt.Errorf("unexpected '.' at %d", i)
			}
			toks = append(toks, token{'p', "...", i})
			i += 3
		case strings.ContainsRune("{}()[]:$!=@|&", rune(c)):
			toks = append(toks, token{'p', string(c), i})
			i++
		case c == '"':
			if strings.HasPrefix(src[i:], `"""`) {
				return nil, fmt.Errorf("block strings are not supported (at %d)", i)
			}
			j := i + 1
			for j < len(src) && src[j] != '"' {
				if src[j] == '\\' {
					j++
				}
				if j < len(src) && src[j] == '\n' {
					return nil, fmt.Errorf("unterminated string at %d", i)
				}
				j++
			}
			if j >= len(src) {
				return nil, fmt.Errorf("unterminated string at %d", i)
			}
			var s string // GraphQL's escapes are JSON's
			if err := json.Unmarshal([]byte(src[i:j+1]), &s); err != nil {
				return nil, fmt.Errorf("bad string at %d", i)
			}
			toks = append(toks, token{'s', s, i})
			i = j + 1
		case c == '-' || (c >= '0' && c <= '9'):
			j := i + 1
			for j < len(src) && strings.IndexByte("0123456789.eE+-", src[j]) >= 0 {
				j++
			}
			if _, err := strconv.ParseFloat(src[i:j], 64); err != nil {
				return nil, fmt.Errorf("bad number %q at %d", src[i:j], i)
			}
			toks = append(toks, token{'#', src[i:j], i})
			i = j
		case c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z'):
			j := i + 1
			for j < len(src) && (src[j] == '_' || (src[j]|0x20 >= 'a' && src[j]|0x20 <= 'z') || (src[j] >= '0' && src[j] <= '9')) {
				j++
			}
			toks = append(toks, token{'n', src[i:j], i})
			i = j
		default:
			return nil, fmt.Errorf("unexpected character %q at %d", c, i)
		}
	}
	return append(toks, token{pos: len(src)}), nil
}

type parser struct {
	toks  []token
	i     int
	depth int
}

// maxDepth bounds nesting, so that a hostile document cannot exhaust the
// stack.
const maxDepth = 32

func parse(src string) (*document, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	doc := &document{op: "query"}
	if t := p.peek(); t.kind == 'n' {
		switch t.text {
		case "query", "mutation":
			doc.op = t.text
		default:
			return nil, fmt.Errorf("unsupported definition %q (only one query or mutation)", t.text)
		}
		p.i++
		if p.peek().kind == 'n' {
			doc.name = p.next().text
		}
		if p.is("(") {
			if err := p.skipVariableDefinitions(); err != nil {
				return nil, err
			}
		}
	}
	if doc.sel, err = p.selectionSet(); err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != 0 {
		return nil, fmt.Errorf("unexpected %q at %d: one operation per document", t.text, t.pos)
	}
	return doc, nil
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != 0 {
		p.i++
	}
	return t
}

func (p *parser) is(punct string) bool {
	t := p.peek()
	return t.kind == 'p' && t.text == punct
}

func (p *parser) expect(punct string) error {
	if t := p.next(); t.kind != 'p' || t.text != punct {
		return fmt.Errorf("expected %q at %d, found %q", punct, t.pos, t.text)
	}
	return nil
}

// skipVariableDefinitions passes over ($a: T!, $b: [T!] = default): the
// fake takes the variables' values as sent.
func (p *parser) skipVariableDefinitions() error {
	depth := 0
	for {
		t := p.next()
		switch {
		case t.kind == 0:
			return fmt.Errorf("unterminated variable definitions")
		case t.kind == 'p' && (t.text == "(" || t.text == "["):
			depth++
		case t.kind == 'p' && (t.text == ")" || t.text == "]"):
			depth--
			if depth == 0 {
				return nil
			}
		}
	}
}

func (p *parser) selectionSet() ([]*selection, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, fmt.Errorf("selections nested deeper than %d", maxDepth)
	}
	if err := p.expect("{"); err != nil {
		return nil, err
	}
	var out []*selection
	for !p.is("}") {
		s, err := p.selection()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	p.next()
	if len(out) == 0 {
		return nil, fmt.Errorf("empty selection set")
	}
	return out, nil
}

func (p *parser) selection() (*selection, error) {
	if p.is("...") {
		p.next()
		if t := p.next(); t.kind != 'n' || t.text != "on" {
			return nil, fmt.Errorf("named fragments are not supported (at %d)", t.pos)
		}
		t := p.next()
		if t.kind != 'n' {
			return nil, fmt.Errorf("expected a type name at %d", t.pos)
		}
		sel, err := p.selectionSet()
		if err != nil {
			return nil, err
		}
		return &selection{on: t.text, sel: sel}, nil
	}
	t := p.next()
	if t.kind != 'n' {
		return nil, fmt.Errorf("expected a field at %d, found %q", t.pos, t.text)
	}
	s := &selection{name: t.text}
	if p.is(":") {
		p.next()
		t = p.next()
		if t.kind != 'n' {
			return nil, fmt.Errorf("expected a field after alias at %d", t.pos)
		}
		s.alias, s.name = s.name, t.text
	}
	if p.is("(") {
		p.next()
		s.args = map[string]value{}
		for !p.is(")") {
			k := p.next()
			if k.kind != 'n' {
				return nil, fmt.Errorf("expected an argument name at %d", k.pos)
			}
			if err := p.expect(":"); err != nil {
				return nil, err
			}
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			s.args[k.text] = v
		}
		p.next()
	}
	if p.is("@") {
		return nil, fmt.Errorf("directives are not supported (at %d)", p.peek().pos)
	}
	if p.is("{") {
		sel, err := p.selectionSet()
		if err != nil {
			return nil, err
		}
		s.sel = sel
	}
	return s, nil
}

func (p *parser) value() (value, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return value{}, fmt.Errorf("values nested deeper than %d", maxDepth)
	}
	t := p.next()
	switch {
	case t.kind == 'p' && t.text == "$":
		n := p.next()
		if n.kind != 'n' {
			return value{}, fmt.Errorf("expected a variable name at %d", n.pos)
		}
		return value{kind: 'v', text: n.text}, nil
	case t.kind == 's':
		return value{kind: 's', text: t.text}, nil
	case t.kind == '#':
		return value{kind: 'n', text: t.text}, nil
	case t.kind == 'n':
		return value{kind: 'e', text: t.text}, nil
	case t.kind == 'p' && t.text == "[":
		v := value{kind: 'l'}
		for !p.is("]") {
			if p.peek().kind == 0 {
				return value{}, fmt.Errorf("unterminated list")
			}
			e, err := p.value()
			if err != nil {
				return value{}, err
			}
			v.list = append(v.list, e)
		}
		p.next()
		return v, nil
	case t.kind == 'p' && t.text == "{":
		v := value{kind: 'o', fields: map[string]value{}}
		for !p.is("}") {
			k := p.next()
			if k.kind != 'n' {
				return value{}, fmt.Errorf("expected a field name at %d", k.pos)
			}
			if err := p.expect(":"); err != nil {
				return value{}, err
			}
			e, err := p.value()
			if err != nil {
				return value{}, err
			}
			v.fields[k.text] = e
		}
		p.next()
		return v, nil
	}
	return value{}, fmt.Errorf("unexpected %q at %d", t.text, t.pos)
}
