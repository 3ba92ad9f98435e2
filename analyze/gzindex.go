package analyze

import (
	"bufio"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
)

// gzipReader inflates a gzip blob of one or more members, as
// klauspost/compress/gzip does, and can also record checkpoints as it
// goes or start from one. klauspost's gzip package takes no flate options,
// while its flate package reports each deflate block's end (the
// compressed bit offset, the uncompressed offset and the last 32 KiB
// written, WithEobCallback) and resumes from such a point
// (WithResumeFrom): so the gzip framing, a header of a few fields and an
// 8-byte trailer per member, is read here.
type gzipReader struct {
	r *bufio.Reader
	// pos is the blob offset of the next byte r yields, when indexing.
	pos func() int64
	fl  io.ReadCloser // the current member's inflater
	// check says the current member was read from its start, so its
	// trailer's CRC and size can be checked; not so after a resume.
	check bool
	crc   uint32
	size  uint32
	err   error
	// unc counts the uncompressed bytes yielded, from the blob's start
	// (a resumed reader starts at its checkpoint's offset); memberUnc is
	// where the current member began.
	unc, memberUnc int64
	prevSize       int64 // uncompressed size of the member before the current one
	between        bool  // a member's trailer was read, the next header not yet
	idx            *gzipIndexer
	buf            [512]byte
}

// gzipIndexer collects checkpoints during the cold pass.
type gzipIndexer struct {
	// every and compEvery are the uncompressed and compressed bytes
	// between checkpoints: both must have passed for a new one, so that a
	// stream that inflates a thousandfold (a bomb, a layer of zeros) gets
	// an index that follows its compressed size, not its claimed one.
	every, compEvery int64
	cps              []checkpoint
	// deflateStart is the blob offset of the current member's deflate data.
	deflateStart int64
}

func newGzipIndexer() *gzipIndexer {
	return &gzipIndexer{every: checkpointEvery, compEvery: checkpointCompEvery}
}

// add appends cp when it is far enough past the last checkpoint, and
// halves the index when it is full, doubling the spacing, so that a huge
// layer's index stays within maxCheckpoints windows.
func (ix *gzipIndexer) add(cp checkpoint) bool {
	last := ix.cps[len(ix.cps)-1]
	if cp.unc-last.unc < ix.every || cp.comp-last.comp < ix.compEvery {
		return false
	}
	if len(ix.cps) >= maxCheckpoints {
		kept := ix.cps[:1]
		for i := 2; i < len(ix.cps); i += 2 {
			kept = append(kept, ix.cps[i])
		}
		clear(ix.cps[len(kept):])
		ix.cps = kept
		ix.every, ix.compEvery = 2*ix.every, 2*ix.compEvery
		if last := ix.cps[len(ix.cps)-1]; cp.unc-last.unc < ix.every || cp.comp-last.comp < ix.compEvery {
			return false
		}
	}
	ix.cps = append(ix.cps, cp)
	return true
}

// checkpoint is a place in a gzip blob where inflating can start: a
// member's header (member), or the end of a deflate block, which needs
// the 32 KiB written before it.
type checkpoint struct {
	comp   int64 // blob offset: the header's first byte, or the byte holding the block's first bit
	bit    uint8 // bits of that byte already used by the block before
	member bool
	unc    int64 // uncompressed offset
	window []byte
}

// newGzipReader reads the first member's header. With idx, checkpoints
// are recorded; pos must then be set.
func newGzipReader(r *bufio.Reader, pos func() int64, idx *gzipIndexer) (*gzipReader, error) {
	z := &gzipReader{r: r, pos: pos, idx: idx}
	if idx != nil {
		idx.cps = append(idx.cps, checkpoint{member: true})
	}
	if err := z.member(); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF // not one member: as klauspost says for an empty blob
		}
		return nil, err
	}
	return z, nil
}

// resumeGzip reads a blob from cp, r holding the blob's bytes from cp.comp.
func resumeGzip(r *bufio.Reader, cp checkpoint) (*gzipReader, error) {
	z := &gzipReader{r: r, unc: cp.unc, memberUnc: cp.unc}
	if cp.member {
		if err := z.member(); err != nil {
			return nil, noEOF(err)
		}
		return z, nil
	}
	z.fl = flate.NewReaderOpts(r, flate.WithResumeFrom(flate.InflateCheckpoint{
		UncompressedOffset: 0, CompressedOffset: 0, BitOffset: cp.bit, Window: cp.window,
	}))
	return z, nil
}

func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// member reads a member's header and starts inflating its data; io.EOF
// when the blob ends cleanly before it.
func (z *gzipReader) member() error {
	start := int64(0)
	if z.pos != nil {
		start = z.pos()
	}
	if _, err := io.ReadFull(z.r, z.buf[:10]); err != nil {
		return err
	}
	if z.buf[0] != 0x1f || z.buf[1] != 0x8b || z.buf[2] != 8 || z.buf[3]>>5 != 0 {
		return gzip.ErrHeader
	}
	flg := z.buf[3]
	digest := crc32.ChecksumIEEE(z.buf[:10])
	if flg&4 != 0 { // FEXTRA
		if _, err := io.ReadFull(z.r, z.buf[:2]); err != nil {
			return noEOF(err)
		}
		digest = crc32.Update(digest, crc32.IEEETable, z.buf[:2])
		for n := int(binary.LittleEndian.Uint16(z.buf[:2])); n > 0; {
			m, err := io.ReadFull(z.r, z.buf[:min(n, len(z.buf))])
			if err != nil {
				return noEOF(err)
			}
			digest = crc32.Update(digest, crc32.IEEETable, z.buf[:m])
			n -= m
		}
	}
	for _, f := range []byte{8, 16} { // FNAME, FCOMMENT: NUL-terminated, 512 bytes at most
		if flg&f == 0 {
			continue
		}
		for i := 0; ; i++ {
			if i >= len(z.buf) {
				return gzip.ErrHeader
			}
			c, err := z.r.ReadByte()
			if err != nil {
				return noEOF(err)
			}
			z.buf[i] = c
			if c == 0 {
				digest = crc32.Update(digest, crc32.IEEETable, z.buf[:i+1])
				break
			}
		}
	}
	if flg&2 != 0 { // FHCRC
		if _, err := io.ReadFull(z.r, z.buf[:2]); err != nil {
			return noEOF(err)
		}
		if binary.LittleEndian.Uint16(z.buf[:2]) != uint16(digest) {
			return gzip.ErrHeader
		}
	}
	z.check, z.crc, z.size, z.memberUnc = true, 0, 0, z.unc
	ix := z.idx
	if ix == nil {
		if z.fl == nil {
			z.fl = flate.NewReader(z.r)
		} else {
			z.fl.(flate.Resetter).Reset(z.r, nil)
		}
		return nil
	}
	ix.add(checkpoint{comp: start, member: true, unc: z.unc})
	ix.deflateStart = z.pos()
	// A fresh inflater per member keeps the block callback, which Reset
	// drops; members after the first only get one when the one before was
	// large, so an eStargz blob of one member per file, whose member
	// headers are checkpoints enough, does not allocate a window each.
	if z.fl == nil || z.prevSize >= ix.every {
		z.fl = flate.NewReaderOpts(z.r, flate.WithEobCallback(z.block))
	} else {
		z.fl.(flate.Resetter).Reset(z.r, nil)
	}
	return nil
}

// block records a checkpoint at a deflate block's end when the last one
// is far enough behind.
func (z *gzipReader) block(cp flate.InflateCheckpoint) {
	if cp.Final {
		return
	}
	ix := z.idx
	c := checkpoint{comp: ix.deflateStart + cp.CompressedOffset, bit: cp.BitOffset, unc: z.memberUnc + cp.UncompressedOffset}
	// The window, 32 KiB, is copied only for a checkpoint kept.
	if ix.add(c) {
		ix.cps[len(ix.cps)-1].window = append([]byte(nil), cp.Window...)
	}
}

func (z *gzipReader) Read(p []byte) (int, error) {
	if z.err != nil {
		return 0, z.err
	}
	for {
		if z.between {
			if err := z.member(); err != nil {
				z.err = err
				return 0, err
			}
			z.between = false
		}
		n, err := z.fl.Read(p)
		if z.check {
			z.crc = crc32.Update(z.crc, crc32.IEEETable, p[:n])
			z.size += uint32(n)
		}
		z.unc += int64(n)
		if !errors.Is(err, io.EOF) {
			z.err = err
			return n, err
		}
		if _, err := io.ReadFull(z.r, z.buf[:8]); err != nil {
			z.err = noEOF(err)
			return n, z.err
		}
		if z.check && (binary.LittleEndian.Uint32(z.buf[:4]) != z.crc || binary.LittleEndian.Uint32(z.buf[4:8]) != z.size) {
			z.err = gzip.ErrChecksum
			return n, z.err
		}
		// The next member's header is read on the next call, so that bytes
		// already inflated are not returned with its errors, and a span
		// that ends with a member is not read past it.
		z.prevSize = z.unc - z.memberUnc
		z.between = true
		if n > 0 {
			return n, nil
		}
	}
}

func (z *gzipReader) Close() error {
	if z.fl == nil {
		return nil
	}
	return z.fl.Close()
}
