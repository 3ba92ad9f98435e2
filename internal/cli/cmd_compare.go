package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/internal/units"
	"github.com/strata-cli/strata/report"
	"github.com/strata-cli/strata/source"

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
	return cmd
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
			v, err := parseSizeWithUnit("--max-size-increase", s, true)
			if err != nil {
				return l, err
			}
			l.MaxSizeIncrease = &v
		}
	}
	if s := strings.TrimSpace(o.maxWaste); s != "" {
		v, err := parseSizeWithUnit("--max-waste-increase", s, false)
		if err != nil {
			return l, err
		}
		l.MaxWasteIncrease = &v
	}
	if o.maxLayers >= 0 {
		n := o.maxLayers
		l.MaxLayersIncrease = &n
	}
	return l, nil
}

func runCompare(ctx context.Context, e env, ro *rootOptions, o *compareOptions, oldRef, newRef string) (err error) {
	written := false
	defer func() {
		if err == nil || written || ro.format != formatJUnit {
			return
		}
		// As strata --format junit does: the CI server gets a document
		// that says the comparison broke, not an empty file.
		w := e.stdout
		if o.jsonPath == "-" {
			w = e.stderr
		}
		if werr := report.WriteJUnitError(w, source.Redact(oldRef)+" -> "+source.Redact(newRef), err); werr != nil {
			err = errors.Join(err, werr)
		}
	}()
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
		if theme, err = ro.explorerTheme(); err != nil {
			return err
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
	verdict := "verdict: " + report.VerdictOf(reasons)
	if len(reasons) > 0 {
		verdict += " reason=" + strings.Join(reasons, ",")
	}

	if interactive {
		return o.tui(ctx, rep, ui.CompareOptions{Theme: theme, Verdict: verdict, Keys: ro.load.keys})
	}
	c := report.CompareRun{Rep: rep, Limits: report.CompareLimits(rep, limits, reasons), Reasons: reasons, Verdict: verdict}
	written = true
	if err := writeCompareOutput(e, ro.format, o, c); err != nil {
		return err
	}
	if len(reasons) > 0 {
		return errRegression
	}
	return nil
}

// parseSizeWithUnit reads a size limit that must carry its unit: a bare
// "5" would silently mean five bytes where "5%" or "5MB" was meant. Zero
// needs none.
func parseSizeWithUnit(flag, s string, pct bool) (int64, error) {
	if n, err := strconv.ParseFloat(s, 64); err == nil && n != 0 {
		hint := s + "MB"
		if pct {
			hint += " or " + s + "%"
		}
		return 0, fmt.Errorf("%s %s: give a unit (%s; %sB for bytes)", flag, s, hint, s)
	}
	v, err := units.ParseBytes(s)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", flag, err)
	}
	return v, nil
}
