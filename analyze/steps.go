package analyze

import (
	"iter"
	"strings"
)

// Step is one build step as a reader sees it: a history entry with the
// layer it made, or a layer that no history entry claims.
type Step struct {
	// History is the step's index in the history, or -1 for a layer no
	// entry claims.
	History int
	// Layer is the layer the step made, or -1 for an empty (metadata) step.
	Layer int
	// Top is the last layer applied once the step has run: Layer, or for an
	// empty step the closest layer before it, -1 if none. It is the
	// filesystem a reader sees at this step.
	Top int
	// CreatedBy is the command as recorded; Instruction is it cleaned.
	CreatedBy   string
	Instruction string
	Comment     string
	// Writable marks the writable layer that strata container puts on top
	// of a container's image: no build step made it.
	Writable bool
}

// ContainerComment starts the history comment of the writable layer that
// strata container adds on top of a container's image. The source package
// writes it; analyze may not import source, so the text is the contract.
const ContainerComment = "strata: container "

// Steps pairs the history with the layers, in build order: one step per
// history entry, empty ones included, then one per layer that no entry
// claims (images built without history, or whose history does not add up),
// so that no layer goes missing. It is the one pairing every report,
// pane and piece of advice uses.
func (r *Result) Steps() []Step { return collectSteps(r.AllSteps(), len(r.History)) }

// AllSteps yields the steps of Result.Steps one at a time, for a reader
// that walks them once in order: a history can hold a million steps, and
// a report or a piece of advice need not hold them all as Steps.
func (r *Result) AllSteps() iter.Seq[Step] {
	return steps(r.History, len(r.Layers), func(i int) string { return r.Layers[i].Command })
}

// Steps is Result.Steps for the plan, before any layer is read.
func (p *Plan) Steps() []Step {
	return collectSteps(steps(p.History, len(p.Layers), func(i int) string { return p.Layers[i].Command }), len(p.History))
}

func collectSteps(seq iter.Seq[Step], n int) []Step {
	out := make([]Step, 0, n)
	for s := range seq {
		out = append(out, s)
	}
	return out
}

func steps(history []HistoryEntry, layers int, command func(int) string) iter.Seq[Step] {
	return func(yield func(Step) bool) {
		claimed := make([]bool, layers)
		top := -1
		for i, h := range history {
			s := Step{History: i, Layer: -1, Top: top, CreatedBy: h.CreatedBy, Instruction: Instruction(h.CreatedBy), Comment: h.Comment}
			if li := h.LayerIndex; li >= 0 && li < layers && !claimed[li] {
				s.Layer, s.Top, top = li, li, li
				claimed[li] = true
				s.Writable = strings.HasPrefix(h.Comment, ContainerComment)
			}
			if !yield(s) {
				return
			}
		}
		for i := range layers {
			if !claimed[i] {
				c := command(i)
				if !yield(Step{History: -1, Layer: i, Top: i, CreatedBy: c, Instruction: Instruction(c)}) {
					return
				}
			}
		}
	}
}
