package analyze

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
)

// ErrNotRegular is returned by OpenEntry for an entry with no content of
// its own: a directory, link or device.
var ErrNotRegular = errors.New("not a regular file")

// OpenEntry streams the content of entry index of layer l, where index
// counts Layer.Entries as Analyze recorded them (tar order) and layer is
// that record, which says whether the eStargz metadata Analyze left out is
// to be skipped. Only the layer's bytes up to that entry are read, and
// nothing is buffered, so the caller decides how much of a large file to
// take. A layer whose blob offers RangeOpener and which Analyze indexed
// (see seekIndex) is read from the checkpoint before the entry instead of
// from its start. The reader's Size method returns the entry's size as the tar
// header records it, so that a caller reading at an offset knows where the
// file ends before reaching it.
func OpenEntry(ctx context.Context, l interface {
	Compressed() (io.ReadCloser, error)
}, layer Layer, index int) (io.ReadCloser, error) {
	if rc, ok, err := openIndexed(ctx, l, layer, index); ok {
		return rc, err
	}
	ls, err := openLayer(ctx, l, 1)
	if err != nil {
		return nil, err
	}
	skipMeta := layer.EstargzMetadataEntries > 0
	tr := tar.NewReader(ls.plain)
	for n := 0; ; {
		hdr, err := tr.Next()
		if err != nil {
			ls.Close()
			if errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("entry %d not found: the layer has %d", index, n)
			}
			return nil, fmt.Errorf("reading tar: %w", err)
		}
		name, _, _, err := entryName(hdr)
		if err != nil {
			ls.Close()
			return nil, err
		}
		if name == "" || (skipMeta && isEstargzMetadata(name, kindOf(hdr.Typeflag))) {
			continue
		}
		if n == index {
			if k := kindOf(hdr.Typeflag); k != KindFile {
				ls.Close()
				return nil, fmt.Errorf("%s is a %s: %w", name, k, ErrNotRegular)
			}
			return entryReader{Reader: tr, closer: ls, size: hdr.Size}, nil
		}
		n++
	}
}

type entryReader struct {
	io.Reader
	closer io.Closer
	size   int64
}

func (r entryReader) Close() error { return r.closer.Close() }

// Size is the entry's content size in bytes.
func (r entryReader) Size() int64 { return r.size }

// ReadEntries streams the contents of the entries at indexes (ascending,
// counted as OpenEntry counts them) of layer l in one read of the layer,
// calling fn with each in turn: saving a directory reads its layers once,
// not once per file. Reading stops after the last index. An entry at one
// of the indexes that is not a regular file is an error wrapping
// ErrNotRegular.
func ReadEntries(ctx context.Context, l interface {
	Compressed() (io.ReadCloser, error)
}, layer Layer, indexes []int, fn func(index int, r io.Reader) error) error {
	if len(indexes) == 0 {
		return nil
	}
	ls, err := openLayer(ctx, l, 1)
	if err != nil {
		return err
	}
	defer ls.Close()
	skipMeta := layer.EstargzMetadataEntries > 0
	tr := tar.NewReader(ls.plain)
	for n, next := 0, 0; next < len(indexes); {
		hdr, err := tr.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return fmt.Errorf("entry %d not found: the layer has %d", indexes[next], n)
			}
			return fmt.Errorf("reading tar: %w", err)
		}
		name, _, _, err := entryName(hdr)
		if err != nil {
			return err
		}
		if name == "" || (skipMeta && isEstargzMetadata(name, kindOf(hdr.Typeflag))) {
			continue
		}
		if n == indexes[next] {
			if k := kindOf(hdr.Typeflag); k != KindFile {
				return fmt.Errorf("%s is a %s: %w", name, k, ErrNotRegular)
			}
			if err := fn(n, tr); err != nil {
				return err
			}
			for next < len(indexes) && indexes[next] == n {
				next++ // the same entry asked twice is given once
			}
		}
		n++
	}
	return nil
}
