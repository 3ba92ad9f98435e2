package analyze

import (
	"bufio"
	"encoding/binary"
	"errors"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
)

// LayerCache keeps what reading a layer yields, keyed by the layer's diffID.
// Layers are content-addressed, so an entry never goes stale; a corrupt one
// is detected on decode and the layer is read again.
type LayerCache interface {
	// Open returns the stored record for key, or an error (any error is
	// treated as a miss).
	Open(key string) (io.ReadCloser, error)
	// Store writes a record for key; implementations make it appear
	// atomically, so a reader never sees half a record.
	Store(key string, write func(io.Writer) error) error
}

// codecMagic starts every cached layer record; codecVersion changes whenever
// the encoding or the meaning of a field does.
const (
	codecMagic   = "strata-layer\n"
	codecVersion = 5 // 2: eStargz metadata counts; 3: the secret scan's findings; 4: package databases; 5: rpm's
)

var errCorrupt = errors.New("corrupt cache record")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// encodeScan writes s for diffID. Paths are written as the number of bytes
// shared with the previous path plus the rest: tar order keeps neighbours
// alike, so records stay a fraction of the tar's header bytes.
func encodeScan(w io.Writer, t *Tree, diffID string, s *layerScan) error {
	// Other layers may be interning paths meanwhile.
	t.mu.Lock()
	defer t.mu.Unlock()
	rw := newRecordWriter(w, 64<<10)
	bw, uv, str := rw.bw, rw.uv, rw.str
	prev := ""
	path := func(id NodeID) {
		p := t.Path(id)
		n := 0
		for n < len(p) && n < len(prev) && p[n] == prev[n] {
			n++
		}
		uv(uint64(n))
		str(p[n:])
		prev = p
	}

	bw.WriteString(codecMagic)
	uv(codecVersion)
	str(diffID)
	uv(uint64(len(s.entries)))
	uv(uint64(len(s.whiteouts)))
	uv(uint64(s.metaEntries))
	uv(uint64(s.metaBytes))
	for _, e := range s.entries {
		path(e.Node)
		bw.WriteByte(byte(e.Kind))
		uv(uint64(e.Mode))
		uv(uint64(e.UID))
		uv(uint64(e.GID))
		uv(uint64(e.Size))
		str(t.links[e.link])
	}
	for _, wo := range s.whiteouts {
		path(wo.node)
		if wo.opaque {
			bw.WriteByte(1)
		} else {
			bw.WriteByte(0)
		}
	}
	bw.Write(appendSecrets(nil, s.secrets.found))
	writeDBFiles(rw, s.pkgdb)
	return rw.section()
}

// decodeScan reads a record written by encodeScan for diffID, interning its
// paths into t. The checksum is verified before anything is interned, so a
// corrupt record leaves t untouched.
func decodeScan(r io.Reader, t *Tree, diffID string) (*layerScan, error) {
	// A record is a few bytes per entry; holding one whole is cheap, unlike
	// the layer it describes.
	body, err := readChecked(r)
	if err != nil {
		return nil, errCorrupt
	}
	d := decoder{b: body}
	if string(d.bytes(len(codecMagic))) != codecMagic || d.uv() != codecVersion || d.str() != diffID {
		return nil, errCorrupt
	}
	nEntries, nWhiteouts := d.uv(), d.uv()
	metaEntries, metaBytes := d.uv(), d.uv()
	// Every entry takes at least 8 bytes, which bounds the counts by the
	// record's size before anything is allocated.
	if d.err != nil || nEntries+nWhiteouts > uint64(len(body)) || metaEntries > 1<<20 || metaBytes > maxLayerBytes {
		return nil, errCorrupt
	}
	s := &layerScan{entries: make([]Entry, 0, nEntries), whiteouts: make([]whiteout, 0, nWhiteouts),
		metaEntries: int(metaEntries), metaBytes: int64(metaBytes)}
	t.reserve(int(nEntries)) // an upper bound on the paths this record adds
	var prev []byte
	cur := &pathCursor{t: t}
	shared := 0
	path := func() string {
		n := d.uv()
		rest := d.bytes(int(min(d.uv(), uint64(len(body)))))
		if d.err != nil || n > uint64(len(prev)) {
			d.fail()
			return ""
		}
		shared = int(n)
		prev = append(prev[:n], rest...)
		return string(prev)
	}
	for range nEntries {
		p := path()
		e := Entry{Kind: Kind(d.byte()), HiddenAt: NotHidden}
		e.Mode = fs.FileMode(d.uv())
		e.UID, e.GID = uint32(d.uv()), uint32(d.uv())
		e.Size = int64(d.uv())
		link := d.str()
		if d.err != nil || p == "" || e.Kind > KindOther || e.Size < 0 {
			return nil, errCorrupt
		}
		var err error
		if e.Node, err = cur.insert(p, shared); err != nil {
			return nil, err
		}
		e.link = t.addLink(link)
		if e.Kind == KindFile {
			var ok bool
			if s.size, ok = addSize(s.size, e.Size); !ok {
				return nil, errCorrupt // scanLayer never stores such a layer
			}
		}
		if e.Kind != KindDir {
			s.files++
		}
		s.entries = append(s.entries, e)
	}
	for range nWhiteouts {
		p := path() // "" is the root: an opaque marker at the top hides all
		opaque := d.byte()
		if d.err != nil || opaque > 1 {
			return nil, errCorrupt
		}
		n, err := cur.insert(p, shared)
		if err != nil {
			return nil, err
		}
		s.whiteouts = append(s.whiteouts, whiteout{node: n, opaque: opaque == 1})
	}
	var ok bool
	if s.secrets.found, ok = readSecrets(&d, nEntries); !ok {
		return nil, errCorrupt
	}
	if s.pkgdb, ok = readDBFiles(&d, s.entries, uint64(len(d.b))); !ok {
		return nil, errCorrupt
	}
	for _, f := range s.pkgdb {
		s.dbBytes += int64(len(f.data))
	}
	if d.err != nil || len(d.b) != 0 {
		return nil, errCorrupt
	}
	return s, nil
}

// decoder reads varints and strings from a checked record, remembering
// the first error.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail() { d.err, d.b = errCorrupt, nil }

func (d *decoder) uv() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) byte() byte {
	if len(d.b) == 0 {
		d.fail()
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) str() string { return string(d.bytes(int(min(d.uv(), uint64(len(d.b)+1))))) }

func (d *decoder) bytes(n int) []byte {
	if n > len(d.b) {
		d.fail()
		return nil
	}
	b := d.b[:n]
	d.b = d.b[n:]
	return b
}

// recordWriter writes a record through a buffer, checksumming it. A
// record is one or more sections, each ended by section, which appends
// the checksum of what was written since the last: a layer record is one
// section, an image record several, read side by side.
type recordWriter struct {
	w   io.Writer
	bw  *bufio.Writer
	crc hash.Hash32
	buf [binary.MaxVarintLen64]byte
}

// uv writes v as a uvarint.
func (rw *recordWriter) uv(v uint64) { rw.bw.Write(rw.buf[:binary.PutUvarint(rw.buf[:], v)]) }

// str writes s with its length first.
func (rw *recordWriter) str(s string) {
	rw.uv(uint64(len(s)))
	rw.bw.WriteString(s)
}

func newRecordWriter(w io.Writer, size int) *recordWriter {
	crc := crc32.New(castagnoli)
	return &recordWriter{w: w, bw: bufio.NewWriterSize(io.MultiWriter(w, crc), size), crc: crc}
}

// section ends a section with its checksum.
func (rw *recordWriter) section() error {
	if err := rw.bw.Flush(); err != nil {
		return err
	}
	_, err := rw.w.Write(binary.LittleEndian.AppendUint32(nil, rw.crc.Sum32()))
	rw.crc.Reset()
	return err
}

// readChecked reads a whole record and returns its body once its checksum
// matches.
func readChecked(r io.Reader) ([]byte, error) {
	b, err := readRecord(r)
	if err != nil || len(b) < 4 {
		return nil, errCorrupt
	}
	body, sum := b[:len(b)-4], binary.LittleEndian.Uint32(b[len(b)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return nil, errCorrupt
	}
	return body, nil
}

// readRecord reads a whole record, in one allocation when its size is
// known (a cache file).
func readRecord(r io.Reader) ([]byte, error) {
	src, size, err := recordSource(r)
	if err != nil {
		return nil, err
	}
	b := make([]byte, size)
	if _, err := src.ReadAt(b, 0); err != nil {
		return nil, err
	}
	return b, nil
}
