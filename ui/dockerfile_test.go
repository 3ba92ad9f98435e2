package ui

import (
	"strings"
	"testing"

	"github.com/strata-cli/strata/analyze"
)

// TestLayerDetailsDockerfileLine: with a Dockerfile matched, the layer
// details name the selected step's lines, a base image step's FROM, or
// say the step was not found.
func TestLayerDetailsDockerfileLine(t *testing.T) {
	res := fixture(t)
	steps := make([]analyze.StepLines, len(res.History))
	steps[0] = analyze.StepLines{Line: 1, EndLine: 1, Base: true}
	steps[2] = analyze.StepLines{Line: 4, EndLine: 6}
	res.BuildFile = &analyze.BuildFile{Path: "Dockerfile", Steps: steps}
	m := newTestModel(t, res, 120, 40)
	for _, tc := range []struct {
		keys []string
		want string
	}{
		{nil, "Dockerfile:1 (base image)"},
		{[]string{"j", "j"}, "Dockerfile:4-6"},
		{[]string{"j"}, "not found in Dockerfile"},
	} {
		press(t, m, tc.keys...)
		if p := layerPane(m); !strings.Contains(p, tc.want) {
			t.Errorf("step %d: layer details lack %q:\n%s", m.history.cursor, tc.want, p)
		}
	}
}
