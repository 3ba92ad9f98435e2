package rules

import (
	"fmt"
	"strings"

	"github.com/strata-cli/strata/analyze"
)

// evaluateSecrets fails when any layer holds a file that looks like a
// credential and no allow glob accepts its path. Hidden copies count as
// much as visible ones: a deleted key is still in the layer that stored
// it. What the rule names is the path, kind, fingerprint and layers,
// never the secret.
func evaluateSecrets(res *analyze.Result, name string, allow Limit) Outcome {
	o := Outcome{Rule: name, Threshold: "none"}
	var gs GlobSet
	if allow.Enabled && len(allow.Globs) > 0 {
		gs = CompileGlobs(allow.Globs)
		o.Threshold = "none outside " + strings.Join(allow.Globs, ", ")
	}
	var found named
	accepted := 0
	for _, s := range res.Secrets {
		if _, ok := gs.Match(s.Path); ok {
			accepted++
			continue
		}
		found.add(DescribeSecret(s))
		// The layers that store one: SARIF and annotations put the
		// finding on the Dockerfile lines that made them.
		o.Layers = append(o.Layers, s.Layer)
	}
	o.Layers = sortedOnce(o.Layers)
	note := ""
	if accepted > 0 {
		note = fmt.Sprintf(" (%d allowed)", accepted)
	}
	return settle(o, found, "secret", "secrets", " found"+note)
}

// DescribeSecret is one finding in one line: "root/.ssh/id_rsa
// (private-key 1a2b3c4d, deleted in layer 3, still readable in layer 1)".
func DescribeSecret(s analyze.Secret) string {
	return fmt.Sprintf("%s (%s %s, %s)", s.Path, s.Kind, s.Fingerprint, s.Where())
}
