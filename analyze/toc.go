package analyze

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/klauspost/compress/gzip"
)

// The layer annotations with which zstd:chunked writers (containers/storage)
// publish where a layer's table of contents (its "manifest") is and the
// digest of its compressed bytes.
const (
	ZstdChunkedPositionAnnotation = "io.github.containers.zstd-chunked.manifest-position"
	ZstdChunkedChecksumAnnotation = "io.github.containers.zstd-chunked.manifest-checksum"
)

// The names containers/storage used before it moved them under
// io.github (podman 4 writes these).
const (
	zstdChunkedPositionLegacy = "io.containers.zstd-chunked.manifest-position"
	zstdChunkedChecksumLegacy = "io.containers.zstd-chunked.manifest-checksum"
)

// zstdChunkedAnnotations returns the position and checksum annotations of
// a zstd:chunked layer, under either name.
func zstdChunkedAnnotations(a map[string]string) (pos, sum string) {
	if a[ZstdChunkedPositionAnnotation] != "" {
		return a[ZstdChunkedPositionAnnotation], a[ZstdChunkedChecksumAnnotation]
	}
	return a[zstdChunkedPositionLegacy], a[zstdChunkedChecksumLegacy]
}

// Bounds on a table of contents: what is fetched of it, compressed, and
// what it may inflate to. A TOC costs a few hundred bytes a file, so these
// allow for millions of files; one past them is not read, and the layer is
// streamed instead.
const (
	maxTOCCompressed = 256 << 20
	maxTOCJSON       = 1 << 30
)

// tocKind is the seekable format a layer's descriptor announces.
type tocKind uint8

const (
	tocNone tocKind = iota
	tocEstargz
	tocZstdChunked
)

func (k tocKind) String() string {
	switch k {
	case tocEstargz:
		return "eStargz"
	case tocZstdChunked:
		return "zstd:chunked"
	}
	return "none"
}

// layerTOC is a layer's table of contents, fetched by range and checked
// against the digest its descriptor gives.
type layerTOC struct {
	kind    tocKind
	digest  string // as the annotation gives it, and verified
	entries []tocEntry
	// jsonSize is the size of the uncompressed TOC: for eStargz that of
	// the stargz.index.json entry the layer's tar ends with.
	jsonSize int64
	// dataEnd is where file data ends in the blob (the TOC's offset).
	dataEnd int64
	// fetched counts the compressed bytes read to get here.
	fetched int64
}

// tocEntry is one entry of either format's TOC: zstd:chunked took its
// JSON from eStargz's, so the field names are shared.
type tocEntry struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Size        int64  `json:"size"`
	LinkName    string `json:"linkName"`
	Mode        int64  `json:"mode"`
	UID         int    `json:"uid"`
	GID         int    `json:"gid"`
	Offset      int64  `json:"offset"`
	EndOffset   int64  `json:"endOffset"`   // zstd:chunked only
	InnerOffset int64  `json:"innerOffset"` // eStargz only
	ChunkOffset int64  `json:"chunkOffset"`
	ChunkSize   int64  `json:"chunkSize"`
	ChunkType   string `json:"chunkType"` // zstd:chunked: "zeros" for a run stored as nothing
}

// tocFile is the JSON document both formats store.
type tocFile struct {
	Version int        `json:"version"`
	Entries []tocEntry `json:"entries"`
}

var tocTypes = map[string]byte{
	"reg": tar.TypeReg, "dir": tar.TypeDir, "symlink": tar.TypeSymlink, "hardlink": tar.TypeLink,
	"char": tar.TypeChar, "block": tar.TypeBlock, "fifo": tar.TypeFifo,
}

// header is the tar header the entry was made from, as far as analysis
// reads one.
func (e *tocEntry) header() (*tar.Header, error) {
	flag, ok := tocTypes[e.Type]
	if !ok {
		return nil, fmt.Errorf("entry %q: unknown type %q", e.Name, e.Type)
	}
	h := &tar.Header{Name: e.Name, Typeflag: flag, Mode: e.Mode, Uid: e.UID, Gid: e.GID, Linkname: e.LinkName}
	if flag == tar.TypeReg {
		h.Size = e.Size
	}
	return h, nil
}

// tocLayer says which table of contents l's descriptor announces, with
// the annotated digest, or tocNone. The media type must agree: an
// annotation copied onto a layer compressed otherwise names nothing.
func tocLayer(l any) (tocKind, *v1.Descriptor) {
	d, ok := l.(interface {
		Descriptor() (*v1.Descriptor, error)
	})
	if !ok {
		return tocNone, nil
	}
	desc, err := d.Descriptor()
	if err != nil || desc == nil {
		return tocNone, nil
	}
	mt := string(desc.MediaType)
	switch {
	case desc.Annotations[EstargzTOCAnnotation] != "" && strings.Contains(mt, "gzip"):
		return tocEstargz, desc
	case strings.Contains(mt, "zstd"):
		if pos, _ := zstdChunkedAnnotations(desc.Annotations); pos == "" {
			return tocNone, nil
		}
		return tocZstdChunked, desc
	}
	return tocNone, nil
}

// errTOC marks a table of contents that is missing, malformed or does not
// match its digest: the layer is then streamed whole.
var errTOC = errors.New("table of contents unusable")

// readTOC fetches and checks the table of contents of a layer of size
// bytes. Its errors wrap errTOC or ErrNoRange, or come from ctx.
func readTOC(ctx context.Context, ro RangeOpener, kind tocKind, desc *v1.Descriptor) (*layerTOC, error) {
	switch kind {
	case tocEstargz:
		return readEstargzTOC(ctx, ro, desc)
	case tocZstdChunked:
		return readZstdChunkedTOC(ctx, ro, desc)
	}
	return nil, fmt.Errorf("%w: no table of contents", errTOC)
}

// readEstargzTOC reads the footer for the TOC's offset, then the gzip
// member from there to the footer, a tar holding stargz.index.json, whose
// sha256 the annotation gives.
func readEstargzTOC(ctx context.Context, ro RangeOpener, desc *v1.Descriptor) (*layerTOC, error) {
	size := desc.Size
	if size < estargzFooterSize+20 {
		return nil, fmt.Errorf("%w: blob of %d bytes is too small for eStargz", errTOC, size)
	}
	toc := &layerTOC{kind: tocEstargz, digest: desc.Annotations[EstargzTOCAnnotation]}
	footer, err := fetchAll(ctx, ro, size-estargzFooterSize, estargzFooterSize, toc)
	if err != nil {
		return nil, err
	}
	if !hasStargzFooter(footer) || footer[12] != 'S' {
		return nil, fmt.Errorf("%w: no eStargz footer", errTOC)
	}
	off, err := strconv.ParseInt(string(footer[16:32]), 16, 64)
	end := size - estargzFooterSize
	if err != nil || off <= 0 || off >= end || end-off > maxTOCCompressed {
		return nil, fmt.Errorf("%w: footer gives TOC offset %s in a blob of %d bytes", errTOC, footer[16:32], size)
	}
	toc.dataEnd = off
	rc, err := ro.OpenRange(ctx, off, end-off)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	cr := &countingReader{r: &ctxReader{ctx: ctx, r: rc}}
	defer func() { toc.fetched += cr.n }()
	zr, err := gzip.NewReader(cr)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errTOC, err)
	}
	defer zr.Close()
	tr := tar.NewReader(zr)
	hdr, err := tr.Next()
	if err != nil || hdr.Name != "stargz.index.json" || hdr.Size > maxTOCJSON {
		return nil, fmt.Errorf("%w: no stargz.index.json where the footer points", errTOC)
	}
	toc.jsonSize = hdr.Size
	if err := decodeTOC(tr, toc, nil); err != nil {
		return nil, err
	}
	return toc, nil
}

// readZstdChunkedTOC reads the zstd frame the position annotation names
// ("offset:length:uncompressed length:type", type 1 the JSON TOC), whose
// compressed bytes the checksum annotation gives the sha256 of.
func readZstdChunkedTOC(ctx context.Context, ro RangeOpener, desc *v1.Descriptor) (*layerTOC, error) {
	pos, sum := zstdChunkedAnnotations(desc.Annotations)
	toc := &layerTOC{kind: tocZstdChunked, digest: sum}
	if toc.digest == "" {
		return nil, fmt.Errorf("%w: no manifest-checksum annotation", errTOC)
	}
	f := strings.Split(pos, ":")
	var n [3]int64
	ok := len(f) == 4 && f[3] == "1"
	for i := 0; ok && i < 3; i++ {
		v, err := strconv.ParseInt(f[i], 10, 64)
		n[i], ok = v, err == nil && v >= 0
	}
	off, length, plain := n[0], n[1], n[2]
	if !ok || length == 0 || length > maxTOCCompressed || plain > maxTOCJSON || off > desc.Size-length {
		return nil, fmt.Errorf("%w: manifest position %q does not fit a blob of %d bytes", errTOC, pos, desc.Size)
	}
	toc.dataEnd, toc.jsonSize = off, plain
	rc, err := ro.OpenRange(ctx, off, length)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	cr := &countingReader{r: &ctxReader{ctx: ctx, r: rc}}
	defer func() { toc.fetched += cr.n }()
	h := sha256.New()
	// The window a frame declares need not fit its content (podman's
	// writer declares its default for a TOC of a few hundred bytes): it
	// is bounded as for a layer, the output by the TOC's stated size.
	zr, err := newZstdReader(io.TeeReader(cr, h), 1, uint64(max(plain, maxZstdWindow)))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errTOC, err)
	}
	defer zr.Close()
	if err := decodeTOC(io.LimitReader(zr, plain), toc, func() []byte {
		_, _ = io.Copy(io.Discard, cr) // the digest covers every compressed byte
		return h.Sum(nil)
	}); err != nil {
		return nil, err
	}
	return toc, nil
}

// decodeTOC decodes the JSON in r into toc and checks the digest: of the
// JSON itself when sum is nil, else of what sum returns once r is read.
func decodeTOC(r io.Reader, toc *layerTOC, sum func() []byte) error {
	h := sha256.New()
	if sum == nil {
		r = io.TeeReader(r, h)
	}
	var doc tocFile
	dec := json.NewDecoder(r)
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("%w: %w", errTOC, err)
	}
	if _, err := io.Copy(io.Discard, r); err != nil {
		return fmt.Errorf("%w: %w", errTOC, err)
	}
	var got []byte
	if sum == nil {
		got = h.Sum(nil)
	} else {
		got = sum()
	}
	if want := toc.digest; "sha256:"+hex.EncodeToString(got) != want {
		return fmt.Errorf("%w: digest is sha256:%x, the layer annotation says %s", errTOC, got, want)
	}
	toc.entries = doc.Entries
	return nil
}

// fetchAll reads a short span whole.
func fetchAll(ctx context.Context, ro RangeOpener, off, n int64, toc *layerTOC) ([]byte, error) {
	rc, err := ro.OpenRange(ctx, off, n)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b := make([]byte, n)
	got, err := io.ReadFull(&ctxReader{ctx: ctx, r: rc}, b)
	toc.fetched += int64(got)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%w: reading %d bytes at %d: %w", errTOC, n, off, err)
	}
	return b, nil
}
