package analyze

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io"
	"io/fs"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// An image record keeps the merged result of a whole stack of layers: the
// Tree and every layer's entries with their changes and hiding layers.
// Layer records make a rebuilt image pay only for its new layers; an image
// record makes reopening an unchanged one cost a read of its result rather
// than interning and merging every path again, which for a million files is
// most of a warm run. Like a layer record it is keyed by content alone (the
// diff_ids, in order), so it never goes stale.
//
// The record is the magic, the header's length (uint32) and four sections,
// each followed by its own checksum:
//
//	header   version, key, every count: nodes, name chunks, links, and
//	         each layer's totals and number of entries
//	nodes    fixed-width, in id order (the root is made by newTree)
//	entries  fixed-width, every layer's in turn
//	tail     the name chunks, the link targets, and the packages: each
//	         layer's, the image's and the notes on them
//
// The header says where every section starts, so the nodes and the entries
// (together nearly all of the record) are decoded on two goroutines at
// once, each straight into its own fresh memory.
const (
	imageMagic   = "strata-image\n"
	imageVersion = 9 // 4: eStargz metadata counts; 5: the secret scan's findings; 6: packages; 7: who owns each path; 8: rpm's; 9: a directory entry over an implied directory is a modification
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
func encodeImage(w io.Writer, res *Result, key string, pkgNotes []string) error {
	t := res.Tree
	uv := binary.AppendUvarint
	hdr := uv(nil, imageVersion)
	hdr = append(uv(hdr, uint64(len(key))), key...)
	hdr = uv(hdr, uint64(t.count))
	hdr = uv(hdr, uint64(t.node(0).firstChild+1)) // noNode is ^0: +1 makes it 0
	hdr = uv(hdr, uint64(len(t.names)))
	hdr = uv(hdr, uint64(len(t.links)))
	hdr = uv(hdr, uint64(len(res.Layers)))
	for _, l := range res.Layers {
		for _, v := range []int64{l.SizeBytes, int64(l.FileCount), int64(l.Added), int64(l.Modified), int64(l.Removed),
			int64(l.EstargzMetadataEntries), l.EstargzMetadataBytes, int64(len(l.Entries))} {
			hdr = uv(hdr, uint64(v))
		}
	}
	for _, l := range res.Layers {
		hdr = appendSecrets(hdr, l.Secrets)
	}
	pre := binary.LittleEndian.AppendUint32([]byte(imageMagic), uint32(len(hdr)))
	if _, err := w.Write(pre); err != nil {
		return err
	}
	rw := newRecordWriter(w, 256<<10)
	bw := rw.bw
	bw.Write(hdr)
	if err := rw.section(); err != nil {
		return err
	}
	// Nodes and entries are fixed-width: a record is read far more often
	// than written, and fixed fields decode several times faster than
	// varints, for about twice the bytes.
	var rec [entrySize]byte
	for id := uint32(1); id < t.count; id++ {
		putNode(rec[:nodeSize], t.node(id))
		bw.Write(rec[:nodeSize])
	}
	if err := rw.section(); err != nil {
		return err
	}
	for _, l := range res.Layers {
		for i := range l.Entries {
			putEntry(rec[:], &l.Entries[i])
			bw.Write(rec[:])
		}
	}
	if err := rw.section(); err != nil {
		return err
	}
	for _, c := range t.names {
		rw.uv(uint64(len(c)))
		bw.Write(c)
	}
	for _, l := range t.links[1:] {
		rw.str(l)
	}
	writePackages(rw, res, pkgNotes)
	return rw.section()
}

// decodeImage reads a record written by encodeImage for key into res,
// whose layers are described but not read. It checks every count against
// the record's size before allocating, every index against what it refers
// to, and every section's checksum; only then is anything published to
// res, so that a corrupt record is a miss rather than a result with
// dangling references.
func decodeImage(r io.Reader, res *Result, key string) ([]string, error) {
	return decodeImageRecord(r, res, key, true)
}

// decodeImageRecord is decodeImage, with the checksums checked only when
// sums is set: the fuzz target turns them off to reach the checks behind.
func decodeImageRecord(r io.Reader, res *Result, key string, sums bool) ([]string, error) {
	src, size, err := recordSource(r)
	if err != nil {
		return nil, errCorrupt
	}
	var pre [len(imageMagic) + 4]byte
	if _, err := src.ReadAt(pre[:], 0); err != nil || string(pre[:len(imageMagic)]) != imageMagic {
		return nil, errCorrupt
	}
	off := int64(len(pre))
	hdrLen := int64(le.Uint32(pre[len(imageMagic):])) + 4
	if hdrLen > size-off {
		return nil, errCorrupt
	}
	h := newRecordReader(io.NewSectionReader(src, off, hdrLen), hdrLen, sums)
	off += hdrLen
	if h.uv() != imageVersion || h.str() != key {
		return nil, errCorrupt
	}
	count, rootChild, nChunks, nLinks := h.uv(), h.uv(), h.uv(), h.uv()
	if h.uv() != uint64(len(res.Layers)) {
		return nil, errCorrupt
	}
	// Every count is bounded by the record's size before anything is
	// allocated: each node, entry, chunk or link takes at least one byte.
	rest := uint64(size - off)
	layers := make([]Layer, len(res.Layers))
	counts := make([]uint64, len(layers)) // entries are allocated once the header checks out
	var nEntries uint64
	for i := range layers {
		l := &layers[i]
		l.SizeBytes, l.FileCount = int64(h.uv()), int(h.uv())
		l.Added, l.Modified, l.Removed = int(h.uv()), int(h.uv()), int(h.uv())
		metaEntries, metaBytes := h.uv(), h.uv()
		l.EstargzMetadataEntries, l.EstargzMetadataBytes = int(metaEntries), int64(metaBytes)
		n := h.uv()
		if h.err != nil || l.SizeBytes < 0 || metaEntries > 1<<20 || metaBytes > maxLayerBytes || n > rest/entrySize-nEntries {
			return nil, errCorrupt
		}
		nEntries += n
		counts[i] = n
	}
	secrets := make([][]LayerSecret, len(layers))
	for i := range layers {
		var ok bool
		if secrets[i], ok = readSecrets(h, counts[i]); !ok {
			return nil, errCorrupt
		}
	}
	if !h.finish() || count == 0 || count-1 > rest/nodeSize || nChunks > rest || nLinks == 0 || nLinks > rest+1 {
		return nil, errCorrupt
	}
	for i := range layers {
		layers[i].Entries = make([]Entry, counts[i])
	}
	nodesLen, entriesLen := int64(count-1)*nodeSize+4, int64(nEntries)*entrySize+4
	if nodesLen+entriesLen+4 > int64(rest) {
		return nil, errCorrupt
	}
	section := func(n int64) *recordReader {
		d := newRecordReader(io.NewSectionReader(src, off, n), n, sums)
		off += n
		return d
	}
	nodes := section(nodesLen)
	entries := section(entriesLen)
	tail := section(size - off)

	var entriesOK bool
	var wg sync.WaitGroup
	wg.Go(func() { entriesOK = decodeEntries(entries, layers, count, nLinks) })

	t := newTree()
	// Nodes are decoded straight into the Tree's chunks; t is only
	// published once everything checks out.
	for uint64(len(t.nodes))<<chunkBits < count {
		t.nodes = append(t.nodes, make([]node, 1<<chunkBits))
	}
	t.count = uint32(count)
	t.node(0).firstChild = uint32(rootChild) - 1
	id := uint32(1)
	nodes.records(count-1, nodeSize, func(b []byte) bool {
		getNode(b, t.node(id))
		id++
		return true
	})
	names := make([][]byte, 0, nChunks)
	for i := range nChunks {
		n := tail.uv()
		if n > nameChunkSize || n > tail.left {
			break // tail.finish fails
		}
		// Only the last chunk takes more names, so only it gets room to
		// grow: what a record makes us allocate stays bounded by its size.
		room := n
		if i == nChunks-1 {
			room = nameChunkSize
		}
		c := make([]byte, n, room)
		tail.full(c)
		names = append(names, c)
	}
	links := make([]string, 1, nLinks)
	for range nLinks - 1 {
		links = append(links, tail.str())
	}
	pkgs, pkgsOK := readPackages(tail, layers, count)
	ok := pkgsOK && nodes.finish() && tail.finish() && uint64(len(names)) == nChunks
	wg.Wait()
	if !ok || !entriesOK || !checkNodes(t, names, layers) {
		return nil, errCorrupt
	}
	t.names, t.links, t.slots, t.unhashed = names, links, nil, true
	res.Tree = t
	for i := range layers {
		src, dst := &layers[i], &res.Layers[i]
		dst.SizeBytes, dst.FileCount, dst.Entries = src.SizeBytes, src.FileCount, src.Entries
		dst.Added, dst.Modified, dst.Removed = src.Added, src.Modified, src.Removed
		dst.EstargzMetadataEntries, dst.EstargzMetadataBytes = src.EstargzMetadataEntries, src.EstargzMetadataBytes
		dst.Secrets = secrets[i]
		dst.Packages, dst.PackagedBytes, dst.UnpackagedBytes = src.Packages, src.PackagedBytes, src.UnpackagedBytes
	}
	res.Packages, res.pkgOf = pkgs.image, pkgs.owner
	return pkgs.notes, nil
}

// decodeEntries fills the entries of layers, whose lengths the header
// gave, from their section, and reports whether every one is in range.
func decodeEntries(d *recordReader, layers []Layer, count, nLinks uint64) bool {
	for i := range layers {
		es := layers[i].Entries
		j := 0
		d.records(uint64(len(es)), entrySize, func(b []byte) bool {
			e := &es[j]
			j++
			getEntry(b, e)
			return uint64(e.Node) < count && uint64(e.link) < nLinks && e.Kind <= KindOther && e.Change <= ChangeRemoved &&
				e.Size >= 0 && (e.HiddenAt == NotHidden || (e.HiddenAt >= 0 && int(e.HiddenAt) < len(layers)))
		})
	}
	return d.finish()
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
