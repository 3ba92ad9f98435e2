package report

import (
	"fmt"
	"strings"

	"github.com/strata-cli/strata/advice"
	"github.com/strata-cli/strata/analyze"
)

// JSONDockerfile places the history steps in the Dockerfile given with
// --dockerfile: steps[i] is history[i].
type JSONDockerfile struct {
	Path  string                `json:"path"`
	Steps []JSONDockerfileLines `json:"steps"`
}

// JSONDockerfileLines is one step's lines, from 1; both are null for a
// step that could not be placed. Base marks a step of the base image,
// placed on the FROM that names it.
type JSONDockerfileLines struct {
	Line    *int `json:"line"`
	EndLine *int `json:"endLine"`
	Base    bool `json:"base"`
}

func jsonDockerfile(res *analyze.Result) *JSONDockerfile {
	bf := res.BuildFile
	if bf == nil {
		return nil
	}
	d := &JSONDockerfile{Path: cleanString(bf.Path), Steps: make([]JSONDockerfileLines, len(bf.Steps))}
	for i, s := range bf.Steps {
		if !s.Found() {
			continue
		}
		line, end := s.Line, s.EndLine
		d.Steps[i] = JSONDockerfileLines{Line: &line, EndLine: &end, Base: s.Base}
	}
	return d
}

// writeDockerfileAnnotations writes one ::warning per piece of advice on
// the Dockerfile lines of the step that made its first layer, so that a
// pull request shows the waste on the line that caused it. Nothing is
// written without a Dockerfile, and nothing for base image steps: their
// lines are a FROM, which only says where the bytes came from.
func writeDockerfileAnnotations(b *strings.Builder, res *analyze.Result) {
	if res == nil || res.BuildFile == nil {
		return
	}
	for _, a := range advice.Advise(res) {
		if len(a.Layers) == 0 {
			continue
		}
		sl, ok := res.LayerStepLines(a.Layers[0])
		if !ok || sl.Base {
			continue
		}
		fmt.Fprintf(b, "::warning file=%s,line=%d,endLine=%d,title=%s::%s\n",
			ghProperty(res.BuildFile.Path), sl.Line, sl.EndLine, ghProperty("strata "+a.Kind), ghData(a.Message))
	}
}
