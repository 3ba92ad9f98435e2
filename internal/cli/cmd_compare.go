package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/internal/units"

	// Named: the root package has a func compare of its own (rules.go).
	imgcmp "github.com/strata-cli/strata/compare"
	"github.com/strata-cli/strata/ui"
)

// errRegression makes main exit 1, like a failed CI rule: the verdict line
// already says what was crossed.
var errRegression = fmt.Errorf("compare: a limit was crossed: %w", errRulesFailed)

// compareOptions holds strata compare's own flags.
type compareOptions struct {
	jsonPath  string
	top       int
	noTrunc   bool
	maxSize   string
	maxWaste  string
	maxLayers int
	// tui shows the comparison interactively; tests swap it.
	tui func(ctx context.Context, rep *imgcmp.Report, opts ui.CompareOptions) error
}

// hasLimits reports whether any --max-* flag was given: a regression check
// wants the report and the exit status, not an interface.
func (o *compareOptions) hasLimits() bool {
	return strings.TrimSpace(o.maxSize) != "" || strings.TrimSpace(o.maxWaste) != "" || o.maxLayers >= 0
}

func newCompareCmd(e env, ro *rootOptions) *cobra.Command {
	o := compareOptions{tui: ui.RunCompare}
	cmd := &cobra.Command{
		Use:   "compare [flags] OLD NEW",
		Short: "Compare two images: where the layer cache broke, why, and what it costs",
		Long: `compare reads two images (any two sources) and reports the layers they
share, the first layer that differs ("cache broke at step N") with the files
its step wrote differently, what the rebuilt layers cost to push and pull,
how the final filesystems differ, and the size, waste and layer deltas.

In a terminal, without --json, --format, --no-tui or a --max-* limit, it
opens an interactive view instead: both histories aligned with the cache
break marked, its details, and the diff tree of the final filesystems.

The last line is "verdict: ok" or "verdict: regression reason=size,waste,layers".
--format json, junit, markdown or github writes the comparison for a CI
service instead of the report (as strata --format does for the CI rules),
with one result per --max-* limit; inside GitHub Actions the limits crossed
are also written as ::error commands on stderr and a Markdown summary is
appended to $GITHUB_STEP_SUMMARY, whatever the format.
Exit status: 0, 1 when a --max-* limit is crossed, 2 on any error.`,
		Example: `  strata compare docker://app:1.4 docker://app:1.5
  strata compare --max-size-increase 5% --max-layers-increase 0 app-main.tar app-pr.tar
  strata compare --json - registry://ghcr.io/org/app:1.4 docker://app:dev | jq .cacheBreak
  strata compare --format junit --max-size-increase 5% app-main.tar app-pr.tar > compare.xml`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 2 {
				return fmt.Errorf("compare wants OLD and NEW, got %d argument(s)", len(args))
			}
			return nil
		},
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCompare(cmd.Context(), e, ro, &o, args[0], args[1])
		},
	}
	f := cmd.Flags()
	f.SortFlags = false
	f.StringVarP(&o.jsonPath, "json", "j", "", "write the comparison as JSON to `FILE` (- for stdout) instead of the report")
	// Bound to the root's --format, like the interface flags below, so that
	// it works before or after "compare".
	f.Var(&formatFlag{v: &ro.format, allowed: compareFormats}, "format", "write the comparison as `FORMAT`: "+strings.Join(compareFormats, ", ")+" (default text, the report)")
	f.StringVar(&o.maxSize, "max-size-increase", "", "fail (exit 1) when NEW is larger than OLD by more than `SIZE` (20MB) or PCT% of OLD")
	f.StringVar(&o.maxWaste, "max-waste-increase", "", "fail when NEW wastes more than `SIZE` more than OLD")
	f.IntVar(&o.maxLayers, "max-layers-increase", -1, "fail when NEW has more than `N` more layers than OLD")
	f.IntVar(&o.top, "top", 10, "directories and files to list in the report")
	f.BoolVar(&o.noTrunc, "no-trunc", false, "do not shorten long commands")
	// The root's interface flags, bound to the same options.
	f.BoolVar(&ro.noTUI, "no-tui", false, "print the plain report even in a terminal")
	f.StringVar(&ro.theme, "theme", "auto", "interface colours: auto, dark, light, high-contrast or mono (NO_COLOR forces mono)")
	f.BoolVar(&ro.noColor, "no-color", false, "no colours at all: the same as --theme mono or NO_COLOR=1")
	addLoadFlags(cmd, &ro.load)
	return cmd
}

// addLoadFlags gives a subcommand the root's flags that choose and check
// images, bound to the same options, so they work before or after its name.
func addLoadFlags(cmd *cobra.Command, lo *loadOptions) {
	f := cmd.Flags()
	f.Var(&sourceFlag{v: &lo.source}, "source", "where to look for an IMAGE given without a scheme (see strata --help)")
	f.BoolVar(&lo.insecure, "insecure", false, "allow registries over plain HTTP or with unverified TLS")
	f.StringVar(&lo.platform, "platform", "", "image to pick from a multi-platform index, as os/arch[/variant]")
	f.BoolVar(&lo.noVerify, "no-verify", false, "do not check layer contents against the config's diff_ids")
}

// parseLimits turns the --max-* flags into limits.
func (o *compareOptions) parseLimits() (imgcmp.Limits, error) {
	var l imgcmp.Limits
	if s := strings.TrimSpace(o.maxSize); s != "" {
		if p, ok := strings.CutSuffix(s, "%"); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
			if err != nil || v < 0 {
				return l, fmt.Errorf("--max-size-increase: invalid percentage %q", s)
			}
			l.MaxSizeIncreasePercent = &v
		} else {
			v, err := units.ParseBytes(s)
			if err != nil {
				return l, fmt.Errorf("--max-size-increase: %w", err)
			}
			l.MaxSizeIncrease = &v
		}
	}
	if s := strings.TrimSpace(o.maxWaste); s != "" {
		v, err := units.ParseBytes(s)
		if err != nil {
			return l, fmt.Errorf("--max-waste-increase: %w", err)
		}
		l.MaxWasteIncrease = &v
	}
	if o.maxLayers >= 0 {
		n := o.maxLayers
		l.MaxLayersIncrease = &n
	}
	return l, nil
}

// jsonCompare is the compare --json document: the comparison and its verdict.
type jsonCompare struct {
	SchemaVersion int `json:"schemaVersion"`
	*imgcmp.Report
	Verdict string   `json:"verdict"` // "ok" or "regression"
	Reasons []string `json:"reasons"` // what was crossed: size, waste, layers
}

func runCompare(ctx context.Context, e env, ro *rootOptions, o *compareOptions, oldRef, newRef string) error {
	limits, err := o.parseLimits()
	if err != nil {
		return err
	}
	if !slices.Contains(compareFormats, cmp.Or(ro.format, formatText)) {
		// Set on the root command (strata --format html compare ...).
		return fmt.Errorf("compare has no --format %s: want %s", ro.format, strings.Join(compareFormats, ", "))
	}
	if err := ro.load.cache.resolve(e.getenv); err != nil {
		return err
	}
	// Decided before the images are read, so that a bad --theme fails at once.
	interactive := o.jsonPath == "" && (ro.format == "" || ro.format == formatText) && !o.hasLimits() && !ro.noTUI && o.tui != nil &&
		e.explore != nil && e.interactive != nil && e.interactive() // e.explore is nil where there is no interface (tests)
	var theme ui.Theme
	if interactive {
		if theme, err = parseTheme(ro.theme); err != nil {
			return err
		}
		if ro.noColor {
			theme = ui.ThemeMono
		}
	}
	lo := *ro
	lo.load.hashFiles = true // content identity for the files the cache break changed
	var res [2]*analyze.Result
	for i, ref := range []string{oldRef, newRef} {
		r, err := loadOneOf(ctx, e, &lo, ref)
		if err != nil {
			return err
		}
		res[i] = r
	}
	rep := imgcmp.Compare(res[0], res[1])
	reasons := rep.Check(limits)
	verdict := "verdict: " + verdictOf(reasons)
	if len(reasons) > 0 {
		verdict += " reason=" + strings.Join(reasons, ",")
	}

	if interactive {
		return o.tui(ctx, rep, ui.CompareOptions{Theme: theme, Verdict: verdict})
	}
	c := compareRun{rep: rep, limits: compareLimits(rep, limits, reasons), reasons: reasons, verdict: verdict}
	if err := writeCompareOutput(e, ro.format, o, c); err != nil {
		return err
	}
	if len(reasons) > 0 {
		return errRegression
	}
	return nil
}

// newJSONCompare is the --json document of a comparison.
func newJSONCompare(rep *imgcmp.Report, reasons []string) jsonCompare {
	doc := jsonCompare{SchemaVersion: jsonSchemaVersion, Report: rep, Verdict: verdictOf(reasons), Reasons: reasons}
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

// verdictOf is a comparison's verdict: "regression" when a limit was
// crossed, else "ok".
func verdictOf(reasons []string) string {
	if len(reasons) > 0 {
		return "regression"
	}
	return "ok"
}

// writeCompareJSON writes the --json document, indented.
func writeCompareJSON(w io.Writer, doc jsonCompare) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
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

// writeCompare prints the comparison for people, ending with the verdict.
func writeCompare(w io.Writer, r *imgcmp.Report, o *compareOptions, width int, verdict string) error {
	var b strings.Builder
	cmdText := func(c string, room int) string {
		c = shortDigests(displayCommand(c))
		if !o.noTrunc {
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
			units.Bytes(s.side.WastedBytes), fmtPercent(s.side.Efficiency))
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
		if place, newEnded := cacheBreakPlace(cb); newEnded {
			fmt.Fprintf(&b, "cache broke at %s: NEW ends there; OLD went on with %s\n", place, cmdText(cb.OldCommand, width-50))
		} else {
			// Whole: the end of a COPY is where it says what it copied.
			fmt.Fprintf(&b, "cache broke at %s: %s\n", place, shortDigests(displayCommand(cb.Command)))
		}
		fmt.Fprintf(&b, "  (layer %d; %s of OLD reused)\n", cb.Layer, plural(r.SharedLayers, "layer", "layers"))
		if cb.CommandChanged && cb.OldCommand != "" && cb.Command != "" {
			fmt.Fprintf(&b, "  the instruction changed; OLD ran: %s\n", cmdText(cb.OldCommand, width-34))
		}
		switch {
		case len(cb.Changes) > 0:
			fmt.Fprintf(&b, "  the step wrote %s differently:\n", plural(len(cb.Changes), "path", "paths"))
			n := min(len(cb.Changes), max(o.top, 1))
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
		n := min(len(f.Dirs), max(o.top, 1))
		for _, d := range f.Dirs[:n] {
			fmt.Fprintf(&b, "  %9s  %6d  %7d  %7d  %s\n", signedBytes(d.DeltaBytes), d.Added, d.Removed, d.Changed, printable(d.Dir))
		}
		if rest := len(f.Dirs) - n; rest > 0 {
			fmt.Fprintf(&b, "  ... and %d more directories\n", rest)
		}
		b.WriteString("  largest changes:\n")
		n = min(len(f.Paths), max(o.top, 1))
		for _, c := range f.Paths[:n] {
			fmt.Fprintf(&b, "    %s  %s\n", printable(c.Path), c.Describe(units.Bytes, "->"))
		}
		if rest := len(f.Paths) - n; rest > 0 {
			fmt.Fprintf(&b, "    ... and %d more (see --json)\n", rest)
		}
	}

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
