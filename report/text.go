package report

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"iter"
	"strconv"
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
//
// The report is written as it is made, through a buffer: a history can
// hold a million steps, and the whole text would be tens of MB.
func WriteReport(w io.Writer, res *analyze.Result, o ReportOptions) error {
	b := bufio.NewWriterSize(w, 64<<10)
	s := res.Image

	field := func(name, value string) { fmt.Fprintf(b, "%-13s%s\n", name+":", value) }
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
	lineCol, lineW := "", 0
	if bf := res.BuildFile; bf != nil {
		// Lines of the Dockerfile, in a column only when one was given.
		fmt.Fprintf(b, "  (LINE: of %s; base: the image it is FROM; ?: not placed)\n", printable(bf.Path))
		lineW = len("LINE")
		for i := range bf.Steps {
			lineW = max(lineW, len(stepLineText(res, i)))
		}
		lineCol = fmt.Sprintf("%-*s  ", lineW, "LINE")
		cmdWidth -= lineW + 2
	}
	fmt.Fprintf(b, "  %-*s  %*s  %*s  %s%s\n", colIndex, "LAYER", colSize, "SIZE", colSize, "WASTED", lineCol, "COMMAND")
	var line []byte // one row, reused: a row's garbage times a million steps adds up
	for r := range historyRows(res) {
		cmd := displayCommand(r.command)
		if !o.NoTrunc {
			cmd = truncate(cmd, cmdWidth)
		}
		line = fmt.Appendf(line[:0], "  %-*s  %*s  %*s  ", colIndex, r.index, colSize, units.Bytes(r.size), colSize, units.Bytes(r.wasted))
		if lineW > 0 {
			line = fmt.Appendf(line, "%-*s  ", lineW, r.line)
		}
		line = append(line, cmd...)
		b.Write(bytes.TrimRight(line, " "))
		b.WriteByte('\n')
	}

	b.WriteString("\nWasted files:\n")
	if len(res.WastedFiles) == 0 {
		b.WriteString("  none\n")
	} else {
		files := analyze.SortedWasted(res.WastedFiles)
		n := min(len(files), max(o.TopN, 0))
		// COPIES counts the layers that stored a hidden copy, as the
		// Markdown report and the explorer's "Copies" do; the explorer's
		// wasted list names them ("Stored in").
		fmt.Fprintf(b, "  %6s  %*s  %s\n", "COPIES", colSize, "WASTED", "PATH")
		for _, f := range files[:n] {
			fmt.Fprintf(b, "  %6d  %*s  %s\n", len(f.Layers), colSize, units.Bytes(f.WastedBytes), printable(f.Path))
		}
		if rest := len(files) - n; rest > 0 {
			fmt.Fprintf(b, "  ... and %d more (see --json)\n", rest)
		}
	}
	writeLargestPackages(b, res)
	writeLayerPackages(b, res)
	writeSecrets(b, res)
	writeAdvice(b, res)
	return b.Flush()
}

// historyRow is one line of the history table.
type historyRow struct {
	index   string // layer index, or "-" for a step that made no layer
	size    int64
	wasted  int64
	command string
	line    string // the step's Dockerfile lines, when a Dockerfile was given
}

// historyRows yields one row per step of analyze.Steps: the history in
// order, then any layer no entry claims, so that no layer goes missing.
func historyRows(res *analyze.Result) iter.Seq[historyRow] {
	return func(yield func(historyRow) bool) {
		for s := range res.AllSteps() {
			r := historyRow{index: "-", command: s.CreatedBy}
			if s.Layer >= 0 {
				l := res.Layers[s.Layer]
				r.index, r.size, r.wasted = strconv.Itoa(l.Index), l.SizeBytes, l.WastedBytes
			}
			if res.BuildFile != nil {
				r.line = stepLineText(res, s.History)
			}
			if !yield(r) {
				return
			}
		}
	}
}

// stepLineText is where history step i is in the Dockerfile: "14" or
// "12-14", "base" for a step of the base image, "?" when it was not
// placed.
func stepLineText(res *analyze.Result, i int) string {
	sl, ok := res.StepLines(i)
	switch {
	case !ok:
		return "?"
	case sl.Base:
		return "base"
	case sl.EndLine > sl.Line:
		return strconv.Itoa(sl.Line) + "-" + strconv.Itoa(sl.EndLine)
	}
	return strconv.Itoa(sl.Line)
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
