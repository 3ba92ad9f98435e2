package report

import (
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
