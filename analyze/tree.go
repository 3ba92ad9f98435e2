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
	cur := uint32(Root)
	for p != "" {
		var comp string
		comp, p, _ = strings.Cut(p, "/")
		name := t.internLocked(comp)
		next, ok := t.edges[edgeKey(cur, name)]
		if !ok {
			next = uint32(len(t.nodes))
			t.edges[edgeKey(cur, name)] = next
			t.nodes = append(t.nodes, node{parent: cur, name: name, firstChild: noNode, nextSibling: t.nodes[cur].firstChild, visLayer: -1, hiddenAt: -1, countedAt: -1})
			t.nodes[cur].firstChild = next
		}
		cur = next
	}
	return NodeID(cur)
}
