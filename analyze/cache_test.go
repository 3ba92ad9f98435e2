package analyze_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
)

// memCache is a LayerCache in memory that counts what it is asked:
// hits and stores of layer and image records, with binding records
// (analyze.BindingKeyPrefix) and seek indexes (analyze.SeekKeyPrefix)
// counted apart.
type memCache struct {
	mu                  sync.Mutex
	recs                map[string][]byte
	hits, stores        int
	bindHits, bindStore int
	seekHits, seekStore int
}

func (c *memCache) count(key string, hit bool) {
	seek := strings.HasPrefix(key, analyze.SeekKeyPrefix)
	switch bind := strings.HasPrefix(key, analyze.BindingKeyPrefix); {
	case seek && hit:
		c.seekHits++
	case seek:
		c.seekStore++
	case bind && hit:
		c.bindHits++
	case bind:
		c.bindStore++
	case hit:
		c.hits++
	default:
		c.stores++
	}
}

func (c *memCache) Open(key string) (io.ReadCloser, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.recs[key]
	if !ok {
		return nil, os.ErrNotExist
	}
	c.count(key, true)
	return io.NopCloser(bytes.NewReader(b)), nil
}

func (c *memCache) Store(key string, write func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.recs == nil {
		c.recs = map[string][]byte{}
	}
	c.recs[key] = buf.Bytes()
	c.count(key, false)
	return nil
}

// dump renders everything a Result says, in a canonical order, so two
// results can be compared whole.
func dump(res *analyze.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%+v\n", res.Image)
	for _, l := range res.Layers {
		fmt.Fprintf(&b, "layer %d %s %s %q size=%d comp=%d files=%d +%d ~%d -%d wasted=%d\n", l.Index, l.Digest, l.DiffID, l.Command,
			l.SizeBytes, l.CompressedSizeBytes, l.FileCount, l.Added, l.Modified, l.Removed, l.WastedBytes)
		for _, e := range l.Entries {
			fmt.Fprintf(&b, "  %s %s %s %v %d:%d size=%d link=%q hidden=%d\n", res.Tree.Path(e.Node), e.Kind, e.Change, e.Mode, e.UID, e.GID, e.Size, res.Tree.LinkTarget(e), e.HiddenAt)
		}
	}
	for _, l := range res.Layers {
		fmt.Fprintf(&b, "layer %d packaged=%d unpackaged=%d %+v\n", l.Index, l.PackagedBytes, l.UnpackagedBytes, l.Packages)
	}
	fmt.Fprintf(&b, "packages %+v\nnotes %q\npackage db %v\n", res.Packages, res.Notes, res.HasPackageDB())
	var owned []string // by path: node numbers depend on the order layers were read in
	for id := range res.Tree.Len() {
		if i, ok := res.PackageOf(analyze.NodeID(id)); ok {
			owned = append(owned, res.Tree.Path(analyze.NodeID(id))+" owned by "+res.Packages[i].Name)
		}
	}
	slices.Sort(owned)
	for _, o := range owned {
		fmt.Fprintf(&b, "  %s\n", o)
	}
	for _, w := range res.WastedFiles {
		fmt.Fprintf(&b, "wasted %s %d stored in %v hidden by %v\n", w.Path, w.WastedBytes, w.Layers, w.HiddenBy)
	}
	for _, h := range res.History {
		fmt.Fprintf(&b, "history %+v\n", h)
	}
	for _, s := range res.Secrets {
		fmt.Fprintf(&b, "secret %+v\n", s)
	}
	return b.String()
}

func cacheFixture(t *testing.T) v1.Image {
	return build(t, it.Gzip,
		[]it.Entry{it.Dir("etc/"), it.File("etc/os-release", "ID=test\n"), it.SizedFile("usr/lib/libc.so", 5000), it.Symlink("lib", "usr/lib"),
			it.Hardlink("usr/lib/libc.so.6", "usr/lib/libc.so"), {Name: "usr/bin/su", Size: 10, Mode: 0o4755, UID: 0, GID: 0}},
		[]it.Entry{it.SizedFile("var/cache/apt/pkg.deb", 3000), it.SizedFile("etc/os-release", 12)},
		[]it.Entry{it.Whiteout("var/cache/apt"), it.Opaque("etc"), it.File("etc/hostname", "box\n")},
	)
}

func TestCacheGivesIdenticalResults(t *testing.T) {
	img := cacheFixture(t)
	cold, err := analyze.Analyze(context.Background(), img, analyze.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := &memCache{}
	filled, err := analyze.Analyze(context.Background(), img, analyze.Options{Cache: c})
	if err != nil {
		t.Fatal(err)
	}
	// One record per layer, and one for the stack of all three.
	if c.stores != 4 || c.hits != 0 {
		t.Fatalf("first run: %d stores, %d hits; want 4 and 0", c.stores, c.hits)
	}
	// Layers this small are read from their start: no seek index.
	if c.seekStore != 0 || c.seekHits != 0 {
		t.Fatalf("first run: %d seek index stores, %d reads; want none", c.seekStore, c.seekHits)
	}
	imageRecord := ""
	for k := range c.recs {
		if strings.HasPrefix(k, "image:") {
			imageRecord = k
		}
	}
	if imageRecord == "" {
		t.Fatalf("no image record among %d", len(c.recs))
	}
	var mu sync.Mutex // Progress is called from every layer's reader
	var cached []int
	warm, err := analyze.Analyze(context.Background(), img, analyze.Options{Cache: c, Progress: func(p analyze.Progress) {
		mu.Lock()
		defer mu.Unlock()
		if p.Cached {
			cached = append(cached, p.Layer)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if c.hits != 1 || len(cached) != 3 {
		t.Errorf("warm run: %d hits, cached progress for %v; want the image record and 3 layers", c.hits, cached)
	}
	// Without the image record, the layer records serve, and it is
	// written again.
	delete(c.recs, imageRecord)
	c.hits, c.stores = 0, 0
	fromLayers, err := analyze.Analyze(context.Background(), img, analyze.Options{Cache: c})
	if err != nil {
		t.Fatal(err)
	}
	if c.hits != 3 || c.stores != 1 || c.recs[imageRecord] == nil {
		t.Errorf("layer records only: %d hits, %d stores; want 3 and the image record", c.hits, c.stores)
	}
	want := dump(cold)
	for name, got := range map[string]*analyze.Result{"filling": filled, "warm": warm, "from layer records": fromLayers} {
		if d := dump(got); d != want {
			t.Errorf("%s run differs from an uncached one:\n got: %s\nwant: %s", name, d, want)
		}
		// The path table is rebuilt, not stored: every path is found again.
		for id := range got.Tree.Len() {
			p := got.Tree.Path(analyze.NodeID(id))
			if n, ok := got.Tree.Lookup(p); !ok || n != analyze.NodeID(id) {
				t.Errorf("%s run: Lookup(%q) = %d, %v; want %d", name, p, n, ok, id)
			}
		}
	}
}

// TestImageRecordNeedsTheWholeStack checks that an image sharing only its
// base layers with a cached one gets no image record hit, reads only its
// new layer, and matches an uncached run.
func TestImageRecordNeedsTheWholeStack(t *testing.T) {
	c := &memCache{}
	if _, err := analyze.Analyze(context.Background(), cacheFixture(t), analyze.Options{Cache: c}); err != nil {
		t.Fatal(err)
	}
	base := cacheFixture(t)
	ls, _ := base.Layers()
	top := it.MustLayer(t, it.Tar(it.File("etc/hostname", "other\n")), it.Gzip)
	rebuilt := it.MustImage(t, append(ls[:2:2], top), nil, nil)
	c.hits, c.stores = 0, 0
	got, err := analyze.Analyze(context.Background(), rebuilt, analyze.Options{Cache: c})
	if err != nil {
		t.Fatal(err)
	}
	if c.hits != 2 || c.stores != 2 {
		t.Errorf("rebuild: %d hits, %d stores; want the 2 base layers read from the cache, then the new layer and the image stored", c.hits, c.stores)
	}
	want, err := analyze.Analyze(context.Background(), rebuilt, analyze.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if dump(got) != dump(want) {
		t.Error("the rebuild's result differs from an uncached one")
	}
}

func TestCorruptCacheRecordsAreIgnored(t *testing.T) {
	img := cacheFixture(t)
	want, err := analyze.Analyze(context.Background(), img, analyze.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := &memCache{}
	if _, err := analyze.Analyze(context.Background(), img, analyze.Options{Cache: c}); err != nil {
		t.Fatal(err)
	}
	damage := map[string]func([]byte) []byte{
		"truncated":   func(b []byte) []byte { return b[:len(b)/2] },
		"flipped":     func(b []byte) []byte { b = bytes.Clone(b); b[len(b)/2] ^= 0x40; return b },
		"empty":       func([]byte) []byte { return nil },
		"bad version": func(b []byte) []byte { b = bytes.Clone(b); b[len("strata-layer\n")]++; return b },
	}
	for name, f := range damage {
		t.Run(name, func(t *testing.T) {
			bad := &memCache{recs: map[string][]byte{}}
			for k, v := range c.recs {
				bad.recs[k] = f(v)
			}
			got, err := analyze.Analyze(context.Background(), img, analyze.Options{Cache: bad})
			if err != nil {
				t.Fatal(err)
			}
			if dump(got) != dump(want) {
				t.Errorf("result with a %s cache differs", name)
			}
			if bad.stores != 4 {
				t.Errorf("%d records rebuilt, want 4 (3 layers and the image)", bad.stores)
			}
			if got.Tree.Len() != want.Tree.Len() {
				t.Errorf("a rejected record left %d paths in the tree, want %d", got.Tree.Len(), want.Tree.Len())
			}
		})
	}
}

func TestMismatchedLayersAreNotCached(t *testing.T) {
	good := it.MustLayer(t, it.Tar(it.SizedFile("a", 10)), it.Gzip)
	other := it.MustLayer(t, it.Tar(it.SizedFile("a", 11)), it.Gzip)
	img := it.MustImage(t, []v1.Layer{good}, nil, nil)
	cfg, _ := img.ConfigFile()
	cfg = cfg.DeepCopy()
	cfg.RootFS.DiffIDs[0], _ = other.DiffID()
	c := &memCache{}
	if _, err := analyze.Analyze(context.Background(), withConfig{img, cfg}, analyze.Options{Cache: c, NoVerify: true}); err != nil {
		t.Fatal(err)
	}
	if c.stores != 0 {
		t.Errorf("a layer that does not match its diff_id was cached")
	}
}
