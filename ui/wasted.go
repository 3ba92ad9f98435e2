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
	// folders and perFile are the two ways the list shows the files, by
	// folder (the default) or one row each; each is worked out when first
	// shown, then kept.
	folders, perFile []wastedRow
	byFile           bool
	list
	width, height int
}

func newWasted(res *analyze.Result, keys keyMap, st *Styles) *wasted {
	w := &wasted{files: res.WastedFiles, secret: secretPaths(res), keys: keys, st: st}
	w.resize(len(w.files), 1)
	return w
}

// current is where the rows of the current grouping are kept.
func (w *wasted) current() *[]wastedRow {
	if w.byFile {
		return &w.perFile
	}
	return &w.folders
}

// rows are the rows of the current grouping, built the first time they
// are shown, each marked when it holds a credential-like file.
func (w *wasted) rows() []wastedRow {
	rows, build := w.current(), groupWasted
	if w.byFile {
		build = wastedFileRows
	}
	if *rows == nil && len(w.files) > 0 {
		*rows = build(w.files)
		for i := range *rows {
			(*rows)[i].secret = w.hasSecret((*rows)[i])
		}
		w.resize(len(*rows), w.height)
	}
	return *rows
}

// Update implements component. Enter jumps to the first layer that stored
// a hidden copy of the file (or folder) under the cursor; the sort key
// switches between folders and files.
func (w *wasted) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	rows := w.rows()
	if w.navigate(w.keys, k) {
		return nil
	}
	switch {
	case keyMatches(k, w.keys.Sort):
		w.byFile = !w.byFile
		w.resize(len(w.rows()), w.height)
		w.set(0)
	case keyMatches(k, w.keys.Apply) && len(rows) > 0:
		r := rows[w.cursor]
		if len(r.layers) > 0 {
			return jumpToFileCmd(r.layers[0], strings.TrimSuffix(r.path, "/"))
		}
	}
	return nil
}

// Widths of the wasted list's columns of layer numbers.
const (
	storedInWidth = 10
	hiddenByWidth = 9
)

// View implements component. Each row names the layers that stored the
// hidden copies and the layers that hid them.
func (w *wasted) View() string {
	rows := w.rows()
	var b strings.Builder
	head := padLeft("Wasted", 9) + "  " + padRight("Stored in", storedInWidth) + " " + padRight("Hidden by", hiddenByWidth) + " Path"
	b.WriteString(w.st.Label.Render(padRight(head, w.width)))
	if len(rows) == 0 {
		b.WriteString("\n" + w.st.Dim.Render(padRight("  no wasted files: every stored byte is visible in the final image", w.width)))
	}
	end := min(len(rows), w.offset+w.height)
	for r := w.offset; r < end; r++ {
		f := rows[r]
		name := "/" + safetext.Line(f.path)
		if f.files > 1 {
			name += " (" + itoa(f.files) + " files)"
		}
		if f.secret {
			name += secretMark
		}
		line := padRight(padLeft(humanBytes(f.bytes), 9)+"  "+padRight(layerList(f.layers), storedInWidth)+" "+
			padRight(layerList(f.hiddenBy), hiddenByWidth)+" "+name, w.width)
		b.WriteByte('\n')
		if r == w.cursor {
			b.WriteString(w.st.Selected.Render(line))
		} else {
			b.WriteString(line)
		}
	}
	return b.String()
}

// layerList joins layer numbers with commas.
func layerList(layers []int) string {
	s := make([]string, len(layers))
	for i, l := range layers {
		s[i] = itoa(l)
	}
	return strings.Join(s, ",")
}

// SetSize implements component.
func (w *wasted) SetSize(width, h int) {
	w.width, w.height = width, max(1, h-1)
	n := len(w.files) // until the rows are built: no work at start-up
	if r := *w.current(); r != nil {
		n = len(r)
	}
	w.resize(n, w.height)
}

// ShortHelp implements help.KeyMap.
func (w *wasted) ShortHelp() []key.Binding {
	return []key.Binding{w.keys.Up, w.keys.Down, w.keys.Apply, w.groupKey(), closeBinding(w.keys)}
}

// groupKey is the sort key as the list uses it.
func (w *wasted) groupKey() key.Binding {
	g := w.keys.Sort
	if w.byFile {
		g.SetHelp(g.Help().Key, "by folder")
	} else {
		g.SetHelp(g.Help().Key, "by file")
	}
	return g
}

// FullHelp implements help.KeyMap.
func (w *wasted) FullHelp() [][]key.Binding {
	k := w.keys
	return [][]key.Binding{{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown}, {k.Apply, w.groupKey(), closeBinding(k), k.Wasted}}
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

// hasSecret reports whether a row's file, or a file in its folder, looks
// like a credential.
func (w *wasted) hasSecret(r wastedRow) bool {
	if r.files == 1 {
		return w.secret[r.path]
	}
	for p := range w.secret {
		if strings.HasPrefix(p, r.path) {
			return true
		}
	}
	return false
}
