package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/internal/safetext"
)

// layerSelectedMsg says which history step the user selected. Layer is the
// layer whose filesystem that step leaves behind: the step's own layer, or
// for an empty (metadata-only) step the closest layer before it, -1 if none.
type layerSelectedMsg struct {
	Step  int
	Layer int
	Empty bool
}

func layerSelectedCmd(m layerSelectedMsg) tea.Cmd {
	return func() tea.Msg { return m }
}

// step is one row of the history pane.
type step struct {
	command  string // cleaned for display
	recorded string // as the image records it, for Y
	layer    int    // -1 for an empty step
	shown    int    // the layer shown when this step is selected
	size     int64
	wasted   int64
}

// history is the pane listing the image's build steps.
type history struct {
	keys    keyMap
	st      *Styles
	steps   []step
	maxSize int64
	list
	width   int
	focused bool
}

func newHistory(res *analyze.Result, keys keyMap, st *Styles) *history {
	h := &history{keys: keys, st: st, steps: historySteps(res)}
	for _, s := range h.steps {
		h.maxSize = max(h.maxSize, s.size)
	}
	h.resize(len(h.steps), 1)
	// Open on the first step that has a layer: a leading run of metadata
	// steps would otherwise show an empty tree.
	for i, s := range h.steps {
		if s.layer >= 0 {
			h.set(i)
			break
		}
	}
	return h
}

// historySteps is one row per step of the image (analyze.Result.Steps).
func historySteps(res *analyze.Result) []step {
	var steps []step
	for _, s := range res.Steps() {
		st := step{command: safetext.Line(s.Instruction), recorded: s.CreatedBy, layer: s.Layer, shown: s.Top}
		if s.Layer >= 0 {
			st.size, st.wasted = res.Layers[s.Layer].SizeBytes, res.Layers[s.Layer].WastedBytes
		}
		steps = append(steps, st)
	}
	return steps
}

// Selected returns the message describing the current row.
func (h *history) Selected() layerSelectedMsg {
	if len(h.steps) == 0 {
		return layerSelectedMsg{Layer: -1}
	}
	s := h.steps[h.cursor]
	return layerSelectedMsg{Step: h.cursor, Layer: s.shown, Empty: s.layer < 0}
}

// SelectLayer moves the cursor to the step that made layer i.
func (h *history) SelectLayer(i int) {
	for r, s := range h.steps {
		if s.layer == i {
			h.set(r)
			return
		}
	}
}

// Update implements component.
func (h *history) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	if keyMatches(k, h.keys.Copy) {
		return h.copyCommand()
	}
	if keyMatches(k, h.keys.CopyContent) && h.cursor >= 0 && h.cursor < len(h.steps) {
		return copyRecordedCmd(h.steps[h.cursor].recorded, "step "+itoa(h.cursor))
	}
	before := h.cursor
	if h.navigate(h.keys, k) && h.cursor != before {
		return layerSelectedCmd(h.Selected())
	}
	return nil
}

// copyCommand puts the selected step's instruction on the clipboard (OSC
// 52, which reaches the local clipboard over ssh too). It is the one-line
// form the pane shows, control characters escaped, so that pasting it
// into a shell never runs anything by itself.
func (h *history) copyCommand() tea.Cmd {
	if h.cursor < 0 || h.cursor >= len(h.steps) || h.steps[h.cursor].command == "" {
		return statusCmd("this step records no command")
	}
	c := h.steps[h.cursor].command
	return tea.Batch(tea.SetClipboard(c), statusCmd("copied the command of step %d", h.cursor))
}

// View implements component.
func (h *history) View() string {
	// The size bar narrows before it goes: 3 cells still rank the layers
	// (an 80-column terminal gives the pane 36), and below that the
	// command needs the room more.
	barW := 5
	switch {
	case h.width < 32:
		barW = 0
	case h.width < 44:
		barW = 3
	}
	var b strings.Builder
	b.WriteString(h.st.Label.Render(padRight(" #    Size  Wasted "+padRight("", barW)+" Command", h.width)))
	end := min(len(h.steps), h.offset+h.height)
	for r := h.offset; r < end; r++ {
		s := h.steps[r]
		b.WriteByte('\n')
		num := "  "
		if s.layer >= 0 {
			num = padLeft(itoa(s.layer), 2)
		}
		frac := 0.0
		if h.maxSize > 0 {
			frac = float64(s.size) / float64(h.maxSize)
		}
		wasted := ""
		if s.wasted > 0 {
			wasted = humanBytes(s.wasted)
		}
		left := num + " " + padLeft(humanBytes(s.size), 7) + " " + padLeft(wasted, 7) + " "
		cmdW := max(0, h.width-len(left)-barW-1)
		cmd := padRight(s.command, cmdW)
		switch {
		case r == h.cursor && h.focused:
			b.WriteString(h.st.Selected.Render(left + bar(frac, barW) + " " + cmd))
		case r == h.cursor:
			b.WriteString(h.st.SelectedBlur.Render(left + bar(frac, barW) + " " + cmd))
		case s.layer < 0:
			b.WriteString(h.st.Dim.Render(left + bar(0, barW) + " " + cmd))
		default:
			b.WriteString(left + h.st.Bar.Render(bar(frac, barW)) + " " + cmd)
		}
	}
	return b.String()
}

// SetSize implements component.
func (h *history) SetSize(w, ht int) {
	h.width = w
	h.resize(len(h.steps), max(1, ht-1))
}

// ShortHelp implements help.KeyMap.
func (h *history) ShortHelp() []key.Binding {
	return []key.Binding{h.keys.Up, h.keys.Down, h.copyKey()}
}

// recordedKey is the copy-content binding as the history and the layer
// details use it.
func recordedKey(k keyMap) key.Binding {
	c := k.CopyContent
	c.SetHelp(c.Help().Key, "copy recorded command")
	return c
}

// copyKey is the copy binding as this pane uses it.
func (h *history) copyKey() key.Binding {
	c := h.keys.Copy
	c.SetHelp(c.Help().Key, "copy command")
	return c
}

// FullHelp implements help.KeyMap.
func (h *history) FullHelp() [][]key.Binding {
	return [][]key.Binding{h.keys.moveHelp(), {h.copyKey(), recordedKey(h.keys)}}
}

// Click implements pane: a click on a step selects it. Row 0 is the
// column header.
func (h *history) Click(row int) tea.Cmd {
	if r, ok := h.rowAt(row, 1); ok {
		return h.selectRow(r)
	}
	return nil
}

// Wheel implements pane: a notch moves the selection one step.
func (h *history) Wheel(notch int) tea.Cmd { return h.selectRow(h.cursor + notch) }

// selectRow puts the cursor on row r and, if that moved it, announces the
// step now selected.
func (h *history) selectRow(r int) tea.Cmd {
	if !h.moveTo(r) {
		return nil
	}
	return layerSelectedCmd(h.Selected())
}
