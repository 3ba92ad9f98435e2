package analyze_test

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/strata-cli/strata/analyze"
)

// bombLayer is a gzip stream of one tar entry holding size zero bytes,
// built from one compressed member of zeros repeated: a few KiB on disk
// for gigabytes of content, the shape of a decompression bomb.
type bombLayer struct {
	head, zeros, tail []byte
	repeat            int
}

func newBomb(t testing.TB, size int64) bombLayer {
	const chunk = 64 << 20
	if size%chunk != 0 {
		t.Fatalf("bomb size must be a multiple of %d", chunk)
	}
	var hdr bytes.Buffer
	tw := tar.NewWriter(&hdr)
	if err := tw.WriteHeader(&tar.Header{Name: "bomb", Typeflag: tar.TypeReg, Size: size, Mode: 0o644}); err != nil {
		t.Fatal(err)
	}
	tw.Flush()
	gz := func(b []byte) []byte {
		var out bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&out, gzip.BestCompression)
		zw.Write(b)
		zw.Close()
		return out.Bytes()
	}
	// After the data: the end-of-archive marker (the data is block-aligned).
	return bombLayer{head: gz(hdr.Bytes()), zeros: gz(make([]byte, chunk)), tail: gz(make([]byte, 1024)), repeat: int(size / chunk)}
}

func (b bombLayer) Compressed() (io.ReadCloser, error) {
	rs := []io.Reader{bytes.NewReader(b.head)}
	for range b.repeat {
		rs = append(rs, bytes.NewReader(b.zeros))
	}
	rs = append(rs, bytes.NewReader(b.tail))
	return io.NopCloser(io.MultiReader(rs...)), nil
}
func (b bombLayer) Uncompressed() (io.ReadCloser, error) { return nil, errors.New("not used") }
func (bombLayer) Digest() (v1.Hash, error)               { return v1.Hash{Algorithm: "sha256", Hex: "00"}, nil }
func (bombLayer) DiffID() (v1.Hash, error)               { return v1.Hash{Algorithm: "sha256", Hex: "00"}, nil }
func (b bombLayer) Size() (int64, error) {
	return int64(len(b.head) + b.repeat*len(b.zeros) + len(b.tail)), nil
}
func (bombLayer) MediaType() (types.MediaType, error) { return types.OCILayer, nil }

// peakHeap samples the heap in use while f runs.
func peakHeap(f func()) uint64 {
	var peak uint64
	var mu sync.Mutex
	done := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
			runtime.ReadMemStats(&ms)
			mu.Lock()
			peak = max(peak, ms.HeapInuse)
			mu.Unlock()
		}
	}()
	f()
	close(done)
	mu.Lock()
	defer mu.Unlock()
	return peak
}

// TestBombInConstantMemory: memory follows entries, never file sizes.
func TestBombInConstantMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("decompresses 256 MiB")
	}
	bomb := newBomb(t, 256<<20)
	img := streamImage{layers: []v1.Layer{bomb}}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var res *analyze.Result
	peak := peakHeap(func() {
		var err error
		res, err = analyze.Analyze(context.Background(), img, analyze.Options{NoVerify: true})
		if err != nil {
			t.Fatal(err)
		}
	})
	if res.Image.SizeBytes != 256<<20 || res.Image.FileCount != 1 {
		t.Errorf("size %d files %d, want 256 MiB in 1 file", res.Image.SizeBytes, res.Image.FileCount)
	}
	// The compressed bomb itself is ~1 MiB of test data; decompression
	// windows and buffers are a few MiB. Nothing may scale with the file.
	if grew := int64(peak) - int64(before.HeapInuse); grew > 32<<20 {
		t.Errorf("heap grew by %d MiB while reading a 256 MiB file", grew>>20)
	}
}

// endlessLayer streams a tar entry that never ends.
type endlessLayer struct{ streamLayer }

func endless() endlessLayer {
	return endlessLayer{streamLayer{write: func(tw *tar.Writer) error {
		if err := tw.WriteHeader(&tar.Header{Name: "forever", Typeflag: tar.TypeReg, Size: 1 << 50, Mode: 0o644}); err != nil {
			return err
		}
		buf := make([]byte, 1<<20)
		for {
			if _, err := tw.Write(buf); err != nil {
				return err
			}
		}
	}}}
}

// TestCancelStopsWithinASecond: a cancelled analysis returns promptly
// mid-layer and leaves nothing running (goleak checks in TestMain).
func TestCancelStopsWithinASecond(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	img := streamImage{layers: []v1.Layer{endless(), endless(), endless()}}
	errc := make(chan error, 1)
	go func() {
		_, err := analyze.Analyze(ctx, img, analyze.Options{})
		errc <- err
	}()
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("took %v to stop", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Analyze did not stop within 5s of cancel")
	}
}

// BenchmarkGzipBomb reads one 8 GiB file of zeros from an 8 MiB gzip stream
// and reports the peak heap: it must not grow with the file.
func BenchmarkGzipBomb(b *testing.B) {
	bomb := newBomb(b, 8<<30)
	img := streamImage{layers: []v1.Layer{bomb}}
	var peak uint64
	for b.Loop() {
		peak = peakHeap(func() {
			if _, err := analyze.Analyze(context.Background(), img, analyze.Options{NoVerify: true}); err != nil {
				b.Fatal(err)
			}
		})
	}
	b.ReportMetric(float64(peak)/(1<<20), "peakHeapMiB")
	b.SetBytes(8 << 30)
}
