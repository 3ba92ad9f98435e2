package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/compare"
	"github.com/strata-cli/strata/internal/safetext"
)

// pairSelectedMsg says the user moved to another layer position of the
// two images; the receiver reads which from the pane (Selected), since
// these messages can arrive out of order.
type pairSelectedMsg struct{}

func pairSelectedCmd() tea.Cmd {
	return func() tea.Msg { return pairSelectedMsg{} }
}

// alignedLayers is the pane listing both images' layers side by side, one
// row per position, with the cache break marked.
type alignedLayers struct {
	keys  keyMap
	st    *Styles
	pairs []compare.LayerPair
	brk   int    // the row the cache broke at, -1 if none
	step  int    // the cache-breaking step in NEW's history, 0 if unknown
	where string // its lines in NEW's Dockerfile, "" if not placed
	list
	width   int
	focused bool
}

func newAlignedLayers(rep *compare.Report, keys keyMap, st *Styles) *alignedLayers {
	a := &alignedLayers{keys: keys, st: st, pairs: rep.Layers, brk: -1}
	a.resize(len(a.pairs), 1)
	if cb := rep.CacheBreak; cb != nil {
		a.brk, a.step, a.where = cb.Layer, cb.Step, safetext.Line(cb.Where())
		// Open on the break: it is what a comparison is usually about.
		a.set(cb.Layer)
	}
	return a
}

// Selected returns the position under the cursor, -1 when there is none.
func (a *alignedLayers) Selected() int {
	if len(a.pairs) == 0 {
		return -1
	}
	return a.cursor
}

// Update implements component.
func (a *alignedLayers) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	before := a.cursor
	if a.navigate(a.keys, k) && a.cursor != before {
		return pairSelectedCmd()
	}
	return nil
}

// statusText is the status column: a symbol that reads without colour,
// then the word.
func (a *alignedLayers) statusText(i int) string {
	if i == a.brk {
		return "! broke"
	}
	switch a.pairs[i].Status {
	case "shared":
		return "= shared"
	case "rebuilt":
		return "~ rebuilt"
	case "added":
		return "+ added"
	case "dropped":
		return "- dropped"
	}
	return a.pairs[i].Status
}

// side renders one image's layer at a position in w cells.
func side(l *compare.Layer, w int) string {
	if l == nil {
		return padRight(padLeft("-", 8), w)
	}
	return padRight(padLeft(humanBytes(l.SizeBytes), 8)+" "+safetext.Line(analyze.Instruction(shortStepDigests(l.Command))), w)
}

// View implements component. A divider row says where the cache broke;
// the list's height leaves room for it.
func (a *alignedLayers) View() string {
	const lead = 14 // "  #" + status column + spaces
	half := max(10, (a.width-lead-3)/2)
	var b strings.Builder
	b.WriteString(a.st.Label.Render(padRight(padLeft("#", 3)+"  "+padRight("Status", 9)+padRight(padLeft("Size", 8)+" OLD", half)+" │ "+padLeft("Size", 8)+" NEW", a.width)))
	end := min(len(a.pairs), a.offset+a.height)
	for r := a.offset; r < end; r++ {
		if r == a.brk {
			label := "── cache broke here" + breakPlace(a.step, a.where)
			label += " "
			b.WriteString("\n" + a.st.Error.Render(padRight(label+strings.Repeat("─", max(0, a.width-len([]rune(label)))), a.width)))
		}
		p := a.pairs[r]
		text := padLeft(itoa(p.Index), 3) + "  " + padRight(a.statusText(r), 9) + side(p.Old, half) + " │ " + side(p.New, half)
		text = padRight(text, a.width)
		b.WriteByte('\n')
		switch {
		case r == a.cursor && a.focused:
			b.WriteString(a.st.Selected.Render(text))
		case r == a.cursor:
			b.WriteString(a.st.SelectedBlur.Render(text))
		case r == a.brk:
			b.WriteString(a.st.Error.Render(text))
		case p.Status == "shared":
			b.WriteString(text)
		case p.Status == "added":
			b.WriteString(a.st.Change[changeAdded].Render(text))
		case p.Status == "dropped":
			b.WriteString(a.st.Change[changeRemoved].Render(text))
		default:
			b.WriteString(a.st.Change[changeModified].Render(text))
		}
	}
	return b.String()
}

// SetSize implements component: one line goes to the column header and
// one to the cache-break divider.
func (a *alignedLayers) SetSize(w, h int) {
	a.width = w
	a.resize(len(a.pairs), max(1, h-2))
}

// ShortHelp implements help.KeyMap.
func (a *alignedLayers) ShortHelp() []key.Binding {
	return []key.Binding{a.keys.Up, a.keys.Down}
}

// FullHelp implements help.KeyMap.
func (a *alignedLayers) FullHelp() [][]key.Binding {
	return [][]key.Binding{a.keys.moveHelp()}
}

// Click implements pane: a click on a position selects it. Row 0 is the
// column header, and the cache-break divider sits above its row.
func (a *alignedLayers) Click(row int) tea.Cmd {
	line := 1
	for r := a.offset; r < min(len(a.pairs), a.offset+a.height); r++ {
		if r == a.brk {
			line++ // the divider
		}
		if line == row {
			return a.selectRow(r)
		}
		line++
	}
	return nil
}

// Wheel implements pane: a notch moves the selection one position.
func (a *alignedLayers) Wheel(notch int) tea.Cmd { return a.selectRow(a.cursor + notch) }

func (a *alignedLayers) selectRow(r int) tea.Cmd {
	if !a.moveTo(r) {
		return nil
	}
	return pairSelectedCmd()
}
