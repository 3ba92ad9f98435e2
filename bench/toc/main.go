// Command toc measures what strata fetches from a registry to read an
// image whose layers carry a table of contents, against reading them
// whole. It converts a bench image's layers to eStargz (with the estargz
// package) and to zstd:chunked (imagetest.WriteZstdChunked), pushes the
// three images (gzip as generated, eStargz, zstd:chunked) to a registry,
// puts a counting proxy on 127.0.0.1 in front of it, and times strata
// --no-cache on each, by TOC (the default) and with --full:
//
//	go run ./bench/gen -out bench/out -image large
//	go build -o bench/out/strata .
//	go run ./bench/toc -registry 127.0.0.1:5055 bench/out/large.tar
//
// -registry is a registry on 127.0.0.1 that serves ranges (Debian's
// docker-registry; go-containerregistry's in-process one keeps blobs in
// memory, too much for large). Converted blobs are kept in -work and
// reused. It prints a markdown table.
package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/containerd/stargz-snapshotter/estargz"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/internal/blobcount"
	"github.com/strata-cli/strata/internal/imagetest"
)

func main() {
	reg := flag.String("registry", "127.0.0.1:5055", "registry (host:port on 127.0.0.1) to push to and read from")
	bin := flag.String("strata", "bench/out/strata", "strata binary")
	work := flag.String("work", "bench/out/toc", "directory for converted blobs")
	runs := flag.Int("n", 1, "runs of each row (the fastest is shown)")
	withFull := flag.Bool("full", true, "also time --full reads (the whole blobs)")
	extra := flag.String("args", "", "extra strata flags for the TOC rows, space-separated (\"--ci --full=false\" scans every file for secrets; exit 1, rules failing, is accepted)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: toc [-registry HOST:PORT] [-strata BIN] [-n N] IMAGE.tar")
		os.Exit(2)
	}
	if err := bench(flag.Arg(0), *reg, *bin, *work, *runs, *withFull, strings.Fields(*extra)); err != nil {
		fmt.Fprintln(os.Stderr, "toc:", err)
		os.Exit(2)
	}
}

type format struct {
	name    string
	convert func(src v1.Layer, dir string) (v1.Layer, map[string]string, error)
}

func bench(archive, reg, bin, work string, runs int, withFull bool, extra []string) error {
	if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	src, err := tarball.ImageFromPath(archive, nil)
	if err != nil {
		return fmt.Errorf("reading %s: %w", archive, err)
	}
	base := strings.TrimSuffix(filepath.Base(archive), ".tar")
	formats := []format{{"gzip", nil}, {"eStargz", toEstargz}, {"zstd:chunked", toZstdChunked}}
	var counter blobcount.Counter
	proxy, err := blobcount.Serve(blobcount.Proxy(reg, counter.Wrap))
	if err != nil {
		return err
	}
	fmt.Printf("| image | layers as | read | time | blob bytes | fetched | fetched %% | requests |\n|---|---|---|---|---|---|---|---|\n")
	for _, f := range formats {
		img := src
		if f.convert != nil {
			start := time.Now()
			if img, err = convert(src, f, work); err != nil {
				return fmt.Errorf("%s: %w", f.name, err)
			}
			fmt.Fprintf(os.Stderr, "toc: %s converted in %v\n", f.name, time.Since(start).Round(time.Millisecond))
		}
		repo := fmt.Sprintf("bench/%s-%s:1", base, strings.ReplaceAll(strings.ToLower(f.name), ":", "-"))
		ref, err := name.ParseReference(reg+"/"+repo, name.Insecure)
		if err != nil {
			return err
		}
		if err := remote.Write(ref, img); err != nil {
			return fmt.Errorf("pushing %s: %w", ref, err)
		}
		total, err := blobBytes(img)
		if err != nil {
			return err
		}
		for _, full := range []bool{false, true} {
			args := []string{"--no-cache", "--quiet", "--json", os.DevNull}
			mode := "TOC by range"
			if !full && len(extra) > 0 {
				args, mode = append(args, extra...), mode+" "+strings.Join(extra, " ")
			}
			if full {
				args, mode = append(args, "--full"), "--full"
			}
			if (f.convert == nil && !full) || (full && !withFull) {
				continue // no TOC to read: the same as --full; or not asked for
			}
			best := time.Duration(0)
			var fetched, requests int64
			for range runs {
				counter.Reset()
				start := time.Now()
				cmd := exec.Command(bin, append(args, "registry://"+proxy+"/"+repo)...)
				cmd.Stderr = os.Stderr
				var ee *exec.ExitError
				if err := cmd.Run(); err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) {
					return fmt.Errorf("%s %v: %w", bin, args, err)
				}
				if d := time.Since(start); best == 0 || d < best {
					best = d
				}
				fetched, requests = counter.Bytes.Load(), counter.Requests.Load()
			}
			fmt.Printf("| %s | %s | %s | %.2f s | %s | %s | %.2f%% | %d |\n", base, f.name, mode, best.Seconds(),
				mib(total), mib(fetched), 100*float64(fetched)/float64(total), requests)
		}
	}
	return nil
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// blobBytes sums the image's layer blobs.
func blobBytes(img v1.Image) (int64, error) {
	ls, err := img.Layers()
	if err != nil {
		return 0, err
	}
	var n int64
	for _, l := range ls {
		s, err := l.Size()
		if err != nil {
			return 0, err
		}
		n += s
	}
	return n, nil
}

// convert rewrites every layer of src in format f, keeping the config's
// history.
func convert(src v1.Image, f format, work string) (v1.Image, error) {
	cfg, err := src.ConfigFile()
	if err != nil {
		return nil, err
	}
	ls, err := src.Layers()
	if err != nil {
		return nil, err
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	for i, l := range ls {
		nl, ann, err := f.convert(l, work)
		if err != nil {
			return nil, fmt.Errorf("layer %d: %w", i, err)
		}
		if img, err = mutate.Append(img, mutate.Addendum{Layer: nl, Annotations: ann}); err != nil {
			return nil, err
		}
	}
	c, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	c = c.DeepCopy()
	c.History, c.OS, c.Architecture, c.Created, c.Config = cfg.History, cfg.OS, cfg.Architecture, cfg.Created, cfg.Config
	return mutate.ConfigFile(img, c)
}

// cached returns the layer converted before into dir under key, if any.
// A converted blob is stored as KEY.blob with KEY.meta beside it: the
// diff_id, then the annotations as key=value lines.
func cached(dir, key string, mt types.MediaType) (v1.Layer, map[string]string, bool) {
	meta, err := os.ReadFile(filepath.Join(dir, key+".meta"))
	if err != nil {
		return nil, nil, false
	}
	lines := strings.Split(strings.TrimSpace(string(meta)), "\n")
	diffID, err := v1.NewHash(lines[0])
	if err != nil {
		return nil, nil, false
	}
	ann := map[string]string{}
	for _, l := range lines[1:] {
		k, v, _ := strings.Cut(l, "=")
		ann[k] = v
	}
	l, err := newFileLayer(filepath.Join(dir, key+".blob"), diffID, mt)
	return l, ann, err == nil
}

func store(dir, key string, diffID v1.Hash, ann map[string]string) error {
	var b strings.Builder
	b.WriteString(diffID.String() + "\n")
	for k, v := range ann {
		fmt.Fprintf(&b, "%s=%s\n", k, v)
	}
	return os.WriteFile(filepath.Join(dir, key+".meta"), []byte(b.String()), 0o644)
}

func toEstargz(src v1.Layer, dir string) (v1.Layer, map[string]string, error) {
	d, err := src.Digest()
	if err != nil {
		return nil, nil, err
	}
	key := d.Hex + ".estargz"
	if l, ann, ok := cached(dir, key, types.OCILayer); ok {
		return l, ann, nil
	}
	// estargz.Build reads its input by section: spill the tar to disk.
	tmp, err := os.CreateTemp(dir, "layer-*.tar")
	if err != nil {
		return nil, nil, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	rc, err := src.Uncompressed()
	if err != nil {
		return nil, nil, err
	}
	n, err := io.Copy(tmp, rc)
	rc.Close()
	if err != nil {
		return nil, nil, err
	}
	blob, err := estargz.Build(io.NewSectionReader(tmp, 0, n))
	if err != nil {
		return nil, nil, err
	}
	defer blob.Close()
	if err := writeFile(filepath.Join(dir, key+".blob"), blob); err != nil {
		return nil, nil, err
	}
	diffID, err := v1.NewHash(blob.DiffID().String())
	if err != nil {
		return nil, nil, err
	}
	ann := map[string]string{analyze.EstargzTOCAnnotation: blob.TOCDigest().String()}
	if err := store(dir, key, diffID, ann); err != nil {
		return nil, nil, err
	}
	l, err := newFileLayer(filepath.Join(dir, key+".blob"), diffID, types.OCILayer)
	return l, ann, err
}

func toZstdChunked(src v1.Layer, dir string) (v1.Layer, map[string]string, error) {
	d, err := src.Digest()
	if err != nil {
		return nil, nil, err
	}
	key := d.Hex + ".zstdchunked"
	if l, ann, ok := cached(dir, key, types.OCILayerZStd); ok {
		return l, ann, nil
	}
	rc, err := src.Uncompressed()
	if err != nil {
		return nil, nil, err
	}
	defer rc.Close()
	f, err := os.Create(filepath.Join(dir, key+".blob"))
	if err != nil {
		return nil, nil, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	diffID, ann, err := imagetest.WriteZstdChunked(w, rc, 4<<20)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, nil, err
	}
	if err := store(dir, key, diffID, ann); err != nil {
		return nil, nil, err
	}
	l, err := newFileLayer(filepath.Join(dir, key+".blob"), diffID, types.OCILayerZStd)
	return l, ann, err
}

func writeFile(path string, r io.Reader) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// fileLayer is a converted blob on disk; its digest is hashed once.
type fileLayer struct {
	path   string
	digest v1.Hash
	diffID v1.Hash
	size   int64
	mt     types.MediaType
}

func newFileLayer(path string, diffID v1.Hash, mt types.MediaType) (*fileLayer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return nil, err
	}
	return &fileLayer{path: path, digest: v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))}, diffID: diffID, size: n, mt: mt}, nil
}

func (l *fileLayer) Digest() (v1.Hash, error)            { return l.digest, nil }
func (l *fileLayer) DiffID() (v1.Hash, error)            { return l.diffID, nil }
func (l *fileLayer) Size() (int64, error)                { return l.size, nil }
func (l *fileLayer) MediaType() (types.MediaType, error) { return l.mt, nil }
func (l *fileLayer) Compressed() (io.ReadCloser, error)  { return os.Open(l.path) }
func (l *fileLayer) Uncompressed() (io.ReadCloser, error) {
	return nil, errors.New("not needed: the bench pushes blobs as stored")
}
