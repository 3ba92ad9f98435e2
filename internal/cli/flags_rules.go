package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/strata-cli/strata/rules"
)

// ruleFlag is a pflag.Value that sets one rule and remembers that it was
// given, so that flags can beat the rules file.
type ruleFlag struct {
	typ   string
	parse func(string) (rules.Limit, error)
	text  string
	val   rules.Limit
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
			l = rules.AddGlobs(f.val, l)
			s = f.text + "," + s
		}
	}
	f.text, f.val, f.set = s, l, true
	return nil
}

func (f *ruleFlag) String() string { return f.text }

func (f *ruleFlag) Type() string { return f.typ }

// writeOutcomes prints one line per rule and a summary line, and reports
// whether every rule passed or was skipped.
func writeOutcomes(w io.Writer, source string, outs []rules.Outcome) (bool, error) {
	var pass, fail, skip int
	var b strings.Builder
	if source != "" {
		fmt.Fprintf(&b, "Rules (from %s):\n", source)
	} else {
		b.WriteString("Rules:\n")
	}
	for _, o := range outs {
		switch o.Verdict {
		case rules.Pass:
			pass++
		case rules.Fail:
			fail++
		case rules.Skip:
			skip++
		}
		fmt.Fprintf(&b, "  %s  %s: %s\n", o.Verdict, o.Rule, o.Detail)
	}
	overall := rules.Pass
	if fail > 0 {
		overall = rules.Fail
	}
	fmt.Fprintf(&b, "%s [pass:%d fail:%d skip:%d]\n", overall, pass, fail, skip)
	_, err := io.WriteString(w, b.String())
	return fail == 0, err
}
