package analyze

import (
	"iter"
	"strings"
	"sync"
)

// NodeID names one path in a Tree. Root is the filesystem root.
type NodeID uint32

// Root is the NodeID of "/", the parent of every top-level path.
const Root NodeID = 0

// noNode ends sibling chains and marks "no visible entry".
const noNode = ^uint32(0)

// EntryRef points at one entry: Result.Layers[Layer].Entries[Index].
type EntryRef struct {
	Layer int
	Index int
}

// node is one interned path. Children are a singly linked list so that a
// node costs a few words whatever its fan-out; sizes are kept in entries.
type node struct {
	parent      uint32
	name        uint32 // index into Tree.strs
	firstChild  uint32 // children are prepended: newest first
	nextSibling uint32
	// visLayer/visIndex locate the entry currently visible at this path
	// while layers are merged; after Analyze, in the final filesystem.
	visLayer int32
	visIndex uint32
	// hiddenAt is the last layer that hid a lower layer's entry here, so
	// that a write in that same layer still counts as a modification.
	hiddenAt int32
	// countedAt is the last layer whose counts include this path.
	countedAt int32
}

// Tree interns the paths of every layer of an image. Paths are stored once
// per component, so memory grows with the number of distinct paths, not with
// their length. A Tree is safe for concurrent reads once Analyze returns.
type Tree struct {
	mu    sync.Mutex // guards interning while layers are read concurrently
	nodes []node
	strs  []string // component names and link targets; strs[0] is ""
	ids   map[string]uint32
	// edges maps (parent, name) to the child, so that a directory with a
	// million entries is still found in constant time.
	edges map[uint64]uint32
}

func edgeKey(parent, name uint32) uint64 { return uint64(parent)<<32 | uint64(name) }

func newTree() *Tree {
	t := &Tree{strs: []string{""}, ids: map[string]uint32{"": 0}, edges: map[uint64]uint32{}}
	t.nodes = append(t.nodes, node{parent: noNode, firstChild: noNode, nextSibling: noNode, visLayer: -1, hiddenAt: -1, countedAt: -1})
	return t
}

// Len returns the number of distinct paths, the root included.
func (t *Tree) Len() int { return len(t.nodes) }

// Name returns the last component of the node's path ("" for Root).
func (t *Tree) Name(id NodeID) string { return t.strs[t.nodes[id].name] }

// Parent returns the node's parent; Root is its own parent.
func (t *Tree) Parent(id NodeID) NodeID {
	if id == Root {
		return Root
	}
	return NodeID(t.nodes[id].parent)
}

// Path returns the node's normalised path, without a leading slash.
func (t *Tree) Path(id NodeID) string {
	if id == Root {
		return ""
	}
	var parts []string
	for n := id; n != Root; n = NodeID(t.nodes[n].parent) {
		parts = append(parts, t.strs[t.nodes[n].name])
	}
	var b strings.Builder
	for i := len(parts) - 1; i >= 0; i-- {
		b.WriteString(parts[i])
		if i > 0 {
			b.WriteByte('/')
		}
	}
	return b.String()
}

// Depth returns the number of components in the node's path (0 for Root).
func (t *Tree) Depth(id NodeID) int {
	d := 0
	for n := id; n != Root; n = NodeID(t.nodes[n].parent) {
		d++
	}
	return d
}

// Children yields the node's children, most recently seen first; callers
// that show them sort them.
func (t *Tree) Children(id NodeID) iter.Seq[NodeID] {
	return func(yield func(NodeID) bool) {
		for c := t.nodes[id].firstChild; c != noNode; c = t.nodes[c].nextSibling {
			if !yield(NodeID(c)) {
				return
			}
		}
	}
}

// Lookup finds the node of a normalised path ("a/b/c"; "" is Root).
func (t *Tree) Lookup(p string) (NodeID, bool) {
	cur := uint32(Root)
	for p != "" {
		var comp string
		comp, p, _ = strings.Cut(p, "/")
		id, ok := t.ids[comp]
		if !ok {
			return 0, false
		}
		next, ok := t.edges[edgeKey(cur, id)]
		if !ok {
			return 0, false
		}
		cur = next
	}
	return NodeID(cur), true
}

// Final returns the entry visible at the node in the final filesystem.
func (t *Tree) Final(id NodeID) (EntryRef, bool) {
	n := t.nodes[id]
	if n.visLayer < 0 {
		return EntryRef{}, false
	}
	return EntryRef{Layer: int(n.visLayer), Index: int(n.visIndex)}, true
}

// LinkTarget returns the target of a symlink or hardlink entry.
func (t *Tree) LinkTarget(e Entry) string { return t.strs[e.link] }

// internLocked returns the id of s in the string table. t.mu must be held.
func (t *Tree) internLocked(s string) uint32 {
	if id, ok := t.ids[s]; ok {
		return id
	}
	id := uint32(len(t.strs))
	// Clone so that a name sliced out of a long tar header does not pin it.
	s = strings.Clone(s)
	t.strs = append(t.strs, s)
	t.ids[s] = id
	return id
}

// internLink stores a link target and returns its string id.
func (t *Tree) internLink(s string) uint32 {
	if s == "" {
		return 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.internLocked(s)
}

// insert returns the node of a normalised, non-empty path, creating it and
// any missing ancestors.
func (t *Tree) insert(p string) NodeID {
	t.mu.Lock()
	defer t.mu.Unlock()
	return NodeID(t.insertLocked(uint32(Root), p, nil))
}

// insertLocked walks (creating as needed) the components of p below node
// from and returns the last one. When visit is set it is called with each
// component's node and the offset in p where the component ends. t.mu must
// be held.
func (t *Tree) insertLocked(from uint32, p string, visit func(node uint32, end int)) uint32 {
	cur := from
	off := 0
	for off < len(p) {
		comp := p[off:]
		if i := strings.IndexByte(comp, '/'); i >= 0 {
			comp = comp[:i]
		}
		off += len(comp)
		cur = t.childLocked(cur, comp)
		if visit != nil {
			visit(cur, off)
		}
		off++ // the slash
	}
	return cur
}

// childLocked returns the child of parent called name, creating it.
func (t *Tree) childLocked(parent uint32, name string) uint32 {
	id := t.internLocked(name)
	key := edgeKey(parent, id)
	if next, ok := t.edges[key]; ok {
		return next
	}
	next := uint32(len(t.nodes))
	t.edges[key] = next
	t.nodes = append(t.nodes, node{parent: parent, name: id, firstChild: noNode, nextSibling: t.nodes[parent].firstChild, visLayer: -1, hiddenAt: -1, countedAt: -1})
	t.nodes[parent].firstChild = next
	return next
}

// pathCursor inserts a run of paths that share prefixes with the path
// before them, as cache records store them: it keeps the nodes of the last
// path's components, so a path costs only the components that differ.
type pathCursor struct {
	t     *Tree
	comps []cursorComp
}

type cursorComp struct {
	end  int // offset in the path where this component ends
	node uint32
}

// insert returns the node of p, which shares its first shared bytes with
// the previous path given to this cursor.
func (c *pathCursor) insert(p string, shared int) NodeID {
	// Keep the components that end inside the shared prefix at a component
	// boundary of p too.
	k := 0
	for k < len(c.comps) {
		end := c.comps[k].end
		if end > shared || (end < len(p) && p[end] != '/') {
			break
		}
		k++
	}
	c.comps = c.comps[:k]
	from, off := uint32(Root), 0
	if k > 0 {
		from, off = c.comps[k-1].node, c.comps[k-1].end+1
	}
	if off > len(p) {
		return NodeID(from)
	}
	c.t.mu.Lock()
	defer c.t.mu.Unlock()
	return NodeID(c.t.insertLocked(from, p[off:], func(n uint32, end int) {
		c.comps = append(c.comps, cursorComp{end: off + end, node: n})
	}))
}
