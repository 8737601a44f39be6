// Command vulnindex turns a folder of OSV files (golang.org/x/vulndb's
// data/osv, fetched from the Go module proxy) into the database layout
// `govulncheck -db file://DIR` reads: index/db.json, index/modules.json,
// index/vulns.json and ID/<id>.json. It does what vulndb's cmd/indexdb does
// with the standard library alone, so CI need not download and build all of
// vulndb's dependencies to get it.
//
//	go run ./.ci/vulnindex/main.go -osv DIR/data/osv -out DB
//
// It lives under .ci (a dot directory), outside ./..., so it is run by file
// path. The fields it writes, and the "fixed" rule, follow
// golang.org/x/vulndb/internal/database and golang.org/x/vuln/internal/client.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// entry holds the parts of an OSV entry the indexes are made of.
type entry struct {
	ID       string   `json:"id"`
	Modified string   `json:"modified"`
	Aliases  []string `json:"aliases"`
	Affected []struct {
		Package struct {
			Name string `json:"name"`
		} `json:"package"`
		Ranges []struct {
			Type   string `json:"type"`
			Events []struct {
				Introduced string `json:"introduced"`
				Fixed      string `json:"fixed"`
			} `json:"events"`
		} `json:"ranges"`
	} `json:"affected"`
}

type dbMeta struct {
	Modified string `json:"modified"`
}

type module struct {
	Path  string       `json:"path"`
	Vulns []moduleVuln `json:"vulns"`
}

type moduleVuln struct {
	ID       string `json:"id"`
	Modified string `json:"modified"`
	Fixed    string `json:"fixed,omitempty"`
}

type vuln struct {
	ID       string   `json:"id"`
	Modified string   `json:"modified"`
	Aliases  []string `json:"aliases,omitempty"`
}

func main() {
	osvDir := flag.String("osv", "", "folder of OSV JSON files (vulndb's data/osv)")
	out := flag.String("out", "", "folder to write the database to (replaced)")
	flag.Parse()
	if *osvDir == "" || *out == "" {
		log.Fatal("vulnindex: -osv and -out are required")
	}
	if err := build(*osvDir, *out); err != nil {
		log.Fatal("vulnindex: ", err)
	}
}

// build writes the database to a sibling folder first and renames it into
// place, so an interrupted run never leaves a half database that a later
// run would take for a whole one.
func build(osvDir, out string) error {
	names, err := os.ReadDir(osvDir)
	if err != nil {
		return err
	}
	tmp := fmt.Sprintf("%s.tmp%d", out, os.Getpid())
	if err := os.MkdirAll(filepath.Join(tmp, "index"), 0o755); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(tmp, "ID"), 0o755); err != nil {
		return err
	}
	var (
		latest  time.Time
		modules = map[string]*module{}
		vulns   []vuln
		seen    = map[string]bool{}
	)
	for _, d := range names { // ReadDir sorts by name, as indexdb's walk does
		name := d.Name()
		if d.IsDir() || filepath.Ext(name) != ".json" || name == "index.json" {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(osvDir, name))
		if err != nil {
			return err
		}
		var e entry
		if err := json.Unmarshal(raw, &e); err != nil {
			return fmt.Errorf("%s: %v", name, err)
		}
		if e.ID == "" || name != e.ID+".json" {
			return fmt.Errorf("%s: holds entry %q; want <id>.json", name, e.ID)
		}
		if seen[e.ID] {
			return fmt.Errorf("%s: id appears twice", e.ID)
		}
		seen[e.ID] = true
		modified, err := time.Parse(time.RFC3339, e.Modified)
		if err != nil {
			return fmt.Errorf("%s: modified: %v", name, err)
		}
		modified = modified.UTC()
		if modified.After(latest) {
			latest = modified
		}
		mod := modified.Format(time.RFC3339)
		vulns = append(vulns, vuln{ID: e.ID, Modified: mod, Aliases: e.Aliases})
		// One index row per affected block, as indexdb writes it: a module
		// listed twice in an entry gets two rows, each with its own fix.
		for _, a := range e.Affected {
			m := modules[a.Package.Name]
			if m == nil {
				m = &module{Path: a.Package.Name, Vulns: []moduleVuln{}}
				modules[a.Package.Name] = m
			}
			var fixed string
			for _, r := range a.Ranges {
				if r.Type != "SEMVER" {
					continue
				}
				for _, ev := range r.Events {
					if ev.Fixed != "" && semverLess(fixed, ev.Fixed) {
						fixed = ev.Fixed
					}
				}
				// Reintroduced after the latest fix: no version fixes it.
				for _, ev := range r.Events {
					if ev.Introduced != "" && ev.Introduced != "0" && semverLess(fixed, ev.Introduced) {
						fixed = ""
						break
					}
				}
			}
			m.Vulns = append(m.Vulns, moduleVuln{ID: e.ID, Modified: mod, Fixed: fixed})
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, raw); err != nil {
			return fmt.Errorf("%s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(tmp, "ID", name), compact.Bytes(), 0o644); err != nil {
			return err
		}
	}
	if len(vulns) == 0 {
		return fmt.Errorf("no OSV entries in %s", osvDir)
	}

	mods := make([]*module, 0, len(modules))
	for _, m := range modules {
		slices.SortStableFunc(m.Vulns, func(a, b moduleVuln) int { return strings.Compare(a.ID, b.ID) })
		mods = append(mods, m)
	}
	slices.SortFunc(mods, func(a, b *module) int { return strings.Compare(a.Path, b.Path) })
	slices.SortFunc(vulns, func(a, b vuln) int { return strings.Compare(a.ID, b.ID) })

	for file, v := range map[string]any{
		"db.json":      dbMeta{Modified: latest.Format(time.RFC3339)},
		"modules.json": mods,
		"vulns.json":   vulns,
	} {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(tmp, "index", file), b, 0o644); err != nil {
			return err
		}
	}
	if err := os.RemoveAll(out); err != nil {
		return err
	}
	if err := os.Rename(tmp, out); err != nil {
		return err
	}
	fmt.Printf("vulnindex: %d entries, %d modules, newest modified %s -> %s\n",
		len(vulns), len(mods), latest.Format(time.RFC3339), out)
	return nil
}
