package config

import (
	"fmt"
	"reflect"
	"strings"
)

// expandAll expands ${NAME} references in every string in c, in place,
// reporting each failure under the path of its field.
func expandAll(c *Config, getenv func(string) string, p *problems) {
	expandValue(reflect.ValueOf(c).Elem(), "", getenv, p)
}

func expandValue(v reflect.Value, path string, getenv func(string) string, p *problems) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			expandValue(v.Elem(), path, getenv, p)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
			if name != "" && name != "-" && t.Field(i).IsExported() {
				expandValue(v.Field(i), field(path, name), getenv, p)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			expandValue(v.Index(i), index(path, i), getenv, p)
		}
	case reflect.String:
		s, err := expand(v.String(), getenv)
		if err != nil {
			p.add(path, "%v", err)
			return
		}
		v.SetString(s)
	}
	// Map keys and values (the sandbox's stock) are not strings we expand.
}

// expand replaces ${NAME} by the variable's value and ${NAME:-default} by
// the value or, when it is unset or empty, by default; $$ becomes $. Any
// other $ is kept. The result is not expanded again, so a value may hold
// any character, $ and ${ included.
func expand(s string, getenv func(string) string) (string, error) {
	if !strings.Contains(s, "$") {
		return s, nil
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '$')
		if i < 0 || i == len(s)-1 {
			b.WriteString(s)
			return b.String(), nil
		}
		b.WriteString(s[:i])
		s = s[i:]
		switch s[1] {
		case '$':
			b.WriteByte('$')
			s = s[2:]
		case '{':
			end := strings.IndexByte(s, '}')
			if end < 0 {
				return "", fmt.Errorf("unterminated ${ (write $${ for a literal ${)")
			}
			val, err := lookup(s[2:end], getenv)
			if err != nil {
				return "", err
			}
			b.WriteString(val)
			s = s[end+1:]
		default:
			b.WriteByte('$')
			s = s[1:]
		}
	}
}

// lookup resolves the inside of ${...}: NAME or NAME:-default.
func lookup(ref string, getenv func(string) string) (string, error) {
	name, def, hasDefault := strings.Cut(ref, ":-")
	if !validEnvName(name) {
		return "", fmt.Errorf("invalid environment variable reference ${%s}: want ${NAME} or ${NAME:-default}", ref)
	}
	if val := getenv(name); val != "" {
		return val, nil
	}
	if hasDefault {
		return def, nil
	}
	return "", fmt.Errorf("environment variable %s is not set", name)
}

func validEnvName(name string) bool {
	if name == "" {
		return false
	}
	for i, r := range name {
		switch {
		case r == '_', 'A' <= r && r <= 'Z', 'a' <= r && r <= 'z':
		case '0' <= r && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
