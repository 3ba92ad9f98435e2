package analyze

import (
	"errors"
	"hash/maphash"
	"iter"
	"math"
	"strings"
	"sync"
	"unsafe"
)

// NodeID names one path in a Tree. Root is the filesystem root.
type NodeID uint32

// Root is the NodeID of "/", the parent of every top-level path.
const Root NodeID = 0

// noNode ends sibling chains.
const noNode = ^uint32(0)

// MaxLayers is the most layers Analyze accepts: layer indexes are kept in
// 16 bits to keep per-path state small. Real images stop far below it
// (Docker refuses more than 127).
const MaxLayers = 1<<15 - 1

// EntryRef points at one entry: Result.Layers[Layer].Entries[Index].
type EntryRef struct {
	Layer int
	Index int
}

// node is one interned path: a few words whatever its name or fan-out.
// Names live in Tree.names; children are a singly linked list.
type node struct {
	parent      uint32
	nameOff     uint32 // the name is names[nameOff : nameOff+nameLen]
	nameLen     uint32
	firstChild  uint32 // children are prepended: newest first
	nextSibling uint32
	// visIndex/visLayer locate the entry currently visible at this path
	// while layers are merged; after Analyze, in the final filesystem.
	visIndex uint32
	visLayer int16
	// hiddenAt is the last layer that hid a lower layer's entry here, so
	// that a write in that same layer still counts as a modification.
	hiddenAt int16
	// countedAt is the last layer whose counts include this path.
	countedAt int16
	// bareBelow says nothing below this node is visible: merging skips
	// what it already hid, so hiding the same subtree again (a directory
	// overwritten, recreated and overwritten, a repeated whiteout) costs
	// nothing. Any write below clears it.
	bareBelow bool
}

// errTooLarge stops a layer whose names no longer fit the Tree's offsets.
var errTooLarge = errors.New("too many paths, or their names over 4 GiB in all")

// errNameTooLong is a name component past what any tar reader accepts.
var errNameTooLong = errors.New("a path component over 1 MiB")

// Tree interns the paths of every layer of an image. Each path is a node
// holding its last component; names are kept in one byte arena and found
// through an open-addressing table keyed by (parent, name), so a path
// costs about 40 bytes plus its name, with no per-name allocation. A Tree
// is safe for concurrent reads once Analyze returns.
type Tree struct {
	mu    sync.Mutex // guards interning while layers are read concurrently
	nodes [][]node   // fixed-size chunks: growing never copies or re-faults them
	count uint32     // nodes in use
	names [][]byte   // component names, back to back in 1 MiB chunks; never rewritten
	links []string   // link targets; links[0] is ""
	slots []slot     // len is a power of two; load kept under 3/4
	seed  maphash.Seed
	// unhashed marks a Tree loaded from an image record, whose slots are
	// built on the first lookup (once, however many readers ask): many
	// uses of a result never look a path up by name.
	unhashed   bool
	hashedOnce sync.Once
}

// table makes sure the (parent, name) table is built.
func (t *Tree) table() {
	if t.unhashed {
		t.hashedOnce.Do(t.rehash)
	}
}

// slot is one bucket of the (parent, name) table: a node and its hash.
type slot struct {
	node uint32 // node id + 1; 0 is empty
	hash uint32
}

// chunkBits sizes node chunks: 16384 nodes, 512 KiB.
const chunkBits = 14

// node returns the node with the given id.
func (t *Tree) node(id uint32) *node {
	return &t.nodes[id>>chunkBits][id&(1<<chunkBits-1)]
}

// newNode appends n and returns its id. Nodes live in fixed-size chunks:
// a slice that doubled as it grew would copy every node it held each time,
// onto fresh pages.
func (t *Tree) newNode(n node) uint32 {
	id := t.count
	if id&(1<<chunkBits-1) == 0 {
		t.nodes = append(t.nodes, make([]node, 1<<chunkBits))
	}
	*t.node(id) = n
	t.count++
	return id
}

func newTree() *Tree {
	t := &Tree{links: []string{""}, slots: make([]slot, 1024), seed: maphash.MakeSeed()}
	t.newNode(node{parent: noNode, firstChild: noNode, nextSibling: noNode, visLayer: -1, hiddenAt: -1, countedAt: -1})
	return t
}

// Len returns the number of distinct paths, the root included.
func (t *Tree) Len() int { return int(t.count) }

// Name returns the last component of the node's path ("" for Root).
func (t *Tree) Name(id NodeID) string {
	n := t.node(uint32(id))
	if n.nameLen == 0 {
		return ""
	}
	// Name chunks are filled once and never reallocated or rewritten, so
	// the name can be shared rather than copied on every call.
	return unsafe.String(&t.name(n)[0], int(n.nameLen))
}

// Parent returns the node's parent; Root is its own parent.
func (t *Tree) Parent(id NodeID) NodeID {
	if id == Root {
		return Root
	}
	return NodeID(t.node(uint32(id)).parent)
}

// Path returns the node's normalised path, without a leading slash.
func (t *Tree) Path(id NodeID) string {
	if id == Root {
		return ""
	}
	size := -1
	for n := id; n != Root; n = NodeID(t.node(uint32(n)).parent) {
		size += int(t.node(uint32(n)).nameLen) + 1
	}
	b := make([]byte, size)
	end := size
	for n := id; n != Root; n = NodeID(t.node(uint32(n)).parent) {
		nd := t.node(uint32(n))
		end -= int(nd.nameLen)
		copy(b[end:], t.name(nd))
		if end > 0 {
			end--
			b[end] = '/'
		}
	}
	return string(b)
}

// Depth returns the number of components in the node's path (0 for Root).
func (t *Tree) Depth(id NodeID) int {
	d := 0
	for n := id; n != Root; n = NodeID(t.node(uint32(n)).parent) {
		d++
	}
	return d
}

// Children yields the node's children, most recently seen first; callers
// that show them sort them.
func (t *Tree) Children(id NodeID) iter.Seq[NodeID] {
	return func(yield func(NodeID) bool) {
		for c := t.node(uint32(id)).firstChild; c != noNode; c = t.node(c).nextSibling {
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
		next, ok := t.child(NodeID(cur), comp)
		if !ok {
			return 0, false
		}
		cur = uint32(next)
	}
	return NodeID(cur), true
}

// child returns parent's child called name, if the Tree has one.
func (t *Tree) child(parent NodeID, name string) (NodeID, bool) {
	i, _ := t.find(uint32(parent), name)
	if t.slots[i].node == 0 {
		return 0, false
	}
	return NodeID(t.slots[i].node - 1), true
}

// Final returns the entry visible at the node in the final filesystem.
func (t *Tree) Final(id NodeID) (EntryRef, bool) {
	n := t.node(uint32(id))
	if n.visLayer < 0 {
		return EntryRef{}, false
	}
	return EntryRef{Layer: int(n.visLayer), Index: int(n.visIndex)}, true
}

// LinkTarget returns the target of a symlink or hardlink entry.
func (t *Tree) LinkTarget(e Entry) string { return t.links[e.link] }

// addLink stores a link target and returns its index. Targets are not
// deduplicated: they are few next to files, and mostly distinct.
func (t *Tree) addLink(s string) uint32 {
	if s == "" {
		return 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.links = append(t.links, strings.Clone(s))
	return uint32(len(t.links) - 1)
}

func (t *Tree) hash(parent uint32, name string) uint32 {
	h := maphash.String(t.seed, name) ^ (uint64(parent)+1)*0x9e3779b97f4a7c15
	return uint32(h ^ h>>32)
}

// find returns the slot holding (parent, name), or the empty slot where it
// belongs, and the pair's hash.
func (t *Tree) find(parent uint32, name string) (int, uint32) {
	t.table()
	h := t.hash(parent, name)
	mask := len(t.slots) - 1
	for i := int(h) & mask; ; i = (i + 1) & mask {
		s := t.slots[i]
		if s.node == 0 {
			return i, h
		}
		if s.hash == h {
			n := t.node(s.node - 1)
			if n.parent == parent && string(t.name(n)) == name {
				return i, h
			}
		}
	}
}

// reserve sizes the table for n more paths at once, so that a run of
// inserts of known length does not grow it step by step.
func (t *Tree) reserve(n int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.table()
	if size := tableSize(len(t.slots), int(t.count)+n); size > len(t.slots) {
		t.resize(size)
	}
}

// tableSize is the smallest power-of-two table, from size up, that holds
// n paths under the 3/4 load bound.
func tableSize(size, n int) int {
	for 4*n > 3*size {
		size *= 2
	}
	return size
}

// grow doubles the table.
func (t *Tree) grow() { t.resize(2 * len(t.slots)) }

// resize rebuilds the table with size slots from the stored hashes.
func (t *Tree) resize(size int) {
	old := t.slots
	t.slots = make([]slot, size)
	for _, s := range old {
		if s.node != 0 {
			t.place(s)
		}
	}
}

// place puts s in the first free slot from its hash on: for a table being
// filled from hashes already known.
func (t *Tree) place(s slot) {
	mask := len(t.slots) - 1
	i := int(s.hash) & mask
	for t.slots[i].node != 0 {
		i = (i + 1) & mask
	}
	t.slots[i] = s
}

// insert returns the node of a normalised, non-empty path, creating it and
// any missing ancestors.
func (t *Tree) insert(p string) (NodeID, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n, err := t.insertLocked(uint32(Root), p, nil)
	return NodeID(n), err
}

// insertLocked walks (creating as needed) the components of p below node
// from and returns the last one. When visit is set it is called with each
// component's node and the offset in p where the component ends. t.mu must
// be held.
func (t *Tree) insertLocked(from uint32, p string, visit func(node uint32, end int)) (uint32, error) {
	cur := from
	off := 0
	for off < len(p) {
		comp := p[off:]
		if i := strings.IndexByte(comp, '/'); i >= 0 {
			comp = comp[:i]
		}
		off += len(comp)
		var err error
		if cur, err = t.childLocked(cur, comp); err != nil {
			return 0, err
		}
		if visit != nil {
			visit(cur, off)
		}
		off++ // the slash
	}
	return cur, nil
}

// Names are stored in chunks of 1 MiB; a node's nameOff holds the chunk
// in its top bits. Tar caps a name at 1 MiB (a GNU long name of exactly
// 1 MiB, with no NUL, is the longest archive/tar reads), so one always
// fits a chunk.
const (
	nameChunkBits = 20
	nameChunkSize = 1 << nameChunkBits
)

// name returns the bytes of n's name.
func (t *Tree) name(n *node) []byte {
	c := t.names[n.nameOff>>nameChunkBits]
	off := n.nameOff & (nameChunkSize - 1)
	return c[off : off+n.nameLen]
}

// addName stores name and returns its offset.
func (t *Tree) addName(name string) (uint32, error) {
	if len(name) > nameChunkSize {
		return 0, errNameTooLong
	}
	last := len(t.names) - 1
	if last < 0 || len(t.names[last])+len(name) > nameChunkSize {
		if len(t.names) >= 1<<(32-nameChunkBits) {
			return 0, errTooLarge
		}
		t.names = append(t.names, make([]byte, 0, nameChunkSize))
		last++
	}
	off := uint32(last)<<nameChunkBits | uint32(len(t.names[last]))
	t.names[last] = append(t.names[last], name...)
	return off, nil
}

// childLocked returns the child of parent called name, creating it.
func (t *Tree) childLocked(parent uint32, name string) (uint32, error) {
	i, h := t.find(parent, name)
	if s := t.slots[i]; s.node != 0 {
		return s.node - 1, nil
	}
	off, err := t.addName(name)
	if err != nil {
		return 0, err
	}
	if t.count >= math.MaxUint32-1 {
		return 0, errTooLarge
	}
	id := t.newNode(node{parent: parent, nameOff: off, nameLen: uint32(len(name)),
		firstChild: noNode, nextSibling: t.node(parent).firstChild, visLayer: -1, hiddenAt: -1, countedAt: -1})
	t.node(parent).firstChild = id
	t.slots[i] = slot{node: id + 1, hash: h}
	if 4*int(t.count) > 3*len(t.slots) {
		t.grow()
	}
	return id, nil
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
func (c *pathCursor) insert(p string, shared int) (NodeID, error) {
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
		return NodeID(from), nil
	}
	c.t.mu.Lock()
	defer c.t.mu.Unlock()
	n, err := c.t.insertLocked(from, p[off:], func(n uint32, end int) {
		c.comps = append(c.comps, cursorComp{end: off + end, node: n})
	})
	return NodeID(n), err
}
