package report

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	imgcmp "github.com/strata-cli/strata/compare"

	"github.com/strata-cli/strata/internal/units"
)

// JSONCompare is the compare --json document: the comparison and its verdict.
type JSONCompare struct {
	SchemaVersion int `json:"schemaVersion"`
	*imgcmp.Report
	Verdict string   `json:"verdict"` // "ok" or "regression"
	Reasons []string `json:"reasons"` // what was crossed: size, waste, layers
}

// NewJSONCompare is the --json document of a comparison.
func NewJSONCompare(rep *imgcmp.Report, reasons []string) JSONCompare {
	doc := JSONCompare{SchemaVersion: JSONSchemaVersion, Report: rep, Verdict: VerdictOf(reasons), Reasons: reasons}
	if doc.Reasons == nil {
		doc.Reasons = []string{}
	}
	return doc
}

// cacheBreakPlace says where the cache broke, "step N" (NEW's history)
// or "layer N", and whether NEW simply ends there, so that OLD's next
// instruction is the one to show.
func cacheBreakPlace(cb *imgcmp.CacheBreak) (place string, newEnded bool) {
	switch {
	case cb.Command == "" && cb.Step == 0 && cb.OldCommand != "":
		return fmt.Sprintf("layer %d", cb.Layer), true
	case cb.Step > 0:
		return fmt.Sprintf("step %d", cb.Step), false
	}
	return fmt.Sprintf("layer %d", cb.Layer), false
}

// cacheBreakLines is where NEW's Dockerfile has the step the cache broke
// at, "Dockerfile:9" or "Dockerfile:1 (base image)", or "" when no
// Dockerfile places it. The Dockerfile path may be anything a user typed.
func cacheBreakLines(cb *imgcmp.CacheBreak) string {
	w := printable(cb.Where())
	if w != "" && cb.Base {
		w += " (base image)"
	}
	return w
}

// VerdictOf is a comparison's verdict: "regression" when a limit was
// crossed, else "ok".
func VerdictOf(reasons []string) string {
	if len(reasons) > 0 {
		return "regression"
	}
	return "ok"
}

// sizeChange is the size delta with its share of OLD: "+200 B (+3.92%)".
func sizeChange(r *imgcmp.Report) string {
	s := signedBytes(r.Delta.SizeBytes)
	if r.Old.SizeBytes > 0 {
		s += fmt.Sprintf(" (%+.2f%%)", float64(r.Delta.SizeBytes)*100/float64(r.Old.SizeBytes))
	}
	return s
}

// signedBytes prints a size change with its sign.
func signedBytes(n int64) string {
	if n > 0 {
		return "+" + units.Bytes(n)
	}
	if n == 0 {
		return "0 B"
	}
	return units.Bytes(n)
}

func signedInt(n int) string {
	if n > 0 {
		return "+" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// WriteCompare prints the comparison for people, ending with the verdict.
// CompareText is how the plain comparison is laid out.
type CompareText struct {
	Top     int  // how many paths each step lists
	NoTrunc bool // keep long commands whole
}

func WriteCompare(w io.Writer, r *imgcmp.Report, o CompareText, width int, verdict string) error {
	var b strings.Builder
	cmdText := func(c string, room int) string {
		c = shortDigests(displayCommand(c))
		if !o.NoTrunc {
			c = truncate(c, room)
		}
		return c
	}
	for _, s := range []struct {
		name string
		side imgcmp.Side
	}{{"Old", r.Old}, {"New", r.New}} {
		fmt.Fprintf(&b, "%s: %s\n     %s (%s compressed), %s, %s wasted, %s efficient\n", s.name, printable(s.side.Reference),
			units.Bytes(s.side.SizeBytes), units.Bytes(s.side.CompressedSizeBytes), plural(s.side.Layers, "layer", "layers"),
			units.Bytes(s.side.WastedBytes), units.Percent(s.side.Efficiency))
	}

	b.WriteString("\nLayers:\n")
	fmt.Fprintf(&b, "  %-5s  %-7s  %8s  %8s  %s\n", "LAYER", "STATUS", "OLD", "NEW", "COMMAND")
	for _, p := range r.Layers {
		size := func(l *imgcmp.Layer) string {
			if l == nil {
				return "-"
			}
			return units.Bytes(l.SizeBytes)
		}
		c := ""
		if p.New != nil {
			c = p.New.Command
		} else if p.Old != nil {
			c = p.Old.Command
		}
		status := p.Status
		if p.InOld {
			status += "*"
		}
		line := fmt.Sprintf("  %-5d  %-7s  %8s  %8s  %s", p.Index, status, size(p.Old), size(p.New), cmdText(c, width-40))
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	b.WriteByte('\n')

	if cb := r.CacheBreak; cb == nil {
		fmt.Fprintf(&b, "every layer is shared: nothing was rebuilt\n")
	} else {
		place, newEnded := cacheBreakPlace(cb)
		reused := fmt.Sprintf("layer %d; %s of OLD reused", cb.Layer, plural(r.SharedLayers, "layer", "layers"))
		// Whole: the end of a COPY is where it says what it copied.
		cmd := shortDigests(displayCommand(cb.Command))
		switch lines := cacheBreakLines(cb); {
		case newEnded:
			fmt.Fprintf(&b, "cache broke at %s: NEW ends there; OLD went on with %s\n", place, cmdText(cb.OldCommand, width-50))
		case lines != "":
			// The line first, for an editor or a CI log to follow; the
			// step goes below.
			fmt.Fprintf(&b, "cache broke at %s, %s\n", lines, cmd)
			if cb.Step > 0 {
				reused = fmt.Sprintf("step %d, %s", cb.Step, reused)
			}
		default:
			fmt.Fprintf(&b, "cache broke at %s: %s\n", place, cmd)
		}
		fmt.Fprintf(&b, "  (%s)\n", reused)
		if cb.CommandChanged && cb.OldCommand != "" && cb.Command != "" {
			fmt.Fprintf(&b, "  the instruction changed; OLD ran: %s\n", cmdText(cb.OldCommand, width-34))
		}
		switch {
		case len(cb.Changes) > 0:
			fmt.Fprintf(&b, "  the step wrote %s differently:\n", plural(len(cb.Changes), "path", "paths"))
			n := min(len(cb.Changes), max(o.Top, 1))
			for _, c := range cb.Changes[:n] {
				fmt.Fprintf(&b, "    %s  %s\n", printable(c.Path), c.Describe(units.Bytes, "->"))
			}
			if rest := len(cb.Changes) - n; rest > 0 {
				fmt.Fprintf(&b, "    ... and %d more (see --json)\n", rest)
			}
		case cb.ContentKnown:
			b.WriteString("  no file differs in content, size, mode, owner or link: only timestamps or tar order changed\n")
		case cb.Command != "" && cb.OldCommand != "":
			b.WriteString("  no file differs in size, mode, owner or link (contents were not hashed)\n")
		}
		rb := r.Rebuilt
		fmt.Fprintf(&b, "  rebuilt from there: %s, %s (%s compressed) to push and to pull",
			plural(rb.Layers, "layer", "layers"), units.Bytes(rb.SizeBytes), units.Bytes(rb.CompressedSizeBytes))
		if rb.NotInOldLayers != rb.Layers {
			fmt.Fprintf(&b, "; blobs OLD lacks: %s, %s compressed", plural(rb.NotInOldLayers, "layer", "layers"), units.Bytes(rb.NotInOldCompressedSizeBytes))
		}
		b.WriteString("\n")
	}

	f := r.Files
	fmt.Fprintf(&b, "\nFinal filesystem: %d added (%s), %d removed (%s), %d changed (%s)\n",
		f.Added, units.Bytes(f.AddedBytes), f.Removed, units.Bytes(f.RemovedBytes), f.Changed, signedBytes(f.ChangedBytes))
	if len(f.Dirs) > 0 {
		fmt.Fprintf(&b, "  %9s  %6s  %7s  %7s  %s\n", "DELTA", "ADDED", "REMOVED", "CHANGED", "DIRECTORY")
		n := min(len(f.Dirs), max(o.Top, 1))
		for _, d := range f.Dirs[:n] {
			fmt.Fprintf(&b, "  %9s  %6d  %7d  %7d  %s\n", signedBytes(d.DeltaBytes), d.Added, d.Removed, d.Changed, printable(d.Dir))
		}
		if rest := len(f.Dirs) - n; rest > 0 {
			fmt.Fprintf(&b, "  ... and %d more directories\n", rest)
		}
		b.WriteString("  paths, largest size change first:\n")
		n = min(len(f.Paths), max(o.Top, 1))
		for _, c := range f.Paths[:n] {
			fmt.Fprintf(&b, "    %s  %s\n", printable(c.Path), c.Describe(units.Bytes, "->"))
		}
		if rest := len(f.Paths) - n; rest > 0 {
			fmt.Fprintf(&b, "    ... and %d more (see --json)\n", rest)
		}
	}

	writeComparePackages(&b, r, max(o.Top, 1))

	d := r.Delta
	fmt.Fprintf(&b, "\nChange: size %s, compressed %s, wasted %s, efficiency %+.2f points, layers %s, files %s\n\n",
		sizeChange(r), signedBytes(d.CompressedSizeBytes), signedBytes(d.WastedBytes),
		d.Efficiency*100, signedInt(d.Layers), signedInt(d.FileCount))
	b.WriteString(verdict + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// classicDigest is the content digest the classic builder writes into
// COPY and ADD steps ("COPY file:<64 hex> in /app").
var classicDigest = regexp.MustCompile(`\b(file|multi|dir):([0-9a-f]{12})[0-9a-f]{52}\b`)

// shortDigests cuts those digests to 12 digits, so that the destination
// at the end of the step stays in view.
func shortDigests(c string) string { return classicDigest.ReplaceAllString(c, "$1:$2") }
