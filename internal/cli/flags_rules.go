package cli

import (
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
