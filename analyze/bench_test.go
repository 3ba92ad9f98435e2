package analyze_test

import (
	"archive/tar"
	"bufio"
	"context"
	"fmt"
	"io"
	"runtime"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/strata-cli/strata/analyze"
)

// streamLayer generates its tar on every read, so a benchmark can feed
// millions of entries without holding them in memory.
type streamLayer struct {
	write func(tw *tar.Writer) error
}

func (l streamLayer) Compressed() (io.ReadCloser, error) {
	pr, pw := io.Pipe()
	go func() {
		// Buffer so that the pipe hands over large chunks, not headers.
		bw := bufio.NewWriterSize(pw, 256<<10)
		tw := tar.NewWriter(bw)
		err := l.write(tw)
		if err == nil {
			err = tw.Close()
		}
		if err == nil {
			err = bw.Flush()
		}
		pw.CloseWithError(err)
	}()
	return pr, nil
}
func (l streamLayer) Uncompressed() (io.ReadCloser, error) { return l.Compressed() }
func (streamLayer) Digest() (v1.Hash, error)               { return v1.Hash{Algorithm: "sha256", Hex: "00"}, nil }
func (streamLayer) DiffID() (v1.Hash, error)               { return v1.Hash{Algorithm: "sha256", Hex: "00"}, nil }
func (streamLayer) Size() (int64, error)                   { return 0, nil }
func (streamLayer) MediaType() (types.MediaType, error)    { return types.OCIUncompressedLayer, nil }

// streamImage is the narrow analyze.Image over generated layers.
type streamImage struct{ layers []v1.Layer }

func (s streamImage) ConfigFile() (*v1.ConfigFile, error) {
	cfg := &v1.ConfigFile{OS: "linux", Architecture: "amd64"}
	for range s.layers {
		cfg.RootFS.DiffIDs = append(cfg.RootFS.DiffIDs, v1.Hash{Algorithm: "sha256", Hex: "00"})
	}
	return cfg, nil
}
func (streamImage) ConfigName() (v1.Hash, error)  { return v1.Hash{Algorithm: "sha256", Hex: "00"}, nil }
func (streamImage) Digest() (v1.Hash, error)      { return v1.Hash{Algorithm: "sha256", Hex: "00"}, nil }
func (s streamImage) Layers() ([]v1.Layer, error) { return s.layers, nil }

// manyFiles writes n small files spread over a realistic directory shape.
func manyFiles(prefix string, n, size int) streamLayer {
	body := make([]byte, size)
	return streamLayer{write: func(tw *tar.Writer) error {
		for i := range n {
			name := fmt.Sprintf("%s/pkg%04d/lib/mod%03d/file%06d.go", prefix, i/1000, (i/50)%20, i)
			if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Size: int64(size), Mode: 0o644}); err != nil {
				return err
			}
			if _, err := tw.Write(body); err != nil {
				return err
			}
		}
		return nil
	}}
}

// whiteouts deletes every other file that manyFiles(prefix, n) wrote.
func whiteouts(prefix string, n int) streamLayer {
	return streamLayer{write: func(tw *tar.Writer) error {
		for i := 0; i < n; i += 2 {
			name := fmt.Sprintf("%s/pkg%04d/lib/mod%03d/.wh.file%06d.go", prefix, i/1000, (i/50)%20, i)
			if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg}); err != nil {
				return err
			}
		}
		return nil
	}}
}

func benchAnalyze(b *testing.B, img streamImage, entries int) {
	b.ReportAllocs()
	var res *analyze.Result
	for b.Loop() {
		var err error
		res, err = analyze.Analyze(context.Background(), img, analyze.Options{NoVerify: true})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapAlloc)/float64(entries), "heapB/entry")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(entries), "ns/entry")
	runtime.KeepAlive(res)
}

// BenchmarkManyFiles: 1,000,000 entries in two layers, the second
// overwriting a tenth of the first.
func BenchmarkManyFiles(b *testing.B) {
	img := streamImage{layers: []v1.Layer{manyFiles("usr", 900_000, 0), manyFiles("usr", 100_000, 0)}}
	benchAnalyze(b, img, 1_000_000)
}

// BenchmarkWhiteouts: a cleanup layer of 10,000 single-file whiteouts over
// a 20,000-file base must cost time per whiteout, not per lower file.
func BenchmarkWhiteouts(b *testing.B) {
	img := streamImage{layers: []v1.Layer{manyFiles("opt", 20_000, 16), manyFiles("srv", 5_000, 16), whiteouts("opt", 20_000)}}
	benchAnalyze(b, img, 35_000)
}

// dpkgLayer writes n packages of files files each, their .list files and
// a status naming them at version v; a layer with from > 0 rewrites
// packages from..n only, as an upgrade does.
func dpkgLayer(from, n, files int, v string) streamLayer {
	return streamLayer{write: func(tw *tar.Writer) error {
		var status []byte
		for p := range n {
			status = fmt.Appendf(status, "Package: pkg%d\nStatus: install ok installed\nArchitecture: amd64\nVersion: %s\nDescription: x\n\n", p, v)
			if p < from {
				continue
			}
			var list []byte
			for f := range files {
				name := fmt.Sprintf("usr/lib/pkg%d/file%d.so", p, f)
				list = fmt.Appendf(list, "/%s\n", name)
				if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Size: 8, Mode: 0o644}); err != nil {
					return err
				}
				tw.Write([]byte("01234567"))
			}
			if err := writeFile(tw, fmt.Sprintf("var/lib/dpkg/info/pkg%d.list", p), list); err != nil {
				return err
			}
		}
		return writeFile(tw, "var/lib/dpkg/status", status)
	}}
}

func writeFile(tw *tar.Writer, name string, b []byte) error {
	if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Size: int64(len(b)), Mode: 0o644}); err != nil {
		return err
	}
	_, err := tw.Write(b)
	return err
}

// BenchmarkPackages: a distribution base of 500 packages and 100,000 files (110,000 entries in all)
// with its dpkg database, and a layer upgrading a tenth of them: what
// reading the databases and attributing every file costs.
func BenchmarkPackages(b *testing.B) {
	img := streamImage{layers: []v1.Layer{dpkgLayer(0, 500, 200, "1"), dpkgLayer(450, 500, 200, "2")}}
	benchAnalyze(b, img, 110_000)
}
