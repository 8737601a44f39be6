package config

import (
	"os"
	"path/filepath"
)

// Load reads the configuration file at path, expanding ${NAME} references
// from the process environment. See Parse. A relative file path in the
// config (a NetSuite private_key_file) is taken relative to the config
// file's directory, so the config means the same from any working directory.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := checkPermissions(path, info.Mode(), data); err != nil {
		return nil, err
	}
	c, err := Parse(data, os.Getenv)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(path)
	for i := range c.ERPs {
		if f := &c.ERPs[i].Auth.PrivateKeyFile; *f != "" && !filepath.IsAbs(*f) {
			*f = filepath.Join(dir, *f)
		}
	}
	return c, nil
}

// Parse decodes the YAML in data, expands ${NAME} references in its string
// values with getenv (nil means no variable is set), fills in the defaults
// and validates the result. On any problem it returns a nil Config and all
// the problems joined, each a *FieldError naming its field.
func Parse(data []byte, getenv func(string) string) (*Config, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	var (
		c Config
		p problems
	)
	if decode(data, &c, &p) {
		expandAll(&c, getenv, &p)
		c.applyDefaults()
		c.validate(&p)
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return &c, nil
}
