package report

import (
	"slices"
	"strings"

	"github.com/strata-cli/strata/internal/safetext"
	"github.com/strata-cli/strata/rules"
)

// Printable escapes what would garble a terminal line or a CI log, or
// act on the terminal (see safetext.Line). Every string from an image or
// a server goes through it, or through a format's own escaping, before it
// is printed.
func Printable(s string) string { return safetext.Line(s) }

func printable(s string) string { return safetext.Line(s) }

// PrintableOutcomes escapes what the rules took from the image (the paths
// they name) before any format prints it.
func PrintableOutcomes(outs []rules.Outcome) []rules.Outcome {
	out := slices.Clone(outs)
	for i := range out {
		out[i].Detail = printable(out[i].Detail)
		if out[i].Paths != nil {
			ps := make([]string, len(out[i].Paths))
			for j, p := range out[i].Paths {
				ps[j] = printable(p)
			}
			out[i].Paths = ps
		}
	}
	return out
}

// cleanString makes s valid UTF-8 (see safetext.Valid).
func cleanString(s string) string { return safetext.Valid(s) }

// xmlSafe drops what XML 1.0 cannot hold at all (most control
// characters); encoding/xml escapes the rest. Paths are already printable.
func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r != 0xFFFE && r != 0xFFFF {
			return r
		}
		return -1
	}, cleanString(s))
}

// --- GitHub workflow commands -------------------------------------------------

// ghData escapes a workflow command's message.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(printable(s))
}

// ghProperty escapes a workflow command's property value.
func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(printable(s))
}

// mdCell escapes text for a table cell: pipes end cells, and the other
// characters would start emphasis, links or HTML.
func mdCell(s string) string {
	if s == "" {
		return ""
	}
	var b strings.Builder
	for _, r := range printable(s) {
		if strings.ContainsRune("\\|*_`[]<>#~", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// mdCode puts s in a code span that survives a table: backticks are
// fenced with a longer run, and pipes, which end a cell even inside a code
// span in GitHub's tables, are escaped.
func mdCode(s string) string {
	if s == "" {
		return ""
	}
	s = strings.ReplaceAll(printable(s), "|", `\|`)
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}
