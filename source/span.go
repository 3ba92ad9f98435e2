package source

import (
	"context"
	"fmt"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// spanLayer is a layer whose blob is a file or a span of one (an OCI
// layout's blob, a member of a docker save or OCI archive), so that any
// part of it is one seek away. It offers OpenRange, which analyze asks for
// by type assertion (analyze.RangeOpener) to read a file from the middle
// of a layer; layers of other sources lack the method rather than failing
// it.
type spanLayer struct{ *layer }

// OpenRange returns length bytes of the blob from offset, fewer where the
// blob ends first.
func (l spanLayer) OpenRange(ctx context.Context, offset, length int64) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if offset < 0 || length < 0 || offset > l.size {
		return nil, fmt.Errorf("span %d+%d of a %d-byte blob", offset, length, l.size)
	}
	return l.openRange(offset, min(length, l.size-offset))
}

// asV1 is the v1.Layer l is served as: a spanLayer when its blob can be
// read in spans.
func (l *layer) asV1() v1.Layer {
	if l.openRange != nil {
		return spanLayer{l}
	}
	return l
}

// fileSpan reads n bytes at off of the file at path.
func fileSpan(path string, off, n int64) (io.ReadCloser, error) {
	f, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	return &sectionReadCloser{SectionReader: io.NewSectionReader(f, off, n), f: f}, nil
}

// openSpan reads n bytes at off of member m's data.
func (t *tarIndex) openSpan(m member, off, n int64) (io.ReadCloser, error) {
	if off < 0 || n < 0 || off > m.size {
		return nil, fmt.Errorf("%s: span %d+%d of %d bytes", m.name, off, n, m.size)
	}
	n = min(n, m.size-off)
	if t.file != nil {
		return io.NopCloser(io.NewSectionReader(t.file, m.offset+off, n)), nil
	}
	return fileSpan(t.path, m.offset+off, n)
}

// rangeStore is a blobStore that reads spans of its blobs in place.
type rangeStore interface {
	openRange(h v1.Hash, off, n int64) (io.ReadCloser, error)
}

func (d dirStore) openRange(h v1.Hash, off, n int64) (io.ReadCloser, error) {
	rc, err := fileSpan(d.blobPath(h), off, n)
	if err != nil {
		return nil, fmt.Errorf("blob %s: %w", h, notFound(err))
	}
	return rc, nil
}

func (t tarStore) openRange(h v1.Hash, off, n int64) (io.ReadCloser, error) {
	m, err := t.idx.lookup(t.name(h))
	if err != nil {
		return nil, fmt.Errorf("blob %s: %w", h, memberErr(err))
	}
	return t.idx.openSpan(m, off, n)
}
