package ui

import (
	"cmp"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/strata-cli/strata/compare"
	"github.com/strata-cli/strata/internal/safetext"
)

// dnode is one path of the final-filesystem diff. Leaves are the differing
// files; directories exist only to hold them and carry their sums.
type dnode struct {
	name     string
	parent   int32 // -1 for the root
	children []int32
	dir      bool
	kind     change // a leaf's change; a directory's when all below agree, else modified
	// oldSize and newSize sum the differing files under a directory.
	oldSize, newSize        int64
	added, removed, changed int
	reasons                 []string // a leaf's reasons, as compare reports them
}

func (n *dnode) delta() int64 { return n.newSize - n.oldSize }

// diffTree is the pane showing how the two final filesystems differ, as a
// tree of the differing paths with sizes summed up into directories.
type diffTree struct {
	keys  keyMap
	st    *Styles
	nodes []dnode // nodes[0] is the root

	collapsed map[int32]bool
	filter    string
	bySize    bool

	rows  []int32
	shown []bool
	last  []bool

	list
	width   int
	focused bool
}

// changeOf maps a compare.FileChange to the tree's change kinds.
func changeOf(c compare.FileChange) change {
	switch c.Reasons[0] {
	case "added":
		return changeAdded
	case "removed":
		return changeRemoved
	}
	return changeModified
}

func newDiffTree(fd compare.FileDiff, keys keyMap, st *Styles) *diffTree {
	t := &diffTree{keys: keys, st: st, nodes: []dnode{{parent: -1, dir: true}}, collapsed: map[int32]bool{}}
	index := map[string]int32{"": 0}
	var child func(parent string, p int32, name string) int32
	child = func(dirPath string, p int32, name string) int32 {
		full := name
		if dirPath != "" {
			full = dirPath + "/" + name
		}
		if i, ok := index[full]; ok {
			return i
		}
		i := int32(len(t.nodes))
		t.nodes = append(t.nodes, dnode{name: name, parent: p})
		t.nodes[p].children = append(t.nodes[p].children, i)
		index[full] = i
		return i
	}
	for _, c := range fd.Paths {
		if len(c.Reasons) == 0 {
			continue
		}
		parts := strings.Split(strings.Trim(c.Path, "/"), "/")
		p, dirPath := int32(0), ""
		for _, d := range parts[:len(parts)-1] {
			p = child(dirPath, p, d)
			t.nodes[p].dir = true
			if dirPath != "" {
				dirPath += "/"
			}
			dirPath += d
		}
		i := child(dirPath, p, parts[len(parts)-1])
		n := &t.nodes[i]
		n.kind, n.oldSize, n.newSize, n.reasons = changeOf(c), c.OldSize, c.NewSize, c.Reasons
		switch n.kind {
		case changeAdded:
			n.added = 1
		case changeRemoved:
			n.removed = 1
		default:
			n.changed = 1
		}
	}
	// Children come after their parents: a reverse pass sums bottom-up.
	for i := len(t.nodes) - 1; i > 0; i-- {
		n, p := &t.nodes[i], &t.nodes[t.nodes[i].parent]
		if n.dir {
			n.kind = changeModified
			switch {
			case n.removed == 0 && n.changed == 0:
				n.kind = changeAdded
			case n.added == 0 && n.changed == 0:
				n.kind = changeRemoved
			}
		}
		p.oldSize += n.oldSize
		p.newSize += n.newSize
		p.added += n.added
		p.removed += n.removed
		p.changed += n.changed
	}
	t.sortChildren()
	t.refresh()
	return t
}

// sortChildren orders every directory by name, or by the size of its
// change, largest first.
func (t *diffTree) sortChildren() {
	for i := range t.nodes {
		slices.SortStableFunc(t.nodes[i].children, func(a, b int32) int {
			if t.bySize {
				if c := cmp.Compare(absInt(t.nodes[b].delta()), absInt(t.nodes[a].delta())); c != 0 {
					return c
				}
			}
			return strings.Compare(t.nodes[a].name, t.nodes[b].name)
		})
	}
}

func absInt(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// path is node i's full path, without a leading slash.
func (t *diffTree) path(i int32) string {
	var parts []string
	for ; i > 0; i = t.nodes[i].parent {
		parts = append(parts, t.nodes[i].name)
	}
	slices.Reverse(parts)
	return strings.Join(parts, "/")
}

// SetFilter shows only the paths containing q (and their directories).
func (t *diffTree) SetFilter(q string) {
	keep := t.cursorNode()
	t.filter = q
	t.refresh()
	t.selectNode(keep)
}

// refresh recomputes which nodes show and the rows on screen.
func (t *diffTree) refresh() {
	n := len(t.nodes)
	t.shown, t.last = make([]bool, n), make([]bool, n)
	t.mark(0, "")
	t.rows = t.rows[:0]
	t.emit(0)
	t.resize(len(t.rows), t.height)
}

func (t *diffTree) mark(i int32, p string) bool {
	some := false
	for _, c := range t.nodes[i].children {
		cp := t.nodes[c].name
		if p != "" {
			cp = p + "/" + cp
		}
		if t.mark(c, cp) {
			some = true
		}
	}
	t.shown[i] = some || (i > 0 && strings.Contains(p, t.filter))
	return t.shown[i]
}

func (t *diffTree) emit(i int32) {
	lastShown := int32(-1)
	for _, c := range t.nodes[i].children {
		if t.shown[c] {
			lastShown = c
		}
	}
	for _, c := range t.nodes[i].children {
		if !t.shown[c] {
			continue
		}
		t.last[c] = c == lastShown
		t.rows = append(t.rows, c)
		if t.nodes[c].dir && !t.collapsed[c] {
			t.emit(c)
		}
	}
}

func (t *diffTree) cursorNode() int32 {
	if len(t.rows) == 0 {
		return -1
	}
	return t.rows[t.cursor]
}

// selectNode puts the cursor on node i when it is on screen.
func (t *diffTree) selectNode(i int32) bool {
	for r, n := range t.rows {
		if n == i {
			t.set(r)
			return true
		}
	}
	return false
}

// fold collapses or expands directory i, keeping the cursor on it.
func (t *diffTree) fold(i int32, collapse bool) {
	if collapse {
		t.collapsed[i] = true
	} else {
		delete(t.collapsed, i)
	}
	t.refresh()
	t.selectNode(i)
}

// Update implements component.
func (t *diffTree) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok || t.navigate(t.keys, k) {
		return nil
	}
	cur := t.cursorNode()
	switch {
	case keyMatches(k, t.keys.Toggle):
		if cur >= 0 && t.nodes[cur].dir {
			t.fold(cur, !t.collapsed[cur])
		}
	case keyMatches(k, t.keys.Left):
		if cur < 0 {
			break
		}
		if n := t.nodes[cur]; n.dir && !t.collapsed[cur] {
			t.fold(cur, true)
		} else if n.parent > 0 {
			t.selectNode(n.parent)
		}
	case keyMatches(k, t.keys.Right):
		if cur >= 0 && t.nodes[cur].dir {
			t.fold(cur, false)
		}
	case keyMatches(k, t.keys.CollapseAll):
		for i := range t.nodes {
			if i > 0 && t.nodes[i].dir {
				t.collapsed[int32(i)] = true
			}
		}
		t.refresh()
	case keyMatches(k, t.keys.ExpandAll):
		clear(t.collapsed)
		t.refresh()
		t.selectNode(cur)
	case keyMatches(k, t.keys.Sort):
		t.bySize = !t.bySize
		t.sortChildren()
		t.refresh()
		t.selectNode(cur)
	}
	return nil
}

// View implements component.
func (t *diffTree) View() string {
	var b strings.Builder
	b.WriteString(t.st.Label.Render(padRight("  "+padLeft("Delta", 9)+" Path", t.width)))
	if len(t.rows) == 0 {
		msg := "  (the final filesystems are the same)"
		if t.filter != "" {
			msg = "  (no differing path matches the filter)"
		}
		b.WriteString("\n" + t.st.Dim.Render(padRight(msg, t.width)))
	}
	end := min(len(t.rows), t.offset+t.height)
	var line strings.Builder
	for r := t.offset; r < end; r++ {
		i := t.rows[r]
		n := &t.nodes[i]
		line.Reset()
		line.WriteString(n.kind.symbol())
		line.WriteByte(' ')
		line.WriteString(padLeft(signedBytes(n.delta()), 9))
		line.WriteByte(' ')
		t.writePrefix(&line, i)
		line.WriteString(safetext.Line(n.name))
		if n.dir {
			line.WriteString("/  ")
			line.WriteString(countsText(n.added, n.removed, n.changed))
		} else if n.kind == changeModified {
			line.WriteString("  ")
			line.WriteString(compare.FileChange{Reasons: n.reasons, OldSize: n.oldSize, NewSize: n.newSize}.Describe(humanBytes, "→"))
		}
		text := padRight(line.String(), t.width)
		b.WriteByte('\n')
		switch {
		case r == t.cursor && t.focused:
			b.WriteString(t.st.Selected.Render(text))
		case r == t.cursor:
			b.WriteString(t.st.SelectedBlur.Render(text))
		case n.dir:
			b.WriteString(t.st.Dir.Render(text))
		default:
			b.WriteString(t.st.Change[n.kind].Render(text))
		}
	}
	return b.String()
}

// writePrefix draws the tree guides of node i; a folded directory gets ▸.
func (t *diffTree) writePrefix(b *strings.Builder, i int32) {
	var guides []bool
	for a := t.nodes[i].parent; a > 0; a = t.nodes[a].parent {
		guides = append(guides, t.last[a])
	}
	for d := len(guides) - 1; d >= 0; d-- {
		if guides[d] {
			b.WriteString("   ")
		} else {
			b.WriteString("│  ")
		}
	}
	if t.last[i] {
		b.WriteString("└─")
	} else {
		b.WriteString("├─")
	}
	if t.nodes[i].dir && t.collapsed[i] {
		b.WriteString("▸")
	} else {
		b.WriteString(" ")
	}
}

// countsText summarises a directory: "+2 -1 ~3", leaving out zeros.
func countsText(added, removed, changed int) string {
	var parts []string
	if added > 0 {
		parts = append(parts, "+"+itoa(added))
	}
	if removed > 0 {
		parts = append(parts, "-"+itoa(removed))
	}
	if changed > 0 {
		parts = append(parts, "~"+itoa(changed))
	}
	return strings.Join(parts, " ")
}

// SetSize implements component.
func (t *diffTree) SetSize(w, h int) {
	t.width = w
	t.resize(len(t.rows), max(1, h-1)) // one line for the column header
}

// ShortHelp implements help.KeyMap.
func (t *diffTree) ShortHelp() []key.Binding {
	return []key.Binding{t.keys.Up, t.keys.Down, t.keys.Toggle, t.keys.Sort}
}

// FullHelp implements help.KeyMap.
func (t *diffTree) FullHelp() [][]key.Binding {
	k := t.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.Left, k.Right, k.Top, k.Bottom, k.PageUp, k.PageDown},
		{k.Toggle, k.CollapseAll, k.ExpandAll, k.Sort, k.Filter, k.Clear},
	}
}

// Click implements pane: a click puts the cursor on a row. Row 0 is the
// column header.
func (t *diffTree) Click(row int) tea.Cmd {
	if r, ok := t.rowAt(row, 1); ok {
		t.set(r)
	}
	return nil
}

// Wheel implements pane: a notch scrolls the cursor a few rows.
func (t *diffTree) Wheel(notch int) tea.Cmd {
	t.move(notch * wheelStep)
	return nil
}
