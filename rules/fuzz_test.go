package rules

import (
	"strings"
	"testing"
)

// FuzzRulesFile: any bytes in a rules file give rules or an error naming
// the file, never a panic, and accepted rules hold sane thresholds.
func FuzzRulesFile(f *testing.F) {
	for _, s := range []string{
		"rules:\n  lowest-efficiency: 0.95\n  highest-wasted-bytes: 20MB\n  highest-user-wasted-percent: disabled\n",
		"rules:\n  lowestEfficiency: 0.9\n  highestWastedBytes: off\n",
		"rules:\n  lowest-efficiency: 95%\n",
		"rules: {}\n",
		"rules:\n  nonsense: 1\n",
		"rules: [1, 2]\n",
		"\x00\xff",
		"rules:\n  highest-wasted-bytes: 1GiB\n  highestWastedBytes: 2GB\n",
		"plugins:\n  - plugin1\nrules:\n  lowestEfficiency: 0.95\n  plugin1/rule1: error\n",
		"plugins: {a: b}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pf, err := Parse(".strata-ci.yaml", data)
		o := pf.Rules
		if err != nil {
			if !strings.Contains(err.Error(), ".strata-ci.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, name := range pf.Ignored {
			if strings.TrimSpace(name) == "" {
				t.Fatalf("a blank ignored name from %q", data)
			}
		}
		r := o.Apply(Defaults())
		for i, l := range r {
			if l.Enabled && (l.Frac < 0 || l.Frac > 1 || l.Frac != l.Frac || l.Bytes < 0) {
				t.Fatalf("rule %d accepted a threshold of %+v", i, l)
			}
		}
	})
}
