package cli

import (
	"strings"

	"github.com/strata-cli/strata/rules"
)

// ruleFlag is a pflag.Value that sets one rule and remembers that it was
// given, so that flags can beat the rules file.
type ruleFlag struct {
	typ   string
	parse func(string) (rules.Limit, error)
	texts []string // what was given, in order (the default until then)
	val   rules.Limit
	set   bool
	list  bool
}

func (f *ruleFlag) Set(s string) error {
	l, err := f.parse(s)
	if err != nil {
		return err
	}
	if f.list && f.set {
		// A path rule flag is repeatable: each use adds a pattern.
		f.val.Add(l)
		f.texts = append(f.texts, s)
		return nil
	}
	f.texts, f.val, f.set = []string{s}, l, true
	return nil
}

func (f *ruleFlag) String() string { return strings.Join(f.texts, ",") }

func (f *ruleFlag) Type() string { return f.typ }
