package config

import (
	"errors"
	"reflect"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// decode parses data into c. It first walks the YAML tree against the shape
// of Config and reports, with their paths, the keys Config does not know,
// repeated keys and values of the wrong type; yaml's own errors name lines,
// not fields. Then it decodes.
//
// It reports whether c is worth validating: after a value of the wrong
// type only that field stays zero, but after a syntax error or a repeated
// key nothing was decoded, and validation would only add noise.
func decode(data []byte, c *Config, p *problems) bool {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		p.add("", "%v", err)
		return false
	}
	if doc.Kind == 0 { // an empty file
		return true
	}
	before := len(p.list)
	repeated := check(&doc, reflect.TypeFor[Config](), "", p)
	err := doc.Decode(c)
	if err != nil && len(p.list) == before {
		// check should have caught anything Decode refuses; since it did
		// not, yaml's message with its line number is the best we have.
		p.add("", "%v", err)
	}
	// yaml skips a whole mapping with a repeated key.
	var typeErr *yaml.TypeError
	return !repeated && (err == nil || errors.As(err, &typeErr))
}

var durationType = reflect.TypeFor[time.Duration]()

// check walks n against t, reporting problems under path. It returns
// whether it found a repeated key.
func check(n *yaml.Node, t reflect.Type, path string, p *problems) (repeated bool) {
	for n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	if n.Kind == yaml.AliasNode {
		return check(n.Alias, t, path, p)
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return false // an absent value: the field keeps its zero value
	}
	switch t.Kind() {
	case reflect.Pointer:
		return check(n, t.Elem(), path, p)
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			p.add(path, "want a mapping of keys to values, got %s", describe(n))
			return false
		}
		return checkStruct(n, t, path, p)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			p.add(path, "want a list, got %s", describe(n))
			return false
		}
		for i, item := range n.Content {
			repeated = check(item, t.Elem(), index(path, i), p) || repeated
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			p.add(path, "want a mapping of keys to values, got %s", describe(n))
			return false
		}
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Tag == "!!merge" {
				repeated = checkMerge(n.Content[i+1], t, path, p) || repeated
				continue
			}
			k := n.Content[i].Value
			if seen[k] {
				p.add(key(path, k), "repeated key")
				repeated = true
				continue
			}
			seen[k] = true
			repeated = check(n.Content[i+1], t.Elem(), key(path, k), p) || repeated
		}
	default:
		checkScalar(n, t, path, p)
	}
	return repeated
}

// checkStruct checks the keys of mapping n against the yaml tags of struct
// type t.
func checkStruct(n *yaml.Node, t reflect.Type, path string, p *problems) (repeated bool) {
	fields := yamlFields(t)
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Tag == "!!merge" {
			repeated = checkMerge(v, t, path, p) || repeated
			continue
		}
		f, ok := fields[k.Value]
		switch {
		case !ok:
			p.add(field(path, k.Value), "unknown field")
		case seen[k.Value]:
			p.add(field(path, k.Value), "repeated key")
			repeated = true
		default:
			seen[k.Value] = true
			repeated = check(v, f.Type, field(path, k.Value), p) || repeated
		}
	}
	return repeated
}

// checkMerge checks the value of a "<<" merge key: a mapping, an alias of
// one, or a list of them. A merged key may repeat a key of the mapping it is
// merged into: the mapping's own value wins.
func checkMerge(v *yaml.Node, t reflect.Type, path string, p *problems) (repeated bool) {
	for v.Kind == yaml.AliasNode {
		v = v.Alias
	}
	switch v.Kind {
	case yaml.MappingNode:
		return check(v, t, path, p)
	case yaml.SequenceNode:
		for _, m := range v.Content {
			repeated = checkMerge(m, t, path, p) || repeated
		}
	default:
		p.add(path, "want a mapping to merge, got %s", describe(v))
	}
	return repeated
}

// yamlFields maps each yaml key of struct type t to its field.
func yamlFields(t reflect.Type) map[string]reflect.StructField {
	fields := make(map[string]reflect.StructField, t.NumField())
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		fields[name] = f
	}
	return fields
}

// checkScalar decodes n into a throwaway value of type t to see whether it
// fits.
func checkScalar(n *yaml.Node, t reflect.Type, path string, p *problems) {
	if n.Kind != yaml.ScalarNode {
		p.add(path, "want %s, got %s", want(t), describe(n))
		return
	}
	if err := n.Decode(reflect.New(t).Interface()); err != nil {
		p.add(path, "invalid value %q: want %s", n.Value, want(t))
	}
}

func want(t reflect.Type) string {
	switch {
	case t == durationType:
		return `a duration such as "250ms", "30s" or "5m"`
	case t.Kind() == reflect.String:
		return "a string"
	case t.Kind() == reflect.Bool:
		return "true or false"
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		return "a number"
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		return "a whole number"
	}
	return t.String()
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "a single value"
	}
	return "something else"
}
