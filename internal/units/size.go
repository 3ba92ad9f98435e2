package units

import (
	"fmt"
	"math"
	"strings"

	"github.com/dustin/go-humanize"
)

// Bytes is the one place sizes are turned into text, so the report
// and the CI output agree: SI units, as `docker images` prints them.
func Bytes(n int64) string {
	if n < 0 {
		return "-" + humanize.Bytes(uint64(-n))
	}
	return humanize.Bytes(uint64(n))
}

// ParseBytes reads a byte count such as "20MB", "1GiB", "20mb", "1.5 GB"
// or "1048576". Decimal suffixes are powers of 1000, binary ones powers of
// 1024, matching what Bytes prints.
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
