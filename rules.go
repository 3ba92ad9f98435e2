package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/strata-cli/strata/analyze"
)

// The CI rules, in the order they are evaluated and printed.
const (
	ruleLowestEfficiency = iota
	ruleHighestWastedBytes
	ruleHighestUserWastedPercent
	ruleHighestImageSize
	ruleHighestLayerSize
	ruleBlock
	ruleDenyWaste
	numRules
)

// limit is one rule's threshold. The zero value is a disabled rule.
type limit struct {
	enabled bool
	frac    float64  // the threshold of a ratio rule, in [0, 1]
	bytes   int64    // the threshold of a size rule
	globs   []string // the patterns of a path rule, each checked by checkGlob
}

// rules holds every rule's threshold, indexed by the rule constants.
type rules [numRules]limit

// ruleSpec describes how one rule is spelled and parsed.
type ruleSpec struct {
	name  string // kebab-case: flags and .strata-ci.yaml
	alias string // dive's camelCase spelling, accepted for compatibility
	def   string // default, in the form a user would write it
	typ   string // the value's name in --help
	usage string
	parse func(string) (limit, error)
	// list marks a path rule: its value is a list of globs, and every
	// source (file, flags) adds to it rather than replacing it.
	list bool
}

// ruleSpecs returns the rules indexed by the rule constants. The defaults
// are dive's, so a pipeline that switches tools keeps its verdicts.
func ruleSpecs() [numRules]ruleSpec {
	return [numRules]ruleSpec{
		ruleLowestEfficiency: {
			name: "lowest-efficiency", alias: "lowestEfficiency", def: "0.9", typ: "ratio",
			usage: "CI rule: fail if the image efficiency (0-1) is below this",
			parse: parseFraction,
		},
		ruleHighestWastedBytes: {
			name: "highest-wasted-bytes", alias: "highestWastedBytes", def: "disabled", typ: "size",
			usage: "CI rule: fail if more than this many bytes are wasted (e.g. 20MB, 1GiB)",
			parse: parseByteLimit,
		},
		ruleHighestUserWastedPercent: {
			name: "highest-user-wasted-percent", alias: "highestUserWastedPercent", def: "0.1", typ: "ratio",
			usage: "CI rule: fail if the wasted share (0-1) of the layers above the base layer is above this",
			parse: parseFraction,
		},
		ruleHighestImageSize: {
			name: "highest-image-size", def: "disabled", typ: "size",
			usage: "CI rule: fail if the image's files (uncompressed) add up to more than this",
			parse: parseByteLimit,
		},
		ruleHighestLayerSize: {
			name: "highest-layer-size", def: "disabled", typ: "size",
			usage: "CI rule: fail if any one layer's files (uncompressed) add up to more than this",
			parse: parseByteLimit,
		},
		ruleBlock: {
			name: "block", def: "", typ: "glob",
			usage: "CI rule: fail if a file matching this glob is in the final image (repeatable; e.g. '**/*.pem')",
			parse: parseGlobs, list: true,
		},
		ruleDenyWaste: {
			name: "deny-waste", def: "", typ: "glob",
			usage: "CI rule: fail if a file matching this glob is wasted (repeatable; e.g. 'var/lib/apt/lists/**')",
			parse: parseGlobs, list: true,
		},
	}
}

// parseGlobs reads one path-rule value: a glob, or a disabling word for
// none.
func parseGlobs(s string) (limit, error) {
	if isDisabled(s) {
		return limit{}, nil
	}
	g := strings.TrimSpace(s)
	if err := checkGlob(g); err != nil {
		return limit{}, err
	}
	return limit{enabled: true, globs: []string{g}}, nil
}

// addGlobs returns a with b's patterns appended, enabled if either is.
func addGlobs(a, b limit) limit {
	return limit{enabled: a.enabled || b.enabled, globs: append(slices.Clone(a.globs), b.globs...)}
}

// defaultRules returns the thresholds used when neither a flag nor a rules
// file sets them.
func defaultRules() rules {
	var r rules
	for i, s := range ruleSpecs() {
		l, err := s.parse(s.def)
		if err != nil {
			// The defaults are constants above; a bad one is caught by the tests.
			continue
		}
		r[i] = l
	}
	return r
}

// isDisabled reports whether a rule value switches the rule off. These are
// the words dive's .dive-ci accepts.
func isDisabled(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "disabled", "off", "false":
		return true
	}
	return false
}

// parseFraction reads a ratio threshold: "0.9", "90%" or a disabling word.
func parseFraction(s string) (limit, error) {
	if isDisabled(s) {
		return limit{}, nil
	}
	t := strings.TrimSpace(s)
	scale := 1.0
	if p, ok := strings.CutSuffix(t, "%"); ok {
		t, scale = strings.TrimSpace(p), 100
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(f) {
		return limit{}, fmt.Errorf("invalid value %q: want a number from 0 to 1, a percentage, or disabled", s)
	}
	f /= scale
	if f < 0 || f > 1 {
		return limit{}, fmt.Errorf("invalid value %q: want a number from 0 to 1, a percentage, or disabled", s)
	}
	return limit{enabled: true, frac: f}, nil
}

// parseByteLimit reads a size threshold: "20MB", "1GiB", "1048576" or a
// disabling word.
func parseByteLimit(s string) (limit, error) {
	if isDisabled(s) {
		return limit{}, nil
	}
	n, err := parseSize(s)
	if err != nil {
		return limit{}, err
	}
	return limit{enabled: true, bytes: n}, nil
}

// ruleFlag is a pflag.Value that sets one rule and remembers that it was
// given, so that flags can beat the rules file.
type ruleFlag struct {
	typ   string
	parse func(string) (limit, error)
	text  string
	val   limit
	set   bool
	list  bool
}

func (f *ruleFlag) Set(s string) error {
	l, err := f.parse(s)
	if err != nil {
		return err
	}
	if f.list {
		// A path rule flag is repeatable: each use adds a pattern.
		if f.set {
			l = addGlobs(f.val, l)
			s = f.text + "," + s
		}
	}
	f.text, f.val, f.set = s, l, true
	return nil
}

func (f *ruleFlag) String() string { return f.text }

func (f *ruleFlag) Type() string { return f.typ }

// ruleOverrides holds the rules a file or the flags set; nil means unset.
type ruleOverrides [numRules]*limit

// apply returns base with every set override applied.
func (o ruleOverrides) apply(base rules) rules {
	for i, l := range o {
		if l != nil {
			base[i] = *l
		}
	}
	return base
}

// defaultRulesFiles are looked for, in order, in the current directory when
// --ci-config is not given. .dive-ci lets a dive pipeline switch unchanged.
var defaultRulesFiles = [...]string{".strata-ci.yaml", ".dive-ci"}

// findRulesFile returns the rules file to read: the one given, else the
// first default that exists, else "".
func findRulesFile(given string) string {
	if given != "" {
		return given
	}
	for _, p := range defaultRulesFiles {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// loadRulesFile reads a rules file from disk.
func loadRulesFile(path string) (ruleOverrides, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return ruleOverrides{}, fmt.Errorf("reading rules file: %w", err)
	}
	return parseRulesFile(path, data)
}

// parseRulesFile parses a YAML document of the form
//
//	rules:
//	  lowest-efficiency: 0.95
//	  highest-wasted-bytes: 20MB
//	  highestUserWastedPercent: disabled
//
// Both spellings of each key are accepted. Any other key is an error, so a
// typo cannot silently leave a rule at its default.
func parseRulesFile(path string, data []byte) (ruleOverrides, error) {
	var o ruleOverrides
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return o, nil // an empty file sets nothing
		}
		return o, fmt.Errorf("%s: %w", path, err)
	}
	top := doc.Content[0]
	if top.Kind == yaml.ScalarNode && top.Tag == "!!null" {
		return o, nil
	}
	if top.Kind != yaml.MappingNode {
		return o, fmt.Errorf("%s:%d: want a mapping with a rules: key", path, top.Line)
	}
	specs := ruleSpecs()
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		if k.Value != "rules" {
			return o, fmt.Errorf("%s:%d: unknown key %q (want rules)", path, k.Line, k.Value)
		}
		if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
			continue
		}
		if v.Kind != yaml.MappingNode {
			return o, fmt.Errorf("%s:%d: rules: want a mapping of rule names to values", path, v.Line)
		}
		for j := 0; j+1 < len(v.Content); j += 2 {
			rk, rv := v.Content[j], v.Content[j+1]
			idx := -1
			for n, s := range specs {
				if rk.Value == s.name || (s.alias != "" && rk.Value == s.alias) {
					idx = n
				}
			}
			if idx < 0 {
				return o, fmt.Errorf("%s:%d: unknown rule %q (want one of %s)", path, rk.Line, rk.Value, ruleNames())
			}
			if o[idx] != nil {
				return o, fmt.Errorf("%s:%d: rule %s is set twice", path, rk.Line, specs[idx].name)
			}
			l, err := parseRuleNode(specs[idx], rv)
			if err != nil {
				return o, fmt.Errorf("%s:%d: %s: %w", path, rv.Line, rk.Value, err)
			}
			o[idx] = &l
		}
	}
	return o, nil
}

// ruleNames lists every rule's name, for error messages.
func ruleNames() string {
	var names []string
	for _, s := range ruleSpecs() {
		names = append(names, s.name)
	}
	return strings.Join(names, ", ")
}

// parseRuleNode reads one rule's value from the rules file. A path rule
// takes a list of globs (or one glob, or a disabling word); every other
// rule a single value.
func parseRuleNode(spec ruleSpec, v *yaml.Node) (limit, error) {
	scalar := func(n *yaml.Node) string {
		if n.Tag == "!!null" {
			return ""
		}
		return n.Value
	}
	switch {
	case v.Kind == yaml.ScalarNode:
		return spec.parse(scalar(v))
	case spec.list && v.Kind == yaml.SequenceNode:
		var l limit
		for _, item := range v.Content {
			if item.Kind != yaml.ScalarNode || item.Tag == "!!null" {
				return limit{}, fmt.Errorf("line %d: want a glob", item.Line)
			}
			one, err := spec.parse(item.Value)
			if err != nil {
				return limit{}, fmt.Errorf("line %d: %w", item.Line, err)
			}
			l = addGlobs(l, one)
		}
		return l, nil
	case spec.list:
		return limit{}, errors.New("want a list of globs")
	}
	return limit{}, errors.New("want a single value")
}

// verdict is the outcome of one rule.
type verdict int

const (
	verdictPass verdict = iota
	verdictFail
	verdictSkip
)

func (v verdict) String() string {
	return [...]string{"PASS", "FAIL", "SKIP"}[v]
}

// outcome is one evaluated rule: its verdict and the numbers behind it.
type outcome struct {
	rule    string
	verdict verdict
	detail  string // one line for the text output: "actual op threshold" or why it was skipped
	// actual and threshold are the two sides of the comparison, for the
	// formats that show them apart (JUnit, JSON, Markdown); "" when skipped.
	actual, threshold string
	// paths names what a path or layer rule found, first few only;
	// more counts the rest.
	paths []string
	more  int
}

// evaluateRules checks the result against the thresholds. A disabled rule,
// or one whose input means nothing for this image, is skipped; the
// classic three are always listed, the others only when enabled.
func evaluateRules(res *analyze.Result, r rules) []outcome {
	specs := ruleSpecs()
	s := res.Image
	out := make([]outcome, 0, numRules)

	// lowest-efficiency: efficiency is a ratio of bytes; an image without
	// any has nothing to be inefficient about.
	o := outcome{rule: specs[ruleLowestEfficiency].name}
	switch l := r[ruleLowestEfficiency]; {
	case !l.enabled:
		o.verdict, o.detail = verdictSkip, "disabled"
	case s.SizeBytes == 0:
		o.verdict, o.detail = verdictSkip, "the image holds no file bytes"
	case s.Efficiency < l.frac:
		o.verdict, o.detail = verdictFail, compare(s.Efficiency, "<", l.frac)
	default:
		o.verdict, o.detail = verdictPass, compare(s.Efficiency, ">=", l.frac)
	}
	if l := r[ruleLowestEfficiency]; o.verdict != verdictSkip {
		o.actual, o.threshold = fmtRatios(s.Efficiency, l.frac)
	}
	out = append(out, o)

	o = outcome{rule: specs[ruleHighestWastedBytes].name}
	switch l := r[ruleHighestWastedBytes]; {
	case !l.enabled:
		o.verdict, o.detail = verdictSkip, "disabled"
	case s.WastedBytes > l.bytes:
		o.verdict, o.detail = verdictFail, fmt.Sprintf("%s > %s", fmtBytesExact(s.WastedBytes), fmtBytesExact(l.bytes))
	default:
		o.verdict, o.detail = verdictPass, fmt.Sprintf("%s <= %s", fmtBytesExact(s.WastedBytes), fmtBytesExact(l.bytes))
	}
	if l := r[ruleHighestWastedBytes]; o.verdict != verdictSkip {
		o.actual, o.threshold = fmtBytesExact(s.WastedBytes), fmtBytesExact(l.bytes)
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
	o = outcome{rule: specs[ruleHighestUserWastedPercent].name}
	switch l := r[ruleHighestUserWastedPercent]; {
	case !l.enabled:
		o.verdict, o.detail = verdictSkip, "disabled"
	case userBytes == 0:
		o.verdict, o.detail = verdictSkip, "no file bytes above the base layer"
	case s.UserWastedPercent > l.frac:
		o.verdict, o.detail = verdictFail, compare(s.UserWastedPercent, ">", l.frac)
	default:
		o.verdict, o.detail = verdictPass, compare(s.UserWastedPercent, "<=", l.frac)
	}
	if l := r[ruleHighestUserWastedPercent]; o.verdict != verdictSkip {
		o.actual, o.threshold = fmtRatios(s.UserWastedPercent, l.frac)
	}
	out = append(out, o)

	// The newer rules are off unless asked for, and then not listed at
	// all: the output of a dive-style setup stays what it always was.
	if l := r[ruleHighestImageSize]; l.enabled {
		o = outcome{rule: specs[ruleHighestImageSize].name}
		o.actual, o.threshold = fmtBytesExact(s.SizeBytes), fmtBytesExact(l.bytes)
		if s.SizeBytes > l.bytes {
			o.verdict, o.detail = verdictFail, o.actual+" > "+o.threshold
		} else {
			o.verdict, o.detail = verdictPass, o.actual+" <= "+o.threshold
		}
		out = append(out, o)
	}
	if l := r[ruleHighestLayerSize]; l.enabled {
		out = append(out, evaluateLayerSize(res, specs[ruleHighestLayerSize].name, l))
	}
	if l := r[ruleBlock]; l.enabled && len(l.globs) > 0 {
		out = append(out, evaluateBlock(res, specs[ruleBlock].name, l))
	}
	if l := r[ruleDenyWaste]; l.enabled && len(l.globs) > 0 {
		out = append(out, evaluateDenyWaste(res, specs[ruleDenyWaste].name, l))
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
func evaluateLayerSize(res *analyze.Result, name string, l limit) outcome {
	o := outcome{rule: name}
	if !l.enabled {
		o.verdict, o.detail = verdictSkip, "disabled"
		return o
	}
	var big named
	var largest int64
	for _, ly := range res.Layers {
		largest = max(largest, ly.SizeBytes)
		if ly.SizeBytes > l.bytes {
			big.add(fmt.Sprintf("layer %d (%s)", ly.Index, formatBytes(ly.SizeBytes)))
		}
	}
	o.threshold = fmtBytesExact(l.bytes)
	if big.n == 0 {
		o.actual = "largest layer " + fmtBytesExact(largest)
		o.verdict, o.detail = verdictPass, o.actual+" <= "+o.threshold
		return o
	}
	o.actual = fmt.Sprintf("%d layers over the limit", big.n)
	if big.n == 1 {
		o.actual = "1 layer over the limit"
	}
	o.paths, o.more = big.list, big.n-len(big.list)
	o.verdict, o.detail = verdictFail, fmt.Sprintf("%s > %s", big.String(), o.threshold)
	return o
}

// evaluateBlock fails when a file (any non-directory) matching one of the
// globs is visible in the final filesystem. Wasted copies do not count:
// a secret deleted in a later layer is still in the image, but that is
// what deny-waste is for.
func evaluateBlock(res *analyze.Result, name string, l limit) outcome {
	o := outcome{rule: name}
	if !l.enabled || len(l.globs) == 0 {
		o.verdict, o.detail = verdictSkip, "disabled"
		return o
	}
	o.threshold = "none of " + strings.Join(l.globs, ", ")
	if res.Tree == nil {
		o.verdict, o.detail, o.threshold = verdictSkip, "no file tree to check", ""
		return o
	}
	gs := compileGlobs(l.globs)
	var hits []string
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
		if _, hit := gs.match(p); hit {
			hits = append(hits, p)
		}
	}
	// Tree order is insertion order; name the paths sorted, so the
	// output is the same whichever layer was read first.
	slices.Sort(hits)
	var found named
	for _, p := range hits {
		found.add(printable(p))
	}
	return pathOutcome(o, found, "visible")
}

// evaluateDenyWaste fails when a wasted file matches one of the globs.
func evaluateDenyWaste(res *analyze.Result, name string, l limit) outcome {
	o := outcome{rule: name}
	if !l.enabled || len(l.globs) == 0 {
		o.verdict, o.detail = verdictSkip, "disabled"
		return o
	}
	o.threshold = "none of " + strings.Join(l.globs, ", ")
	gs := compileGlobs(l.globs)
	var found named
	var bytes int64
	for _, f := range sortedWasted(res.WastedFiles) {
		if _, hit := gs.match(f.Path); hit {
			found.add(printable(f.Path))
			bytes += f.WastedBytes
		}
	}
	o = pathOutcome(o, found, "wasted")
	if found.n > 0 {
		o.actual += ", " + fmtBytesExact(bytes)
		o.detail = fmt.Sprintf("%s wasted by %s", formatBytes(bytes), found.String())
	}
	return o
}

// pathOutcome settles a path rule from what it found.
func pathOutcome(o outcome, found named, what string) outcome {
	if found.n == 0 {
		o.actual = "no matching files " + what
		o.verdict, o.detail = verdictPass, o.actual
		return o
	}
	o.actual = fmt.Sprintf("%d matching files %s", found.n, what)
	if found.n == 1 {
		o.actual = "1 matching file " + what
	}
	o.paths, o.more = found.list, found.n-len(found.list)
	o.verdict, o.detail = verdictFail, o.actual+": "+found.String()
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

// fmtBytesExact prints a byte count both readable and exact.
func fmtBytesExact(n int64) string { return fmt.Sprintf("%s (%d bytes)", formatBytes(n), n) }

// writeOutcomes prints one line per rule and a summary line, and reports
// whether every rule passed or was skipped.
func writeOutcomes(w io.Writer, source string, outs []outcome) (bool, error) {
	var pass, fail, skip int
	var b strings.Builder
	if source != "" {
		fmt.Fprintf(&b, "Rules (from %s):\n", source)
	} else {
		b.WriteString("Rules:\n")
	}
	for _, o := range outs {
		switch o.verdict {
		case verdictPass:
			pass++
		case verdictFail:
			fail++
		case verdictSkip:
			skip++
		}
		fmt.Fprintf(&b, "  %s  %s: %s\n", o.verdict, o.rule, o.detail)
	}
	overall := verdictPass
	if fail > 0 {
		overall = verdictFail
	}
	fmt.Fprintf(&b, "%s [pass:%d fail:%d skip:%d]\n", overall, pass, fail, skip)
	_, err := io.WriteString(w, b.String())
	return fail == 0, err
}
