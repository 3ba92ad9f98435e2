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
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/dustin/go-humanize"
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
// "0.00%".
func SignedPercent(f float64) string { return percent(f, true) }

func percent(f float64, signed bool) string {
	v := f * 100
	if math.Abs(v) < 0.005 {
		v = 0
	}
	s := strconv.FormatFloat(v, 'f', 2, 64)
	if signed && v > 0 {
		s = "+" + s
	}
	return s + "%"
}

// ParseBytes reads a byte count such as "20MB", "1GiB", "20mb", "1.5 GB"
// or "1048576": decimal suffixes are powers of 1000 and binary ones powers
// of 1024, so that what Bytes prints reads back.
func ParseBytes(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if t == "" || t[0] < '0' || t[0] > '9' {
		// humanize accepts a leading "." or ","; a size has to start with a digit.
		return 0, fmt.Errorf("invalid size %q: want a byte count such as 20MB, 1GiB or 1048576", s)
	}
	n, err := humanize.ParseBytes(t)
	if err != nil {
		return 0, fmt.Errorf("invalid size %q: want a byte count such as 20MB, 1GiB or 1048576", s)
	}
	if n > math.MaxInt64 {
		return 0, fmt.Errorf("invalid size %q: too large", s)
	}
	return int64(n), nil
}
