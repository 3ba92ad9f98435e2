package analyze

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"io"
	"testing"

	"github.com/klauspost/compress/gzip"
)

// memBlob is a gzip blob in memory that serves spans.
type memBlob []byte

func (b memBlob) Compressed() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }

func (b memBlob) OpenRange(_ context.Context, off, n int64) (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(b[off:min(int64(len(b)), off+n)])), nil
}

// seekScan scans a gzipped tar of files of the given sizes, each filled
// with its own byte.
func seekScan(t testing.TB, sizes ...int) (memBlob, Layer) {
	t.Helper()
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	for i, n := range sizes {
		tw.WriteHeader(&tar.Header{Name: string(rune('a'+i)) + ".bin", Typeflag: tar.TypeReg, Size: int64(n), Mode: 0o644})
		tw.Write(bytes.Repeat([]byte{byte('a' + i)}, n))
	}
	tw.Close()
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	zw.Write(tb.Bytes())
	zw.Close()
	blob := memBlob(zb.Bytes())
	s, err := scanLayer(context.Background(), blob, newTree(), false, false, true, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	if s.seek == nil {
		t.Fatal("no seek index")
	}
	return blob, Layer{Entries: s.entries, seek: loadedSeek(s.seek)}
}

// TestIndexNamingAnotherEntry: an index whose offset leads to another
// entry's header is not trusted; the file is read from the stream.
func TestIndexNamingAnotherEntry(t *testing.T) {
	blob, rec := seekScan(t, 1000, 2000, 5<<20) // over 4 MiB, to be indexed
	if _, ok, err := openIndexed(context.Background(), blob, rec, 1); !ok || err != nil {
		t.Fatalf("the sound index was not used: %v %v", ok, err)
	}
	x := rec.seek.load()
	x.headers[1] = x.headers[2]
	if _, ok, _ := openIndexed(context.Background(), blob, rec, 1); ok {
		t.Fatal("an index pointing at c.bin served b.bin from it")
	}
	rc, err := OpenEntry(context.Background(), blob, rec, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, _ := io.ReadAll(rc)
	if !bytes.Equal(b, bytes.Repeat([]byte("b"), 2000)) {
		t.Errorf("the stream gave %d bytes of %q", len(b), b[:min(len(b), 4)])
	}
}

func FuzzDecodeSeek(f *testing.F) {
	_, rec := seekScan(f, 5<<20, 10, 3<<20)
	var good bytes.Buffer
	if err := encodeSeek(&good, "sha256:ab", rec.seek.load()); err != nil {
		f.Fatal(err)
	}
	// The body is fuzzed under a valid checksum, so that the parser, not
	// the checksum, is what refuses.
	body := good.Bytes()[:good.Len()-4]
	f.Add(body)
	f.Add(body[:len(body)/2])
	f.Fuzz(func(t *testing.T, b []byte) {
		rec := binary.LittleEndian.AppendUint32(bytes.Clone(b), crc32.Checksum(b, castagnoli))
		x, err := decodeSeek(bytes.NewReader(rec), "sha256:ab")
		if err != nil {
			return
		}
		for i, cp := range x.cps {
			if len(cp.window) > maxWindow || cp.comp > x.compSize || cp.unc > x.uncSize || (i > 0 && cp.unc <= x.cps[i-1].unc) {
				t.Fatalf("accepted checkpoint %d: %+v", i, cp)
			}
		}
		for i := range x.headers {
			if at, _ := x.headerOffset(i); at >= x.uncSize {
				t.Fatalf("accepted header %d at %d past the tar's %d bytes", i, at, x.uncSize)
			}
		}
	})
}

// TestIndexerThinsWhenFull: past maxCheckpoints the index keeps every
// other checkpoint and spaces new ones twice as far, so a huge layer's
// index stays bounded and evenly spread.
func TestIndexerThinsWhenFull(t *testing.T) {
	ix := &gzipIndexer{every: 10, compEvery: 3, cps: []checkpoint{{member: true}}}
	const steps = 10 * maxCheckpoints
	for i := int64(1); i <= steps; i++ {
		ix.add(checkpoint{unc: 10 * i, comp: 3 * i})
		if len(ix.cps) > maxCheckpoints {
			t.Fatalf("step %d: %d checkpoints, over %d", i, len(ix.cps), maxCheckpoints)
		}
	}
	if ix.cps[0].unc != 0 || !ix.cps[0].member {
		t.Errorf("the blob's start was dropped: %+v", ix.cps[0])
	}
	gap := ix.cps[1].unc - ix.cps[0].unc
	for i := 1; i < len(ix.cps); i++ {
		if d := ix.cps[i].unc - ix.cps[i-1].unc; d != gap {
			t.Fatalf("checkpoint %d is %d past the one before, the first gap is %d", i, d, gap)
		}
	}
	if last := ix.cps[len(ix.cps)-1].unc; 10*steps-last >= 2*ix.every || len(ix.cps) < maxCheckpoints/2 {
		t.Errorf("%d checkpoints, the last at %d of %d (spacing %d)", len(ix.cps), last, 10*steps, ix.every)
	}
}
