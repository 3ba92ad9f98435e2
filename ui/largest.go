package ui

import (
	"cmp"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/strata-cli/strata/internal/safetext"
)

// largest is the overlay listing every regular file of the file tree's
// view, biggest first: the selected layer's own files, or the stacked
// filesystem up to it. It reads the view tree the pane already built.
type largest struct {
	vt    *viewTree
	layer int      // the tree's layer, where enter jumps
	mode  viewMode // the tree's mode, for the title
	files []int32  // vnodes of vt, biggest first
	keys  keyMap
	st    *Styles
	list
	width int
}

func newLargest(keys keyMap, st *Styles) *largest {
	return &largest{keys: keys, st: st}
}

// Load lists the files of vt, the view of layer in mode. Removed paths
// are left out: they are no file of this view (their bytes show in the
// tree).
func (l *largest) Load(vt *viewTree, layer int, mode viewMode) {
	l.vt, l.layer, l.mode = vt, layer, mode
	l.files = l.files[:0]
	for i := 1; i < len(vt.nodes); i++ {
		n := &vt.nodes[i]
		if n.hasEntry && !n.dir && n.change != changeRemoved && n.entry.Size > 0 {
			l.files = append(l.files, int32(i))
		}
	}
	// Ties go by path, so the order does not depend on how the view was built.
	slices.SortFunc(l.files, func(a, b int32) int {
		if c := cmp.Compare(vt.nodes[b].size, vt.nodes[a].size); c != 0 {
			return c
		}
		return strings.Compare(vt.path(a), vt.path(b))
	})
	l.cursor, l.offset = 0, 0
	l.resize(len(l.files), l.height)
}

// Title names what the list covers.
func (l *largest) Title() string {
	return "Largest files: layer " + itoa(l.layer) + " (" + l.mode.String() + "; enter: jump to file, esc: close)"
}

// Update implements component. Enter shows the file under the cursor in
// the tree, in the same layer and view.
func (l *largest) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok || l.navigate(l.keys, k) {
		return nil
	}
	if keyMatches(k, l.keys.Apply) && len(l.files) > 0 {
		return jumpToFileCmd(l.layer, l.vt.path(l.files[l.cursor]))
	}
	return nil
}

// View implements component.
func (l *largest) View() string {
	var b strings.Builder
	b.WriteString(l.st.Label.Render(padRight(padLeft("Size", 9)+"  "+padRight("Layer", 5)+" Path", l.width)))
	if len(l.files) == 0 {
		b.WriteString("\n" + l.st.Dim.Render(padRight("  no files in this view", l.width)))
	}
	end := min(len(l.files), l.offset+l.height)
	for r := l.offset; r < end; r++ {
		n := &l.vt.nodes[l.files[r]]
		line := padRight(padLeft(humanBytes(n.size), 9)+"  "+padRight(itoa(int(n.layer)), 5)+" /"+safetext.Line(l.vt.path(l.files[r])), l.width)
		b.WriteByte('\n')
		if r == l.cursor {
			b.WriteString(l.st.Selected.Render(line))
		} else {
			b.WriteString(line)
		}
	}
	return b.String()
}

// SetSize implements component.
func (l *largest) SetSize(width, h int) {
	l.width = width
	l.resize(len(l.files), max(1, h-1)) // one line for the column header
}

// ShortHelp implements help.KeyMap.
func (l *largest) ShortHelp() []key.Binding {
	return []key.Binding{l.keys.Up, l.keys.Down, l.keys.Apply, l.keys.Clear}
}

// FullHelp implements help.KeyMap.
func (l *largest) FullHelp() [][]key.Binding {
	k := l.keys
	return [][]key.Binding{{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown}, {k.Apply, k.Clear, k.Largest}}
}

// Click implements pane: a click puts the cursor on a file. Row 0 is the
// column header.
func (l *largest) Click(row int) tea.Cmd {
	if r, ok := l.rowAt(row, 1); ok {
		l.set(r)
	}
	return nil
}

// Wheel implements pane: a notch scrolls the cursor a few rows.
func (l *largest) Wheel(notch int) tea.Cmd {
	l.move(notch * wheelStep)
	return nil
}
