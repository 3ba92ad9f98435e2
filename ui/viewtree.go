package ui

import (
	"cmp"
	"slices"
	"strings"

	"github.com/strata-cli/strata/analyze"
)

// change is how a row of the file tree relates to the selected layer. It
// extends analyze.Change with "unchanged" for entries from lower layers.
type change uint8

const (
	changeAdded change = iota
	changeModified
	changeRemoved
	changeUnchanged
	numChanges
)

// symbol marks a change so that the tree reads without colour.
func (c change) symbol() string {
	return [...]string{"+", "~", "-", " "}[c]
}

// String names the change for the status line.
func (c change) String() string {
	return [...]string{"added", "modified", "removed", "unchanged"}[c]
}

// viewMode chooses what the file tree shows for the selected layer.
type viewMode uint8

const (
	modeLayer   viewMode = iota // only what the layer itself changed
	modeStacked                 // the filesystem stacked up to the layer
)

// String names the mode for the status line.
func (m viewMode) String() string {
	if m == modeStacked {
		return "stacked"
	}
	return "layer"
}

// vnode is one path of a viewTree. A directory that no entry of the view
// describes (an implicit parent) has hasEntry false.
type vnode struct {
	id       analyze.NodeID
	parent   int32 // -1 for the root
	children []int32
	entry    analyze.Entry
	hasEntry bool
	change   change
	dir      bool
	// size is the entry's own size (for a removed path, the bytes it hid
	// in the layers below), or for a directory the sum of the children
	// that add up into it (see addsUp).
	size  int64
	layer int32 // the layer entry comes from
}

// viewTree is an immutable, displayable tree of one layer in one mode. It is
// built once per (layer, mode) and cached by the file tree pane; the pane
// keeps its cursor and folding state separately.
type viewTree struct {
	tree  *analyze.Tree
	mode  viewMode
	nodes []vnode // nodes[0] is the root
	// bySize holds, lazily, each node's children sorted by size.
	bySize [][]int32
}

// entryRef names one entry of the result compactly.
type entryRef struct{ layer, index int32 }

// lowerSet is what the stacked view of a layer shows from below it: the
// entries of the layers under it that are still visible there, in layer
// order. It is never changed once made, so that a build running in a
// command can start from one that the pane keeps.
type lowerSet struct {
	layer int
	refs  []entryRef
}

// lowerAt returns the lower set of layer. From base, the set of a layer at
// or below it, only base's entries and the layers between are read: moving
// up the history does not walk every layer again.
func lowerAt(res *analyze.Result, base *lowerSet, layer int) *lowerSet {
	from, src := 0, []entryRef(nil)
	if base != nil && base.layer <= layer {
		from, src = base.layer, base.refs
	}
	out := make([]entryRef, 0, lowerReads(res, base, layer))
	for _, r := range src {
		if res.Layers[r.layer].Entries[r.index].VisibleAt(layer) {
			out = append(out, r)
		}
	}
	for l := from; l < layer; l++ {
		for i, e := range res.Layers[l].Entries {
			if e.VisibleAt(layer) {
				out = append(out, entryRef{int32(l), int32(i)})
			}
		}
	}
	return &lowerSet{layer: layer, refs: out}
}

// lowerReads is how many entries lowerAt reads for layer from base: at
// most, how many the lower set holds.
func lowerReads(res *analyze.Result, base *lowerSet, layer int) int {
	from, n := 0, 0
	if base != nil && base.layer <= layer {
		from, n = base.layer, len(base.refs)
	}
	for l := from; l < layer; l++ {
		n += len(res.Layers[l].Entries)
	}
	return n
}

// buildViewTree collects the entries of the view and links them under
// their parents. Children are sorted by name. A stacked view starts from
// lower, the lower set of layer (computed when nil).
func buildViewTree(res *analyze.Result, layer int, mode viewMode, lower *lowerSet) *viewTree {
	vt := &viewTree{tree: res.Tree, mode: mode, nodes: []vnode{{id: analyze.Root, parent: -1, dir: true, change: changeUnchanged}}}
	if layer < 0 || layer >= len(res.Layers) {
		return vt
	}
	if mode == modeStacked && (lower == nil || lower.layer != layer) {
		lower = lowerAt(res, nil, layer)
	}
	own := res.Layers[layer].Entries
	size := len(own) + 1
	if mode == modeStacked {
		size += len(lower.refs)
	}
	vt.nodes = slices.Grow(vt.nodes, size)
	// index maps a NodeID to its vnode plus one (0: not in the view yet); a
	// slice over every interned path is far cheaper than a map here.
	index := make([]int32, res.Tree.Len())
	index[analyze.Root] = 1
	put := func(l int, e analyze.Entry, c change) {
		i := index[e.Node] - 1
		if i < 0 {
			i = vt.attach(index, e.Node)
		}
		n := &vt.nodes[i]
		// A path both hidden and written again in one layer shows what the
		// layer left there, not the removal.
		if n.hasEntry && c == changeRemoved {
			return
		}
		n.entry, n.hasEntry, n.change, n.dir, n.layer = e, true, c, e.Kind == analyze.KindDir, int32(l)
	}
	if mode == modeStacked {
		for _, r := range lower.refs {
			put(int(r.layer), res.Layers[r.layer].Entries[r.index], changeUnchanged)
		}
	}
	for _, e := range own {
		put(layer, e, change(e.Change))
	}
	vt.link()
	vt.finish()
	return vt
}

// attach creates the vnode of id, and of any missing ancestor, and returns
// the new node's index (the last one appended). Children are linked
// afterwards, by link.
func (vt *viewTree) attach(index []int32, id analyze.NodeID) int32 {
	parent := vt.tree.Parent(id)
	pi := index[parent] - 1
	if pi < 0 {
		pi = vt.attach(index, parent)
		vt.nodes[pi].dir = true
		vt.nodes[pi].change = changeUnchanged
	}
	i := int32(len(vt.nodes))
	vt.nodes = append(vt.nodes, vnode{id: id, parent: pi})
	index[id] = i + 1
	return i
}

// link fills every node's children from the parents, all in one backing
// array rather than one small slice per directory.
func (vt *viewTree) link() {
	count := make([]int32, len(vt.nodes)+1)
	for i := 1; i < len(vt.nodes); i++ {
		count[vt.nodes[i].parent+1]++
	}
	for i := 1; i < len(count); i++ {
		count[i] += count[i-1]
	}
	// count[p] is now where p's children start.
	kids := make([]int32, len(vt.nodes)-1)
	next := slices.Clone(count[:len(vt.nodes)])
	for i := 1; i < len(vt.nodes); i++ {
		p := vt.nodes[i].parent
		kids[next[p]] = int32(i)
		next[p]++
	}
	for p := range vt.nodes {
		lo, hi := count[p], count[p+1]
		if hi > lo {
			vt.nodes[p].children = kids[lo:hi:hi]
		}
	}
}

// finish fixes sizes bottom-up and sorts children by name.
func (vt *viewTree) finish() {
	// Children are always appended after their parent, so a reverse pass
	// sees every child before its parent.
	for i := len(vt.nodes) - 1; i >= 0; i-- {
		n := &vt.nodes[i]
		if !n.dir {
			n.size = n.entry.Size
		}
		if n.parent >= 0 && vt.addsUp(n.parent, int32(i)) {
			vt.nodes[n.parent].size += n.size
		}
		if len(n.children) > 1 {
			slices.SortFunc(n.children, func(a, b int32) int {
				return strings.Compare(vt.name(a), vt.name(b))
			})
		}
	}
}

// addsUp reports whether child's size counts in its parent's. A removed
// path shows the bytes it hid. In a layer's own view every row is a change,
// so a directory sums all it shows, removals included: a cleanup layer's
// directories then say how much each one deleted. In the stacked view a
// directory is the filesystem at that layer, which removed bytes are no
// longer part of, so they add up only into a removed directory.
func (vt *viewTree) addsUp(parent, child int32) bool {
	return vt.mode == modeLayer || vt.nodes[child].change != changeRemoved || vt.nodes[parent].change == changeRemoved
}

// name is the last path component of node i.
func (vt *viewTree) name(i int32) string { return vt.tree.Name(vt.nodes[i].id) }

// path is the full path of node i, without a leading slash.
func (vt *viewTree) path(i int32) string { return vt.tree.Path(vt.nodes[i].id) }

// children returns node i's children in the requested order.
func (vt *viewTree) children(i int32, bySize bool) []int32 {
	kids := vt.nodes[i].children
	if !bySize || len(kids) < 2 {
		return kids
	}
	if vt.bySize == nil {
		vt.bySize = make([][]int32, len(vt.nodes))
	}
	if vt.bySize[i] == nil {
		s := slices.Clone(kids)
		slices.SortStableFunc(s, func(a, b int32) int {
			return cmp.Compare(vt.nodes[b].size, vt.nodes[a].size)
		})
		vt.bySize[i] = s
	}
	return vt.bySize[i]
}

// find returns the node whose path is p, walking down by name.
func (vt *viewTree) find(p string) (int32, bool) {
	cur := int32(0)
	for p != "" {
		var comp string
		comp, p, _ = strings.Cut(p, "/")
		kids := vt.nodes[cur].children
		j, ok := slices.BinarySearchFunc(kids, comp, func(c int32, name string) int {
			return strings.Compare(vt.name(c), name)
		})
		if !ok {
			return 0, false
		}
		cur = kids[j]
	}
	return cur, true
}
