package analyze

import (
	"archive/tar"
	"io"
	"strings"
	"sync"
)

// seekIndex lets a file be read from the middle of its layer: the cold
// pass notes where each tar entry's header starts in the uncompressed
// stream and, for gzip, a checkpoint every few MiB (see gzipReader), so
// OpenEntry inflates from the checkpoint before the entry to its end
// instead of from the blob's start. A plain tar needs no checkpoints: its
// uncompressed offsets are blob offsets. zstd layers get none.
type seekIndex struct {
	gzip     bool
	compSize int64 // the blob's size
	uncSize  int64
	cps      []checkpoint // by uncompressed offset; the first is the blob's start
	// headers parallels the layer's tar-order entries: the offset of the
	// first header block (PAX or long-name records included) of each, in
	// 512-byte blocks, so 2 TiB of tar fit; a larger layer gets no index.
	headers []uint32
}

// checkpointEvery is the uncompressed distance between checkpoints: a
// 32 KiB window per 4 MiB keeps the index under 1% of the layer, and a
// file is reached by inflating 2 MiB on average before it.
const checkpointEvery = 4 << 20

// checkpointCompEvery is the least compressed distance between
// checkpoints: it is the one that counts only for a stream inflating more
// than fourfold, whose index it bounds at 3% of the blob.
const checkpointCompEvery = 1 << 20

// maxCheckpoints bounds a layer's index at 16 MiB of windows, reached
// past 2 GiB of tar: beyond, checkpoints are spaced further apart.
const maxCheckpoints = 512

// SeekKeyPrefix starts the cache key of a layer's seek index (see
// seekIndex): a record of its own, read only when a file's content is.
const SeekKeyPrefix = "seek:"

// maxIndexed bounds the uncompressed size a header offset can name.
const maxIndexed = 1 << 41

// headerOffset is entry i's header offset in bytes.
func (x *seekIndex) headerOffset(i int) (int64, bool) {
	if x == nil || i < 0 || i >= len(x.headers) {
		return 0, false
	}
	return int64(x.headers[i]) * blockSize, true
}

// seekKey is the cache key of a layer's index. It is a record of its own,
// beside the layer record, so that a warm run that reads no file content
// never decodes its windows.
func seekKey(diffID string) string {
	if _, hex, ok := strings.Cut(diffID, ":"); ok && hex != "" {
		return SeekKeyPrefix + hex
	}
	return ""
}

// seekRef is how a Layer holds its index: the one the cold pass built,
// or a cached one decoded on first use.
type seekRef struct {
	once   sync.Once
	cache  LayerCache
	diffID string
	idx    *seekIndex
}

func loadedSeek(x *seekIndex) *seekRef { return &seekRef{idx: x} }

// load returns the index, or nil when there is none.
func (r *seekRef) load() *seekIndex {
	if r == nil {
		return nil
	}
	r.once.Do(func() {
		if r.cache == nil {
			return
		}
		rc, err := r.cache.Open(seekKey(r.diffID))
		if err != nil {
			return
		}
		defer rc.Close()
		r.idx, _ = decodeSeek(rc, r.diffID)
	})
	return r.idx
}

// keepSeek stores x under the layer's seek key and returns the reference
// the layer keeps: to the cache record when it was stored, so that the
// windows are not held for the session, else to x. A failed store only
// costs later runs the shortcut.
func keepSeek(c LayerCache, diffID string, x *seekIndex) *seekRef {
	if x == nil {
		return nil
	}
	if c == nil || seekKey(diffID) == "" {
		return loadedSeek(x)
	}
	if err := c.Store(seekKey(diffID), func(w io.Writer) error { return encodeSeek(w, diffID, x) }); err != nil {
		return loadedSeek(x)
	}
	return &seekRef{cache: c, diffID: diffID}
}

// seekBuilder notes header offsets during the cold pass.
type seekBuilder struct {
	next    int64 // where the next header starts
	headers []uint32
	broken  bool // a sparse entry, or offsets out of reach: no index
}

// start returns where the header Next is about to read begins.
func (b *seekBuilder) start() int64 { return b.next }

// after notes that a header read from start left the stream at dataAt,
// with data bytes of content following.
func (b *seekBuilder) after(start, dataAt, data int64, sparse bool) {
	if sparse || dataAt <= start || (dataAt-start)%blockSize != 0 || dataAt+data >= maxIndexed {
		b.broken = true
	}
	b.next = dataAt + data + padding(data)
}

func (b *seekBuilder) block(off int64) uint32 { return uint32(off / blockSize) }

// isSparse reports a GNU sparse entry, old-style or PAX.
func isSparse(hdr *tar.Header) bool { return hdr.Typeflag == tar.TypeGNUSparse || isPAXSparse(hdr) }

// isPAXSparse reports a PAX-format GNU sparse entry: its data in the tar
// is a sparse map and fragments, not Size contiguous bytes.
func isPAXSparse(hdr *tar.Header) bool {
	for k := range hdr.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return true
		}
	}
	return false
}
