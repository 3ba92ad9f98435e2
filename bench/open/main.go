// Command open measures what the explorer pays to show one file from the
// middle of a large registry layer once the cache is warm (issue 19): the
// checkpoint index the cold pass recorded lets analyze.OpenEntry fetch one
// span of the blob by a Range request instead of re-streaming the layer up
// to the file. It pushes a bench image to a registry, puts a counting
// proxy on 127.0.0.1 in front of it, analyses the image once cold into a
// fresh cache, then, N times, opens it warm in a fresh session (source
// and analysis, as internal/cli's session does), picks the regular file
// whose data sits nearest the middle of the largest layer and reads it
// whole through analyze.OpenEntry: by range, and with the layer's
// OpenRange hidden (the whole stream up to the file).
//
//	go run ./bench/gen -out bench/out -image onelayer
//	go run ./bench/open -registry 127.0.0.1:5055 bench/out/onelayer.tar
//
// -registry must serve ranges and keep blobs on disk (Debian's
// docker-registry). It prints a markdown table; times are medians of -n
// runs, bytes are what the registry sent for blob GETs.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/cache"
	"github.com/strata-cli/strata/internal/blobcount"
	"github.com/strata-cli/strata/source"
)

func main() {
	reg := flag.String("registry", "127.0.0.1:5055", "registry (host:port on 127.0.0.1) to push to and read from")
	runs := flag.Int("n", 3, "warm runs (the median is shown)")
	cacheDir := flag.String("cache", "", "cache directory, emptied first (default: a temporary one, removed after)")
	flag.Parse()
	if flag.NArg() != 1 || *runs < 1 {
		fmt.Fprintln(os.Stderr, "usage: open [-registry HOST:PORT] [-n N] [-cache DIR] IMAGE.tar")
		os.Exit(2)
	}
	r, err := bench(context.Background(), flag.Arg(0), *reg, *cacheDir, *runs)
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		os.Exit(2)
	}
	r.print(os.Stdout)
}

// measured is one timed step: wall time, blob bytes and blob requests.
type measured struct {
	d        time.Duration
	bytes    int64
	requests int64
}

// result is what bench measured: medians of the warm runs.
type result struct {
	image                        string
	file                         target
	runs                         int
	cold, warm, ranged, streamed measured
}

func (r result) print(w io.Writer) {
	t := r.file
	fmt.Fprintf(w, "%s: `%s` (%s), entry %d of layer %d (blob %s, tar ~%s); median of %d warm run(s)\n\n",
		r.image, t.path, mib(t.size), t.index, t.layer, mib(t.blob), mib(t.tar), r.runs)
	fmt.Fprintf(w, "| image | step | time | fetched | requests |\n|---|---|--:|--:|--:|\n")
	row := func(step string, m measured) {
		fmt.Fprintf(w, "| %s | %s | %.3f s | %s | %d |\n", r.image, step, m.d.Seconds(), mib(m.bytes), m.requests)
	}
	row("cold analysis (fills the cache)", r.cold)
	row("warm analysis (image + cache)", r.warm)
	row("open + read file, by range", r.ranged)
	row("open + read file, whole stream", r.streamed)
}

func bench(ctx context.Context, archive, reg, cacheDir string, runs int) (result, error) {
	if cacheDir == "" {
		dir, err := os.MkdirTemp("", "strata-bench-open-")
		if err != nil {
			return result{}, err
		}
		defer os.RemoveAll(dir)
		cacheDir = dir
	} else if err := os.RemoveAll(cacheDir); err != nil {
		return result{}, err
	}
	src, err := tarball.ImageFromPath(archive, nil)
	if err != nil {
		return result{}, fmt.Errorf("reading %s: %w", archive, err)
	}
	base := strings.TrimSuffix(filepath.Base(archive), ".tar")
	repo := "bench/open-" + base + ":1"
	ref, err := name.ParseReference(reg+"/"+repo, name.Insecure)
	if err != nil {
		return result{}, err
	}
	start := time.Now()
	if err := remote.Write(ref, src); err != nil {
		return result{}, fmt.Errorf("pushing %s: %w", ref, err)
	}
	fmt.Fprintf(os.Stderr, "open: pushed %s in %v\n", ref, time.Since(start).Round(time.Millisecond))
	var counter blobcount.Counter
	proxy, err := blobcount.Serve(blobcount.Proxy(reg, counter.Wrap))
	if err != nil {
		return result{}, err
	}
	imageRef := "registry://" + proxy + "/" + repo
	c := cache.New(cacheDir, 0)

	cold, err := timed(&counter, func() error {
		s, err := load(ctx, imageRef, c)
		if err == nil {
			s.close()
		}
		return err
	})
	if err != nil {
		return result{}, fmt.Errorf("cold analysis: %w", err)
	}
	var loads, ranged, streamed []measured
	var pick target
	for i := range runs {
		var s *loaded
		m, err := timed(&counter, func() (err error) { s, err = load(ctx, imageRef, c); return err })
		if err != nil {
			return result{}, fmt.Errorf("warm analysis: %w", err)
		}
		loads = append(loads, m)
		if i == 0 {
			if pick, err = middleFile(s.res); err != nil {
				s.close()
				return result{}, err
			}
		}
		blob := s.layers[pick.layer]
		if _, ok := blob.(analyze.RangeOpener); !ok {
			s.close()
			return result{}, fmt.Errorf("layer %d offers no OpenRange: the source cannot read spans", pick.layer)
		}
		rec := s.res.Layers[pick.layer]
		r, err := timed(&counter, func() error { return readEntry(ctx, blob, rec, pick) })
		var w measured
		if err == nil {
			w, err = timed(&counter, func() error { return readEntry(ctx, streamOnly{blob}, rec, pick) })
		}
		s.close()
		if err != nil {
			return result{}, err
		}
		ranged, streamed = append(ranged, r), append(streamed, w)
	}

	return result{image: base, file: pick, runs: runs, cold: cold, warm: median(loads), ranged: median(ranged), streamed: median(streamed)}, nil
}

// loaded is an image opened and analysed as internal/cli's session does.
type loaded struct {
	img    v1.Image
	layers []v1.Layer
	res    *analyze.Result
}

func (s *loaded) close() { source.Close(s.img) }

func load(ctx context.Context, ref string, c *cache.Dir) (*loaded, error) {
	img, err := source.Open(ctx, ref, source.Options{})
	if err != nil {
		return nil, err
	}
	layers, err := img.Layers()
	if err != nil {
		source.Close(img)
		return nil, fmt.Errorf("listing layers: %w", err)
	}
	res, err := analyze.Analyze(ctx, img, analyze.Options{Reference: ref, Cache: c})
	if err != nil {
		source.Close(img)
		return nil, err
	}
	return &loaded{img: img, layers: layers, res: res}, nil
}

// readEntry reads the picked file whole, as the explorer's viewer would
// (internal/cli's storedFile.open), and checks its length.
func readEntry(ctx context.Context, blob interface {
	Compressed() (io.ReadCloser, error)
}, layer analyze.Layer, t target) error {
	rc, err := analyze.OpenEntry(ctx, blob, layer, t.index)
	if err != nil {
		return fmt.Errorf("opening %s: %w", t.path, err)
	}
	n, err := io.Copy(io.Discard, rc)
	if cerr := rc.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", t.path, err)
	}
	if n != t.size {
		return fmt.Errorf("reading %s: got %d bytes, want %d", t.path, n, t.size)
	}
	return nil
}

// streamOnly hides the layer's OpenRange: OpenEntry then streams the blob
// from its start up to the file, as it does for a source without ranges.
type streamOnly struct{ v1.Layer }

func timed(c *blobcount.Counter, fn func() error) (measured, error) {
	c.Reset()
	start := time.Now()
	err := fn()
	return measured{d: time.Since(start), bytes: c.Bytes.Load(), requests: c.Requests.Load()}, err
}

// median is the run with the median time.
func median(ms []measured) measured {
	s := append([]measured(nil), ms...)
	sort.Slice(s, func(i, j int) bool { return s[i].d < s[j].d })
	return s[len(s)/2]
}

// target is the file the runs read.
type target struct {
	layer, index int
	path         string
	size         int64
	blob, tar    int64 // the layer's compressed and uncompressed sizes
}

// middleFile picks, in the largest layer by blob size, the non-empty
// regular file whose data starts nearest the middle of the layer's tar.
// Offsets are estimated from the entries in tar order (a 512-byte header
// each, data padded to 512): PAX records are not counted, which shifts
// the estimate by a few KiB in a stream of a gigabyte.
func middleFile(res *analyze.Result) (target, error) {
	best := -1
	for i, l := range res.Layers {
		if best < 0 || l.CompressedSizeBytes > res.Layers[best].CompressedSizeBytes {
			best = i
		}
	}
	if best < 0 {
		return target{}, errors.New("the image has no layers")
	}
	l := res.Layers[best]
	offs := make([]int64, len(l.Entries))
	var at int64
	for i, e := range l.Entries {
		if e.Change == analyze.ChangeRemoved {
			offs = offs[:i] // the hidden paths listed after the tar's entries
			break
		}
		at += 512
		offs[i] = at
		if e.Kind == analyze.KindFile {
			at += (e.Size + 511) / 512 * 512
		}
	}
	mid := at / 2
	pick := -1
	for i := range offs {
		e := l.Entries[i]
		if e.Kind != analyze.KindFile || e.Size == 0 {
			continue
		}
		if pick < 0 || abs(offs[i]-mid) < abs(offs[pick]-mid) {
			pick = i
		}
	}
	if pick < 0 {
		return target{}, fmt.Errorf("layer %d has no regular file with content", best)
	}
	e := l.Entries[pick]
	return target{layer: best, index: pick, path: res.Tree.Path(e.Node), size: e.Size, blob: l.CompressedSizeBytes, tar: at}, nil
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
