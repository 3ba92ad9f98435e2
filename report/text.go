package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/internal/units"
)

// ReportOptions tunes the plain-text report.
type ReportOptions struct {
	Width   int  // columns available; commands are cut to fit
	NoTrunc bool // print commands whole
	TopN    int  // wasted files to list
}

// DefaultReportWidth is used when stdout is not a terminal, so that piped
// output and golden files do not depend on who runs them.
const DefaultReportWidth = 100

// history column widths: "  LAYER  SIZE  WASTED  COMMAND".
const (
	colIndex = 5
	colSize  = 8
)

// WriteReport prints the summary, one row per history step, and the files
// that waste the most bytes.
func WriteReport(w io.Writer, res *analyze.Result, o ReportOptions) error {
	var b strings.Builder
	s := res.Image

	field := func(name, value string) { fmt.Fprintf(&b, "%-13s%s\n", name+":", value) }
	field("Image", printable(s.Reference))
	field("Digest", orDash(s.Digest))
	field("Config", orDash(s.ConfigDigest))
	field("Platform", orDash(printable(s.Platform)))
	field("Size", units.BytesExact(s.SizeBytes))
	field("Compressed", units.BytesExact(s.CompressedSizeBytes))
	field("Files", strconv.Itoa(s.FileCount))
	field("Wasted", units.BytesExact(s.WastedBytes))
	field("Efficiency", units.Percent(s.Efficiency))
	field("User wasted", fmt.Sprintf("%s (%s)", units.Percent(s.UserWastedPercent), units.Bytes(s.UserWastedBytes)))

	b.WriteString("\nHistory:\n")
	cmdWidth := o.Width - (2 + colIndex + 2 + colSize + 2 + colSize + 2)
	fmt.Fprintf(&b, "  %-*s  %*s  %*s  %s\n", colIndex, "LAYER", colSize, "SIZE", colSize, "WASTED", "COMMAND")
	for _, r := range historyRows(res) {
		cmd := displayCommand(r.command)
		if !o.NoTrunc {
			cmd = truncate(cmd, cmdWidth)
		}
		line := fmt.Sprintf("  %-*s  %*s  %*s  %s", colIndex, r.index, colSize, units.Bytes(r.size), colSize, units.Bytes(r.wasted), cmd)
		b.WriteString(strings.TrimRight(line, " "))
		b.WriteByte('\n')
	}

	b.WriteString("\nWasted files:\n")
	if len(res.WastedFiles) == 0 {
		b.WriteString("  none\n")
	} else {
		files := analyze.SortedWasted(res.WastedFiles)
		n := min(len(files), max(o.TopN, 0))
		fmt.Fprintf(&b, "  %6s  %*s  %s\n", "LAYERS", colSize, "WASTED", "PATH")
		for _, f := range files[:n] {
			fmt.Fprintf(&b, "  %6d  %*s  %s\n", len(f.Layers), colSize, units.Bytes(f.WastedBytes), printable(f.Path))
		}
		if rest := len(files) - n; rest > 0 {
			fmt.Fprintf(&b, "  ... and %d more (see --json)\n", rest)
		}
	}
	writeSecrets(&b, res)
	writeAdvice(&b, res)
	_, err := io.WriteString(w, b.String())
	return err
}

// historyRow is one line of the history table.
type historyRow struct {
	index   string // layer index, or "-" for a step that made no layer
	size    int64
	wasted  int64
	command string
}

// historyRows returns one row per step of analyze.Steps: the history in
// order, then any layer no entry claims, so that no layer goes missing.
func historyRows(res *analyze.Result) []historyRow {
	steps := res.Steps()
	rows := make([]historyRow, 0, len(steps))
	for _, s := range steps {
		if s.Layer < 0 {
			rows = append(rows, historyRow{index: "-", command: s.CreatedBy})
			continue
		}
		l := res.Layers[s.Layer]
		rows = append(rows, historyRow{index: strconv.Itoa(l.Index), size: l.SizeBytes, wasted: l.WastedBytes, command: s.CreatedBy})
	}
	return rows
}

// displayCommand is a history step as the explorer and advice show it (the
// Dockerfile instruction, analyze.Instruction), escaped for a terminal.
func displayCommand(c string) string {
	return printable(analyze.Instruction(c))
}

// truncate cuts s to at most n runes, marking the cut with "...".
func truncate(s string, n int) string {
	if n < 4 {
		n = 4
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-3]) + "..."
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
