package rules

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/strata-cli/strata/internal/units"
)

// The CI rules, in the order they are evaluated and printed.
const (
	LowestEfficiency = iota
	HighestWastedBytes
	HighestUserWastedPercent
	HighestImageSize
	HighestLayerSize
	Block
	DenyWaste
	Secrets
	// Allow is not a rule of its own: its globs are the paths the secrets
	// rule accepts.
	Allow
	Count
)

// Limit is one rule's threshold. The zero value is a disabled rule.
type Limit struct {
	Enabled bool
	Frac    float64  // the threshold of a ratio rule, in [0, 1]
	Bytes   int64    // the threshold of a size rule
	Globs   []string // the patterns of a path rule, each checked by checkGlob
}

// Set holds every rule's threshold, indexed by the rule constants.
type Set [Count]Limit

// Spec describes how one rule is spelled and parsed.
type Spec struct {
	Name    string // kebab-case: flags and .strata-ci.yaml
	Alias   string // dive's camelCase spelling, accepted for compatibility
	Default string // default, in the form a user would write it
	Type    string // the value's name in --help
	Usage   string
	Parse   func(string) (Limit, error)
	// List marks a path rule: its value is a List of globs, and every
	// source (file, flags) adds to it rather than replacing it.
	List bool
}

// Specs returns the rules indexed by the rule constants. The defaults
// are dive's, so a pipeline that switches tools keeps its verdicts.
func Specs() [Count]Spec {
	return [Count]Spec{
		LowestEfficiency: {
			Name: "lowest-efficiency", Alias: "lowestEfficiency", Default: "0.9", Type: "ratio",
			Usage: "CI rule: fail if the image efficiency (0-1) is below this",
			Parse: ParseFraction,
		},
		HighestWastedBytes: {
			Name: "highest-wasted-bytes", Alias: "highestWastedBytes", Default: "disabled", Type: "size",
			Usage: "CI rule: fail if more than this many bytes are wasted (e.g. 20MB, 1GiB)",
			Parse: ParseByteLimit,
		},
		HighestUserWastedPercent: {
			Name: "highest-user-wasted-percent", Alias: "highestUserWastedPercent", Default: "0.1", Type: "ratio",
			Usage: "CI rule: fail if the wasted share (0-1) of the layers above the base layer is above this",
			Parse: ParseFraction,
		},
		HighestImageSize: {
			Name: "highest-image-size", Default: "disabled", Type: "size",
			Usage: "CI rule: fail if the image's files (uncompressed) add up to more than this",
			Parse: ParseByteLimit,
		},
		HighestLayerSize: {
			Name: "highest-layer-size", Default: "disabled", Type: "size",
			Usage: "CI rule: fail if any one layer's files (uncompressed) add up to more than this",
			Parse: ParseByteLimit,
		},
		Block: {
			Name: "block", Default: "", Type: "glob",
			Usage: "CI rule: fail if a file matching this glob is in the final image (repeatable; e.g. '**/*.pem')",
			Parse: parseGlobs, List: true,
		},
		DenyWaste: {
			Name: "deny-waste", Default: "", Type: "glob",
			Usage: "CI rule: fail if a file matching this glob is wasted (repeatable; e.g. 'var/lib/apt/lists/**')",
			Parse: parseGlobs, List: true,
		},
		Secrets: {
			Name: "secrets", Default: "on", Type: "on|off",
			Usage: "CI rule: fail if any layer, even one whose files a later layer deleted, holds a file that looks like a credential",
			Parse: parseSwitch,
		},
		Allow: {
			Name: "allow", Default: "", Type: "glob",
			Usage: "CI rule secrets: accept credential-like files matching this glob (repeatable; e.g. 'src/test/fixtures/**')",
			Parse: parseGlobs, List: true,
		},
	}
}

// parseSwitch reads an on/off rule: a disabling word, or on, true, yes
// or enabled.
func parseSwitch(s string) (Limit, error) {
	if isDisabled(s) {
		return Limit{}, nil
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "on", "true", "yes", "enabled":
		return Limit{Enabled: true}, nil
	}
	return Limit{}, fmt.Errorf("invalid value %q: want on or off", s)
}

// parseGlobs reads one path-rule value: a glob, or a disabling word for
// none.
func parseGlobs(s string) (Limit, error) {
	if isDisabled(s) {
		return Limit{}, nil
	}
	g := strings.TrimSpace(s)
	if err := CheckGlob(g); err != nil {
		return Limit{}, err
	}
	return Limit{Enabled: true, Globs: []string{g}}, nil
}

// AddGlobs returns a with b's patterns appended, enabled if either is. a
// is left as it was.
func AddGlobs(a, b Limit) Limit {
	return Limit{Enabled: a.Enabled || b.Enabled, Globs: append(slices.Clone(a.Globs), b.Globs...)}
}

// Add appends b's patterns to l, which a list being built owns: unlike
// AddGlobs it copies nothing, so n patterns cost n appends.
func (l *Limit) Add(b Limit) {
	l.Enabled = l.Enabled || b.Enabled
	l.Globs = append(l.Globs, b.Globs...)
}

// Defaults returns the thresholds used when neither a flag nor a rules
// file sets them.
func Defaults() Set {
	var r Set
	for i, s := range Specs() {
		l, err := s.Parse(s.Default)
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

// ParseFraction reads a ratio threshold: "0.9", "90%" or a disabling word.
func ParseFraction(s string) (Limit, error) {
	if isDisabled(s) {
		return Limit{}, nil
	}
	t := strings.TrimSpace(s)
	scale := 1.0
	if p, ok := strings.CutSuffix(t, "%"); ok {
		t, scale = strings.TrimSpace(p), 100
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(f) {
		return Limit{}, fmt.Errorf("invalid value %q: want a number from 0 to 1, a percentage, or disabled", s)
	}
	f /= scale
	if f < 0 || f > 1 {
		return Limit{}, fmt.Errorf("invalid value %q: want a number from 0 to 1, a percentage, or disabled", s)
	}
	return Limit{Enabled: true, Frac: f}, nil
}

// ParseByteLimit reads a size threshold: "20MB", "1GiB", "1048576" or a
// disabling word.
func ParseByteLimit(s string) (Limit, error) {
	if isDisabled(s) {
		return Limit{}, nil
	}
	n, err := units.ParseBytes(s)
	if err != nil {
		return Limit{}, err
	}
	return Limit{Enabled: true, Bytes: n}, nil
}

// Overrides holds the rules a file or the flags set; nil means unset.
type Overrides [Count]*Limit

// Apply returns base with every set override applied.
func (o Overrides) Apply(base Set) Set {
	for i, l := range o {
		if l != nil {
			base[i] = *l
		}
	}
	return base
}

const (
	Pass Verdict = iota
	Fail
	Skip
)
