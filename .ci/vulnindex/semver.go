package main

import (
	"cmp"
	"strings"
)

// semverLess reports whether the unprefixed semantic version a sorts before
// b, as golang.org/x/mod/semver.Compare("v"+a, "v"+b) < 0 does: an invalid
// version (such as "") sorts before every valid one, two invalid ones are
// equal, and build metadata is ignored.
func semverLess(a, b string) bool {
	pa, okA := parseSemver(a)
	pb, okB := parseSemver(b)
	if !okA || !okB {
		return !okA && okB
	}
	for i := range 3 {
		if c := compareNum(pa.num[i], pb.num[i]); c != 0 {
			return c < 0
		}
	}
	return comparePrerelease(pa.pre, pb.pre) < 0
}

type semver struct {
	num [3]string // major, minor, patch: decimal, no leading zeros
	pre string    // "" or the dot-separated identifiers after "-"
}

// parseSemver accepts MAJOR[.MINOR[.PATCH[-PRE][+BUILD]]], the forms
// golang.org/x/mod/semver accepts after its "v".
func parseSemver(v string) (semver, bool) {
	var s semver
	s.num = [3]string{"", "0", "0"}
	for i := range 3 {
		n := 0
		for n < len(v) && '0' <= v[n] && v[n] <= '9' {
			n++
		}
		if n == 0 || (n > 1 && v[0] == '0') {
			return s, false
		}
		s.num[i], v = v[:n], v[n:]
		if v == "" {
			return s, true // "1" and "1.2" are shorthands without suffixes
		}
		if i < 2 {
			if v[0] != '.' {
				return s, false
			}
			v = v[1:]
		}
	}
	if v[0] == '-' {
		end := strings.IndexByte(v, '+')
		if end < 0 {
			end = len(v)
		}
		s.pre, v = v[1:end], v[end:]
		if !validIdents(s.pre, true) {
			return s, false
		}
	}
	if v != "" {
		if v[0] != '+' || !validIdents(v[1:], false) {
			return s, false
		}
	}
	return s, true
}

func validIdents(s string, noLeadingZero bool) bool {
	for id := range strings.SplitSeq(s, ".") {
		if id == "" {
			return false
		}
		for i := 0; i < len(id); i++ {
			c := id[i]
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '-') {
				return false
			}
		}
		if noLeadingZero && isNum(id) && len(id) > 1 && id[0] == '0' {
			return false
		}
	}
	return true
}

func isNum(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// compareNum compares decimal strings without leading zeros.
func compareNum(a, b string) int {
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

// comparePrerelease orders pre-release strings by semver 2.0's rules: none
// sorts after any; numeric identifiers before alphanumeric ones; a shorter
// list before a longer one it is a prefix of.
func comparePrerelease(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == "":
		return 1
	case b == "":
		return -1
	}
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		x, y := as[i], bs[i]
		if x == y {
			continue
		}
		nx, ny := isNum(x), isNum(y)
		switch {
		case nx && ny:
			return compareNum(x, y)
		case nx:
			return -1
		case ny:
			return 1
		}
		return strings.Compare(x, y)
	}
	return cmp.Compare(len(as), len(bs))
}
