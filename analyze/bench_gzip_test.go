package analyze_test

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/klauspost/compress/gzip"

	"github.com/strata-cli/strata/analyze"
)

// BenchmarkColdGzip analyses a 128 MiB gzip layer of 1 MiB text files
// from memory, the cold pass alone: what recording the seek index costs
// shows against the same benchmark before it.
func BenchmarkColdGzip(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 8))
	pool := make([]byte, 0, 1<<20)
	for len(pool) < 1<<20 {
		pool = fmt.Appendf(pool, "lib%x.so.%d usr/share/doc ", rng.Uint32()%4096, rng.IntN(9))
	}
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	for i := range 128 {
		body := make([]byte, 0, 1<<20)
		for len(body) < 1<<20 {
			at := rng.IntN(len(pool) - 4096)
			body = append(body, pool[at:at+1024+rng.IntN(3072)]...)
		}
		body = body[:1<<20]
		tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("f%03d", i), Typeflag: tar.TypeReg, Size: int64(len(body)), Mode: 0o644})
		tw.Write(body)
	}
	tw.Close()
	var zb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&zb, gzip.DefaultCompression)
	zw.Write(tb.Bytes())
	zw.Close()
	blob := zb.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(blob)), nil })
	if err != nil {
		b.Fatal(err)
	}
	d, _ := l.DiffID()
	img := gzipImage{streamImage{layers: []v1.Layer{l}}, d}
	b.SetBytes(int64(tb.Len()))
	for b.Loop() {
		if _, err := analyze.Analyze(context.Background(), img, analyze.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

type gzipImage struct {
	streamImage
	diffID v1.Hash
}

func (g gzipImage) ConfigFile() (*v1.ConfigFile, error) {
	cfg := &v1.ConfigFile{OS: "linux", Architecture: "amd64"}
	cfg.RootFS.DiffIDs = []v1.Hash{g.diffID}
	return cfg, nil
}
