package ui

import (
	"fmt"
	"regexp"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/internal/safetext"
)

// statusMsg is a one-line note for the status bar (for example "copied").
type statusMsg struct{ Text string }

func statusCmd(format string, args ...any) tea.Cmd {
	text := fmt.Sprintf(format, args...)
	return func() tea.Msg { return statusMsg{Text: text} }
}

// saveAsMsg asks the root where to save a file before extracting it.
type saveAsMsg struct{ File extractMsg }

// treeKey identifies one cached view tree.
type treeKey struct {
	layer int
	mode  viewMode
}

// fileTree is the pane showing the files of the selected layer. The view
// trees are immutable and cached per (layer, mode); folding is kept by
// NodeID so that it survives switching layers.
type fileTree struct {
	res  *analyze.Result
	keys keyMap
	st   *Styles

	layer int
	mode  viewMode
	cache map[treeKey]*viewTree
	vt    *viewTree
	// While the view of (layer, mode) is built in a command, vt is an
	// empty placeholder, building is set and keep holds the path to put
	// the cursor back on.
	building bool
	keep     string
	pending  map[treeKey]bool
	// lowers holds the lower set of every layer a stacked view was built
	// for, so the next one starts from the nearest layer below.
	lowers map[int]*lowerSet

	collapsed map[analyze.NodeID]bool
	hidden    [numChanges]bool
	filter    string
	re        *regexp.Regexp
	// pkg, when not -1, shows only the files of Result.Packages[pkg]
	// (named pkgName on the status line).
	pkg     int
	pkgName string
	bySize  bool
	attrs   bool
	secrets map[analyze.NodeID]int // see secretLayers

	// Derived by refresh: the rows on screen, and per vnode the size of what
	// it shows (-1 when hidden) and whether it is its parent's last shown child.
	rows  []int32
	shown []int64
	last  []bool
	buf   []byte // path scratch for filtering

	list
	width   int
	focused bool
}

func newFileTree(res *analyze.Result, keys keyMap, st *Styles) *fileTree {
	f, _ := newFileTreeAt(res, keys, st, 0, modeLayer, true)
	return f
}

// newFileTreeAt is a file tree showing layer in mode: built at once with
// now, else as show builds it (a large view in the returned command).
func newFileTreeAt(res *analyze.Result, keys keyMap, st *Styles, layer int, mode viewMode, now bool) (*fileTree, tea.Cmd) {
	f := &fileTree{res: res, keys: keys, st: st, layer: layer, mode: mode, cache: map[treeKey]*viewTree{},
		pending: map[treeKey]bool{}, lowers: map[int]*lowerSet{}, collapsed: map[analyze.NodeID]bool{}, secrets: secretLayers(res), pkg: -1}
	return f, f.show(now)
}

// viewTreeBuiltMsg delivers a view tree built in the background.
type viewTreeBuiltMsg struct {
	key   treeKey
	vt    *viewTree
	lower *lowerSet
}

// syncBuildEntries is how many entries a view may read before it is built
// in a command rather than during the key press: a frame has 16 ms, and a
// build reads over ten million entries a second (BenchmarkFirstStackedBuild:
// 175,000 rows in 14 ms), so this keeps a blocking build under 5 ms.
const syncBuildEntries = 50_000

// SetLayer shows layer i (or nothing for -1), keeping the cursor on the
// same path when the new view has it. A large view is built in the
// returned command.
func (f *fileTree) SetLayer(i int) tea.Cmd {
	if i == f.layer && f.vt != nil {
		return nil
	}
	f.layer = i
	return f.show(false)
}

// SetMode switches between the layer's own changes and the stacked view.
func (f *fileTree) SetMode(m viewMode) tea.Cmd {
	if m == f.mode && f.vt != nil {
		return nil
	}
	f.mode = m
	return f.show(false)
}

// showNow shows layer i, building its view at once if need be: for a jump
// to a path, which needs the tree to find it.
func (f *fileTree) showNow(i int) {
	f.layer = i
	f.show(true)
}

// show puts the view of the current layer and mode on screen: from the
// cache, built at once when small (or now is set), or else built by the
// returned command while a placeholder shows.
func (f *fileTree) show(now bool) tea.Cmd {
	k := treeKey{f.layer, f.mode}
	keep := f.cursorPath()
	if f.building {
		keep = f.keep
	}
	vt, cmd := f.cache[k], tea.Cmd(nil)
	switch {
	case vt != nil:
	case now || f.cost(k) <= syncBuildEntries:
		lower := f.lowerFor(k)
		vt = buildViewTree(f.res, k.layer, k.mode, lower)
		f.cache[k] = vt
	default:
		if !f.pending[k] {
			f.pending[k] = true
			cmd = buildViewCmd(f.res, k, f.lowerBase(k.layer))
		}
	}
	f.building = vt == nil
	if f.building {
		f.keep = keep
		vt = &viewTree{tree: f.res.Tree, nodes: []vnode{{id: analyze.Root, parent: -1, dir: true}}}
	}
	f.vt = vt
	f.refresh()
	if keep != "" && !f.building {
		f.selectPath(keep, false)
	}
	return cmd
}

// cost is how many entries building the view of k reads, at most.
func (f *fileTree) cost(k treeKey) int {
	if k.layer < 0 || k.layer >= len(f.res.Layers) {
		return 0
	}
	n := len(f.res.Layers[k.layer].Entries)
	if k.mode == modeStacked {
		n += lowerReads(f.res, f.lowerBase(k.layer), k.layer)
	}
	return n
}

// lowerBase is the kept lower set nearest below layer, or nil.
func (f *fileTree) lowerBase(layer int) *lowerSet {
	var best *lowerSet
	for l, s := range f.lowers {
		if l <= layer && (best == nil || l > best.layer) {
			best = s
		}
	}
	return best
}

// lowerFor returns, and keeps, the lower set a stacked view of k needs.
func (f *fileTree) lowerFor(k treeKey) *lowerSet {
	if k.mode != modeStacked || k.layer < 0 || k.layer >= len(f.res.Layers) {
		return nil
	}
	s := f.lowers[k.layer]
	if s == nil {
		s = lowerAt(f.res, f.lowerBase(k.layer), k.layer)
		f.lowers[k.layer] = s
	}
	return s
}

// buildViewCmd builds the view of k away from the event loop. It reads
// the result and base, which nothing changes once loaded.
func buildViewCmd(res *analyze.Result, k treeKey, base *lowerSet) tea.Cmd {
	return func() tea.Msg {
		var lower *lowerSet
		if k.mode == modeStacked {
			lower = lowerAt(res, base, k.layer)
		}
		return viewTreeBuiltMsg{key: k, vt: buildViewTree(res, k.layer, k.mode, lower), lower: lower}
	}
}

// built takes a view built in the background and shows it if it is still
// the one wanted.
func (f *fileTree) built(msg viewTreeBuiltMsg) {
	delete(f.pending, msg.key)
	f.cache[msg.key] = msg.vt
	if msg.lower != nil && f.lowers[msg.lower.layer] == nil {
		f.lowers[msg.lower.layer] = msg.lower
	}
	if f.building && msg.key == (treeKey{f.layer, f.mode}) {
		f.show(false)
	}
}

// SetFilter filters rows by path: a substring, or a regular expression when
// q starts with "re:". An invalid expression is returned and filters
// nothing.
func (f *fileTree) SetFilter(q string) error {
	f.filter, f.re = q, nil
	var err error
	if expr, ok := strings.CutPrefix(q, "re:"); ok {
		f.re, err = regexp.Compile(expr)
		if err != nil {
			f.filter = ""
		}
	}
	f.refresh()
	return err
}

// cursorPath is the path under the cursor, or "".
func (f *fileTree) cursorPath() string {
	if f.vt == nil || len(f.rows) == 0 {
		return ""
	}
	return f.vt.path(f.rows[f.cursor])
}

// cursorNode is the vnode under the cursor, or -1.
func (f *fileTree) cursorNode() int32 {
	if len(f.rows) == 0 {
		return -1
	}
	return f.rows[f.cursor]
}

// selectPath moves the cursor to p. With reveal, folded ancestors are
// opened and a filter or hidden kind that hides p is cleared first.
func (f *fileTree) selectPath(p string, reveal bool) bool {
	i, ok := f.vt.find(p)
	if !ok || i == 0 {
		return false
	}
	if reveal {
		if f.shown[i] < 0 {
			f.filter, f.re, f.hidden = "", nil, [numChanges]bool{}
			f.pkg, f.pkgName = -1, ""
		}
		for a := f.vt.nodes[i].parent; a > 0; a = f.vt.nodes[a].parent {
			delete(f.collapsed, f.vt.nodes[a].id)
		}
		f.refresh()
	}
	for r, n := range f.rows {
		if n == i {
			f.set(r)
			return true
		}
	}
	return false
}

// Update implements component.
func (f *fileTree) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	if f.navigate(f.keys, k) {
		return nil
	}
	cur := f.cursorNode()
	switch {
	case keyMatches(k, f.keys.Toggle):
		if cur < 0 {
			break
		}
		n := f.vt.nodes[cur]
		switch {
		case n.dir:
			f.fold(cur, !f.collapsed[n.id])
		case k.Code != tea.KeyEnter:
		case n.hasEntry && n.change != changeRemoved && n.entry.Kind == analyze.KindSymlink:
			return f.follow(cur, true)
		case n.hasEntry && n.change != changeRemoved && n.entry.Kind == analyze.KindFile:
			return msgCmd(fileOpenMsg{Layer: int(n.layer), Path: f.vt.path(cur)})
		case n.hasEntry && n.change == changeRemoved && n.entry.Kind != analyze.KindDir:
			// A removed file opens at what was there before the removal.
			p := f.vt.path(cur)
			if l, i, ok := f.res.EntryAt(int(n.layer)-1, p); ok {
				if e := f.res.Layers[l].Entries[i]; e.Kind == analyze.KindFile || e.Kind == analyze.KindHardlink {
					return msgCmd(fileOpenMsg{Layer: l, Path: p, Note: "removed by layer " + itoa(int(n.layer)) + ", last stored"})
				}
			}
			return statusCmd("only regular files can be viewed")
		default:
			return statusCmd("only regular files can be viewed")
		}
	case keyMatches(k, f.keys.Follow):
		if cur >= 0 {
			return f.follow(cur, false)
		}
	case keyMatches(k, f.keys.Left):
		if cur < 0 {
			break
		}
		n := f.vt.nodes[cur]
		if n.dir && len(n.children) > 0 && !f.collapsed[n.id] {
			f.fold(cur, true)
		} else if n.parent > 0 {
			f.selectPath(f.vt.path(n.parent), false)
		}
	case keyMatches(k, f.keys.Right):
		if cur >= 0 && f.vt.nodes[cur].dir {
			f.fold(cur, false)
		}
	case keyMatches(k, f.keys.Extract, f.keys.ExtractTo):
		if cur >= 0 {
			n := f.vt.nodes[cur]
			var x extractMsg
			switch {
			case n.dir && n.change != changeRemoved:
				x = f.dirExtract(cur)
				if len(x.Files) == 0 {
					return statusCmd("no regular files under /%s/ in this view", x.Path)
				}
			case !n.hasEntry || n.change == changeRemoved || n.entry.Kind != analyze.KindFile:
				return statusCmd("only regular files and directories can be extracted")
			default:
				x = extractMsg{Layer: int(n.layer), Path: f.vt.path(cur)}
			}
			if keyMatches(k, f.keys.ExtractTo) {
				return msgCmd(saveAsMsg{File: x})
			}
			return msgCmd(x)
		}
	case keyMatches(k, f.keys.Copy):
		if p := f.cursorPath(); p != "" {
			return tea.Batch(tea.SetClipboard("/"+p), statusCmd("copied /%s", p))
		}
	default:
		return f.option(k)
	}
	return nil
}

// option handles the keys that change what the tree shows. The root sends
// them here whichever pane has focus.
func (f *fileTree) option(k tea.KeyPressMsg) tea.Cmd {
	show := []key.Binding{f.keys.ShowAdded, f.keys.ShowModified, f.keys.ShowRemoved, f.keys.ShowUnchanged}
	for c, b := range show {
		if keyMatches(k, b) {
			f.hidden[c] = !f.hidden[c]
			f.refresh()
			return nil
		}
	}
	switch {
	case keyMatches(k, f.keys.CollapseAll):
		for i, n := range f.vt.nodes {
			if i > 0 && n.dir && len(n.children) > 0 {
				f.collapsed[n.id] = true
			}
		}
		f.refresh()
	case keyMatches(k, f.keys.ExpandAll):
		clear(f.collapsed)
		keep := f.cursorPath()
		f.refresh()
		f.selectPath(keep, false)
	case keyMatches(k, f.keys.ToggleView):
		return f.SetMode(1 - f.mode)
	case keyMatches(k, f.keys.Stacked):
		return f.SetMode(modeStacked)
	case keyMatches(k, f.keys.LayerOnly):
		return f.SetMode(modeLayer)
	case keyMatches(k, f.keys.Sort):
		f.bySize = !f.bySize
		keep := f.cursorPath()
		f.refresh()
		f.selectPath(keep, false)
	case keyMatches(k, f.keys.Attrs):
		f.attrs = !f.attrs
	}
	return nil
}

// isOption reports whether k is one of the keys option handles.
func (f *fileTree) isOption(k tea.KeyPressMsg) bool {
	return keyMatches(k, f.keys.ShowAdded, f.keys.ShowModified, f.keys.ShowRemoved, f.keys.ShowUnchanged,
		f.keys.CollapseAll, f.keys.ExpandAll, f.keys.ToggleView, f.keys.Stacked, f.keys.LayerOnly,
		f.keys.Sort, f.keys.Attrs)
}

// fold collapses or expands the directory at vnode i.
func (f *fileTree) fold(i int32, collapse bool) {
	id := f.vt.nodes[i].id
	if collapse == f.collapsed[id] {
		return
	}
	if collapse {
		f.collapsed[id] = true
	} else {
		delete(f.collapsed, id)
	}
	f.refresh()
	f.selectPath(f.vt.path(i), false)
}

// SetSize implements component.
func (f *fileTree) SetSize(w, h int) {
	f.width = w
	f.resize(len(f.rows), max(1, h-1)) // one line for the column header
}

// ShortHelp implements help.KeyMap.
func (f *fileTree) ShortHelp() []key.Binding {
	return []key.Binding{f.keys.Toggle, f.keys.ShowAdded, f.keys.ShowUnchanged, f.keys.Attrs, f.keys.Sort}
}

// FullHelp implements help.KeyMap.
func (f *fileTree) FullHelp() [][]key.Binding {
	k := f.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.Left, k.Right, k.Top, k.Bottom, k.PageUp, k.PageDown, k.HalfUp, k.HalfDown},
		{k.Toggle, k.Follow, k.CollapseAll, k.ExpandAll, k.Filter, k.Clear, k.Copy, k.Extract, k.ExtractTo},
		{k.ShowAdded, k.ShowModified, k.ShowRemoved, k.ShowUnchanged, k.ToggleView, k.Stacked, k.LayerOnly, k.Split, k.Sort, k.Attrs},
	}
}

// Click implements pane: a click puts the cursor on a row. Row 0 is the
// column header.
func (f *fileTree) Click(row int) tea.Cmd {
	if r, ok := f.rowAt(row, 1); ok {
		f.set(r)
	}
	return nil
}

// Wheel implements pane: a notch scrolls the cursor a few rows.
func (f *fileTree) Wheel(notch int) tea.Cmd {
	f.move(notch * wheelStep)
	return nil
}

// Title names the layer and the view shown.
func (f *fileTree) Title() string {
	if f.layer < 0 {
		return "Files"
	}
	return "Files: layer " + itoa(f.layer) + " (" + f.mode.String() + ")"
}

// Status is the tree's part of the status line: the view mode, the sort,
// the kinds of change shown (a dot for a hidden kind) and the filter.
func (f *fileTree) Status() string {
	sort := "name"
	if f.bySize {
		sort = "size"
	}
	var kinds strings.Builder
	for c := range numChanges {
		switch {
		case f.hidden[c]:
			kinds.WriteString("·")
		case c == changeUnchanged:
			kinds.WriteString("=")
		default:
			kinds.WriteString(c.symbol())
		}
	}
	parts := []string{"view: " + f.mode.String(), "sort: " + sort, "show: " + kinds.String()}
	if f.filter != "" {
		parts = append(parts, "filter: "+f.filter)
	}
	if f.pkg >= 0 {
		parts = append(parts, "files of "+safetext.Line(f.pkgName))
	}
	return strings.Join(parts, " │ ")
}
