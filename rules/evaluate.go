package rules

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/internal/units"
)

// Verdict is the outcome of one rule.
type Verdict int

func (v Verdict) String() string {
	return [...]string{"PASS", "FAIL", "SKIP"}[v]
}

// Outcome is one evaluated rule: its verdict and the numbers behind it.
type Outcome struct {
	Rule    string
	Verdict Verdict
	Detail  string // one line for the text output: "actual op threshold" or why it was skipped
	// Actual and Threshold are the two sides of the comparison, for the
	// formats that show them apart (JUnit, JSON, Markdown); "" when skipped.
	Actual, Threshold string
	// Paths names what a path or layer rule found, first few only;
	// more counts the rest.
	Paths []string
	More  int
	// Layers lists, in order and once each, the layers that hold what a
	// failed path or layer rule found (all of them, not only the named
	// few), so that a format can point at the steps that made them.
	Layers []int
	// Unchecked marks a skip where the check could not be made (the
	// image came without a file tree): worth a warning. A rule whose
	// input is empty for this image (no bytes above the base layer)
	// has nothing to find, which is not.
	Unchecked bool
}

// Evaluate checks the result against the thresholds. A disabled rule,
// or one whose input means nothing for this image, is skipped; the
// classic three are always listed, the others only when enabled.
func Evaluate(res *analyze.Result, r Set) []Outcome {
	specs := Specs()
	s := res.Image
	out := make([]Outcome, 0, Count)

	// lowest-efficiency: efficiency is a ratio of bytes; an image without
	// any has nothing to be inefficient about.
	o := Outcome{Rule: specs[LowestEfficiency].Name}
	switch l := r[LowestEfficiency]; {
	case !l.Enabled:
		o.Verdict, o.Detail = Skip, "disabled"
	case s.SizeBytes == 0:
		o.Verdict, o.Detail = Skip, "the image holds no file bytes"
	case s.Efficiency < l.Frac:
		o.Verdict, o.Detail = Fail, compare(s.Efficiency, "<", l.Frac)
	default:
		o.Verdict, o.Detail = Pass, compare(s.Efficiency, ">=", l.Frac)
	}
	if l := r[LowestEfficiency]; o.Verdict != Skip {
		o.Actual, o.Threshold = fmtRatios(s.Efficiency, l.Frac)
	}
	out = append(out, o)

	o = Outcome{Rule: specs[HighestWastedBytes].Name}
	switch l := r[HighestWastedBytes]; {
	case !l.Enabled:
		o.Verdict, o.Detail = Skip, "disabled"
	case s.WastedBytes > l.Bytes:
		o.Verdict, o.Detail = Fail, fmt.Sprintf("%s > %s", units.BytesExact(s.WastedBytes), units.BytesExact(l.Bytes))
	default:
		o.Verdict, o.Detail = Pass, fmt.Sprintf("%s <= %s", units.BytesExact(s.WastedBytes), units.BytesExact(l.Bytes))
	}
	if l := r[HighestWastedBytes]; o.Verdict != Skip {
		o.Actual, o.Threshold = units.BytesExact(s.WastedBytes), units.BytesExact(l.Bytes)
	}
	out = append(out, o)

	// highest-user-wasted-percent compares against the bytes of the layers
	// above the base layer; with none, the percentage is 0 by definition
	// and passing it would claim something that was never measured.
	var userBytes int64
	for _, ly := range res.Layers {
		if ly.Index > 0 {
			userBytes += ly.SizeBytes
		}
	}
	o = Outcome{Rule: specs[HighestUserWastedPercent].Name}
	switch l := r[HighestUserWastedPercent]; {
	case !l.Enabled:
		o.Verdict, o.Detail = Skip, "disabled"
	case userBytes == 0:
		o.Verdict, o.Detail = Skip, "no file bytes above the base layer"
	case s.UserWastedPercent > l.Frac:
		o.Verdict, o.Detail = Fail, compare(s.UserWastedPercent, ">", l.Frac)
	default:
		o.Verdict, o.Detail = Pass, compare(s.UserWastedPercent, "<=", l.Frac)
	}
	if l := r[HighestUserWastedPercent]; o.Verdict != Skip {
		o.Actual, o.Threshold = fmtRatios(s.UserWastedPercent, l.Frac)
	}
	out = append(out, o)

	// The newer rules are off unless asked for, and then not listed at
	// all: the output of a dive-style setup stays what it always was.
	if l := r[HighestImageSize]; l.Enabled {
		o = Outcome{Rule: specs[HighestImageSize].Name}
		o.Actual, o.Threshold = units.BytesExact(s.SizeBytes), units.BytesExact(l.Bytes)
		if s.SizeBytes > l.Bytes {
			o.Verdict, o.Detail = Fail, o.Actual+" > "+o.Threshold
		} else {
			o.Verdict, o.Detail = Pass, o.Actual+" <= "+o.Threshold
		}
		out = append(out, o)
	}
	if l := r[HighestLayerSize]; l.Enabled {
		out = append(out, evaluateLayerSize(res, specs[HighestLayerSize].Name, l))
	}
	if l := r[Block]; l.Enabled && len(l.Globs) > 0 {
		out = append(out, evaluateBlock(res, specs[Block].Name, l))
	}
	if l := r[DenyWaste]; l.Enabled && len(l.Globs) > 0 {
		out = append(out, evaluateDenyWaste(res, specs[DenyWaste].Name, l))
	}
	if r[Secrets].Enabled {
		out = append(out, evaluateSecrets(res, specs[Secrets].Name, r[Allow]))
	}
	return out
}

// maxNamed is how many paths or layers a failed rule names; the rest are
// counted.
const maxNamed = 5

// named keeps the first maxNamed of what a rule found and counts the rest.
type named struct {
	list []string
	n    int
}

func (n *named) add(s string) {
	if len(n.list) < maxNamed {
		n.list = append(n.list, s)
	}
	n.n++
}

// String is "a, b, c and 4 more".
func (n *named) String() string {
	s := strings.Join(n.list, ", ")
	if rest := n.n - len(n.list); rest > 0 {
		s += fmt.Sprintf(" and %d more", rest)
	}
	return s
}

// evaluateLayerSize fails when any layer's files add up to more than the
// limit, naming the layers.
func evaluateLayerSize(res *analyze.Result, name string, l Limit) Outcome {
	o := Outcome{Rule: name}
	if !l.Enabled {
		o.Verdict, o.Detail = Skip, "disabled"
		return o
	}
	var big named
	var largest int64
	for _, ly := range res.Layers {
		largest = max(largest, ly.SizeBytes)
		if ly.SizeBytes > l.Bytes {
			big.add(fmt.Sprintf("layer %d (%s)", ly.Index, units.Bytes(ly.SizeBytes)))
			o.Layers = append(o.Layers, ly.Index)
		}
	}
	o.Threshold = units.BytesExact(l.Bytes)
	if big.n == 0 {
		o.Actual = "largest layer " + units.BytesExact(largest)
		o.Verdict, o.Detail = Pass, o.Actual+" <= "+o.Threshold
		return o
	}
	o.Actual = fmt.Sprintf("%d layers over the limit", big.n)
	if big.n == 1 {
		o.Actual = "1 layer over the limit"
	}
	o.Paths, o.More = big.list, big.n-len(big.list)
	o.Verdict, o.Detail = Fail, fmt.Sprintf("%s > %s", big.String(), o.Threshold)
	return o
}

// evaluateBlock fails when a file (any non-directory) matching one of the
// globs is visible in the final filesystem. Wasted copies do not count:
// a secret deleted in a later layer is still in the image, but that is
// what deny-waste is for.
func evaluateBlock(res *analyze.Result, name string, l Limit) Outcome {
	o := Outcome{Rule: name}
	if !l.Enabled || len(l.Globs) == 0 {
		o.Verdict, o.Detail = Skip, "disabled"
		return o
	}
	o.Threshold = "none of " + strings.Join(l.Globs, ", ")
	if res.Tree == nil {
		o.Verdict, o.Detail, o.Threshold, o.Unchecked = Skip, "no file tree to check", "", true
		return o
	}
	gs := CompileGlobs(l.Globs)
	var hits []string
	var layers []int
	t := res.Tree
	for id := 1; id < t.Len(); id++ {
		ref, ok := t.Final(analyze.NodeID(id))
		if !ok || ref.Layer < 0 || ref.Layer >= len(res.Layers) || ref.Index < 0 || ref.Index >= len(res.Layers[ref.Layer].Entries) {
			continue
		}
		e := res.Layers[ref.Layer].Entries[ref.Index]
		if e.Kind == analyze.KindDir || e.Change == analyze.ChangeRemoved {
			continue
		}
		p := t.Path(analyze.NodeID(id))
		if _, hit := gs.Match(p); hit {
			hits = append(hits, p)
			layers = append(layers, ref.Layer)
		}
	}
	// Tree order is insertion order; name the paths sorted, so the
	// output is the same whichever layer was read first.
	slices.Sort(hits)
	var found named
	for _, p := range hits {
		found.add(p)
	}
	o = pathOutcome(o, found, "visible")
	if found.n > 0 {
		o.Layers = sortedOnce(layers)
	}
	return o
}

// evaluateDenyWaste fails when a wasted file matches one of the globs.
func evaluateDenyWaste(res *analyze.Result, name string, l Limit) Outcome {
	o := Outcome{Rule: name}
	if !l.Enabled || len(l.Globs) == 0 {
		o.Verdict, o.Detail = Skip, "disabled"
		return o
	}
	o.Threshold = "none of " + strings.Join(l.Globs, ", ")
	gs := CompileGlobs(l.Globs)
	var found named
	var bytes int64
	var layers []int
	for _, f := range analyze.SortedWasted(res.WastedFiles) {
		if _, hit := gs.Match(f.Path); hit {
			found.add(f.Path)
			bytes += f.WastedBytes
			layers = append(layers, f.Layers...)
		}
	}
	o = pathOutcome(o, found, "wasted")
	if found.n > 0 {
		o.Layers = sortedOnce(layers)
		o.Actual += ", " + units.BytesExact(bytes)
		o.Detail = fmt.Sprintf("%s wasted by %s", units.Bytes(bytes), found.String())
	}
	return o
}

// sortedOnce sorts layers and drops repeats.
func sortedOnce(layers []int) []int {
	slices.Sort(layers)
	return slices.Compact(layers)
}

// pathOutcome settles a path rule from what it found.
func pathOutcome(o Outcome, found named, what string) Outcome {
	return settle(o, found, "matching file", "matching files", " "+what)
}

// settle passes a rule that found nothing and fails one that found
// something, naming what it found: "no secrets found", "1 matching file
// in the final image", "3 secrets found: ...".
func settle(o Outcome, found named, one, many, suffix string) Outcome {
	switch found.n {
	case 0:
		o.Actual = "no " + many + suffix
		o.Verdict, o.Detail = Pass, o.Actual
		return o
	case 1:
		o.Actual = "1 " + one + suffix
	default:
		o.Actual = fmt.Sprintf("%d %s%s", found.n, many, suffix)
	}
	o.Paths, o.More = found.list, found.n-len(found.list)
	o.Verdict, o.Detail = Fail, o.Actual+": "+found.String()
	return o
}

// fmtRatios prints a measured ratio and its threshold. The measurement is
// rounded to four places unless that would make it look equal to a
// threshold it is not equal to.
func fmtRatios(got, want float64) (string, string) {
	w := strconv.FormatFloat(want, 'f', -1, 64)
	for prec := 4; prec < 17; prec++ {
		g := strings.TrimRight(strings.TrimRight(strconv.FormatFloat(got, 'f', prec, 64), "0"), ".")
		if g != w || got == want {
			return g, w
		}
	}
	return strconv.FormatFloat(got, 'f', -1, 64), w
}

// compare formats "got op want" for a ratio rule.
func compare(got float64, op string, want float64) string {
	g, w := fmtRatios(got, want)
	return g + " " + op + " " + w
}
