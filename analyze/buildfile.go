package analyze

import "strconv"

// BuildFile places the history steps on the lines of the Dockerfile that
// built the image. The analysis never reads a Dockerfile: a caller that
// has one matches it (package dockerfile) and sets Result.BuildFile.
type BuildFile struct {
	Path string
	// Steps is parallel to Result.History.
	Steps []StepLines
}

// StepLines is where one history step's instruction is: lines Line to
// EndLine, from 1. Line is 0 for a step that could not be placed. Base is
// set for a step of the base image, placed on the FROM that names it.
type StepLines struct {
	Line, EndLine int
	Base          bool
}

// Found reports whether the step was placed.
func (s StepLines) Found() bool { return s.Line > 0 }

// StepLines returns where history step i is, and false when no Dockerfile
// was matched or the step was not placed.
func (r *Result) StepLines(i int) (StepLines, bool) {
	if r.BuildFile == nil || i < 0 || i >= len(r.BuildFile.Steps) {
		return StepLines{}, false
	}
	s := r.BuildFile.Steps[i]
	return s, s.Found()
}

// LayerStepLines returns where the step that made layer i is, and false
// when no Dockerfile was matched, no step claims the layer, or its step
// was not placed. It walks the history: callers ask for a few layers.
func (r *Result) LayerStepLines(i int) (StepLines, bool) {
	if r.BuildFile == nil || i < 0 {
		return StepLines{}, false
	}
	for n, h := range r.History {
		if h.LayerIndex == i {
			return r.StepLines(n)
		}
	}
	return StepLines{}, false
}

// Where names lines s of the Dockerfile: "Dockerfile:9",
// "build/Dockerfile:12-14", with the path as it was given.
func (b *BuildFile) Where(s StepLines) string {
	w := b.Path + ":" + strconv.Itoa(s.Line)
	if s.EndLine > s.Line {
		w += "-" + strconv.Itoa(s.EndLine)
	}
	return w
}
