package analyze

// Opening a layer's stream: the stored bytes recognised by their magic
// (gzip, zstd, plain tar), decompressed, and counted; and the small
// readers the scan wraps them in.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// opener is the part of v1.Layer a scan needs.
type opener interface {
	Compressed() (io.ReadCloser, error)
}

// layerStream is a layer's uncompressed tar, opened from the bytes the
// source stored.
type layerStream struct {
	plain      io.Reader // the uncompressed tar
	compressed bool
	gzip       bool
	tail       *tailReader // the stored bytes' last ones, for the eStargz footer
	closers    multiCloser
	// pos is the blob offset the decompressor has reached, and gzidx the
	// checkpoints it recorded, when openLayer was asked to index.
	pos   func() int64
	gzidx *gzipIndexer
}

// estargz reports whether the stream, read to its end, was eStargz.
func (ls *layerStream) estargz() bool { return ls.gzip && hasStargzFooter(ls.tail.tail()) }

func (ls *layerStream) Close() error { return ls.closers.Close() }

// openLayer opens l's stored bytes and decompresses them. gzip, zstd and a
// plain tar are told apart by their magic bytes rather than by a media
// type, which tools get wrong.
func openLayer(ctx context.Context, l opener, decoders int) (*layerStream, error) {
	return openLayerIndexed(ctx, l, decoders, false)
}

// openLayerIndexed is openLayer that, with index, records gzip
// checkpoints as the stream is read (see seekIndex).
func openLayerIndexed(ctx context.Context, l opener, decoders int, index bool) (*layerStream, error) {
	rc, err := l.Compressed()
	if err != nil {
		return nil, fmt.Errorf("opening: %w", err)
	}
	tail := &tailReader{r: rc}
	ls := &layerStream{closers: multiCloser{rc}, tail: tail}
	var magic [4]byte
	n, err := io.ReadFull(&ctxReader{ctx: ctx, r: tail}, magic[:])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		ls.Close()
		return nil, fmt.Errorf("reading: %w", err)
	}
	counted := &countingReader{r: io.MultiReader(bytes.NewReader(magic[:n]), &ctxReader{ctx: ctx, r: tail})}
	stored := bufio.NewReaderSize(counted, 64<<10)
	ls.plain = stored
	ls.pos = func() int64 { return counted.n - int64(stored.Buffered()) }
	switch {
	case bytes.HasPrefix(magic[:n], gzipMagic) && index:
		ls.gzidx = newGzipIndexer()
		zr, err := newGzipReader(stored, ls.pos, ls.gzidx)
		if err != nil {
			ls.Close()
			return nil, fmt.Errorf("opening gzip stream: %w", err)
		}
		ls.closers = append(ls.closers, zr)
		ls.plain, ls.compressed, ls.gzip = zr, true, true
	case bytes.HasPrefix(magic[:n], gzipMagic):
		zr, err := gzip.NewReader(stored)
		if err != nil {
			ls.Close()
			return nil, fmt.Errorf("opening gzip stream: %w", err)
		}
		ls.closers = append(ls.closers, zr)
		ls.plain, ls.compressed, ls.gzip = zr, true, true
	case bytes.HasPrefix(magic[:n], zstdMagic):
		// One decoder goroutine per layer when layers are read in parallel
		// anyway; more (decoders) when there are fewer layers than cores,
		// so that a one-layer image does not leave a core idle.
		// The window a frame declares is memory the decoder allocates up
		// front, so it is capped: see maxZstdWindow.
		zr, err := newZstdReader(stored, decoders, maxZstdWindow)
		if err != nil {
			ls.Close()
			return nil, fmt.Errorf("opening zstd stream: %w", err)
		}
		ls.closers = append(ls.closers, zr.IOReadCloser())
		ls.plain, ls.compressed = zstdWindowReader{zr}, true
	}
	return ls, nil
}

// maxZstdWindow bounds the window a zstd layer may ask for: 32 MiB, the
// largest any zstd level up to 20 uses (the ultra levels and --long, which
// no image tool writes by default, go beyond). A larger one is refused
// rather than allocated.
const maxZstdWindow = 32 << 20

var errZstdWindow = errors.New("zstd window over 32 MiB, refused (strata's bound on decoder memory)")

// zstdWindowReader says plainly why a zstd stream over the bound stops.
type zstdWindowReader struct{ r io.Reader }

func (z zstdWindowReader) Read(p []byte) (int, error) {
	n, err := z.r.Read(p)
	if errors.Is(err, zstd.ErrWindowSizeExceeded) || errors.Is(err, zstd.ErrDecoderSizeExceeded) {
		err = errZstdWindow
	}
	return n, err
}

// byteCounter counts what is written to it.
type byteCounter struct{ n int64 }

func (c *byteCounter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

// countingReader counts what is read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
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

// newZstdReader is a zstd decoder held to strata's bound on decoder
// memory (see maxZstdWindow), with decoders goroutines and at most
// maxMemory of output for one frame.
func newZstdReader(r io.Reader, decoders int, maxMemory uint64) (*zstd.Decoder, error) {
	return zstd.NewReader(r, zstd.WithDecoderConcurrency(max(1, decoders)), zstd.WithDecoderLowmem(true),
		zstd.WithDecoderMaxWindow(maxZstdWindow), zstd.WithDecoderMaxMemory(maxMemory))
}
