package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/internal/safetext"
)

// jumpToFileMsg asks the root to select Layer and put the file tree's
// cursor on Path.
type jumpToFileMsg struct {
	Layer int
	Path  string
}

func jumpToFileCmd(layer int, path string) tea.Cmd {
	return func() tea.Msg { return jumpToFileMsg{Layer: layer, Path: path} }
}

// wasted is the overlay listing the files whose bytes the final filesystem
// hides, biggest first.
type wasted struct {
	files []analyze.WastedFile
	// secret holds the paths that look like credentials (secretPaths).
	secret map[string]bool
	keys   keyMap
	st     *Styles
	list
	width int
}

func newWasted(res *analyze.Result, keys keyMap, st *Styles) *wasted {
	w := &wasted{files: res.WastedFiles, secret: secretPaths(res), keys: keys, st: st}
	w.resize(len(w.files), 1)
	return w
}

// Update implements component. Enter jumps to the first layer that stored
// a hidden copy of the file under the cursor.
func (w *wasted) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok || w.navigate(w.keys, k) {
		return nil
	}
	if keyMatches(k, w.keys.Apply) && len(w.files) > 0 {
		f := w.files[w.cursor]
		if len(f.Layers) > 0 {
			return jumpToFileCmd(f.Layers[0], f.Path)
		}
	}
	return nil
}

// View implements component.
func (w *wasted) View() string {
	var b strings.Builder
	b.WriteString(w.st.Label.Render(padRight(padLeft("Wasted", 9)+"  "+padRight("Layers", 12)+" Path", w.width)))
	if len(w.files) == 0 {
		b.WriteString("\n" + w.st.Dim.Render(padRight("  no wasted files: every stored byte is visible in the final image", w.width)))
	}
	end := min(len(w.files), w.offset+w.height)
	for r := w.offset; r < end; r++ {
		f := w.files[r]
		layers := make([]string, len(f.Layers))
		for i, l := range f.Layers {
			layers[i] = itoa(l)
		}
		name := " /" + safetext.Line(f.Path)
		if w.secret[f.Path] {
			name += secretMark
		}
		line := padRight(padLeft(humanBytes(f.WastedBytes), 9)+"  "+padRight(strings.Join(layers, ","), 12)+name, w.width)
		b.WriteByte('\n')
		if r == w.cursor {
			b.WriteString(w.st.Selected.Render(line))
		} else {
			b.WriteString(line)
		}
	}
	return b.String()
}

// SetSize implements component.
func (w *wasted) SetSize(width, h int) {
	w.width = width
	w.resize(len(w.files), max(1, h-1))
}

// ShortHelp implements help.KeyMap.
func (w *wasted) ShortHelp() []key.Binding {
	return []key.Binding{w.keys.Up, w.keys.Down, w.keys.Apply, w.keys.Clear}
}

// FullHelp implements help.KeyMap.
func (w *wasted) FullHelp() [][]key.Binding {
	k := w.keys
	return [][]key.Binding{{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown}, {k.Apply, k.Clear, k.Wasted}}
}

// Click implements pane: a click puts the cursor on a file. Row 0 is the
// column header.
func (w *wasted) Click(row int) tea.Cmd {
	if r, ok := w.rowAt(row, 1); ok {
		w.set(r)
	}
	return nil
}

// Wheel implements pane: a notch scrolls the cursor a few rows.
func (w *wasted) Wheel(notch int) tea.Cmd {
	w.move(notch * wheelStep)
	return nil
}
