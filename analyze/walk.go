package analyze

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// layerScan is what one pass over a layer's tar yields, before it is merged
// with the layers below it.
type layerScan struct {
	entries   []Entry    // everything but whiteouts, in tar order
	whiteouts []whiteout // applied to lower layers before entries
	diffID    v1.Hash    // sha256 of the uncompressed stream
	digest    v1.Hash    // sha256 of the stream as stored
	size      int64      // sum of regular-file sizes
	files     int        // non-directory entries
}

type whiteout struct {
	node   NodeID
	opaque bool
}

var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// progressEvery is how many uncompressed bytes pass between progress reports.
const progressEvery = 4 << 20

// opener is the part of v1.Layer a scan needs.
type opener interface {
	Compressed() (io.ReadCloser, error)
}

// scanLayer streams one layer once: it decompresses what the source stored
// (gzip, zstd or a plain tar, told apart by their magic bytes rather than a
// media type, which tools get wrong), hashes the uncompressed bytes and
// records every entry. File contents are skipped, never buffered.
func scanLayer(ctx context.Context, l opener, t *Tree, report func(bytes int64, entries int)) (*layerScan, error) {
	rc, err := l.Compressed()
	if err != nil {
		return nil, fmt.Errorf("opening: %w", err)
	}
	defer rc.Close()

	// Tell gzip, zstd and a plain tar apart by their magic bytes rather
	// than a media type, which tools get wrong.
	var magic [4]byte
	n, err := io.ReadFull(&ctxReader{ctx: ctx, r: rc}, magic[:])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("reading: %w", err)
	}
	var stored io.Reader = io.MultiReader(bytes.NewReader(magic[:n]), &ctxReader{ctx: ctx, r: rc})
	var storedHash *countingHash
	var plain io.Reader
	switch {
	case bytes.HasPrefix(magic[:n], gzipMagic):
		// The blob's own digest is checked only when it differs from the
		// uncompressed one; hashing is cheap next to inflating.
		storedHash = &countingHash{h: sha256.New()}
		zr, err := gzip.NewReader(bufio.NewReaderSize(io.TeeReader(stored, storedHash), 64<<10))
		if err != nil {
			return nil, fmt.Errorf("opening gzip stream: %w", err)
		}
		defer zr.Close()
		plain = zr
	case bytes.HasPrefix(magic[:n], zstdMagic):
		storedHash = &countingHash{h: sha256.New()}
		// One decoder goroutine per layer: layers are already read in
		// parallel, and a synchronous decoder leaves nothing running on error.
		zr, err := zstd.NewReader(bufio.NewReaderSize(io.TeeReader(stored, storedHash), 64<<10), zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
		if err != nil {
			return nil, fmt.Errorf("opening zstd stream: %w", err)
		}
		defer zr.Close()
		plain = zr
	default:
		plain = bufio.NewReaderSize(stored, 64<<10)
	}

	h := &countingHash{h: sha256.New()}
	tr := tar.NewReader(io.TeeReader(plain, h))
	s := &layerScan{}
	lastReport := int64(0)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading tar: %w", err)
		}
		if err := s.add(t, hdr); err != nil {
			return nil, err
		}
		if report != nil && h.n-lastReport >= progressEvery {
			lastReport = h.n
			report(h.n, len(s.entries)+len(s.whiteouts))
		}
	}
	// Tar readers stop at the end-of-archive marker; the diffID covers the
	// padding after it too.
	if _, err := io.Copy(io.Discard, io.TeeReader(plain, h)); err != nil {
		return nil, fmt.Errorf("reading tar: %w", err)
	}
	s.diffID = v1.Hash{Algorithm: "sha256", Hex: fmt.Sprintf("%x", h.h.Sum(nil))}
	s.digest = s.diffID
	if storedHash != nil {
		// Decompressors may stop at the end of their stream; the digest
		// covers every stored byte.
		if _, err := io.Copy(storedHash, stored); err != nil {
			return nil, fmt.Errorf("reading: %w", err)
		}
		s.digest = v1.Hash{Algorithm: "sha256", Hex: fmt.Sprintf("%x", storedHash.h.Sum(nil))}
	}
	if report != nil {
		report(h.n, len(s.entries)+len(s.whiteouts))
	}
	return s, nil
}

// add records one tar header.
func (s *layerScan) add(t *Tree, hdr *tar.Header) error {
	if hdr.Typeflag == tar.TypeXGlobalHeader {
		return nil
	}
	name, err := normalize(hdr.Name)
	if err != nil {
		return fmt.Errorf("entry %q: %w", hdr.Name, err)
	}
	if name == "" {
		return nil // the root directory's own entry carries nothing we report
	}
	switch wk, target := classify(name); wk {
	case whiteoutMeta:
		return nil
	case whiteoutPath, whiteoutOpaque:
		target, err := normalize(target)
		if err != nil {
			return fmt.Errorf("whiteout %q: %w", hdr.Name, err)
		}
		if target == "" && wk == whiteoutPath {
			return nil // a whiteout of the root means nothing
		}
		s.whiteouts = append(s.whiteouts, whiteout{node: t.insert(target), opaque: wk == whiteoutOpaque})
		return nil
	}
	e := Entry{
		Node:     t.insert(name),
		Kind:     kindOf(hdr.Typeflag),
		Mode:     hdr.FileInfo().Mode(),
		UID:      clampID(hdr.Uid),
		GID:      clampID(hdr.Gid),
		HiddenAt: NotHidden,
	}
	switch e.Kind {
	case KindFile:
		e.Size = hdr.Size
		s.size += hdr.Size
	case KindSymlink:
		e.link = t.internLink(hdr.Linkname)
	case KindHardlink:
		// Hardlink targets are archive paths and get the same prefixes.
		target, err := normalize(hdr.Linkname)
		if err != nil {
			target = hdr.Linkname
		}
		e.link = t.internLink(target)
	}
	if e.Kind != KindDir {
		s.files++
	}
	s.entries = append(s.entries, e)
	return nil
}

func kindOf(flag byte) Kind {
	switch flag {
	case tar.TypeReg, tar.TypeRegA, tar.TypeGNUSparse, tar.TypeCont:
		return KindFile
	case tar.TypeDir:
		return KindDir
	case tar.TypeSymlink:
		return KindSymlink
	case tar.TypeLink:
		return KindHardlink
	case tar.TypeChar:
		return KindCharDevice
	case tar.TypeBlock:
		return KindBlockDevice
	case tar.TypeFifo:
		return KindFIFO
	}
	return KindOther
}

func clampID(id int) uint32 {
	if id < 0 || id > int(^uint32(0)) {
		return 0
	}
	return uint32(id)
}

// countingHash hashes and counts what is written to it.
type countingHash struct {
	h hash.Hash
	n int64
}

func (c *countingHash) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return c.h.Write(p)
}

// ctxReader stops a read as soon as the context is done, so cancelling an
// analysis does not wait for a multi-gigabyte layer to finish.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
