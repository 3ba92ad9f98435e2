package analyze

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"
)

// TestHashAhead: what comes out of the reader is what went in, and the
// sum is sha256 of exactly the bytes read, whatever the sizes of the
// stream, of the underlying reads and of the reads made through it.
func TestHashAhead(t *testing.T) {
	sizes := []int{0, 1, aheadChunk - 1, aheadChunk, aheadChunk + 1, aheadChunks*aheadChunk + 17, 3 * aheadChunks * aheadChunk}
	under := map[string]func(io.Reader) io.Reader{
		"plain":   func(r io.Reader) io.Reader { return r },
		"half":    iotest.HalfReader,
		"dataerr": iotest.DataErrReader,
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, size := range sizes {
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		for name, wrap := range under {
			for _, readSize := range []int{1, 511, 4096, 1 << 20} {
				if size > 1<<20 && readSize == 1 {
					continue // slow, and nothing a larger size does not cover
				}
				a := newHashAhead(wrap(bytes.NewReader(data)), sha256.New())
				var got bytes.Buffer
				buf := make([]byte, readSize)
				for {
					n, err := a.Read(buf)
					got.Write(buf[:n])
					if errors.Is(err, io.EOF) {
						break
					}
					if err != nil {
						t.Fatalf("size %d %s reads of %d: %v", size, name, readSize, err)
					}
				}
				if !bytes.Equal(got.Bytes(), data) {
					t.Fatalf("size %d %s reads of %d: read %d bytes, not the stream", size, name, readSize, got.Len())
				}
				if sum, want := a.Sum(), sha256.Sum256(data); !bytes.Equal(sum, want[:]) {
					t.Errorf("size %d %s reads of %d: sum %x, want %x", size, name, readSize, sum, want)
				}
				a.stop() // after Sum: a no-op
			}
		}
	}
}

// TestHashAheadPartial: Sum covers what was read, not what was read
// ahead of the walk; an error of the stream comes after its bytes; stop
// without Sum ends the hasher.
func TestHashAheadPartial(t *testing.T) {
	data := bytes.Repeat([]byte("strata"), aheadChunk)
	a := newHashAhead(bytes.NewReader(data), sha256.New())
	part := make([]byte, aheadChunk+1000)
	if _, err := io.ReadFull(a, part); err != nil {
		t.Fatal(err)
	}
	if sum, want := a.Sum(), sha256.Sum256(part); !bytes.Equal(sum, want[:]) {
		t.Errorf("sum after %d bytes covers something else", len(part))
	}

	boom := errors.New("boom")
	a = newHashAhead(io.MultiReader(bytes.NewReader(data[:5000]), iotest.ErrReader(boom)), sha256.New())
	got, err := io.ReadAll(a)
	if !errors.Is(err, boom) || len(got) != 5000 {
		t.Errorf("read %d bytes and %v; want 5000 and boom", len(got), err)
	}
	for range 3 { // the error stays
		if n, err := a.Read(make([]byte, 10)); n != 0 || !errors.Is(err, boom) {
			t.Errorf("read after the error: %d, %v", n, err)
		}
	}
	a.stop()

	a = newHashAhead(io.MultiReader(bytes.NewReader(data[:100]), iotest.ErrReader(io.ErrUnexpectedEOF)), sha256.New())
	if _, err := io.ReadAll(a); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("a truncated stream reads as %v, want io.ErrUnexpectedEOF", err)
	}
	a.stop()

	a = newHashAhead(bytes.NewReader(data), sha256.New())
	if _, err := a.Read(make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	a.stop()
	a.stop()
}

// BenchmarkHashAheadSmallLayer: a layer of a few KiB, the common case in
// images with many small steps, should cost one chunk, not the whole
// in-flight budget (B/op).
func BenchmarkHashAheadSmallLayer(b *testing.B) {
	data := bytes.Repeat([]byte("x"), 10<<10)
	b.ReportAllocs()
	for b.Loop() {
		a := newHashAhead(bytes.NewReader(data), sha256.New())
		if _, err := io.Copy(io.Discard, a); err != nil {
			b.Fatal(err)
		}
		a.Sum()
	}
}
