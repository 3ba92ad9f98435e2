package analyze

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/klauspost/compress/zstd"
)

// memRanges serves spans of a blob in memory.
type memRanges []byte

func (m memRanges) OpenRange(_ context.Context, off, n int64) (io.ReadCloser, error) {
	if off < 0 || n <= 0 || off > int64(len(m)) || n > int64(len(m))-off {
		return nil, fmt.Errorf("span %d+%d: %w", off, n, ErrNoRange)
	}
	return io.NopCloser(bytes.NewReader(m[off : off+n])), nil
}

// FuzzTOC feeds arbitrary TOC JSON, over a blob of arbitrary bytes, to the
// scan of either format: whatever the entries claim (offsets past the
// blob, negative sizes, chunks out of order, unknown types), the scan
// returns an error or a scan, never panics or loops, and a scan's sizes
// are its files'.
func FuzzTOC(f *testing.F) {
	enc, _ := zstd.NewWriter(nil)
	frame := enc.EncodeAll([]byte("hello, world"), nil)
	f.Add([]byte(`{"version":1,"entries":[{"name":"a","type":"reg","size":12,"offset":1,"endOffset":`+fmt.Sprint(1+len(frame))+`}]}`), append([]byte{0}, frame...), true)
	f.Add([]byte(`{"version":1,"entries":[{"name":"etc/","type":"dir"},{"name":"etc/.wh.x","type":"reg"},{"name":"l","type":"hardlink","linkName":"a"},{"name":"var/lib/dpkg/status","type":"reg","size":5,"offset":3},{"name":"var/lib/dpkg/status","type":"chunk","offset":2,"chunkOffset":2}]}`), []byte("\x1f\x8b\x08\x00junk"), false)
	f.Add([]byte(`{"entries":[{"name":"id_rsa","type":"reg","size":100,"offset":0,"innerOffset":99999999}]}`), []byte{1, 2, 3}, false)
	f.Fuzz(func(t *testing.T, doc, blob []byte, zstdKind bool) {
		var tf tocFile
		if err := json.Unmarshal(doc, &tf); err != nil || len(tf.Entries) > 1000 {
			return
		}
		toc := &layerTOC{kind: tocEstargz, entries: tf.Entries, dataEnd: int64(len(blob))}
		if zstdKind {
			toc.kind = tocZstdChunked
		}
		s, err := scanTOC(context.Background(), memRanges(blob), toc, newTree(), true)
		if err != nil {
			return
		}
		var sum int64
		for _, e := range s.entries {
			if e.Kind == KindFile {
				sum += e.Size
			}
		}
		if sum != s.size {
			t.Fatalf("sizes sum to %d, the scan says %d", sum, s.size)
		}
	})
}

// FuzzZstdChunkedPosition feeds arbitrary position annotations to the
// zstd:chunked TOC reader over a small blob: it must refuse what does not
// fit with errTOC (or a range error), never panic or fetch out of bounds.
func FuzzZstdChunkedPosition(f *testing.F) {
	f.Add("10:20:30:1", int64(100))
	f.Add("-1:5:5:1", int64(100))
	f.Add("0:9223372036854775807:1:1", int64(100))
	f.Add("1:2:3", int64(10))
	f.Fuzz(func(t *testing.T, pos string, size int64) {
		if size < 0 || size > 1<<16 {
			return
		}
		desc := &v1.Descriptor{Size: size, Annotations: map[string]string{
			ZstdChunkedPositionAnnotation: pos, ZstdChunkedChecksumAnnotation: "sha256:00",
		}}
		_, err := readZstdChunkedTOC(context.Background(), memRanges(make([]byte, size)), desc)
		if err == nil {
			t.Fatal("a TOC of zeros verified")
		}
		if !errors.Is(err, errTOC) && !errors.Is(err, ErrNoRange) {
			t.Fatalf("err = %v, want errTOC or ErrNoRange", err)
		}
	})
}
