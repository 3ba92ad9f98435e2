package ui

import (
	"io/fs"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/internal/units"
)

// humanBytes formats a byte count as every strata output does ("1.2 MB");
// negative counts (unknown) print as "-".
func humanBytes(n int64) string {
	if n < 0 {
		return "-"
	}
	return units.Bytes(n)
}

// shortDigest keeps the algorithm and the first 12 hex digits of a digest.
func shortDigest(d string) string {
	algo, hex, ok := strings.Cut(d, ":")
	if !ok {
		return d
	}
	if len(hex) > 12 {
		hex = hex[:12]
	}
	return algo + ":" + hex
}

// modeString renders a file mode the way ls does: a type letter, then
// rwx triplets with s/S and t/T for setuid, setgid and sticky.
func modeString(m fs.FileMode) string {
	var b [10]byte
	switch {
	case m&fs.ModeDir != 0:
		b[0] = 'd'
	case m&fs.ModeSymlink != 0:
		b[0] = 'l'
	case m&fs.ModeNamedPipe != 0:
		b[0] = 'p'
	case m&fs.ModeSocket != 0:
		b[0] = 's'
	case m&fs.ModeCharDevice != 0:
		b[0] = 'c'
	case m&fs.ModeDevice != 0:
		b[0] = 'b'
	default:
		b[0] = '-'
	}
	const rwx = "rwxrwxrwx"
	for i := range 9 {
		if m&(1<<uint(8-i)) != 0 {
			b[i+1] = rwx[i]
		} else {
			b[i+1] = '-'
		}
	}
	special := func(pos int, set bool, lower, upper byte) {
		if !set {
			return
		}
		if b[pos] == '-' {
			b[pos] = upper
		} else {
			b[pos] = lower
		}
	}
	special(3, m&fs.ModeSetuid != 0, 's', 'S')
	special(6, m&fs.ModeSetgid != 0, 's', 'S')
	special(9, m&fs.ModeSticky != 0, 't', 'T')
	return string(b[:])
}

// kindMode adds the type bits a tar entry implies when its mode lacks them.
func kindMode(e analyze.Entry) fs.FileMode {
	m := e.Mode
	if m&fs.ModeType == 0 {
		switch e.Kind {
		case analyze.KindDir:
			m |= fs.ModeDir
		case analyze.KindSymlink:
			m |= fs.ModeSymlink
		case analyze.KindFIFO:
			m |= fs.ModeNamedPipe
		case analyze.KindCharDevice:
			m |= fs.ModeDevice | fs.ModeCharDevice
		case analyze.KindBlockDevice:
			m |= fs.ModeDevice
		}
	}
	return m
}

// truncate cuts s to at most w cells, marking the cut with an ellipsis.
// Paths and commands are ASCII in practice; wider runes are counted as one
// cell here and lipgloss clips whatever still overflows.
func truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	// Cells, not runes: a wide character takes two, and a cut that lands
	// on one drops it whole and keeps the ellipsis.
	return ansi.Truncate(s, w, "…")
}

// truncateLeft cuts s to at most w cells from the front, marking the cut
// with an ellipsis: for a path, whose end names it.
func truncateLeft(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(s) <= w {
		return s
	}
	return "…" + lastCells(s, w-1)
}

// lastCells is the end of s that fits in w cells; a wide character that
// would straddle the cut is left out.
func lastCells(s string, w int) string {
	r := []rune(s)
	i, used := len(r), 0
	for i > 0 {
		cw := ansi.StringWidth(string(r[i-1]))
		if used+cw > w {
			break
		}
		used += cw
		i--
	}
	return string(r[i:])
}

// truncateMiddle cuts s to at most w cells, keeping a third of them for
// its start and the rest for its end: names that share a long start
// (FreeGLUTConfig.cmake, FreeGLUTConfigVersion.cmake) stay apart, and an
// extension stays.
func truncateMiddle(s string, w int) string {
	if ansi.StringWidth(s) <= w {
		return s
	}
	if w < 5 {
		return truncate(s, w)
	}
	head := (w - 1) / 3
	start := ansi.Truncate(s, head, "")
	return start + "…" + lastCells(s, w-1-ansi.StringWidth(start))
}

// padRight pads s with spaces to w cells (after truncating to w).
func padRight(s string, w int) string {
	s = truncate(s, w)
	if n := w - ansi.StringWidth(s); n > 0 {
		return s + strings.Repeat(" ", n)
	}
	return s
}

// padLeft right-aligns s in w cells.
func padLeft(s string, w int) string {
	s = truncate(s, w)
	if n := w - ansi.StringWidth(s); n > 0 {
		return strings.Repeat(" ", n) + s
	}
	return s
}

// wrap breaks s into lines of at most w cells, at spaces where it can.
func wrap(s string, w int) []string {
	if w <= 0 {
		return nil
	}
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		r := []rune(para)
		for len(r) > w {
			cut := w
			for i := w; i > w/2; i-- {
				if r[i] == ' ' {
					cut = i
					break
				}
			}
			lines = append(lines, strings.TrimRight(string(r[:cut]), " "))
			r = r[cut:]
			for len(r) > 0 && r[0] == ' ' {
				r = r[1:]
			}
		}
		lines = append(lines, string(r))
	}
	return lines
}

// bar draws a proportion of w cells with full blocks.
func bar(frac float64, w int) string {
	if w <= 0 {
		return ""
	}
	n := int(frac*float64(w) + 0.5)
	if frac > 0 && n == 0 {
		n = 1
	}
	n = min(n, w)
	return strings.Repeat("█", n) + strings.Repeat(" ", w-n)
}

func itoa(i int) string { return strconv.Itoa(i) }
