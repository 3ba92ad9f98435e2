package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// filterChangedMsg says the path filter changed. It carries no query:
// commands run concurrently, so these messages can arrive out of order,
// and the receiver reads the bar's query as it is now (filterBar.Query).
type filterChangedMsg struct{}

// filterDoneMsg says the user stopped editing the filter (enter keeps it,
// esc clears it).
type filterDoneMsg struct{ Keep bool }

func msgCmd(m tea.Msg) tea.Cmd { return func() tea.Msg { return m } }

// filterBar is the one-line editor of the status line: the path filter,
// the viewer's search, or where to save a file. The editing itself
// (cursor motion, word and line deletion, bracketed paste) is
// textinput's; the bar adds enter and esc and says when the text changed.
type filterBar struct {
	keys   keyMap
	st     *Styles
	input  textinput.Model
	active bool
	width  int
	// saving, when set, makes the bar ask where to save that file: it then
	// sends one extractMsg on enter instead of filter messages as it goes.
	saving *extractMsg
}

func newFilterBar(keys keyMap, st *Styles) filterBar {
	in := textinput.New()
	in.Prompt = ""
	// The bar draws its own cursor (see View); the real one would need its
	// position in the frame.
	in.SetVirtualCursor(false)
	in.Focus()
	return filterBar{keys: keys, st: st, input: in}
}

// Query is the text in the bar ("" once cleared).
func (f *filterBar) Query() string { return f.input.Value() }

// Start opens the editor on the current query, the cursor at its end.
func (f *filterBar) Start(q string) {
	f.active, f.saving = true, nil
	f.input.SetValue(q)
	f.input.CursorEnd()
}

// StartSave asks where to save the file of x, starting from dest.
func (f *filterBar) StartSave(x extractMsg, dest string) {
	f.Start(dest)
	f.saving = &x
}

// Update implements component: key presses and pastes while the bar is
// open.
func (f *filterBar) Update(msg tea.Msg) tea.Cmd {
	if !f.active {
		return nil
	}
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case f.saving != nil && keyMatches(k, f.keys.Apply):
			x := *f.saving
			x.To = strings.TrimSpace(f.Query())
			f.active, f.saving = false, nil
			if x.To == "" {
				return msgCmd(statusMsg{Text: "not saved: no destination"})
			}
			return msgCmd(x)
		case f.saving != nil && keyMatches(k, f.keys.Clear):
			f.active, f.saving = false, nil
			return nil
		case keyMatches(k, f.keys.Apply):
			f.active = false
			return msgCmd(filterDoneMsg{Keep: true})
		case keyMatches(k, f.keys.Clear):
			f.active = false
			f.input.SetValue("")
			return tea.Batch(msgCmd(filterChangedMsg{}), msgCmd(filterDoneMsg{}))
		case keyMatches(k, f.keys.ClearLine):
			// textinput's ctrl+u only deletes up to the cursor.
			if f.input.Value() == "" {
				return nil
			}
			f.input.SetValue("")
			if f.saving != nil {
				return nil
			}
			return msgCmd(filterChangedMsg{})
		}
	} else if _, ok := msg.(tea.PasteMsg); !ok {
		return nil
	}
	before := f.input.Value()
	// textinput's own commands only serve clipboard reads (ctrl+v), which
	// answer with a PasteMsg the bar then takes.
	var cmd tea.Cmd
	f.input, cmd = f.input.Update(msg)
	if f.saving != nil || f.input.Value() == before {
		return cmd
	}
	return tea.Batch(cmd, msgCmd(filterChangedMsg{}))
}

// View implements component. The cursor is a block after the text at its
// end, and the character it is on, in the cursor row's style, before it.
// Text wider than the bar scrolls to keep the cursor in sight, an
// ellipsis marking each cut side, so that a long destination can be read
// whole by moving along it.
func (f *filterBar) View() string {
	label := "/"
	if f.saving != nil {
		what := "/" + f.saving.Path
		if f.saving.Files != nil {
			what += "/"
		}
		label = "save " + what + " to: "
		// The destination being typed matters more than the file's own
		// path: the label takes at most half the bar.
		if ansi.StringWidth(label) > f.width/2 {
			label = "save " + truncateLeft(what, max(1, f.width/2-len("save  to: "))) + " to: "
		}
	}
	w := max(f.width-ansi.StringWidth(label), 1)
	r := []rune(f.input.Value())
	pos := min(f.input.Position(), len(r))
	cells := len(r) + 1 // the text and the cursor's cell after its end
	lo, hi := 0, cells
	if cells > w {
		lo = max(0, pos-(w-2))
		hi = min(cells, lo+w)
		lo = hi - w
	}
	var b strings.Builder
	b.WriteString(f.st.StatusKey.Render(label))
	for i := lo; i < hi; i++ {
		switch {
		case (i == lo && lo > 0) || (i == hi-1 && hi < cells):
			b.WriteString("…")
		case i == len(r):
			b.WriteString("█")
		case i == pos:
			b.WriteString(f.st.Selected.Render(string(r[i])))
		default:
			b.WriteRune(r[i])
		}
	}
	// Runes, not cells, were counted: a wide character may overrun.
	return ansi.Truncate(b.String(), f.width, "")
}

// SetSize implements component.
func (f *filterBar) SetSize(w, _ int) { f.width = w }

// ShortHelp implements help.KeyMap.
func (f *filterBar) ShortHelp() []key.Binding {
	return []key.Binding{f.keys.Apply, f.keys.Clear, f.keys.ClearLine}
}

// FullHelp implements help.KeyMap.
func (f *filterBar) FullHelp() [][]key.Binding { return [][]key.Binding{f.ShortHelp()} }
