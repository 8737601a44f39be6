package diagnose

import (
	"errors"
	"strconv"
	"time"
)

// errBadTime says what a time must look like.
var errBadTime = errors.New("is not a time: want RFC 3339 with a zone, e.g. 2026-03-02T14:05:09.120Z, or Unix seconds or milliseconds")

// parseTime reads a time as Unix milliseconds, rounded down. It takes
//
//   - RFC 3339 with a zone: 2026-03-02T14:05:09Z, 2026-03-02T14:05:09.123456+01:00;
//     a space or a lower-case t in place of the T, and a lower-case z, as
//     many exports write them;
//   - a Unix time: an integer below 10^11 is seconds (with an optional
//     fraction), one at or above is milliseconds.
//
// It does the arithmetic itself: time.Parse costs several times as much,
// and a million rows hold three million times.
func parseTime(s string) (int64, error) {
	if len(s) > 0 && s[0] >= '0' && s[0] <= '9' && (len(s) < 5 || s[4] != '-') {
		return parseUnix(s)
	}
	if len(s) < len("2006-01-02T15:04:05Z") || s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':' {
		return 0, errBadTime
	}
	switch s[10] {
	case 'T', 't', ' ':
	default:
		return 0, errBadTime
	}
	year, ok1 := digits(s[0:4])
	month, ok2 := digits(s[5:7])
	day, ok3 := digits(s[8:10])
	hour, ok4 := digits(s[11:13])
	minute, ok5 := digits(s[14:16])
	sec, ok6 := digits(s[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || month < 1 || month > 12 || day < 1 ||
		day > daysIn(month, year) || hour > 23 || minute > 59 || sec > 59 {
		return 0, errBadTime
	}
	rest := s[19:]
	var ms int64
	if len(rest) > 0 && (rest[0] == '.' || rest[0] == ',') { // ISO 8601 allows a comma
		i := 1
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			if i <= 3 {
				ms = ms*10 + int64(rest[i]-'0')
			}
			i++
		}
		if i == 1 {
			return 0, errBadTime
		}
		for j := i; j <= 3; j++ {
			ms *= 10
		}
		rest = rest[i:]
	}
	var offset int64
	switch {
	case rest == "Z" || rest == "z":
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, ok1 := digits(rest[1:3])
		om, ok2 := digits(rest[4:6])
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return 0, errBadTime
		}
		offset = int64(oh*3600+om*60) * 1000
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return 0, errBadTime
	}
	days := daysFromCivil(year, month, day)
	secs := days*86400 + int64(hour*3600+minute*60+sec)
	return secs*1000 + ms - offset, nil
}

// parseUnix reads Unix seconds (with an optional fraction) or
// milliseconds.
func parseUnix(s string) (int64, error) {
	whole, frac, hasFrac := cut(s, '.')
	n, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || n < 0 || n > 1e15 {
		return 0, errBadTime
	}
	if n >= 1e11 {
		if hasFrac {
			return 0, errBadTime // milliseconds with a fraction: a misread column
		}
		return n, nil
	}
	ms := n * 1000
	if hasFrac {
		if frac == "" || len(frac) > 9 {
			return 0, errBadTime
		}
		var f int64
		for i := 0; i < 3; i++ {
			f *= 10
			if i < len(frac) {
				f += int64(frac[i] - '0')
			}
		}
		for i := range len(frac) {
			if frac[i] < '0' || frac[i] > '9' {
				return 0, errBadTime
			}
		}
		ms += f
	}
	return ms, nil
}

func cut(s string, sep byte) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// digits reads a short run of decimal digits.
func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil returns the days from 1970-01-01 to the given date in the
// proleptic Gregorian calendar (Howard Hinnant's algorithm).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// fromMillis turns Unix milliseconds into a time.Time in UTC.
func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }
