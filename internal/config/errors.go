package config

import (
	"errors"
	"fmt"
	"strings"
)

// FieldError is one problem with one field of the configuration. Parse,
// Load and Validate return several of them joined with errors.Join; use
// errors.As or the Unwrap() []error method to inspect them one by one.
type FieldError struct {
	// Path locates the field, e.g. storefronts[0].webhook_secrets[1];
	// empty for a problem with the file as a whole.
	Path string
	// Problem says what is wrong, e.g. "required".
	Problem string
}

// Error returns "path: problem".
func (e *FieldError) Error() string {
	if e.Path == "" {
		return e.Problem
	}
	return e.Path + ": " + e.Problem
}

// problems collects FieldErrors in the order they are found.
type problems struct {
	list []*FieldError
}

func (p *problems) add(path, format string, args ...any) {
	p.list = append(p.list, &FieldError{Path: path, Problem: fmt.Sprintf(format, args...)})
}

// covers reports whether an earlier problem concerns path or a field that
// contains it, so that validation does not pile a second complaint (say
// "required") on a field that could not be decoded at all.
func (p *problems) covers(path string) bool {
	for _, e := range p.list {
		if e.Path == path || strings.HasPrefix(path, e.Path+".") || strings.HasPrefix(path, e.Path+"[") {
			return true
		}
	}
	return false
}

func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	errs := make([]error, len(p.list))
	for i, e := range p.list {
		errs[i] = e
	}
	return errors.Join(errs...)
}

// path builds field paths: storefronts[0].webhook_secrets.
func field(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

func index(parent string, i int) string {
	return fmt.Sprintf("%s[%d]", parent, i)
}

func key(parent, k string) string {
	return fmt.Sprintf("%s[%q]", parent, k)
}
