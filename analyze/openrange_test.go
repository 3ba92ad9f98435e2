package analyze_test

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/klauspost/compress/gzip"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
)

// rangeLayer serves a blob held in memory as a whole stream and in spans,
// counting the bytes each way hands out.
type rangeLayer struct {
	v1.Layer
	blob          []byte
	noRange       bool // answer ErrNoRange, as a registry sending 200 would
	ranged, whole atomic.Int64
	spans         atomic.Int64
}

func (l *rangeLayer) Compressed() (io.ReadCloser, error) {
	return io.NopCloser(&countReader{r: bytes.NewReader(l.blob), n: &l.whole}), nil
}

func (l *rangeLayer) OpenRange(_ context.Context, off, n int64) (io.ReadCloser, error) {
	if l.noRange {
		return nil, analyze.ErrNoRange
	}
	if off < 0 || n < 0 || off > int64(len(l.blob)) {
		return nil, fmt.Errorf("span %d+%d outside a %d-byte blob", off, n, len(l.blob))
	}
	l.spans.Add(1)
	end := min(int64(len(l.blob)), off+n)
	return io.NopCloser(&countReader{r: bytes.NewReader(l.blob[off:end]), n: &l.ranged}), nil
}

type countReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// words is text that deflates about threefold, like binaries and
// libraries do, so that blocks end at odd bit offsets: pieces of a pool
// of random words, which repeats only further apart than deflate sees.
func words(rng *rand.Rand, n int) []byte {
	b := make([]byte, 0, n)
	for len(b) < n {
		at := rng.IntN(len(wordPool) - 4096)
		b = append(b, wordPool[at:at+1024+rng.IntN(3072)]...)
	}
	return b[:n]
}

var wordPool = func() []byte {
	rng := rand.New(rand.NewPCG(3, 4))
	vocab := strings.Fields("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua usr lib bin etc share locale x86_64 linux gnu")
	var b []byte
	for len(b) < 1<<20 {
		b = append(b, vocab[rng.IntN(len(vocab))]...)
		if rng.IntN(7) == 0 {
			b = fmt.Appendf(b, "%x", rng.Uint32())
		}
		b = append(b, " \n"[rng.IntN(2)])
	}
	return b
}()

type fixtureFile struct {
	name string
	body []byte
}

// seekFixture is a tar of small files at its start, files of a few MiB
// that cross checkpoints, and small ones after them, up to the end.
func seekFixture(sizes []int) ([]byte, []fixtureFile) { return seekFixtureOf(sizes, words) }

// seekFixtureOf is seekFixture with contents from fill.
func seekFixtureOf(sizes []int, fill func(*rand.Rand, int) []byte) ([]byte, []fixtureFile) {
	rng := rand.New(rand.NewPCG(1, 2))
	var files []fixtureFile
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "etc/", Typeflag: tar.TypeDir, Mode: 0o755})
	tw.WriteHeader(&tar.Header{Name: "data/", Typeflag: tar.TypeDir, Mode: 0o755})
	for i, n := range sizes {
		f := fixtureFile{name: fmt.Sprintf("data/f%03d", i), body: fill(rng, n)}
		if i%5 == 3 { // a PAX header before some
			f.name = "data/" + strings.Repeat("long-", 30) + fmt.Sprint(i)
		}
		tw.WriteHeader(&tar.Header{Name: f.name, Typeflag: tar.TypeReg, Size: int64(n), Mode: 0o644, Uid: i})
		tw.Write(f.body)
		files = append(files, f)
		if i == 2 {
			tw.WriteHeader(&tar.Header{Name: "etc/link", Typeflag: tar.TypeSymlink, Linkname: "../data/f000"})
		}
	}
	tw.Close()
	return buf.Bytes(), files
}

// gzipMembers compresses b as one gzip member per part bytes (all of b in
// one when part is 0), as pgzip and eStargz write. klauspost's writer
// rather than the standard library's only for speed: both write blocks of
// dynamic Huffman codes ending at any bit.
func gzipMembers(t *testing.T, b []byte, part int) []byte {
	t.Helper()
	if part == 0 {
		part = len(b)
	}
	var out bytes.Buffer
	for len(b) > 0 {
		n := min(part, len(b))
		zw, _ := gzip.NewWriterLevel(&out, gzip.DefaultCompression)
		if _, err := zw.Write(b[:n]); err != nil {
			t.Fatal(err)
		}
		zw.Close()
		b = b[n:]
	}
	return out.Bytes()
}

func blobLayer(t *testing.T, blob []byte) *rangeLayer {
	t.Helper()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(blob)), nil })
	if err != nil {
		t.Fatal(err)
	}
	return &rangeLayer{Layer: l, blob: blob}
}

// readEntry opens entry i of layer li and reads it whole.
func readEntry(t *testing.T, l any, rec analyze.Layer, i int) []byte {
	t.Helper()
	rc, err := analyze.OpenEntry(context.Background(), l.(interface {
		Compressed() (io.ReadCloser, error)
	}), rec, i)
	if err != nil {
		t.Fatalf("OpenEntry(%d): %v", i, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("reading entry %d: %v", i, err)
	}
	return b
}

// plainLayer hides OpenRange: the whole-stream path.
type plainLayer struct{ l *rangeLayer }

func (p plainLayer) Compressed() (io.ReadCloser, error) { return p.l.Compressed() }

// TestOpenEntryFromCheckpoint reads every file of layers with and without
// checkpoints, through spans and through the whole stream: the bytes must
// be the files' own either way, and a span must read less of the blob
// than the stream did to reach the file.
func TestOpenEntryFromCheckpoint(t *testing.T) {
	sizes := []int{100, 2000, 0, 70 << 10, 3<<20 + 12345, 5 << 20, 1 << 20, 9<<20 + 7, 300, 40, 1 << 20, 10}
	big, bigFiles := seekFixture(sizes)
	// Runs of one byte deflate a hundredfold: 6 MiB of them come to less
	// than the compressed distance between checkpoints.
	runs := func(rng *rand.Rand, n int) []byte {
		b := make([]byte, 0, n)
		for len(b) < n {
			b = append(b, bytes.Repeat([]byte{byte('a' + rng.IntN(26))}, 1000+rng.IntN(9000))...)
		}
		return b[:n]
	}
	tiny, tinyFiles := seekFixtureOf([]int{10, 5000, 3, 0, 20000, 6 << 20, 10}, runs)
	cases := []struct {
		name     string
		tar      []byte
		blob     []byte // nil: the tar as it is
		files    []fixtureFile
		minCheck int // checkpoints the index must have, the blob's start included
	}{
		{"one member", big, gzipMembers(t, big, 0), bigFiles, 4},
		{"members of 1 MiB", big, gzipMembers(t, big, 1<<20+77), bigFiles, 4},
		{"members of 9 MiB", big, gzipMembers(t, big, 9<<20+5), bigFiles, 4},
		{"no checkpoint but the start", tiny, gzipMembers(t, tiny, 0), tinyFiles, 1},
		{"plain tar", big, nil, bigFiles, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var l *rangeLayer
			if c.blob == nil {
				l = &rangeLayer{Layer: it.MustLayer(t, c.tar, it.Uncompressed), blob: c.tar}
			} else {
				l = blobLayer(t, c.blob)
			}
			img := it.MustImage(t, []v1.Layer{l}, nil, nil)
			res, err := analyze.Analyze(context.Background(), img, analyze.Options{ReadsFiles: true})
			if err != nil {
				t.Fatal(err)
			}
			rec := res.Layers[0]
			cps, size, ok := analyze.SeekStats(rec)
			if !ok || cps < c.minCheck || (c.minCheck == 1 && cps != 1) {
				t.Fatalf("index: %d checkpoints (%v), want at least %d", cps, ok, c.minCheck)
			}
			if pct := float64(size) / float64(len(c.tar)); pct > 0.01 && len(c.tar) > 1<<20 {
				t.Errorf("index is %d bytes, %.2f%% of the tar", size, 100*pct)
			}
			t.Logf("%d checkpoints, index %d bytes for %d bytes of tar", cps, size, len(c.tar))
			byName := map[string][]byte{}
			for _, f := range c.files {
				byName[f.name] = f.body
			}
			checked := 0
			for i, e := range rec.Entries {
				want, isFixture := byName[res.Tree.Path(e.Node)]
				if !isFixture {
					continue
				}
				l.whole.Store(0)
				full := readEntry(t, plainLayer{l}, rec, i)
				streamed := l.whole.Load()
				l.whole.Store(0)
				l.ranged.Store(0)
				got := readEntry(t, l, rec, i)
				if !bytes.Equal(full, want) {
					t.Fatalf("entry %d (%s): the stream gives %d bytes, not the file's %d", i, res.Tree.Path(e.Node), len(full), len(want))
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("entry %d (%s): the span gives %d bytes, not the file's %d", i, res.Tree.Path(e.Node), len(got), len(want))
				}
				if l.whole.Load() != 0 {
					t.Errorf("entry %d: the span read fell back to the stream", i)
				}
				// Within a checkpoint's distance of the file and its end.
				if limit := int64(len(want)) + 6<<20; l.ranged.Load() > max(limit, streamed) {
					t.Errorf("entry %d: %d bytes read through spans, the stream needed %d", i, l.ranged.Load(), streamed)
				}
				checked++
			}
			if checked != len(c.files) {
				t.Errorf("checked %d files of %d", checked, len(c.files))
			}
		})
	}
}

// TestOpenEntryFallsBack: without a span to read (the source says
// ErrNoRange), or without an index (none cached, or a damaged one), a file
// is read from the whole stream, and its bytes are the same.
func TestOpenEntryFallsBack(t *testing.T) {
	tarBytes, files := seekFixture([]int{100, 5 << 20, 3 << 20, 700})
	blob := gzipMembers(t, tarBytes, 0)
	want := files[2]
	fresh := func() *rangeLayer { return blobLayer(t, blob) }
	cases := []struct {
		name   string
		ranged bool // the span is expected to be used
		setup  func(t *testing.T, l *rangeLayer) analyze.Layer
	}{
		{"cold, ranged", true, func(t *testing.T, l *rangeLayer) analyze.Layer {
			return analyzeWith(t, l, analyze.Options{ReadsFiles: true})
		}},
		{"cold, files hashed (archive/tar walks the headers)", true, func(t *testing.T, l *rangeLayer) analyze.Layer {
			return analyzeWith(t, l, analyze.Options{HashFiles: true, ReadsFiles: true})
		}},
		{"cold, unverified", true, func(t *testing.T, l *rangeLayer) analyze.Layer {
			return analyzeWith(t, l, analyze.Options{NoVerify: true, ReadsFiles: true})
		}},
		{"cold, no cache and no file reads announced: the index is not kept", false, func(t *testing.T, l *rangeLayer) analyze.Layer {
			return analyzeWith(t, l, analyze.Options{})
		}},
		{"ErrNoRange", false, func(t *testing.T, l *rangeLayer) analyze.Layer {
			l.noRange = true
			return analyzeWith(t, l, analyze.Options{ReadsFiles: true})
		}},
		{"warm, index from the cache", true, func(t *testing.T, l *rangeLayer) analyze.Layer {
			c := &memCache{}
			analyzeWith(t, l, analyze.Options{Cache: c})
			rec := analyzeWith(t, l, analyze.Options{Cache: c})
			if c.seekHits != 0 {
				t.Errorf("the warm analysis read the seek index")
			}
			return rec
		}},
		{"warm, index missing", false, func(t *testing.T, l *rangeLayer) analyze.Layer {
			c := &memCache{}
			analyzeWith(t, l, analyze.Options{Cache: c})
			for k := range c.recs {
				if strings.HasPrefix(k, analyze.SeekKeyPrefix) {
					delete(c.recs, k)
				}
			}
			return analyzeWith(t, l, analyze.Options{Cache: c})
		}},
		{"warm, index damaged", false, func(t *testing.T, l *rangeLayer) analyze.Layer {
			c := &memCache{}
			analyzeWith(t, l, analyze.Options{Cache: c})
			for k, v := range c.recs {
				if strings.HasPrefix(k, analyze.SeekKeyPrefix) {
					v[len(v)/2] ^= 0x10
				}
			}
			return analyzeWith(t, l, analyze.Options{Cache: c})
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := fresh()
			rec := c.setup(t, l)
			l.whole.Store(0)
			got := readEntry(t, l, rec, 4) // after etc/, data/ and the first two files
			if !bytes.Equal(got, want.body) {
				t.Fatalf("read %d bytes, not the file's %d", len(got), len(want.body))
			}
			if ranged := l.whole.Load() == 0; ranged != c.ranged {
				t.Errorf("read through a span: %v, want %v (%d bytes of the stream, %d through spans)", ranged, c.ranged, l.whole.Load(), l.ranged.Load())
			}
		})
	}
}

func analyzeWith(t *testing.T, l v1.Layer, opts analyze.Options) analyze.Layer {
	t.Helper()
	res, err := analyze.Analyze(context.Background(), it.MustImage(t, []v1.Layer{l}, nil, nil), opts)
	if err != nil {
		t.Fatal(err)
	}
	return res.Layers[0]
}

// TestSmallLayerHasNoIndex: a layer under a checkpoint's distance is read
// from its start, which costs what a seek would save.
func TestSmallLayerHasNoIndex(t *testing.T) {
	tarBytes, files := seekFixture([]int{10, 5000, 0, 20000})
	l := blobLayer(t, gzipMembers(t, tarBytes, 0))
	rec := analyzeWith(t, l, analyze.Options{ReadsFiles: true})
	if n, _, ok := analyze.SeekStats(rec); ok {
		t.Fatalf("a %d-byte layer has an index of %d checkpoints", len(tarBytes), n)
	}
	if got := readEntry(t, l, rec, 6); !bytes.Equal(got, files[3].body) {
		t.Errorf("read %d bytes, not the file's %d", len(got), len(files[3].body))
	}
	if l.ranged.Load() != 0 || l.whole.Load() == 0 {
		t.Errorf("%d bytes through spans, %d from the stream; want the stream only", l.ranged.Load(), l.whole.Load())
	}
}
