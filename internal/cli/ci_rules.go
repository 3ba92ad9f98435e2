package cli

import (
	"errors"
	"strings"

	"github.com/strata-cli/strata/report"
	"github.com/strata-cli/strata/rules"
	"github.com/strata-cli/strata/source"
)

// ciFromEnv reports whether the CI variable asks for CI mode, as the
// common CI services set it.
func ciFromEnv(getenv func(string) string) bool {
	switch strings.ToLower(strings.TrimSpace(getenv("CI"))) {
	case "true", "1", "yes":
		return true
	}
	return false
}

// rulesSource says where the rules in effect came from, for the header
// of the rule results: the rules file when it set a rule no flag
// replaced, and the rule flags given.
type rulesSource struct {
	file  string
	flags []string
	// ignored are the dive plugin rules the file sets (rules.File.Ignored).
	ignored []string
}

// resolveRules combines the defaults, the config files' ci-rules, the rules
// file and the rule flags, in increasing order of precedence. A rules file
// replaces what the config sets for a rule; path-rule flags add to it.
func resolveRules(o *rootOptions) (rules.Set, rulesSource, error) {
	var src rulesSource
	r := o.cfgRules.Apply(rules.Defaults())
	path := rules.FindFile(o.ciConfig)
	var fo rules.Overrides
	if path != "" {
		f, err := rules.LoadFile(path)
		if err != nil {
			return r, src, err
		}
		fo, src.ignored = f.Rules, f.Ignored
		r = fo.Apply(r)
	}
	var fl rules.Overrides
	specs := rules.Specs()
	fileUsed, fileSet := false, false
	for i, rf := range o.rules {
		if fo[i] != nil {
			fileSet = true
			// A flag replaces the file's value, except for a path rule,
			// whose flags add to the file's patterns.
			fileUsed = fileUsed || !rf.set || rf.list
		}
		if rf.set {
			src.flags = append(src.flags, "--"+specs[i].Name)
			v := rf.val
			if rf.list {
				// Path rules add up: a --block flag cannot drop a
				// pattern the rules file asks for.
				v = rules.AddGlobs(r[i], v)
			}
			fl[i] = &v
		}
	}
	if path != "" && (fileUsed || !fileSet) {
		// A file that sets nothing is still named: it was read, and
		// saying nothing would hide that it is empty.
		src.file = path
	}
	return fl.Apply(r), src, nil
}

// errorDocOnError writes, with --format junit or sarif, the document of
// a run that ended in err before any rule was evaluated, where the
// results would have gone, and returns err: a CI job that reads the file
// then reports the run as broken, not as empty or passed.
func (o *rootOptions) errorDocOnError(e env, ref string, err error) error {
	if err == nil || errors.Is(err, errRulesFailed) || (o.format != formatJUnit && o.format != formatSARIF) {
		return err
	}
	w := e.stdout
	if o.jsonPath == "-" {
		w = e.stderr
	}
	var werr error
	if o.format == formatSARIF {
		version, _, _ := buildInfo(e.build)
		werr = report.WriteSARIFError(w, source.Redact(ref), version, err)
	} else {
		werr = report.WriteJUnitError(w, source.Redact(ref), err)
	}
	if werr != nil {
		return errors.Join(err, werr)
	}
	return err
}
