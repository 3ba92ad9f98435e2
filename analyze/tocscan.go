package analyze

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// scanTOC builds a layer's scan from its table of contents instead of its
// stream. Every entry goes through the same add as a tar header, so sizes,
// kinds, modes, owners, links and whiteouts come out as a stream's would.
// What a TOC cannot say is the content of files: the secret scan and the
// package databases read it, so the files they read are fetched by range,
// file by file, exactly the bytes they would take from the stream.
// What it cannot check is the diff_id: the TOC's own digest, from the
// manifest, is what vouches for it (see readTOCLayer).
//
// Without content, the secret scan's budget for files not named like
// credentials starts spent, so only those named like credentials are
// fetched, and s.tocPartial says so.
func scanTOC(ctx context.Context, ro RangeOpener, toc *layerTOC, t *Tree, content bool) (*layerScan, error) {
	s := &layerScan{toc: toc.kind}
	if !content {
		s.secrets.spent = secretBudget
		s.tocPartial = true
	}
	fc := &tocFiles{ctx: ctx, ro: ro, toc: toc}
	if !content {
		fc.groups.groups = planGroups(toc)
	}
	defer fc.close()
	for i := range toc.entries {
		e := &toc.entries[i]
		if e.Type == "chunk" {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		hdr, err := e.header()
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errTOC, err)
		}
		before := s.count
		if err := s.add(t, hdr); err != nil {
			return nil, err
		}
		if s.count == before {
			continue
		}
		var data io.Reader = fc.open(i)
		if maybePackageDB(s.prev) {
			if data, err = s.capturePackageDB(s.prev, data); err != nil {
				return nil, err
			}
		}
		if _, err = s.checkSecrets(hdr, data, false); err != nil {
			return nil, err
		}
		if err := fc.done(); err != nil {
			return nil, err
		}
	}
	s.joinEntries()
	if toc.kind == tocEstargz {
		// The stream's last entry, which the TOC does not list: itself.
		s.meta = append(s.meta, metaEntry{e: Entry{Kind: KindFile, Size: toc.jsonSize, HiddenAt: NotHidden}, name: "stargz.index.json", pos: s.count})
	}
	if len(s.meta) > 0 {
		if err := s.settleMeta(t, toc.kind == tocEstargz); err != nil {
			return nil, err
		}
	}
	s.fetched = toc.fetched + fc.fetched
	return s, nil
}

// tocFiles reads files' content by range, one file at a time, keeping a
// decompressor of each kind for reuse.
type tocFiles struct {
	ctx     context.Context
	ro      RangeOpener
	toc     *layerTOC
	gz      *gzip.Reader
	zd      *zstd.Decoder
	cur     *fileReader
	fetched int64
	groups  groupCache
}

// open returns a reader of entry i's content that fetches nothing until
// read, and then only as much as is read (see spanReader).
func (fc *tocFiles) open(i int) *fileReader {
	fc.cur = &fileReader{fc: fc, i: i, next: i}
	return fc.cur
}

// done lets go of the current file, closing what it fetched.
func (fc *tocFiles) done() error {
	if fc.cur == nil {
		return nil
	}
	err := fc.cur.closeChunk()
	fc.cur = nil
	return err
}

func (fc *tocFiles) close() {
	_ = fc.done()
	if fc.zd != nil {
		fc.zd.Close()
	}
}

// fileReader reads one file's content chunk after chunk: an eStargz file
// is one or more gzip members, a zstd:chunked file one or more zstd
// frames, each at the offset its TOC entry gives.
type fileReader struct {
	fc    *tocFiles
	i     int // the file's entry
	next  int // the entry of the next chunk to open
	chunk io.Reader
	span  *spanReader
	err   error
}

func (r *fileReader) Read(p []byte) (int, error) {
	for {
		if r.err != nil {
			return 0, r.err
		}
		if r.chunk == nil {
			if r.err = r.openChunk(); r.err != nil {
				return 0, r.err
			}
		}
		n, err := r.chunk.Read(p)
		if errors.Is(err, io.EOF) {
			if cerr := r.closeChunk(); cerr != nil {
				r.err = cerr
			}
			r.chunk = nil
			err = nil
			if n == 0 {
				continue
			}
		}
		return n, err
	}
}

// openChunk opens the chunk at entry r.next, or reports io.EOF after the
// file's last.
func (r *fileReader) openChunk() error {
	ents := r.fc.toc.entries
	file := &ents[r.i]
	if r.next >= len(ents) || (r.next > r.i && ents[r.next].Type != "chunk") {
		return io.EOF
	}
	c := &ents[r.next]
	r.next++
	size := file.Size - c.ChunkOffset
	if c.ChunkSize > 0 {
		size = min(size, c.ChunkSize)
	}
	if size <= 0 {
		return io.EOF
	}
	if c.ChunkType == "zeros" {
		r.chunk = io.LimitReader(zeros{}, size)
		return nil
	}
	end := r.fc.chunkEnd(r.next - 1)
	if c.Offset <= 0 || end <= c.Offset {
		return fmt.Errorf("%w: %s: chunk at %d has no data span", errTOC, file.Name, c.ChunkOffset)
	}
	r.span = &spanReader{ctx: r.fc.ctx, ro: r.fc.ro, fc: r.fc, pos: c.Offset, end: end}
	var plain io.Reader
	switch r.fc.toc.kind {
	case tocEstargz:
		if r.fc.gz == nil {
			zr, err := gzip.NewReader(r.span)
			if err != nil {
				return r.chunkErr(file, err)
			}
			r.fc.gz = zr
		} else if err := r.fc.gz.Reset(r.span); err != nil {
			return r.chunkErr(file, err)
		}
		plain = r.fc.gz
	default:
		if r.fc.zd == nil {
			zd, err := newZstdReader(nil, 1, maxZstdWindow)
			if err != nil {
				return err
			}
			r.fc.zd = zd
		}
		if err := r.fc.zd.Reset(r.span); err != nil {
			return r.chunkErr(file, err)
		}
		plain = zstdWindowReader{r.fc.zd}
	}
	if c.InnerOffset > 0 {
		if _, err := io.CopyN(io.Discard, plain, c.InnerOffset); err != nil {
			return r.chunkErr(file, err)
		}
	}
	r.chunk = &exactReader{r: io.LimitReader(plain, size), left: size}
	return nil
}

func (r *fileReader) chunkErr(file *tocEntry, err error) error {
	if cerr := r.fc.ctx.Err(); cerr != nil {
		return cerr
	}
	if errors.Is(err, ErrNoRange) {
		return err
	}
	return fmt.Errorf("%w: reading %s by range: %w", errTOC, file.Name, err)
}

// closeChunk closes the current chunk's span, counting what it fetched.
func (r *fileReader) closeChunk() error {
	if r.span == nil {
		return nil
	}
	r.fc.fetched += r.span.fetched
	err := r.span.Close()
	r.span = nil
	return err
}

// chunkEnd is where the data of the chunk at entry j ends in the blob:
// its end offset when the TOC gives one (zstd:chunked), else the next
// offset past its own (eStargz starts every chunk but packed small files
// on a new gzip member), else the TOC.
func (fc *tocFiles) chunkEnd(j int) int64 {
	ents := fc.toc.entries
	c := &ents[j]
	if c.EndOffset > c.Offset {
		return c.EndOffset
	}
	for _, e := range ents[j+1:] {
		if e.Offset > c.Offset {
			return e.Offset
		}
	}
	return fc.toc.dataEnd
}

// exactReader says io.ErrUnexpectedEOF when its chunk ends short.
type exactReader struct {
	r    io.Reader
	left int64
}

func (e *exactReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	e.left -= int64(n)
	if errors.Is(err, io.EOF) && e.left > 0 {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// spanReader reads the blob from pos to end in ranges that start small and
// double: the secret scan takes only the first kilobytes of a file, so a
// first range of 64 KiB keeps what is fetched close to what is read.
type spanReader struct {
	ctx      context.Context
	ro       RangeOpener
	pos, end int64
	window   int64
	fc       *tocFiles // for the groups fetched ahead (see tocgroup.go)
	rc       io.ReadCloser
	buffered bool  // rc is a group's buffer
	got      int64 // from the current range
	fetched  int64
}

const (
	firstSpan = 20 << 10
	maxSpan   = 8 << 20
)

func (s *spanReader) Read(p []byte) (int, error) {
	for {
		if s.rc == nil {
			if s.pos >= s.end {
				return 0, io.EOF
			}
			if err := s.open(); err != nil {
				return 0, err
			}
		}
		n, err := s.rc.Read(p)
		s.pos += int64(n)
		s.got += int64(n)
		if !s.buffered {
			s.fetched += int64(n)
		}
		if errors.Is(err, io.EOF) {
			empty := s.got == 0
			err = s.rc.Close()
			s.rc = nil
			if err == nil && empty {
				return 0, io.ErrUnexpectedEOF // a range with nothing in it would be asked for again without end
			}
			if err == nil && n == 0 {
				continue
			}
		}
		return n, err
	}
}

// open starts the next range: the rest of the span from a group fetched
// ahead when one holds it (counted when the group was fetched), else a
// request for the next window.
func (s *spanReader) open() error {
	s.got, s.buffered = 0, false
	if s.fc != nil && s.window == 0 {
		b, err := s.fc.cover(s.pos, s.end)
		if err != nil {
			return err
		}
		if b != nil {
			s.rc, s.buffered, s.window = bufferSpan(b), true, maxSpan
			return nil
		}
	}
	s.window = min(max(s.window*2, firstSpan), maxSpan)
	rc, err := s.ro.OpenRange(s.ctx, s.pos, min(s.window, s.end-s.pos))
	if err != nil {
		return err
	}
	s.rc = rc
	return nil
}

func (s *spanReader) Close() error {
	if s.rc == nil {
		return nil
	}
	err := s.rc.Close()
	s.rc = nil
	return err
}
