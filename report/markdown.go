package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/strata-cli/strata/advice"
	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/internal/units"
	"github.com/strata-cli/strata/rules"
)

// mdTopWasted is how many wasted files the Markdown summary lists.
const mdTopWasted = 10

// mdCommandWidth cuts history commands in the Markdown tables; a job
// summary is read in a browser, where long cells wrap badly.
const mdCommandWidth = 80

// WriteMarkdown writes a job summary in GitHub-flavoured Markdown: the
// verdict, the image's numbers, the rules, the advice, the history and the
// files that waste the most.
func WriteMarkdown(w io.Writer, c CIRun) error {
	// Written as it is made: the history table has a row per step.
	b := bufio.NewWriterSize(w, 64<<10)
	s := c.Result.Image
	_, fail, _ := c.Counts()
	icon := "✅"
	if fail > 0 {
		icon = "❌"
	}
	fmt.Fprintf(b, "## %s strata: %s\n\n", icon, mdCell(c.SummaryLine()))
	fmt.Fprintf(b, "**Image** %s\n\n", mdCode(printable(s.Reference)))
	b.WriteString("| | |\n|---|---|\n")
	row := func(k, v string) { fmt.Fprintf(b, "| %s | %s |\n", k, v) }
	row("Digest", mdCode(orDash(s.Digest)))
	row("Platform", mdCell(orDash(s.Platform)))
	row("Size", units.BytesExact(s.SizeBytes))
	row("Compressed", units.BytesExact(s.CompressedSizeBytes))
	row("Files", strconv.Itoa(s.FileCount))
	row("Wasted", units.BytesExact(s.WastedBytes))
	row("Efficiency", units.Percent(s.Efficiency))
	row("User wasted", fmt.Sprintf("%s (%s)", units.Percent(s.UserWastedPercent), units.Bytes(s.UserWastedBytes)))

	b.WriteString("\n### Rules")
	if c.RulesFile != "" || len(c.RulesFlags) > 0 {
		from := make([]string, 0, 1+len(c.RulesFlags))
		if c.RulesFile != "" {
			from = append(from, mdCode(c.RulesFile))
		}
		for _, f := range c.RulesFlags {
			from = append(from, mdCode(f))
		}
		fmt.Fprintf(b, " (from %s)", strings.Join(from, ", "))
	}
	b.WriteString("\n\n| result | rule | actual | threshold | detail |\n|---|---|---|---|---|\n")
	for _, o := range c.Outcomes {
		res := map[rules.Verdict]string{rules.Pass: "✅ PASS", rules.Fail: "❌ FAIL", rules.Skip: "⏭️ SKIP"}[o.Verdict]
		// A skipped rule says why; the others show the paths or layers
		// they name (actual and threshold already carry the numbers).
		detail := mdCell(o.Detail)
		if o.Verdict != rules.Skip {
			detail = ""
			if len(o.Paths) > 0 {
				ps := make([]string, len(o.Paths))
				for i, p := range o.Paths {
					ps[i] = mdCode(p)
				}
				detail = strings.Join(ps, ", ")
				if o.More > 0 {
					detail += fmt.Sprintf(" and %d more", o.More)
				}
			}
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", res, mdCode(o.Rule), mdCell(o.Actual), mdCell(o.Threshold), detail)
	}

	writeMarkdownSecrets(b, c.Result)
	writeMarkdownAdvice(b, c.Result)

	b.WriteString("\n### History\n\n| layer | size | wasted | command |\n|---|--:|--:|---|\n")
	for r := range historyRows(c.Result) {
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", r.index, units.Bytes(r.size), units.Bytes(r.wasted),
			mdCode(truncate(displayCommand(r.command), mdCommandWidth)))
	}

	fmt.Fprintf(b, "\n### Top wasted files\n\n")
	files := analyze.SortedWasted(c.Result.WastedFiles)
	if len(files) == 0 {
		b.WriteString("None.\n")
	} else {
		b.WriteString("| wasted | copies | path |\n|--:|--:|---|\n")
		n := min(len(files), mdTopWasted)
		for _, f := range files[:n] {
			fmt.Fprintf(b, "| %s | %d | %s |\n", units.Bytes(f.WastedBytes), len(f.Layers), mdCode(printable(f.Path)))
		}
		if rest := len(files) - n; rest > 0 {
			fmt.Fprintf(b, "\n…and %d more (see `strata --json`).\n", rest)
		}
	}
	b.WriteString("\n")
	return b.Flush()
}

// writeMarkdownAdvice adds the advice the text report gives, as a table,
// when there is any: a failed rule is most useful next to what to change.
func writeMarkdownAdvice(b *bufio.Writer, res *analyze.Result) {
	as := advice.Advise(res)
	if len(as) == 0 {
		return
	}
	b.WriteString("\n### Advice\n\n| bytes | kind | advice | layers |\n|--:|---|---|---|\n")
	n := min(len(as), adviceShown)
	for _, a := range as[:n] {
		layers := make([]string, len(a.Layers))
		for i, l := range a.Layers {
			layers[i] = strconv.Itoa(l)
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", units.Bytes(a.Bytes), mdCode(a.Kind), mdCell(a.Message), strings.Join(layers, ", "))
	}
	if rest := len(as) - n; rest > 0 {
		fmt.Fprintf(b, "\n…and %d more (see `strata --json`).\n", rest)
	}
}
