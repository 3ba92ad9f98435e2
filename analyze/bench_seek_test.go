package analyze_test

import (
	"archive/tar"
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/klauspost/compress/gzip"

	"github.com/strata-cli/strata/analyze"
)

// fileBlob is a gzip layer in a file, read whole or in spans (as an
// archive source serves it), counting the bytes handed out.
type fileBlob struct {
	v1.Layer
	path string
	read atomic.Int64
}

func (f *fileBlob) Compressed() (io.ReadCloser, error) { return f.span(0, 1<<62) }

func (f *fileBlob) OpenRange(_ context.Context, off, n int64) (io.ReadCloser, error) {
	return f.span(off, n)
}

func (f *fileBlob) span(off, n int64) (io.ReadCloser, error) {
	fh, err := os.Open(f.path)
	if err != nil {
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{&countReader{r: io.NewSectionReader(fh, off, n), n: &f.read}, fh}, nil
}

// streamOnly hides OpenRange.
type streamOnly struct{ f *fileBlob }

func (s streamOnly) Compressed() (io.ReadCloser, error) { return s.f.Compressed() }

// writeGzipLayer writes a gzipped tar of files MiB files of text that
// deflates about threefold.
func writeGzipLayer(b *testing.B, path string, files int) {
	out, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer out.Close()
	bw := bufio.NewWriterSize(out, 1<<20)
	zw, _ := gzip.NewWriterLevel(bw, gzip.DefaultCompression)
	tw := tar.NewWriter(zw)
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range files {
		body := words(rng, 1<<20)
		tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("usr/share/f%05d", i), Typeflag: tar.TypeReg, Size: int64(len(body)), Mode: 0o644})
		tw.Write(body)
	}
	if err := tw.Close(); err != nil {
		b.Fatal(err)
	}
	zw.Close()
	if err := bw.Flush(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkOpenMiddleFile opens the file in the middle of a 1 GiB gzip
// layer, analysed before (its records, seek index included, come from the
// cache), and reads it whole: from the checkpoint before it through a
// span, and from the blob's start as the stream. blob-MB/op is what each
// reads of the blob; index-% the seek index's size against the tar's.
func BenchmarkOpenMiddleFile(b *testing.B) {
	const files = 1024
	path := filepath.Join(b.TempDir(), "layer.tar.gz")
	writeGzipLayer(b, path, files)
	base, err := tarball.LayerFromFile(path)
	if err != nil {
		b.Fatal(err)
	}
	blob := &fileBlob{Layer: base, path: path}
	img := streamImageOf(b, blob)
	c := &memCache{}
	for range 2 { // cold, then warm from the cache
		if _, err := analyze.Analyze(context.Background(), img, analyze.Options{Cache: c}); err != nil {
			b.Fatal(err)
		}
	}
	res, err := analyze.Analyze(context.Background(), img, analyze.Options{Cache: c})
	if err != nil {
		b.Fatal(err)
	}
	rec := res.Layers[0]
	if c.seekHits != 0 {
		b.Fatal("a warm analysis read the seek index")
	}
	_, size, ok := analyze.SeekStats(rec)
	if !ok {
		b.Fatal("no seek index")
	}
	var tarSize int64
	for _, e := range rec.Entries {
		tarSize += 512 + e.Size
	}
	middle := len(rec.Entries) / 2
	// The first file read after a warm start also decodes the layer's
	// seek index from the cache.
	b.Run("ranged-first", func(b *testing.B) {
		blob.read.Store(0)
		for b.Loop() {
			b.StopTimer()
			warm, err := analyze.Analyze(context.Background(), img, analyze.Options{Cache: c})
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			rc, err := analyze.OpenEntry(context.Background(), blob, warm.Layers[0], middle)
			if err != nil {
				b.Fatal(err)
			}
			if n, err := io.Copy(io.Discard, rc); err != nil || n != 1<<20 {
				b.Fatalf("read %d bytes: %v", n, err)
			}
			rc.Close()
		}
		b.ReportMetric(float64(blob.read.Load())/float64(b.N)/1e6, "blob-MB/op")
	})
	for _, bc := range []struct {
		name string
		l    interface {
			Compressed() (io.ReadCloser, error)
		}
	}{{"ranged", blob}, {"stream", streamOnly{blob}}} {
		b.Run(bc.name, func(b *testing.B) {
			blob.read.Store(0)
			for b.Loop() {
				rc, err := analyze.OpenEntry(context.Background(), bc.l, rec, middle)
				if err != nil {
					b.Fatal(err)
				}
				n, err := io.Copy(io.Discard, rc)
				rc.Close()
				if err != nil || n != 1<<20 {
					b.Fatalf("read %d bytes: %v", n, err)
				}
			}
			b.ReportMetric(float64(blob.read.Load())/float64(b.N)/1e6, "blob-MB/op")
			b.ReportMetric(100*float64(size)/float64(tarSize), "index-%")
		})
	}
}

// streamImageOf is an image of the one layer l, with its real diff_id.
func streamImageOf(b *testing.B, l v1.Layer) analyze.Image {
	d, err := l.DiffID()
	if err != nil {
		b.Fatal(err)
	}
	return gzipImage{streamImage{layers: []v1.Layer{l}}, d}
}
