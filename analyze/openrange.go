package analyze

import (
	"archive/tar"
	"bufio"
	"context"
	"io"
	"sort"
)

// headerSlack is how far past an entry's header start its data may begin:
// the PAX and long-name records before a header are rarely more than a
// few blocks. An entry with more is read from the whole stream.
const headerSlack = 64 << 10

// inflateSlack is read past the byte where a checkpoint's block ends: the
// inflater may look a few bytes ahead while decoding the block's last
// symbols.
const inflateSlack = 64

// openIndexed reads entry index of layer from the span of its blob that
// holds it, when the layer has a seek index and the blob can be read in
// spans. ok is false when it cannot, for any reason but a cancelled
// context: the caller then reads the whole stream, which is always right.
func openIndexed(ctx context.Context, l any, layer Layer, index int) (rc io.ReadCloser, ok bool, err error) {
	ro, isRange := l.(RangeOpener)
	if !isRange || index < 0 || index >= len(layer.Entries) || layer.Entries[index].Kind != KindFile {
		return nil, false, nil
	}
	x := layer.seek.load()
	hdrAt, found := x.headerOffset(index)
	if !found {
		return nil, false, nil
	}
	e := layer.Entries[index]
	sp := x.span(hdrAt, hdrAt+headerSlack+e.Size+padding(e.Size))
	blob, err := ro.OpenRange(ctx, sp.from, sp.to-sp.from)
	if err != nil {
		if ctx.Err() != nil {
			return nil, true, ctx.Err()
		}
		return nil, false, nil
	}
	closers := multiCloser{blob}
	fail := func() (io.ReadCloser, bool, error) {
		closers.Close()
		if ctx.Err() != nil {
			return nil, true, ctx.Err()
		}
		return nil, false, nil
	}
	br := bufio.NewReaderSize(&ctxReader{ctx: ctx, r: blob}, 64<<10)
	var plain io.Reader = br
	if x.gzip {
		z, err := resumeGzip(br, sp.cp)
		if err != nil {
			return fail()
		}
		closers = append(closers, z)
		plain = z
	}
	if _, err := io.CopyN(io.Discard, plain, hdrAt-sp.cp.unc); err != nil {
		return fail()
	}
	// The header is read again and must be the entry the analysis
	// recorded: a stale or wrong index falls back rather than serving
	// another file's bytes.
	hdrBytes := &countingReader{r: plain}
	tr := tar.NewReader(hdrBytes)
	hdr, err := tr.Next()
	if err != nil || !sameEntry(hdr, e) || hdrAt+hdrBytes.n+hdr.Size > sp.upto {
		return fail()
	}
	return entryReader{Reader: tr, closer: closers, size: hdr.Size}, true, nil
}

// sameEntry reports whether hdr is the header the analysis recorded as e.
func sameEntry(hdr *tar.Header, e Entry) bool {
	name, wk, _, err := entryName(hdr)
	return err == nil && name != "" && wk == notWhiteout && kindOf(hdr.Typeflag) == KindFile &&
		!isSparse(hdr) &&
		hdr.Size == e.Size && hdr.FileInfo().Mode() == e.Mode && clampID(hdr.Uid) == e.UID && clampID(hdr.Gid) == e.GID
}

// blobSpan is the part of a blob to read for uncompressed bytes up to
// upto: from compressed offset from (checkpoint cp) to to.
type blobSpan struct {
	cp       checkpoint
	from, to int64
	upto     int64 // the uncompressed offset the span is sure to reach
}

// span finds the blob bytes that hold the uncompressed bytes [at, end).
func (x *seekIndex) span(at, end int64) blobSpan {
	end = min(end, x.uncSize)
	if !x.gzip {
		return blobSpan{cp: checkpoint{comp: at, unc: at}, from: at, to: end, upto: end}
	}
	// The last checkpoint at or before at; the first is the blob's start.
	i := sort.Search(len(x.cps), func(i int) bool { return x.cps[i].unc > at }) - 1
	sp := blobSpan{cp: x.cps[max(i, 0)], to: x.compSize, upto: x.uncSize}
	sp.from = sp.cp.comp
	if j := sort.Search(len(x.cps), func(j int) bool { return x.cps[j].unc >= end }); j < len(x.cps) {
		sp.to, sp.upto = min(x.compSize, x.cps[j].comp+inflateSlack), x.cps[j].unc
	}
	return sp
}

// multiCloser closes its closers last first.
type multiCloser []io.Closer

func (m multiCloser) Close() error {
	var first error
	for i := len(m) - 1; i >= 0; i-- {
		if err := m[i].Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
