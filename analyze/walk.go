package analyze

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"

	"github.com/cespare/xxhash/v2"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// layerScan is what one pass over a layer's tar yields, before it is merged
// with the layers below it.
type layerScan struct {
	entries []Entry // everything but whiteouts, in tar order
	// pending collects entries while the tar is read, in fixed-size
	// chunks that are joined once at the end: cheaper than a slice that
	// doubles, copying everything onto fresh pages each time.
	pending   [][]Entry
	count     int
	whiteouts []whiteout // applied to lower layers before entries
	diffID    v1.Hash    // sha256 of the uncompressed stream
	// paddedDiffID is the sha256 of the stream with zeros appended up to
	// the next 10240-byte tar record, set only when the stream ends short
	// of one: some writers (podman zstd:chunked) drop that padding from
	// the stored stream while the config's diff_id still covers it.
	paddedDiffID v1.Hash
	note         string // for Result.Notes, set when only the padding was missing
	// plainTar says the layer is stored uncompressed, so that its digest
	// is its diffID.
	plainTar bool
	size     int64 // sum of regular-file sizes
	files    int   // non-directory entries
	// meta holds the entries that eStargz would write for itself, set
	// aside until the end of the stream tells whether the layer is eStargz
	// (see estargz.go): they are then dropped, or put back where they were.
	meta []metaEntry
	// metaEntries and metaBytes count what was dropped.
	metaEntries int
	metaBytes   int64
	// hashes, when Options.HashFiles is set, parallels entries: the
	// xxhash64 of each regular file's content, 0 for anything else.
	hashes []uint64
	// headers parallels entries while the scan runs: each one's header
	// offset, for seek, the index file reads use (see seekIndex).
	headers []uint32
	seek    *seekIndex
	ref     *seekRef // what the Layer keeps of seek
	// secrets finds credentials in the files as they stream past.
	secrets secretScan
	// cursor interns paths from the last one's components: a tar lists a
	// directory's entries together, so most paths share all but their name.
	cursor *pathCursor
	prev   string
	// pkgdb holds the package database files the layer writes, with
	// dbBytes their size (see pkgcapture.go).
	pkgdb   []dbFile
	dbBytes int64
	// toc says the scan was built from the layer's table of contents
	// (see toc.go) rather than its stream, and fetched counts the
	// compressed bytes that took.
	toc     tocKind
	fetched int64
	// tocPartial says the secret scan of a TOC read looked only at files
	// named like credentials (see Options.TOCContent).
	tocPartial bool
}

// intern returns the node of a normalised path through the scan's cursor.
func (s *layerScan) intern(t *Tree, p string) (NodeID, error) {
	if s.cursor == nil {
		s.cursor = &pathCursor{t: t}
	}
	n := 0
	for n < len(p) && n < len(s.prev) && p[n] == s.prev[n] {
		n++
	}
	s.prev = p
	return s.cursor.insert(p, n)
}

// metaEntry is an entry set aside as possible eStargz metadata.
type metaEntry struct {
	e      Entry // all but Node
	name   string
	pos    int // entries before it in tar order
	hash   uint64
	header uint32 // see layerScan.headers
}

type whiteout struct {
	node   NodeID
	opaque bool
}

// progressEvery is how many uncompressed bytes pass between progress reports.
const progressEvery = 4 << 20

// maxTrailing bounds what a layer may hold after its end-of-archive
// marker: 16 times the largest record size tar writes by choice.
const maxTrailing = 16 << 20

var errTrailing = errors.New("reading tar: more than 16 MiB after the end-of-archive marker, refused")

// maxLayerBytes bounds the sum of a layer's file sizes at 1 PiB. Sizes
// come from headers, and a sparse file's can be anything up to 2^63: a few
// of those would wrap the sums to a small number that passes every size
// rule. No real layer comes near the bound, and summing layers under it
// cannot overflow.
const maxLayerBytes = 1 << 50

// addSize adds one file's size to a layer's sum, refusing what would pass
// maxLayerBytes.
func addSize(sum, size int64) (int64, bool) {
	if size < 0 || size > maxLayerBytes-sum {
		return sum, false
	}
	return sum + size, true
}

// scanLayer streams one layer once: it decompresses what the source
// stored, hashes the uncompressed bytes and records every entry. File
// contents are skipped, never buffered, but for the start of small files,
// which the secret scan reads into one buffer it reuses, and the package
// databases, which are kept (see capturePackageDB): anything after it
// that reads an entry's content reads the reader it returns.
// With verify the uncompressed stream is hashed into s.diffID, the one
// check that covers everything an analysis reads; a compressed blob's own
// digest is not recomputed (see readLayer). Without it s.diffID is zero.
// With hashFiles each regular file's content is hashed as it streams past
// (the tar reader reads it anyway to skip it), into s.hashes. With index
// a gzip stream's inflate checkpoints are recorded for s.seek.
func scanLayer(ctx context.Context, l opener, t *Tree, verify, hashFiles, index bool, report func(bytes int64, entries int), decoders int) (*layerScan, error) {
	ls, err := openLayerIndexed(ctx, l, decoders, index)
	if err != nil {
		return nil, err
	}
	defer ls.Close()

	// plain is the uncompressed stream, hashed on the other core when
	// verifying (see hashAhead); read counts what the walk reads of it.
	plain := ls.plain
	var ahead *hashAhead
	if verify {
		ahead = newHashAhead(ls.plain, sha256.New())
		defer ahead.stop()
		plain = ahead
	}
	read := &byteCounter{}
	src := io.TeeReader(plain, read)
	s := &layerScan{}
	var (
		tr      headerWalker
		content io.Reader // the current entry's data
		fh      *xxhash.Digest
	)
	if hashFiles {
		r := tar.NewReader(src)
		tr, content = r, r
		fh = xxhash.New()
		s.hashes = []uint64{} // non-nil: "hashed, nothing to hash" differs from "not hashed"
	} else {
		ft := newFastTar(src) // headers, and data only when asked: see fastTar
		tr, content = ft, ft
	}
	lastReport := int64(0)
	// Header offsets are noted only when an index can come of them: a
	// gzip stream indexed as it inflates, or a plain tar, whose offsets
	// are the blob's. Every entry pays for them otherwise.
	track := index && (ls.gzidx != nil || !ls.compressed)
	seek := &seekBuilder{}
	if track {
		seek.headers = []uint32{}
	}
	for {
		hdrAt := seek.start()
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if errors.Is(err, tar.ErrFieldTooLong) {
			err = errEntryRecords // archive/tar's word for one record over 1 MiB
		}
		if err != nil {
			return nil, fmt.Errorf("reading tar: %w", err)
		}
		dataLen := hdr.Size
		if isHeaderOnly(hdr.Typeflag) {
			dataLen = 0
		}
		if track {
			seek.after(hdrAt, read.n, dataLen, isSparse(hdr))
		}
		before, metaBefore := s.count, len(s.meta)
		if err := s.add(t, hdr); err != nil {
			return nil, err
		}
		if track && len(s.meta) > metaBefore {
			s.meta[len(s.meta)-1].header = seek.block(hdrAt)
		}
		if s.count > before {
			if track {
				seek.headers = append(seek.headers, seek.block(hdrAt))
			}
			data := content
			if maybePackageDB(s.prev) {
				if data, err = s.capturePackageDB(s.prev, content); err != nil {
					return nil, fmt.Errorf("reading tar: %w", err)
				}
			}
			// The secret scan reads the start of a small file and hands
			// the hash all of it: one read of the data for both.
			data, err = s.checkSecrets(hdr, data, fh != nil)
			if err == nil && fh != nil {
				var sum uint64
				sum, err = s.hashContent(fh, data)
				s.hashes = append(s.hashes, sum)
			}
			if err != nil {
				return nil, fmt.Errorf("reading tar: %w", err)
			}
		}
		if fh != nil && len(s.meta) > metaBefore {
			fh.Reset()
			if _, err := io.Copy(fh, content); err != nil {
				return nil, fmt.Errorf("reading tar: %w", err)
			}
			s.meta[len(s.meta)-1].hash = fh.Sum64()
		}
		if report != nil && read.n-lastReport >= progressEvery {
			lastReport = read.n
			report(read.n, s.count+len(s.whiteouts))
		}
	}
	s.joinEntries()
	// Tar readers stop at the end-of-archive marker; the diffID covers the
	// padding after it too. That padding fills the last record (10 KiB for
	// GNU tar, 1 MiB at tar -b 2048); a stream that goes on far past that
	// is a decompression bomb, not a layer.
	n, err := io.Copy(io.Discard, io.TeeReader(io.LimitReader(plain, maxTrailing+1), read))
	if err != nil {
		return nil, fmt.Errorf("reading tar: %w", err)
	}
	if n > maxTrailing {
		return nil, errTrailing
	}
	if report != nil {
		report(read.n, s.count+len(s.whiteouts))
	}
	s.headers = seek.headers
	if len(s.meta) > 0 {
		if err := s.settleMeta(t, ls.estargz() || annotatedEstargz(l)); err != nil {
			return nil, err
		}
	}
	// A layer under one checkpoint's distance is read from its start in
	// the time a seek would save: it gets no index, and no cache record.
	if track && !seek.broken && read.n >= checkpointEvery {
		s.seek = &seekIndex{gzip: ls.gzidx != nil, compSize: ls.pos(), uncSize: read.n, headers: s.headers}
		if ls.gzidx != nil {
			s.seek.cps = ls.gzidx.cps
		}
	}
	s.headers = nil
	if !verify {
		return s, nil
	}
	s.diffID = v1.Hash{Algorithm: "sha256", Hex: fmt.Sprintf("%x", ahead.Sum())}
	if short := read.n % tarRecordSize; short != 0 {
		ahead.h.Write(make([]byte, tarRecordSize-short))
		s.paddedDiffID = v1.Hash{Algorithm: "sha256", Hex: fmt.Sprintf("%x", ahead.h.Sum(nil))}
	}
	s.plainTar = !ls.compressed
	return s, nil
}

// hashContent returns the hash of the content of the entry just added, or
// 0 when it is not a regular file.
func (s *layerScan) hashContent(h *xxhash.Digest, r io.Reader) (uint64, error) {
	last := s.pending[len(s.pending)-1]
	if last[len(last)-1].Kind != KindFile {
		return 0, nil
	}
	h.Reset()
	if _, err := io.Copy(h, r); err != nil {
		return 0, err
	}
	return h.Sum64(), nil
}

// entryName says what a header stands for: a path to record (name), a
// whiteout of target, or nothing (name and target both "").
func entryName(hdr *tar.Header) (name string, wk whiteoutKind, target string, err error) {
	if hdr.Typeflag == tar.TypeXGlobalHeader {
		return "", notWhiteout, "", nil
	}
	name, err = normalize(hdr.Name)
	if err != nil {
		return "", notWhiteout, "", fmt.Errorf("entry %q: %w", hdr.Name, err)
	}
	if name == "" {
		return "", notWhiteout, "", nil // the root's own entry carries nothing we report
	}
	switch wk, target = classify(name); wk {
	case whiteoutMeta:
		return "", wk, "", nil
	case whiteoutPath, whiteoutOpaque:
		if target, err = normalize(target); err != nil {
			return "", wk, "", fmt.Errorf("whiteout %q: %w", hdr.Name, err)
		}
		return "", wk, target, nil
	}
	return name, notWhiteout, "", nil
}

// entryChunk is how many entries a scan collects per chunk.
const entryChunk = 4096

// joinEntries moves the collected chunks into s.entries.
func (s *layerScan) joinEntries() {
	s.entries = make([]Entry, 0, s.count)
	for _, c := range s.pending {
		s.entries = append(s.entries, c...)
	}
	s.pending = nil
}

// add records one tar header.
func (s *layerScan) add(t *Tree, hdr *tar.Header) error {
	name, wk, target, err := entryName(hdr)
	switch {
	case err != nil:
		return err
	case wk == whiteoutPath && target != "", wk == whiteoutOpaque:
		// (a whiteout of the root itself means nothing; an opaque marker
		// there hides every lower layer)
		node, err := s.intern(t, target)
		if err != nil {
			return err
		}
		s.whiteouts = append(s.whiteouts, whiteout{node: node, opaque: wk == whiteoutOpaque})
		return nil
	case name == "":
		return nil
	}
	e := Entry{
		Kind:     kindOf(hdr.Typeflag),
		Mode:     hdr.FileInfo().Mode(),
		UID:      clampID(hdr.Uid),
		GID:      clampID(hdr.Gid),
		HiddenAt: NotHidden,
	}
	if isEstargzMetadata(name, e.Kind) {
		e.Size = hdr.Size
		s.meta = append(s.meta, metaEntry{e: e, name: name, pos: s.count})
		return nil
	}
	if e.Node, err = s.intern(t, name); err != nil {
		return err
	}
	switch e.Kind {
	case KindFile:
		e.Size = hdr.Size
		var ok bool
		if s.size, ok = addSize(s.size, hdr.Size); !ok {
			return fmt.Errorf("entry %q: size %d brings the layer's files past 1 PiB, not a plausible layer", name, hdr.Size)
		}
	case KindSymlink:
		e.link = t.addLink(hdr.Linkname)
	case KindHardlink:
		// Hardlink targets are archive paths and get the same prefixes.
		target, err := normalize(hdr.Linkname)
		if err != nil {
			target = hdr.Linkname
		}
		e.link = t.addLink(target)
	}
	if e.Kind != KindDir {
		s.files++
	}
	if s.count%entryChunk == 0 {
		s.pending = append(s.pending, make([]Entry, 0, entryChunk))
	}
	last := &s.pending[len(s.pending)-1]
	*last = append(*last, e)
	s.count++
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

// tarRecordSize is the default tar record (20 blocks of 512 bytes) that
// GNU tar and others pad an archive out to.
const tarRecordSize = 10240
