package analyze_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/cespare/xxhash/v2"
	"github.com/containerd/stargz-snapshotter/estargz"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
)

var estargzNames = []string{"stargz.index.json", ".prefetch.landmark", ".no.prefetch.landmark"}

// estargzFixture is three layers that overwrite and remove each other's
// files, so that each layer's table of contents, were it counted, would be
// hidden by the next one's and show up as waste.
func estargzFixture() [][]it.Entry {
	return [][]it.Entry{
		{it.Dir("etc/"), it.File("etc/os-release", "ID=test\n"), it.SizedFile("usr/lib/libc.so", 300000), it.Symlink("lib", "usr/lib")},
		{it.Dir("app/"), it.SizedFile("app/bin", 1200), it.SizedFile("var/cache/pkg.deb", 3000), it.File("etc/os-release", "ID=test2\n")},
		{it.Whiteout("var/cache"), it.File("etc/hostname", "box\n"), it.SizedFile("app/bin", 1300)},
	}
}

// estargzLayer builds a real eStargz blob of tarBytes; prioritized files,
// if any, make it write .prefetch.landmark instead of .no.prefetch.landmark.
func estargzLayer(t *testing.T, tarBytes []byte, prioritized ...string) v1.Layer {
	t.Helper()
	opts := []estargz.Option{estargz.WithChunkSize(64 << 10)}
	if len(prioritized) > 0 {
		opts = append(opts, estargz.WithPrioritizedFiles(prioritized))
	}
	blob, err := estargz.Build(io.NewSectionReader(bytes.NewReader(tarBytes), 0, int64(len(tarBytes))), opts...)
	if err != nil {
		t.Fatalf("estargz.Build: %v", err)
	}
	defer blob.Close()
	stored, err := io.ReadAll(blob)
	if err != nil {
		t.Fatalf("reading eStargz blob: %v", err)
	}
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(stored)), nil })
	if err != nil {
		t.Fatalf("LayerFromOpener: %v", err)
	}
	return l
}

func imageOf(t *testing.T, layers []v1.Layer) v1.Image {
	t.Helper()
	hist := make([]v1.History, len(layers))
	for i := range hist {
		hist[i].CreatedBy = fmt.Sprintf("step %d", i)
	}
	return it.MustImage(t, layers, hist, nil)
}

// shape renders what an analysis says about the files, leaving out the
// digests and stored sizes, which differ between encodings of one tar.
func shape(res *analyze.Result) string {
	var b strings.Builder
	im := res.Image
	fmt.Fprintf(&b, "size=%d files=%d wasted=%d eff=%v userwasted=%d\n", im.SizeBytes, im.FileCount, im.WastedBytes, im.Efficiency, im.UserWastedBytes)
	for _, l := range res.Layers {
		fmt.Fprintf(&b, "layer %d size=%d files=%d +%d ~%d -%d wasted=%d\n", l.Index, l.SizeBytes, l.FileCount, l.Added, l.Modified, l.Removed, l.WastedBytes)
		for _, e := range l.Entries {
			fmt.Fprintf(&b, "  %s %s %s %d size=%d link=%q hidden=%d\n", res.Tree.Path(e.Node), e.Kind, e.Change, e.UID, e.Size, res.Tree.LinkTarget(e), e.HiddenAt)
		}
	}
	for _, w := range res.WastedFiles {
		fmt.Fprintf(&b, "wasted %s %d %v\n", w.Path, w.WastedBytes, w.Layers)
	}
	var paths []string
	for id := range res.Tree.Len() {
		paths = append(paths, res.Tree.Path(analyze.NodeID(id)))
	}
	slices.Sort(paths)
	fmt.Fprintf(&b, "tree %q\n", paths)
	return b.String()
}

func TestEstargzMetadataLeftOut(t *testing.T) {
	var plain, sgz []v1.Layer
	for i, entries := range estargzFixture() {
		tb := it.Tar(entries...)
		plain = append(plain, it.MustLayer(t, tb, it.Gzip))
		var prio []string
		if i == 1 {
			prio = []string{"app/bin"} // this layer gets .prefetch.landmark
		}
		sgz = append(sgz, estargzLayer(t, tb, prio...))
	}
	want := run(t, imageOf(t, plain))
	c := &memCache{}
	for _, opts := range []struct {
		name string
		o    analyze.Options
	}{{"cold", analyze.Options{}}, {"filling cache", analyze.Options{Cache: c}}, {"from cache", analyze.Options{Cache: c}}, {"hashing files", analyze.Options{HashFiles: true}}} {
		img := imageOf(t, sgz)
		got, err := analyze.Analyze(context.Background(), img, opts.o)
		if err != nil {
			t.Fatalf("%s: Analyze: %v", opts.name, err)
		}
		checkInvariants(t, got)
		if g, w := shape(got), shape(want); g != w {
			t.Errorf("%s: eStargz image differs from the same files in plain gzip layers:\n--- eStargz\n%s--- plain\n%s", opts.name, g, w)
		}
		for _, name := range estargzNames {
			if _, ok := got.Tree.Lookup(name); ok {
				t.Errorf("%s: %s is in the tree", opts.name, name)
			}
		}
		for _, w := range got.WastedFiles {
			if slices.Contains(estargzNames, w.Path) {
				t.Errorf("%s: %s listed as wasted", opts.name, w.Path)
			}
		}
		for i, l := range got.Layers {
			// a TOC and a landmark, each
			if l.EstargzMetadataEntries != 2 || l.EstargzMetadataBytes <= 1 {
				t.Errorf("%s: layer %d: %d metadata entries of %d bytes, want 2 entries", opts.name, i, l.EstargzMetadataEntries, l.EstargzMetadataBytes)
			}
			if opts.o.HashFiles && len(l.FileHashes) != len(l.Entries) {
				t.Errorf("%s: layer %d: %d hashes for %d entries", opts.name, i, len(l.FileHashes), len(l.Entries))
			}
		}
		if len(got.Notes) != 1 || !strings.Contains(got.Notes[0], "layers 0, 1, 2: eStargz format metadata") {
			t.Errorf("%s: notes %q, want one naming layers 0, 1, 2 as eStargz", opts.name, got.Notes)
		}
		if opts.name == "from cache" && c.hits == 0 {
			t.Errorf("the cache was never read")
		}
		// Every file still opens by its index, the landmark before it skipped.
		layers, _ := img.Layers()
		for li, l := range got.Layers {
			for ei, e := range l.Entries {
				if e.Kind != analyze.KindFile || e.Change == analyze.ChangeRemoved {
					continue
				}
				rc, err := analyze.OpenEntry(context.Background(), layers[li], l, ei)
				if err != nil {
					t.Fatalf("%s: OpenEntry(%d, %d): %v", opts.name, li, ei, err)
				}
				n, err := io.Copy(io.Discard, rc)
				rc.Close()
				if err != nil || n != e.Size {
					t.Errorf("%s: layer %d entry %d (%s): read %d bytes (%v), want %d", opts.name, li, ei, got.Tree.Path(e.Node), n, err, e.Size)
				}
			}
		}
	}
	if len(want.Notes) != 0 {
		t.Errorf("plain image has notes %q", want.Notes)
	}
}

// describedLayer adds the manifest's annotations to a layer.
type describedLayer struct {
	v1.Layer
	annotations map[string]string
}

func (l describedLayer) Descriptor() (*v1.Descriptor, error) {
	d, _ := l.Digest()
	s, _ := l.Size()
	mt, _ := l.MediaType()
	return &v1.Descriptor{MediaType: mt, Digest: d, Size: s, Annotations: l.annotations}, nil
}

// A plain layer may hold files of those names; they are files like any
// other, unless the manifest says the layer is eStargz.
func TestEstargzNamesInPlainLayers(t *testing.T) {
	layers := [][]it.Entry{
		{it.File(".no.prefetch.landmark", "x"), it.File("etc/a", "first"), it.File("stargz.index.json", `{"version":1}`)},
		{it.File("stargz.index.json", `{"version":2}`), it.File("sub/stargz.index.json", "deeper")},
	}
	plain := build(t, it.Gzip, layers...)
	res, err := analyze.Analyze(context.Background(), plain, analyze.Options{HashFiles: true})
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, res)
	if res.Layers[0].FileCount != 3 || res.Layers[0].SizeBytes != 1+5+13 || res.Layers[1].FileCount != 2 {
		t.Errorf("layer 0: %d files, %d bytes; layer 1: %d files: want 3, 19 and 2", res.Layers[0].FileCount, res.Layers[0].SizeBytes, res.Layers[1].FileCount)
	}
	if len(res.WastedFiles) != 1 || res.WastedFiles[0].Path != "stargz.index.json" || res.WastedFiles[0].WastedBytes != 13 {
		t.Errorf("wasted %+v, want stargz.index.json's 13 bytes", res.WastedFiles)
	}
	if len(res.Notes) != 0 {
		t.Errorf("notes %q for plain layers", res.Notes)
	}
	// The set-aside entries are back in tar order, hashes alongside.
	ls, _ := plain.Layers()
	for ei, e := range res.Layers[0].Entries {
		rc, err := analyze.OpenEntry(context.Background(), ls[0], res.Layers[0], ei)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if want := []string{"x", "first", `{"version":1}`}[ei]; string(b) != want || res.Tree.Path(e.Node) != strings.TrimSpace([]string{".no.prefetch.landmark", "etc/a", "stargz.index.json"}[ei]) {
			t.Errorf("entry %d is %s holding %q, want %q", ei, res.Tree.Path(e.Node), b, want)
		}
		if h := res.Layers[0].FileHashes[ei]; h != xxhash.Sum64(b) {
			t.Errorf("entry %d: hash %x, want %x", ei, h, xxhash.Sum64(b))
		}
	}

	// The same layers, annotated as eStargz by the manifest.
	var annotated []v1.Layer
	for _, l := range ls {
		annotated = append(annotated, describedLayer{l, map[string]string{analyze.EstargzTOCAnnotation: "sha256:" + strings.Repeat("0", 64)}})
	}
	res = run(t, imageOf(t, annotated))
	if res.Layers[0].FileCount != 1 || res.Layers[0].EstargzMetadataEntries != 2 || res.Layers[1].FileCount != 1 || len(res.WastedFiles) != 0 {
		t.Errorf("annotated: layer 0 %d files, %d metadata; layer 1 %d files; wasted %+v: want 1, 2, 1 and none",
			res.Layers[0].FileCount, res.Layers[0].EstargzMetadataEntries, res.Layers[1].FileCount, res.WastedFiles)
	}
	if _, ok := res.Tree.Lookup("sub/stargz.index.json"); !ok {
		t.Errorf("annotated: sub/stargz.index.json, not at the root, was left out")
	}
}
