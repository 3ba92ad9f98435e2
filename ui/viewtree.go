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
	size     int64 // own size, or the sum of the subtree for a directory
	layer    int32 // the layer entry comes from
}

// viewTree is an immutable, displayable tree of one layer in one mode. It is
// built once per (layer, mode) and cached by the file tree pane; the pane
// keeps its cursor and folding state separately.
type viewTree struct {
	tree  *analyze.Tree
	nodes []vnode // nodes[0] is the root
	// bySize holds, lazily, each node's children sorted by size.
	bySize [][]int32
}

// buildViewTree collects the entries of the view and links them under
// their parents. Children are sorted by name.
func buildViewTree(res *analyze.Result, layer int, mode viewMode) *viewTree {
	vt := &viewTree{tree: res.Tree, nodes: []vnode{{id: analyze.Root, parent: -1, dir: true, change: changeUnchanged}}}
	if layer < 0 || layer >= len(res.Layers) {
		return vt
	}
	index := map[analyze.NodeID]int32{analyze.Root: 0}
	put := func(l int, e analyze.Entry, c change) {
		i, ok := index[e.Node]
		if !ok {
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
		for l := 0; l < layer; l++ {
			for _, e := range res.Layers[l].Entries {
				if e.VisibleAt(layer) {
					put(l, e, changeUnchanged)
				}
			}
		}
	}
	for _, e := range res.Layers[layer].Entries {
		put(layer, e, change(e.Change))
	}
	vt.finish()
	return vt
}

// attach creates the vnode of id, and of any missing ancestor, and returns
// the new node's index (the last one appended).
func (vt *viewTree) attach(index map[analyze.NodeID]int32, id analyze.NodeID) int32 {
	parent := vt.tree.Parent(id)
	pi, ok := index[parent]
	if !ok {
		pi = vt.attach(index, parent)
		vt.nodes[pi].dir = true
		vt.nodes[pi].change = changeUnchanged
	}
	i := int32(len(vt.nodes))
	vt.nodes = append(vt.nodes, vnode{id: id, parent: pi})
	vt.nodes[pi].children = append(vt.nodes[pi].children, i)
	index[id] = i
	return i
}

// finish fixes sizes bottom-up and sorts children by name.
func (vt *viewTree) finish() {
	// Children are always appended after their parent, so a reverse pass
	// sees every child before its parent.
	for i := len(vt.nodes) - 1; i >= 0; i-- {
		n := &vt.nodes[i]
		if !n.dir {
			if n.change != changeRemoved {
				n.size = n.entry.Size
			}
		}
		if n.parent >= 0 {
			vt.nodes[n.parent].size += n.size
		}
		if len(n.children) > 1 {
			slices.SortFunc(n.children, func(a, b int32) int {
				return strings.Compare(vt.name(a), vt.name(b))
			})
		}
	}
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
