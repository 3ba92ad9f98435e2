package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	imgcmp "github.com/strata-cli/strata/compare"

	"github.com/strata-cli/strata/internal/units"
)

// CompareRun is one comparison and its verdict: everything strata
// compare's --format outputs need.
type CompareRun struct {
	Rep     *imgcmp.Report
	Limits  []compareLimit
	Reasons []string // what Check found crossed: size, waste, layers
	Verdict string   // the last line of the text report
}

// compareLimit is one --max-* threshold, judged against the comparison.
type compareLimit struct {
	flag    string // the flag's name, which names the result: max-size-increase
	what    string // what it limits, for messages: size, wasted bytes, layers
	crossed bool
	change  string // NEW minus OLD: "+200 B (+3.92%)"
	limit   string // the threshold: "1 B", "5%", "0"; "" when not set
}

// set reports whether the flag was given.
func (l compareLimit) set() bool { return l.limit != "" }

// detail says how the limit went, in one line.
func (l compareLimit) detail() string {
	switch {
	case !l.set():
		return "not set"
	case l.crossed:
		return fmt.Sprintf("%s grew by %s, more than the %s allowed", l.what, l.change, l.limit)
	}
	return fmt.Sprintf("%s changed by %s, within the %s allowed", l.what, l.change, l.limit)
}

// CompareLimits judges every --max-* flag, set or not, in --help's order.
// Crossed comes from Check's reasons, so that every format agrees with the
// verdict line.
func CompareLimits(r *imgcmp.Report, l imgcmp.Limits, reasons []string) []compareLimit {
	var sizeLimits []string
	if l.MaxSizeIncrease != nil {
		sizeLimits = append(sizeLimits, units.Bytes(*l.MaxSizeIncrease))
	}
	if l.MaxSizeIncreasePercent != nil {
		sizeLimits = append(sizeLimits, strconv.FormatFloat(*l.MaxSizeIncreasePercent, 'f', -1, 64)+"%")
	}
	out := []compareLimit{
		{flag: "max-size-increase", what: "size", change: sizeChange(r),
			limit: strings.Join(sizeLimits, " or "), crossed: slices.Contains(reasons, imgcmp.ReasonSize)},
		{flag: "max-waste-increase", what: "wasted bytes", change: signedBytes(r.Delta.WastedBytes),
			crossed: slices.Contains(reasons, imgcmp.ReasonWaste)},
		{flag: "max-layers-increase", what: "layers", change: signedInt(r.Delta.Layers),
			crossed: slices.Contains(reasons, imgcmp.ReasonLayers)},
	}
	if l.MaxWasteIncrease != nil {
		out[1].limit = units.Bytes(*l.MaxWasteIncrease)
	}
	if l.MaxLayersIncrease != nil {
		out[2].limit = strconv.Itoa(*l.MaxLayersIncrease)
	}
	return out
}

// WriteCompareJUnit writes one testsuite "strata compare" with one
// testcase per --max-* flag: a failure when crossed, skipped when not set;
// and, when the images' packages differ, a passing testcase "packages"
// listing the changes.
func WriteCompareJUnit(w io.Writer, c CompareRun) error {
	verdict, reasons := VerdictOf(c.Reasons), strings.Join(c.Reasons, ",")
	r := c.Rep
	suite := junitSuite{
		Name: "strata compare", Tests: len(c.Limits),
		Properties: []junitProperty{
			{Name: "old", Value: xmlSafe(r.Old.Reference)},
			{Name: "new", Value: xmlSafe(r.New.Reference)},
			{Name: "verdict", Value: verdict},
			{Name: "reasons", Value: reasons},
			{Name: "sizeDeltaBytes", Value: strconv.FormatInt(r.Delta.SizeBytes, 10)},
			{Name: "wastedDeltaBytes", Value: strconv.FormatInt(r.Delta.WastedBytes, 10)},
			{Name: "layersDelta", Value: strconv.Itoa(r.Delta.Layers)},
			{Name: "sharedLayers", Value: strconv.Itoa(r.SharedLayers)},
		},
	}
	if cb := r.CacheBreak; cb != nil {
		suite.Properties = append(suite.Properties,
			junitProperty{Name: "cacheBreakLayer", Value: strconv.Itoa(cb.Layer)},
			junitProperty{Name: "cacheBreakStep", Value: strconv.Itoa(cb.Step)},
			junitProperty{Name: "cacheBreakCommand", Value: xmlSafe(shortDigests(displayCommand(cb.Command)))},
			junitProperty{Name: "rebuiltCompressedBytes", Value: strconv.FormatInt(r.Rebuilt.CompressedSizeBytes, 10)})
		if lines := cacheBreakLines(cb); lines != "" {
			suite.Properties = append(suite.Properties, junitProperty{Name: "cacheBreakLine", Value: xmlSafe(lines)})
		}
	}
	for _, l := range c.Limits {
		tc := junitCase{Name: l.flag, Classname: "strata compare"}
		switch {
		case !l.set():
			tc.Skipped = &junitSkipped{Message: l.detail()}
			suite.Skipped++
		case l.crossed:
			body := fmt.Sprintf("actual:    %s\nthreshold: %s\n%s\n", l.change, l.limit, c.Verdict)
			tc.Failure = &junitFailure{Message: xmlSafe(l.detail()), Type: l.flag, Body: xmlSafe(body)}
			suite.Failures++
		default:
			tc.SystemOut = xmlSafe(l.detail())
		}
		suite.Cases = append(suite.Cases, tc)
	}
	if ps := r.Packages; len(ps) > 0 {
		// Not a limit, so it always passes: the listing is for whoever
		// reads the test report.
		lines := []string{comparePackagesSummary(ps)}
		for _, p := range ps {
			lines = append(lines, comparePackageLine(p))
		}
		suite.Cases = append(suite.Cases, junitCase{Name: "packages", Classname: "strata compare",
			SystemOut: xmlSafe(strings.Join(lines, "\n") + "\n")})
		suite.Tests++
	}
	return encodeJUnit(w, junitSuites{Name: "strata compare", Tests: suite.Tests, Failures: suite.Failures,
		Skipped: suite.Skipped, Suites: []junitSuite{suite}})
}

// encodeJUnit writes doc as an indented XML document.
func encodeJUnit(w io.Writer, doc junitSuites) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// --- Markdown ----------------------------------------------------------------

// mdComparePaths is how many of the paths the cache-breaking step wrote
// differently the summary names.
const mdComparePaths = 5

// WriteCompareMarkdown writes a short job summary: OLD beside NEW, where
// the cache broke and what that rebuilt, the limits, and the verdict line.
func WriteCompareMarkdown(w io.Writer, c CompareRun) error {
	var b strings.Builder
	r, d := c.Rep, c.Rep.Delta
	if len(c.Reasons) == 0 {
		b.WriteString("## ✅ strata compare: ok\n\n")
	} else {
		fmt.Fprintf(&b, "## ❌ strata compare: regression (%s)\n\n", strings.Join(c.Reasons, ", "))
	}
	b.WriteString("| | old | new | change |\n|---|--:|--:|--:|\n")
	row := func(k, o, n, ch string) { fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", k, o, n, ch) }
	row("Image", mdCode(r.Old.Reference), mdCode(r.New.Reference), "")
	row("Size", units.Bytes(r.Old.SizeBytes), units.Bytes(r.New.SizeBytes), sizeChange(r))
	row("Compressed", units.Bytes(r.Old.CompressedSizeBytes), units.Bytes(r.New.CompressedSizeBytes), signedBytes(d.CompressedSizeBytes))
	row("Wasted", units.Bytes(r.Old.WastedBytes), units.Bytes(r.New.WastedBytes), signedBytes(d.WastedBytes))
	row("Efficiency", units.Percent(r.Old.Efficiency), units.Percent(r.New.Efficiency), fmt.Sprintf("%+.2f points", d.Efficiency*100))
	row("Layers", strconv.Itoa(r.Old.Layers), strconv.Itoa(r.New.Layers), signedInt(d.Layers))

	b.WriteString("\n### Cache\n\n")
	if cb := r.CacheBreak; cb == nil {
		b.WriteString("Every layer is shared: nothing was rebuilt.\n")
	} else {
		oldCmd := mdCode(truncate(shortDigests(displayCommand(cb.OldCommand)), mdCommandWidth))
		place, newEnded := cacheBreakPlace(cb)
		reused := fmt.Sprintf("layer %d; %s of OLD reused", cb.Layer, plural(r.SharedLayers, "layer", "layers"))
		switch lines := cacheBreakLines(cb); {
		case newEnded:
			fmt.Fprintf(&b, "- Cache broke at **%s**: NEW ends there; OLD went on with %s", place, oldCmd)
		case lines != "":
			fmt.Fprintf(&b, "- Cache broke at **%s**, %s", mdCell(lines), mdCode(shortDigests(displayCommand(cb.Command))))
			if cb.Step > 0 {
				reused = fmt.Sprintf("step %d, %s", cb.Step, reused)
			}
		default:
			fmt.Fprintf(&b, "- Cache broke at **%s**: %s", place, mdCode(shortDigests(displayCommand(cb.Command))))
		}
		fmt.Fprintf(&b, " (%s)\n", reused)
		if cb.CommandChanged && cb.OldCommand != "" && cb.Command != "" {
			fmt.Fprintf(&b, "- The instruction changed; OLD ran %s\n", oldCmd)
		}
		if n := len(cb.Changes); n > 0 {
			ps := make([]string, 0, mdComparePaths)
			for _, ch := range cb.Changes[:min(n, mdComparePaths)] {
				ps = append(ps, fmt.Sprintf("%s (%s)", mdCode(ch.Path), strings.Join(ch.Reasons, ", ")))
			}
			more := ""
			if n > mdComparePaths {
				more = fmt.Sprintf(" and %d more", n-mdComparePaths)
			}
			fmt.Fprintf(&b, "- The step wrote %s differently: %s%s\n", plural(n, "path", "paths"), strings.Join(ps, ", "), more)
		}
		rb := r.Rebuilt
		fmt.Fprintf(&b, "- Rebuilt from there: %s, %s (%s compressed) to push and to pull\n",
			plural(rb.Layers, "layer", "layers"), units.Bytes(rb.SizeBytes), units.Bytes(rb.CompressedSizeBytes))
	}

	if ps := r.Packages; len(ps) > 0 {
		b.WriteString("\n### Packages\n\n| change | package | version | size change |\n|---|---|---|--:|\n")
		for _, p := range ps[:min(len(ps), mdComparePaths)] {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", p.Change, mdCode(printable(p.Name)), mdCell(packageVersions(p)), signedBytes(p.DeltaBytes))
		}
		if len(ps) > mdComparePaths {
			fmt.Fprintf(&b, "\n…and %d more (see `strata compare --json`).\n", len(ps)-mdComparePaths)
		}
	}

	b.WriteString("\n### Limits\n\n| result | limit | change | threshold |\n|---|---|--:|--:|\n")
	for _, l := range c.Limits {
		res, limit := "✅ PASS", mdCell(l.limit)
		switch {
		case !l.set():
			res, limit = "⏭️ SKIP", "not set"
		case l.crossed:
			res = "❌ FAIL"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", res, mdCode(l.flag), mdCell(l.change), limit)
	}
	fmt.Fprintf(&b, "\n%s\n\n", c.Verdict)
	_, err := io.WriteString(w, b.String())
	return err
}

// --- GitHub workflow commands -------------------------------------------------

// ghComparePackages is how many package changes the ::notice names.
const ghComparePackages = 3

// WriteCompareGitHub writes one ::error line per limit crossed, or a
// ::notice with the verdict when none is, a ::notice naming the largest
// package changes when there are any, then the verdict line.
func WriteCompareGitHub(w io.Writer, c CompareRun) error {
	var b strings.Builder
	title := ghProperty("strata compare")
	for _, l := range c.Limits {
		if l.crossed {
			fmt.Fprintf(&b, "::error title=%s::%s\n", title, ghData(l.flag+": "+l.detail()))
		}
	}
	if len(c.Reasons) == 0 {
		fmt.Fprintf(&b, "::notice title=%s::%s\n", title, ghData(c.Verdict))
	}
	if ps := c.Rep.Packages; len(ps) > 0 {
		largest := make([]string, 0, ghComparePackages)
		for _, p := range ps[:min(len(ps), ghComparePackages)] {
			largest = append(largest, comparePackageShort(p))
		}
		more := ""
		if n := len(ps) - ghComparePackages; n > 0 {
			more = fmt.Sprintf(" and %d more", n)
		}
		fmt.Fprintf(&b, "::notice title=%s::%s\n", ghProperty("strata compare: packages"),
			ghData(fmt.Sprintf("%s; largest: %s%s", comparePackagesSummary(ps), strings.Join(largest, ", "), more)))
	}
	b.WriteString(c.Verdict + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}
