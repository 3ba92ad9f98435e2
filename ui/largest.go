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
	files []int32  // vnodes of vt, biggest first; nil while sorting
	// sorted keeps each view's list once made; a view is immutable, so
	// its list never goes stale.
	sorted  map[*viewTree][]int32
	pending map[*viewTree]bool
	keys    keyMap
	st      *Styles
	list
	width int
}

func newLargest(keys keyMap, st *Styles) *largest {
	return &largest{keys: keys, st: st, sorted: map[*viewTree][]int32{}, pending: map[*viewTree]bool{}}
}

// largestSortedMsg delivers the list of a view sorted in the background.
type largestSortedMsg struct {
	vt    *viewTree
	files []int32
}

// Load shows the files of vt, the view of layer in mode. A large view is
// sorted by the returned command (BenchmarkLargestFirstSort: tens of
// milliseconds for 175,000 files, several frames), a small one at once.
func (l *largest) Load(vt *viewTree, layer int, mode viewMode) tea.Cmd {
	l.vt, l.layer, l.mode = vt, layer, mode
	l.cursor, l.offset = 0, 0
	files, ok := l.sorted[vt]
	var cmd tea.Cmd
	switch {
	case ok:
	case len(vt.nodes) <= syncBuildEntries:
		files = sortedFiles(vt)
		l.sorted[vt] = files
	case !l.pending[vt]:
		l.pending[vt] = true
		cmd = func() tea.Msg { return largestSortedMsg{vt: vt, files: sortedFiles(vt)} }
	}
	l.files = files
	l.resize(len(l.files), l.height)
	return cmd
}

// sortedDone keeps a list sorted in the background and shows it if its
// view is still the one listed.
func (l *largest) sortedDone(msg largestSortedMsg) {
	delete(l.pending, msg.vt)
	l.sorted[msg.vt] = msg.files
	if msg.vt == l.vt {
		l.files = msg.files
		l.resize(len(l.files), l.height)
	}
}

// sortedFiles returns the regular files of vt, biggest first and in tree
// order (by name) within a size. Removed paths are left out: they are no
// file of the view (their bytes show in the tree). The sort runs over
// compact (size, order) pairs: through the vnodes, or by full paths, it
// takes several times longer.
func sortedFiles(vt *viewTree) []int32 {
	type item struct {
		size int64
		node int32
		rank int32 // position in tree order: the tie-break
	}
	items := make([]item, 0, len(vt.nodes))
	stack := make([]int32, 1, 64)
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n := &vt.nodes[i]
		if n.hasEntry && !n.dir && n.change != changeRemoved && n.entry.Size > 0 {
			items = append(items, item{size: n.size, node: i, rank: int32(len(items))})
		}
		for k := len(n.children) - 1; k >= 0; k-- { // the first child on top
			stack = append(stack, n.children[k])
		}
	}
	slices.SortFunc(items, func(a, b item) int {
		if a.size != b.size {
			return cmp.Compare(b.size, a.size)
		}
		return cmp.Compare(a.rank, b.rank)
	})
	files := make([]int32, len(items))
	for i, it := range items {
		files[i] = it.node
	}
	return files
}

// Title names what the list covers.
func (l *largest) Title() string {
	return "Largest files: layer " + itoa(l.layer) + " (" + l.mode.String() + "; enter: jump to file, esc/q: close)"
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
	switch {
	case l.files == nil && l.pending[l.vt]:
		b.WriteString("\n" + l.st.Dim.Render(padRight("  sorting the files of layer "+itoa(l.layer)+"…", l.width)))
	case len(l.files) == 0:
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
	return []key.Binding{l.keys.Up, l.keys.Down, l.keys.Apply, closeBinding(l.keys)}
}

// FullHelp implements help.KeyMap.
func (l *largest) FullHelp() [][]key.Binding {
	k := l.keys
	return [][]key.Binding{{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown}, {k.Apply, closeBinding(k), k.Largest}}
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
