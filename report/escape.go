package report

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/strata-cli/strata/rules"
)

// Printable escapes what would garble a terminal line or a CI log, or
// act on the terminal: invalid UTF-8 and control characters (ESC, BEL,
// CR, newline) become \xNN, so that no string from an image or a server
// can move the cursor, set the clipboard, open a hyperlink or start a
// new line that a CI runner would read as a workflow command. Every
// such string goes through it, or through a format's own escaping,
// before it is printed.
func Printable(s string) string { return printable(s) }

func printable(s string) string {
	s = cleanString(s)
	if !strings.ContainsFunc(s, unicode.IsControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) && r < utf8.RuneSelf {
			fmt.Fprintf(&b, `\x%02x`, r)
		} else if unicode.IsControl(r) {
			fmt.Fprintf(&b, `\u%04x`, r)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

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

// cleanString makes s valid UTF-8 by writing each invalid byte as the four
// characters \xNN. encoding/json would otherwise replace them with U+FFFD,
// and two different paths could then print the same.
func cleanString(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			fmt.Fprintf(&b, `\x%02x`, s[i])
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

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
