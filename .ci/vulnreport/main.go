// Command vulnreport reads `govulncheck -format json` output on stdin,
// prints what it found, and decides whether CI passes. A finding counts
// when ordergate's code reaches the vulnerable function (govulncheck's
// "your code is affected"); vulnerabilities only in imported packages or
// required modules are listed but pass, as govulncheck's own exit code does.
//
//	govulncheck -format json ./... | go run ./.ci/vulnreport -go go1.26.11
//	govulncheck -format json ./... | go run ./.ci/vulnreport -go go1.26.8 -allow-stdlib
//
// -go names the Go the scan must have used (so a toolchain switch that did
// not happen cannot pass for a clean result). -allow-stdlib prints reachable
// standard-library findings without failing: the check of this machine's
// older Go, whose fixes are known to be in a later release. A reachable
// finding in any other module, ordergate's included, always fails.
package main

import (
	"cmp"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// The parts of govulncheck's JSON protocol (golang.org/x/vuln
// internal/govulncheck, protocol v1.0.0) read here.
type message struct {
	Config *struct {
		ProtocolVersion string `json:"protocol_version"`
		ScannerVersion  string `json:"scanner_version"`
		DB              string `json:"db"`
		GoVersion       string `json:"go_version"`
		ScanLevel       string `json:"scan_level"`
	} `json:"config"`
	OSV *struct {
		ID      string `json:"id"`
		Summary string `json:"summary"`
	} `json:"osv"`
	Finding *struct {
		OSV          string  `json:"osv"`
		FixedVersion string  `json:"fixed_version"`
		Trace        []frame `json:"trace"`
	} `json:"finding"`
}

type frame struct {
	Module   string `json:"module"`
	Version  string `json:"version"`
	Package  string `json:"package"`
	Function string `json:"function"`
	Receiver string `json:"receiver"`
	Position *struct {
		Filename string `json:"filename"`
		Line     int    `json:"line"`
		Column   int    `json:"column"`
	} `json:"position"`
}

// vuln is one advisory as it touches the scanned code.
type vuln struct {
	id, module, version, fixed string
	called                     bool
	level                      string // called, imported, required
	example                    string // a call path from ordergate's code
}

func main() {
	wantGo := flag.String("go", "", "the Go version the scan must report (e.g. go1.26.11)")
	allowStd := flag.Bool("allow-stdlib", false, "print, not fail on, reachable standard-library findings")
	flag.Parse()
	vulns, goVersion, err := read(os.Stdin)
	if err != nil {
		fail("vulnreport: %v", err)
	}
	if *wantGo != "" && goVersion != *wantGo {
		fail("vulnreport: the scan used %s, not %s", goVersion, *wantGo)
	}

	var stdCalled, otherCalled, notCalled []*vuln
	for _, v := range vulns {
		switch {
		case !v.called:
			notCalled = append(notCalled, v)
		case v.module == "stdlib":
			stdCalled = append(stdCalled, v)
		default:
			otherCalled = append(otherCalled, v)
		}
	}
	for _, v := range notCalled {
		fmt.Printf("  not reached: %s %s@%s (%s only), fixed in %s\n",
			v.id, v.module, v.version, v.level, orNone(v.fixed))
	}
	for _, v := range slices.Concat(stdCalled, otherCalled) {
		fmt.Printf("  REACHED: %s %s@%s, fixed in %s: %s\n    e.g. %s\n",
			v.id, v.module, v.version, orNone(v.fixed), v.summary(), v.example)
	}

	failed := len(otherCalled) > 0
	if len(otherCalled) > 0 {
		fmt.Printf("vulnreport: %d reachable vulnerabilities outside the standard library (%s)\n",
			len(otherCalled), goVersion)
	}
	if len(stdCalled) > 0 {
		newest, unfixed := "", 0
		for _, v := range stdCalled {
			switch {
			case v.fixed == "":
				unfixed++
			case newest == "" || goLess(newest, v.fixed):
				newest = v.fixed
			}
		}
		fixedIn := "all fixed in " + goName(newest)
		if unfixed > 0 {
			fixedIn = fmt.Sprintf("%d with no fixed release yet", unfixed)
		}
		if *allowStd {
			fmt.Printf("vulnreport: this machine's Go (%s) is behind: %d reachable standard-library vulnerabilities, %s; releases are built and checked with a later Go (not a failure)\n",
				goVersion, len(stdCalled), fixedIn)
		} else {
			fmt.Printf("vulnreport: %d reachable standard-library vulnerabilities in %s, %s\n",
				len(stdCalled), goVersion, fixedIn)
			failed = true
		}
	}
	if failed {
		os.Exit(1)
	}
	fmt.Printf("vulnreport: %s: no reachable vulnerability that fails CI (%d advisories in the module graph, none reached)\n",
		goVersion, len(notCalled))
}

var summaries = map[string]string{}

func (v *vuln) summary() string { return summaries[v.id] }

// read gathers the stream into one vuln per advisory and module, keeping
// the strongest level govulncheck reported for it.
func read(r io.Reader) ([]*vuln, string, error) {
	dec := json.NewDecoder(r)
	byKey := map[string]*vuln{}
	var goVersion string
	configs := 0
	for {
		var m message
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, "", fmt.Errorf("reading govulncheck's output: %v", err)
		}
		switch {
		case m.Config != nil:
			configs++
			if m.Config.ProtocolVersion != "v1.0.0" || m.Config.ScanLevel != "symbol" {
				return nil, "", fmt.Errorf("want govulncheck protocol v1.0.0 at scan level symbol, got %q at %q",
					m.Config.ProtocolVersion, m.Config.ScanLevel)
			}
			goVersion = m.Config.GoVersion
			fmt.Printf("vulnreport: govulncheck %s, %s, database %s\n",
				m.Config.ScannerVersion, goVersion, m.Config.DB)
		case m.OSV != nil:
			summaries[m.OSV.ID] = m.OSV.Summary
		case m.Finding != nil:
			f := m.Finding
			if len(f.Trace) == 0 {
				return nil, "", fmt.Errorf("finding %s has no trace", f.OSV)
			}
			top := f.Trace[0]
			key := f.OSV + " " + top.Module
			v := byKey[key]
			if v == nil {
				v = &vuln{id: f.OSV, module: top.Module, version: top.Version, fixed: f.FixedVersion, level: "required"}
				byKey[key] = v
			}
			switch {
			case top.Function != "":
				if !v.called {
					v.example = example(f.Trace)
				}
				v.called, v.level = true, "called"
			case top.Package != "" && !v.called:
				v.level = "imported"
			}
		}
	}
	if configs != 1 {
		return nil, "", fmt.Errorf("want one config message from govulncheck, got %d", configs)
	}
	vulns := make([]*vuln, 0, len(byKey))
	for _, v := range byKey {
		vulns = append(vulns, v)
	}
	slices.SortFunc(vulns, func(a, b *vuln) int {
		return cmp.Or(strings.Compare(a.module, b.module), strings.Compare(a.id, b.id))
	})
	return vulns, goVersion, nil
}

// example renders a trace from its entry in ordergate's code (the last
// frame) to the vulnerable function (the first).
func example(trace []frame) string {
	entry := trace[len(trace)-1]
	where := ""
	if p := entry.Position; p != nil {
		name := p.Filename
		if wd, err := os.Getwd(); err == nil {
			if rel, err := filepath.Rel(wd, name); err == nil && !strings.HasPrefix(rel, "..") {
				name = rel
			}
		}
		where = fmt.Sprintf("%s:%d:%d: ", name, p.Line, p.Column)
	}
	return where + symbol(entry) + " → " + symbol(trace[0])
}

func symbol(f frame) string {
	name := f.Function
	if f.Receiver != "" {
		name = strings.TrimPrefix(f.Receiver, "*") + "." + name
	}
	return f.Package + "." + name
}

func orNone(fixed string) string { return cmp.Or(fixed, "no fixed version") }

// goName turns the standard library's semver (v1.26.10) into a Go release
// name (go1.26.10).
func goName(v string) string {
	if strings.HasPrefix(v, "v") {
		return "go" + v[1:]
	}
	return v
}

// goLess compares vMAJOR.MINOR.PATCH versions of the standard library.
func goLess(a, b string) bool {
	pa, pb := strings.Split(strings.TrimPrefix(a, "v"), "."), strings.Split(strings.TrimPrefix(b, "v"), ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		x, errX := strconv.Atoi(pa[i])
		y, errY := strconv.Atoi(pb[i])
		if errX != nil || errY != nil {
			return pa[i] < pb[i]
		}
		if x != y {
			return x < y
		}
	}
	return len(pa) < len(pb)
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}
