// Package units is the one vocabulary strata prints sizes and shares in,
// so that the report, the explorer, the advice and the HTML page say the
// same thing about the same bytes.
//
// Sizes are in SI units (powers of 1000: B, kB, MB, GB, TB, PB, EB), as
// docker images and the README print them; every golden and the README
// already used this form, so it is the one kept. A size under 1000 bytes
// is exact ("999 B"); above that a value under 10 keeps one decimal
// ("9.9 MB") and the rest none ("41 MB"). Rounding is half up at the
// printed precision, once (9,950,000 bytes is "10 MB", not "9.9 MB"), and
// a value that rounds to 1000 moves to the next unit ("1.0 MB", never
// "1000 kB"). The HTML page's script repeats this rule in fmtBytes.
//
// Shares are fractions printed as percentages with two decimals
// ("85.00%"), as the report and the CI output print them.
package units

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"
)

var siUnits = [...]string{"B", "kB", "MB", "GB", "TB", "PB", "EB"}

// Bytes prints a byte count: "0 B", "999 B", "1.0 kB", "41 MB". A
// negative count gets a minus sign.
func Bytes(n int64) string {
	if n < 0 {
		return "-" + size(uint64(-(n+1))+1) // -MinInt64 does not fit an int64
	}
	return size(uint64(n))
}

func size(n uint64) string {
	if n < 1000 {
		return strconv.FormatUint(n, 10) + " B"
	}
	e, d := 1, uint64(1000)
	for e < len(siUnits)-1 && n/d >= 1000 {
		e, d = e+1, d*1000
	}
	for {
		q, r := n/d, n%d
		// r*10 < 10*d <= 1e19 fits in a uint64.
		if tenths := q*10 + (r*10+d/2)/d; tenths < 100 {
			return fmt.Sprintf("%d.%d %s", tenths/10, tenths%10, siUnits[e])
		}
		whole := q
		if r >= d-r { // half up
			whole++
		}
		if whole < 1000 || e == len(siUnits)-1 {
			return strconv.FormatUint(whole, 10) + " " + siUnits[e]
		}
		e, d = e+1, d*1000 // 999.5 kB rounds to 1.0 MB
	}
}

// SignedBytes prints a change in size with its sign: "+1.2 MB",
// "-300 B", and "0 B" for no change.
func SignedBytes(n int64) string {
	if n > 0 {
		return "+" + Bytes(n)
	}
	return Bytes(n)
}

// BytesExact prints a size and its exact count: "125 kB (125006 bytes)".
func BytesExact(n int64) string { return fmt.Sprintf("%s (%d bytes)", Bytes(n), n) }

// Percent prints a fraction as a percentage with two decimals: 0.85 is
// "85.00%". A share too small to show is "0.00%", never "-0.00%".
func Percent(f float64) string { return percent(f, false) }

// SignedPercent is Percent with a sign on a change: "+3.91%", "-5.25%",
// and "+0.00%" for none, as strata compare has always printed it.
func SignedPercent(f float64) string { return percent(f, true) }

func percent(f float64, signed bool) string {
	v := f * 100
	if math.Abs(v) < 0.005 {
		v = 0
	}
	s := strconv.FormatFloat(v, 'f', 2, 64)
	if signed && v >= 0 {
		s = "+" + s
	}
	return s + "%"
}

// sizeUnits are the suffixes ParseBytes takes, in lower case: SI ones
// are powers of 1000, IEC ones (with an i) powers of 1024, and the B may
// go, as humanize (which strata used before) and docker let it.
var sizeUnits = map[string]uint64{
	"": 1, "b": 1,
	"k": 1e3, "kb": 1e3, "m": 1e6, "mb": 1e6, "g": 1e9, "gb": 1e9, "t": 1e12, "tb": 1e12, "p": 1e15, "pb": 1e15, "e": 1e18, "eb": 1e18,
	"ki": 1 << 10, "kib": 1 << 10, "mi": 1 << 20, "mib": 1 << 20, "gi": 1 << 30, "gib": 1 << 30,
	"ti": 1 << 40, "tib": 1 << 40, "pi": 1 << 50, "pib": 1 << 50, "ei": 1 << 60, "eib": 1 << 60,
}

// ParseBytes reads a byte count such as "20MB", "1GiB", "20mb", "1.5 GB",
// "1,048,576" or "1048576": decimal suffixes are powers of 1000 and binary
// ones powers of 1024, so that what Bytes prints reads back.
func ParseBytes(s string) (int64, error) {
	bad := fmt.Errorf("invalid size %q: want a byte count such as 20MB, 1GiB or 1048576", s)
	t := strings.TrimSpace(s)
	end := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' && r != ',' })
	if end < 0 {
		end = len(t)
	}
	num := strings.ReplaceAll(t[:end], ",", "")
	if num == "" || num[0] < '0' || num[0] > '9' {
		return 0, bad // a size starts with a digit
	}
	m, ok := sizeUnits[strings.ToLower(strings.TrimSpace(t[end:]))]
	if !ok {
		return 0, bad
	}
	tooLarge := fmt.Errorf("invalid size %q: too large", s)
	if !strings.Contains(num, ".") {
		// Whole numbers exactly: a float64 loses integers above 2^53.
		v, err := strconv.ParseUint(num, 10, 64)
		if err != nil {
			if errors.Is(err, strconv.ErrRange) {
				return 0, tooLarge
			}
			return 0, bad
		}
		if hi, lo := bits.Mul64(v, m); hi != 0 || lo > math.MaxInt64 {
			return 0, tooLarge
		}
		return int64(v * m), nil
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, bad
	}
	f *= float64(m)
	if f >= math.MaxInt64 {
		return 0, tooLarge
	}
	return int64(f), nil
}
