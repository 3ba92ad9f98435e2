package analyze

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io"
	"io/fs"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// An image record keeps the merged result of a whole stack of layers: the
// Tree and every layer's entries with their changes and hiding layers.
// Layer records make a rebuilt image pay only for its new layers; an image
// record makes reopening an unchanged one cost a read of its result rather
// than interning and merging every path again, which for a million files is
// most of a warm run. Like a layer record it is keyed by content alone (the
// diff_ids, in order), so it never goes stale.
const (
	imageMagic   = "strata-image\n"
	imageVersion = 2
)

// ImageKeyPrefix starts the cache key of every image record (layer
// records are keyed by a diff_id), so that a cache listing can tell them
// apart.
const ImageKeyPrefix = "image:"

// imageKey is the cache key of the stack of layers with these diff_ids.
func imageKey(diffIDs []v1.Hash) string {
	h := sha256.New()
	h.Write([]byte(imageMagic))
	for _, d := range diffIDs {
		h.Write([]byte(d.String() + "\n"))
	}
	return ImageKeyPrefix + hex.EncodeToString(h.Sum(nil))
}

// encodeImage writes the merged layers of res under key. It runs after
// the merge, when nothing else touches the Tree.
func encodeImage(w io.Writer, res *Result, key string) error {
	t := res.Tree
	rw := newRecordWriter(w, 256<<10)
	bw, uv, str := rw.bw, rw.uv, rw.str

	bw.WriteString(imageMagic)
	uv(imageVersion)
	str(key)
	// Nodes and entries are fixed-width: a record is read far more often
	// than written, and fixed fields decode several times faster than
	// varints, for about twice the bytes.
	uv(uint64(t.count))
	var rec [entrySize]byte
	for id := uint32(1); id < t.count; id++ { // the root is made by newTree
		putNode(rec[:nodeSize], t.node(id))
		bw.Write(rec[:nodeSize])
	}
	uv(uint64(t.node(0).firstChild + 1)) // noNode is ^0: +1 makes it 0
	uv(uint64(len(t.names)))
	for _, c := range t.names {
		uv(uint64(len(c)))
		bw.Write(c)
	}
	uv(uint64(len(t.links)))
	for _, l := range t.links[1:] {
		str(l)
	}
	uv(uint64(len(res.Layers)))
	for _, l := range res.Layers {
		uv(uint64(l.SizeBytes))
		uv(uint64(l.FileCount))
		uv(uint64(l.Added))
		uv(uint64(l.Modified))
		uv(uint64(l.Removed))
		uv(uint64(len(l.Entries)))
		for i := range l.Entries {
			putEntry(rec[:], &l.Entries[i])
			bw.Write(rec[:])
		}
	}
	return rw.close()
}

// decodeImage reads a record written by encodeImage for key into res,
// whose layers are described but not read. It checks every count against
// the record's size before allocating, every index against what it refers
// to and, at the end, the checksum; only then is anything published to res,
// so that a corrupt record is a miss rather than a result with dangling
// references.
func decodeImage(r io.Reader, res *Result, key string) error {
	d := newRecordReader(r)
	var magic [len(imageMagic)]byte
	d.full(magic[:])
	if string(magic[:]) != imageMagic || d.uv() != imageVersion || d.str() != key {
		return errCorrupt
	}
	// Every count is bounded by the record's size before it is allocated:
	// each node, entry, chunk or link takes at least one byte.
	count := d.uv()
	if d.err != nil || count == 0 || count-1 > d.left/nodeSize {
		return errCorrupt
	}
	t := newTree()
	// Nodes are decoded straight into the Tree's chunks; t is only
	// published once everything checks out.
	for uint64(len(t.nodes))<<chunkBits < count {
		t.nodes = append(t.nodes, make([]node, 1<<chunkBits))
	}
	t.count = uint32(count)
	id := uint32(1)
	d.records(count-1, nodeSize, func(b []byte) bool {
		getNode(b, t.node(id))
		id++
		return true
	})
	t.node(0).firstChild = uint32(d.uv()) - 1
	nChunks := d.uv()
	if d.err != nil || nChunks > d.left {
		return errCorrupt
	}
	names := make([][]byte, 0, nChunks)
	for i := range nChunks {
		n := d.uv()
		if n > nameChunkSize || n > d.left {
			return errCorrupt
		}
		// Only the last chunk takes more names, so only it gets room to
		// grow: what a record makes us allocate stays bounded by its size.
		room := n
		if i == nChunks-1 {
			room = nameChunkSize
		}
		c := make([]byte, n, room)
		d.full(c)
		names = append(names, c)
	}
	nLinks := d.uv()
	if d.err != nil || nLinks == 0 || nLinks > d.left+1 {
		return errCorrupt
	}
	links := make([]string, 1, nLinks)
	for range nLinks - 1 {
		links = append(links, d.str())
	}
	if d.err != nil || d.uv() != uint64(len(res.Layers)) {
		return errCorrupt
	}
	layers := make([]Layer, len(res.Layers))
	for i := range layers {
		l := &layers[i]
		l.SizeBytes, l.FileCount = int64(d.uv()), int(d.uv())
		l.Added, l.Modified, l.Removed = int(d.uv()), int(d.uv()), int(d.uv())
		n := d.uv()
		if d.err != nil || l.SizeBytes < 0 || n > d.left/entrySize {
			return errCorrupt
		}
		l.Entries = make([]Entry, n)
		j := 0
		d.records(n, entrySize, func(b []byte) bool {
			e := &l.Entries[j]
			j++
			getEntry(b, e)
			return uint64(e.Node) < count && uint64(e.link) < nLinks && e.Kind <= KindOther && e.Change <= ChangeRemoved &&
				e.Size >= 0 && (e.HiddenAt == NotHidden || (e.HiddenAt >= 0 && int(e.HiddenAt) < len(layers)))
		})
	}
	if !d.finish() || !checkNodes(t, names, layers) {
		return errCorrupt
	}
	t.names, t.links, t.slots, t.unhashed = names, links, nil, true
	res.Tree = t
	for i := range layers {
		src, dst := &layers[i], &res.Layers[i]
		dst.SizeBytes, dst.FileCount, dst.Entries = src.SizeBytes, src.FileCount, src.Entries
		dst.Added, dst.Modified, dst.Removed = src.Added, src.Modified, src.Removed
	}
	return nil
}

// checkNodes reports whether every reference between nodes, names and
// entries stays in range and every walk ends, so that no later use can
// index out of bounds or loop. Interning makes these hold: a parent comes
// before its children, and children are prepended, so a node's first
// child is newer than it and each next sibling older than the one before.
func checkNodes(t *Tree, names [][]byte, layers []Layer) bool {
	n := t.count
	child := func(parent, c uint32) bool {
		return c == noNode || (c > parent && c < n && t.node(c).parent == parent)
	}
	if !child(0, t.node(0).firstChild) {
		return false
	}
	for i := uint32(1); i < n; i++ {
		nd := t.node(i)
		c := nd.nameOff >> nameChunkBits
		off := nd.nameOff & (nameChunkSize - 1)
		if nd.parent >= i || int(c) >= len(names) || uint64(off)+uint64(nd.nameLen) > uint64(len(names[c])) ||
			nd.nameLen == 0 || !child(i, nd.firstChild) ||
			(nd.nextSibling != noNode && (nd.nextSibling >= i || t.node(nd.nextSibling).parent != nd.parent)) {
			return false
		}
		if nd.visLayer >= 0 && (int(nd.visLayer) >= len(layers) || uint64(nd.visIndex) >= uint64(len(layers[nd.visLayer].Entries))) {
			return false
		}
	}
	return true
}

// rehash builds the (parent, name) table of a loaded Tree: its hashes
// depend on this process's seed and so are never stored.
func (t *Tree) rehash() {
	t.slots = make([]slot, tableSize(1024, int(t.count)))
	for id := uint32(1); id < t.count; id++ {
		n := t.node(id)
		t.place(slot{node: id + 1, hash: t.hash(n.parent, string(t.name(n)))})
	}
}

// The fixed-width forms of a node and an entry, little-endian.
const (
	nodeSize  = 6*4 + 3*2
	entrySize = 8 + 5*4 + 2 + 2
)

var le = binary.LittleEndian

func putNode(b []byte, n *node) {
	le.PutUint32(b[0:], n.parent)
	le.PutUint32(b[4:], n.nameOff)
	le.PutUint32(b[8:], n.nameLen)
	le.PutUint32(b[12:], n.firstChild+1)
	le.PutUint32(b[16:], n.nextSibling+1)
	le.PutUint32(b[20:], n.visIndex)
	le.PutUint16(b[24:], uint16(n.visLayer))
	le.PutUint16(b[26:], uint16(n.hiddenAt))
	le.PutUint16(b[28:], uint16(n.countedAt))
}

func getNode(b []byte, n *node) {
	_ = b[nodeSize-1]
	*n = node{
		parent: le.Uint32(b[0:]), nameOff: le.Uint32(b[4:]), nameLen: le.Uint32(b[8:]),
		firstChild: le.Uint32(b[12:]) - 1, nextSibling: le.Uint32(b[16:]) - 1, visIndex: le.Uint32(b[20:]),
		visLayer: int16(le.Uint16(b[24:])), hiddenAt: int16(le.Uint16(b[26:])), countedAt: int16(le.Uint16(b[28:])),
	}
}

func putEntry(b []byte, e *Entry) {
	le.PutUint64(b[0:], uint64(e.Size))
	le.PutUint32(b[8:], uint32(e.Node))
	le.PutUint32(b[12:], uint32(e.Mode))
	le.PutUint32(b[16:], e.UID)
	le.PutUint32(b[20:], e.GID)
	le.PutUint32(b[24:], e.link)
	le.PutUint16(b[28:], uint16(e.HiddenAt))
	b[30], b[31] = byte(e.Kind), byte(e.Change)
}

func getEntry(b []byte, e *Entry) {
	_ = b[entrySize-1]
	*e = Entry{
		Size: int64(le.Uint64(b[0:])), Node: NodeID(le.Uint32(b[8:])), Mode: fs.FileMode(le.Uint32(b[12:])),
		UID: le.Uint32(b[16:]), GID: le.Uint32(b[20:]), link: le.Uint32(b[24:]),
		HiddenAt: int16(le.Uint16(b[28:])), Kind: Kind(b[30]), Change: Change(b[31]),
	}
}
