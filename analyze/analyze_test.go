package analyze_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
)

// layerWant is what one layer must report; -1 in a field skips it.
type layerWant struct {
	size, files, added, modified, removed int
	wasted                                int64
}

// build assembles an image with one history step per layer.
func build(t *testing.T, c it.Compression, layers ...[]it.Entry) v1.Image {
	t.Helper()
	var ls []v1.Layer
	var hist []v1.History
	for i, entries := range layers {
		ls = append(ls, it.MustLayer(t, it.Tar(entries...), c))
		hist = append(hist, v1.History{CreatedBy: "step " + string(rune('0'+i))})
	}
	return it.MustImage(t, ls, hist, nil)
}

func run(t *testing.T, img v1.Image) *analyze.Result {
	t.Helper()
	res, err := analyze.Analyze(context.Background(), img, analyze.Options{})
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	checkInvariants(t, res)
	return res
}

// checkInvariants asserts what must hold for every image: waste is exactly
// what the final filesystem does not show, and each path shows one entry.
func checkInvariants(t *testing.T, res *analyze.Result) {
	t.Helper()
	var visible, wasted, size int64
	for li, l := range res.Layers {
		size += l.SizeBytes
		wasted += l.WastedBytes
		for ei, e := range l.Entries {
			if e.Change == analyze.ChangeRemoved || e.HiddenAt != analyze.NotHidden {
				continue
			}
			ref, ok := res.Tree.Final(e.Node)
			if !ok || ref != (analyze.EntryRef{Layer: li, Index: ei}) {
				t.Errorf("entry %s in layer %d is not hidden but the final filesystem shows %v (%v)", res.Tree.Path(e.Node), li, ref, ok)
			}
			if e.Kind == analyze.KindFile {
				visible += e.Size
			}
		}
	}
	if size != res.Image.SizeBytes || wasted != res.Image.WastedBytes || size-visible != wasted {
		t.Errorf("size %d (image %d), wasted %d (image %d), visible %d: waste must be size - visible", size, res.Image.SizeBytes, wasted, res.Image.WastedBytes, visible)
	}
}

func TestLayerNumbers(t *testing.T) {
	tests := []struct {
		name      string
		layers    [][]it.Entry
		want      []layerWant
		fileCount int // visible non-directories in the final filesystem
	}{{
		name: "overwrite",
		layers: [][]it.Entry{
			{it.SizedFile("a", 100), it.SizedFile("b", 50)},
			{it.SizedFile("a", 30)},
		},
		want:      []layerWant{{150, 2, 2, 0, 0, 100}, {30, 1, 0, 1, 0, 0}},
		fileCount: 2,
	}, {
		name: "whiteout of a file",
		layers: [][]it.Entry{
			{it.Dir("etc/"), it.SizedFile("etc/x", 10), it.SizedFile("etc/y", 20)},
			{it.Whiteout("etc/x")},
		},
		want:      []layerWant{{30, 2, 2, 0, 0, 10}, {0, 0, 0, 0, 1, 0}},
		fileCount: 1,
	}, {
		name: "whiteout of a directory hides everything under it",
		layers: [][]it.Entry{
			{it.Dir("d/"), it.SizedFile("d/a", 5), it.Dir("d/sub/"), it.SizedFile("d/sub/b", 7), it.SizedFile("keep", 1)},
			{it.Whiteout("d")},
		},
		want:      []layerWant{{13, 3, 3, 0, 0, 12}, {0, 0, 0, 0, 2, 0}},
		fileCount: 1,
	}, {
		name: "opaque directory hides lower entries only",
		layers: [][]it.Entry{
			{it.Dir("d/"), it.SizedFile("d/a", 5), it.SizedFile("d/b", 6)},
			{it.Dir("d/"), it.SizedFile("d/c", 1), it.Opaque("d")},
		},
		want:      []layerWant{{11, 2, 2, 0, 0, 11}, {1, 1, 1, 0, 2, 0}},
		fileCount: 1,
	}, {
		name: "file replaced by a directory and back",
		layers: [][]it.Entry{
			{it.SizedFile("x", 10)},
			{it.Dir("x/"), it.SizedFile("x/y", 3)},
			{it.SizedFile("x", 4)},
		},
		want:      []layerWant{{10, 1, 1, 0, 0, 10}, {3, 1, 1, 0, 1, 3}, {4, 1, 0, 1, 1, 0}},
		fileCount: 1,
	}, {
		name: "whiteout then re-create in a later layer",
		layers: [][]it.Entry{
			{it.SizedFile("f", 10)},
			{it.Whiteout("f")},
			{it.SizedFile("f", 20)},
		},
		want:      []layerWant{{10, 1, 1, 0, 0, 10}, {0, 0, 0, 0, 1, 0}, {20, 1, 1, 0, 0, 0}},
		fileCount: 1,
	}, {
		name: "whiteout and re-create in one layer is a modification",
		layers: [][]it.Entry{
			{it.SizedFile("f", 10)},
			{it.Whiteout("f"), it.SizedFile("f", 5)},
		},
		want:      []layerWant{{10, 1, 1, 0, 0, 10}, {5, 1, 0, 1, 0, 0}},
		fileCount: 1,
	}, {
		name: "a whiteout never hides its own layer, wherever it stands",
		layers: [][]it.Entry{
			{it.SizedFile("f", 10)},
			{it.SizedFile("f", 5), it.Whiteout("f")},
		},
		want:      []layerWant{{10, 1, 1, 0, 0, 10}, {5, 1, 0, 1, 0, 0}},
		fileCount: 1,
	}, {
		name: "directory replaced through a whiteout keeps nothing below",
		layers: [][]it.Entry{
			{it.Dir("d/"), it.SizedFile("d/a", 5)},
			{it.Whiteout("d"), it.SizedFile("d", 2)},
		},
		want:      []layerWant{{5, 1, 1, 0, 0, 5}, {2, 1, 0, 1, 1, 0}},
		fileCount: 1,
	}, {
		name: "links count zero bytes",
		layers: [][]it.Entry{
			{it.SizedFile("a", 10), it.Hardlink("h", "a"), it.Symlink("s", "a"), it.Dir("d/")},
		},
		want:      []layerWant{{10, 3, 3, 0, 0, 0}},
		fileCount: 3,
	}, {
		name: "duplicate entries: the last wins, earlier copies are waste",
		layers: [][]it.Entry{
			{it.SizedFile("a", 10), it.SizedFile("a", 20)},
		},
		want:      []layerWant{{30, 2, 1, 0, 0, 10}},
		fileCount: 1,
	}, {
		name: "whiteout of a path that never existed is ignored",
		layers: [][]it.Entry{
			{it.SizedFile("a", 10)},
			{it.Whiteout("ghost"), it.Whiteout("nodir/ghost")},
		},
		want:      []layerWant{{10, 1, 1, 0, 0, 0}, {0, 0, 0, 0, 0, 0}},
		fileCount: 1,
	}, {
		name: "prefixes are normalised",
		layers: [][]it.Entry{
			{it.SizedFile("./a", 10), it.SizedFile("/b", 3)},
			{it.SizedFile("a", 1), it.SizedFile("./b", 2)},
		},
		want:      []layerWant{{13, 2, 2, 0, 0, 13}, {3, 2, 0, 2, 0, 0}},
		fileCount: 2,
	}, {
		name: "a file above a later path becomes a directory",
		layers: [][]it.Entry{
			{it.SizedFile("p", 8)},
			{it.SizedFile("p/q", 1)},
		},
		want:      []layerWant{{8, 1, 1, 0, 0, 8}, {1, 1, 1, 0, 1, 0}},
		fileCount: 1,
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, build(t, it.Gzip, tc.layers...))
			if len(res.Layers) != len(tc.want) {
				t.Fatalf("got %d layers, want %d", len(res.Layers), len(tc.want))
			}
			for i, w := range tc.want {
				l := res.Layers[i]
				got := layerWant{int(l.SizeBytes), l.FileCount, l.Added, l.Modified, l.Removed, l.WastedBytes}
				if got != w {
					t.Errorf("layer %d: got {size files added modified removed wasted} = %v, want %v", i, got, w)
				}
			}
			if res.Image.FileCount != tc.fileCount {
				t.Errorf("image fileCount = %d, want %d", res.Image.FileCount, tc.fileCount)
			}
		})
	}
}

func TestImageSummary(t *testing.T) {
	img := build(t, it.Gzip,
		[]it.Entry{it.SizedFile("base/big", 1000), it.SizedFile("base/small", 10)},
		[]it.Entry{it.SizedFile("cache/x", 300), it.SizedFile("base/small", 20)},
		[]it.Entry{it.Whiteout("cache"), it.SizedFile("app", 80)},
	)
	res := run(t, img)
	im := res.Image
	// Layer sizes 1010, 320, 80; waste: base/small@0 (10) + cache/x@1 (300).
	if im.SizeBytes != 1410 || im.WastedBytes != 310 || im.UserWastedBytes != 300 {
		t.Errorf("size %d wasted %d userWasted %d, want 1410 310 300", im.SizeBytes, im.WastedBytes, im.UserWastedBytes)
	}
	if want := 1 - 310.0/1410; im.Efficiency != want {
		t.Errorf("efficiency %v, want %v", im.Efficiency, want)
	}
	if want := 300.0 / 400; im.UserWastedPercent != want {
		t.Errorf("userWastedPercent %v, want %v", im.UserWastedPercent, want)
	}
	if im.FileCount != 3 || im.Platform != "linux/amd64" {
		t.Errorf("fileCount %d platform %q, want 3 linux/amd64", im.FileCount, im.Platform)
	}
	want := []analyze.WastedFile{{Path: "cache/x", WastedBytes: 300, Layers: []int{1}}, {Path: "base/small", WastedBytes: 10, Layers: []int{0}}}
	if len(res.WastedFiles) != len(want) {
		t.Fatalf("wastedFiles = %+v, want %+v", res.WastedFiles, want)
	}
	for i := range want {
		g := res.WastedFiles[i]
		if g.Path != want[i].Path || g.WastedBytes != want[i].WastedBytes || len(g.Layers) != 1 || g.Layers[0] != want[i].Layers[0] {
			t.Errorf("wastedFiles[%d] = %+v, want %+v", i, g, want[i])
		}
	}
	var compressed int64
	for i, l := range res.Layers {
		compressed += l.CompressedSizeBytes
		if l.Command != "step "+string(rune('0'+i)) {
			t.Errorf("layer %d command %q", i, l.Command)
		}
	}
	if compressed != im.CompressedSizeBytes || compressed == 0 {
		t.Errorf("compressed size %d, layers sum to %d", im.CompressedSizeBytes, compressed)
	}
}

func TestEmptyImage(t *testing.T) {
	res := run(t, it.MustImage(t, nil, nil, nil))
	if res.Image.Efficiency != 1 || res.Image.UserWastedPercent != 0 || len(res.Layers) != 0 {
		t.Errorf("empty image: %+v", res.Image)
	}
}

func TestHistoryMapsToLayers(t *testing.T) {
	l0 := it.MustLayer(t, it.Tar(it.SizedFile("a", 1)), it.Gzip)
	l1 := it.MustLayer(t, it.Tar(it.SizedFile("b", 2)), it.Gzip)
	hist := []v1.History{
		{CreatedBy: "ADD rootfs /"},
		{CreatedBy: "ENV A=1", EmptyLayer: true},
		{CreatedBy: "RUN make"},
		{CreatedBy: "CMD [\"x\"]", EmptyLayer: true},
	}
	res := run(t, it.MustImage(t, []v1.Layer{l0, l1}, hist, nil))
	wantIdx := []int{0, -1, 1, -1}
	for i, h := range res.History {
		if h.LayerIndex != wantIdx[i] || h.CreatedBy != hist[i].CreatedBy || h.EmptyLayer != hist[i].EmptyLayer {
			t.Errorf("history[%d] = %+v, want layer %d", i, h, wantIdx[i])
		}
	}
	if res.Layers[1].Command != "RUN make" {
		t.Errorf("layer 1 command = %q", res.Layers[1].Command)
	}
}

func TestCompressionsAgree(t *testing.T) {
	layers := [][]it.Entry{
		{it.Dir("usr/"), it.SizedFile("usr/bin/tool", 4096), it.SizedFile("tmp/junk", 777)},
		{it.Whiteout("tmp"), it.SizedFile("usr/bin/tool", 5000)},
	}
	var first *analyze.Result
	for _, c := range []it.Compression{it.Gzip, it.Zstd, it.Uncompressed} {
		res := run(t, build(t, c, layers...))
		if res.Image.WastedBytes != 4096+777 || res.Layers[1].Removed != 1 {
			t.Errorf("%v: wasted %d removed %d", c, res.Image.WastedBytes, res.Layers[1].Removed)
		}
		for i, l := range res.Layers {
			if l.DiffID == "" || (first != nil && l.DiffID != first.Layers[i].DiffID) {
				t.Errorf("%v: layer %d diffID %q differs", c, i, l.DiffID)
			}
		}
		if first == nil {
			first = res
		}
	}
}

func TestBadLayers(t *testing.T) {
	tests := []struct {
		name  string
		entry it.Entry
		want  string
	}{
		{"escaping name", it.SizedFile("../etc/passwd", 1), `reading layer 0 (sha256:`},
		{"escaping whiteout", it.Whiteout("../x"), `escapes the root`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := analyze.Analyze(context.Background(), build(t, it.Gzip, []it.Entry{tc.entry}), analyze.Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "escapes the root") {
				t.Errorf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestNotATar(t *testing.T) {
	l, err := it.Layer([]byte("this is not a tar archive, not even close, and longer than a block? no"), it.Gzip)
	if err != nil {
		t.Fatal(err)
	}
	_, err = analyze.Analyze(context.Background(), it.MustImage(t, []v1.Layer{l}, nil, nil), analyze.Options{})
	if err == nil || !strings.Contains(err.Error(), "reading layer 0") {
		t.Errorf("err = %v, want a layer 0 read error", err)
	}
}

func TestDiffIDMismatch(t *testing.T) {
	good := it.MustLayer(t, it.Tar(it.SizedFile("a", 10)), it.Gzip)
	other := it.MustLayer(t, it.Tar(it.SizedFile("a", 11)), it.Gzip)
	img := it.MustImage(t, []v1.Layer{good}, nil, nil)
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	d, _ := other.DiffID()
	cfg = cfg.DeepCopy()
	cfg.RootFS.DiffIDs[0] = d
	bad := withConfig{img, cfg}
	if _, err := analyze.Analyze(context.Background(), bad, analyze.Options{}); !errors.Is(err, analyze.ErrDiffIDMismatch) {
		t.Errorf("err = %v, want ErrDiffIDMismatch", err)
	}
	if _, err := analyze.Analyze(context.Background(), bad, analyze.Options{NoVerify: true}); err != nil {
		t.Errorf("with NoVerify: %v", err)
	}
}

// withConfig replaces an image's parsed config.
type withConfig struct {
	v1.Image
	cfg *v1.ConfigFile
}

func (w withConfig) ConfigFile() (*v1.ConfigFile, error) { return w.cfg, nil }

func TestCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	img := build(t, it.Gzip, []it.Entry{it.SizedFile("a", 10)})
	if _, err := analyze.Analyze(ctx, img, analyze.Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestDeepPaths(t *testing.T) {
	const depth = 20000
	deep := strings.Repeat("d/", depth) + "f"
	res := run(t, build(t, it.Gzip, []it.Entry{it.SizedFile(deep, 3)}, []it.Entry{it.Whiteout("d")}))
	if res.Layers[1].Removed != 1 || res.Image.WastedBytes != 3 {
		t.Errorf("removed %d wasted %d, want 1 and 3", res.Layers[1].Removed, res.Image.WastedBytes)
	}
	id, ok := res.Tree.Lookup(deep)
	if !ok || res.Tree.Depth(id) != depth+1 {
		t.Errorf("lookup of deep path: ok=%v depth=%d", ok, res.Tree.Depth(id))
	}
}

func TestEntriesRecordChanges(t *testing.T) {
	res := run(t, build(t, it.Gzip,
		[]it.Entry{it.SizedFile("a", 1), it.SizedFile("b", 2), it.Symlink("l", "/a")},
		[]it.Entry{it.SizedFile("a", 3), it.Whiteout("b"), it.SizedFile("c", 4)},
	))
	got := map[string]string{}
	for _, e := range res.Layers[1].Entries {
		got[res.Tree.Path(e.Node)] = e.Change.String() + ":" + e.Kind.String()
	}
	want := map[string]string{"a": "modified:file", "b": "removed:file", "c": "added:file"}
	for p, w := range want {
		if got[p] != w {
			t.Errorf("layer 1 %s: %q, want %q (all: %v)", p, got[p], w, got)
		}
	}
	ref, ok := res.Tree.Final(mustLookup(t, res.Tree, "l"))
	if !ok || res.Tree.LinkTarget(res.Layers[ref.Layer].Entries[ref.Index]) != "/a" {
		t.Errorf("symlink target not kept")
	}
	// Stacked at layer 0, b is visible; at layer 1 it is not.
	for _, e := range res.Layers[0].Entries {
		if res.Tree.Path(e.Node) == "b" && (!e.VisibleAt(0) || e.VisibleAt(1)) {
			t.Errorf("b visibility wrong: hiddenAt %d", e.HiddenAt)
		}
	}
}

func mustLookup(t *testing.T, tr *analyze.Tree, p string) analyze.NodeID {
	t.Helper()
	id, ok := tr.Lookup(p)
	if !ok {
		t.Fatalf("no node for %q", p)
	}
	return id
}

// lyingLayer reports a digest its bytes do not have.
type lyingLayer struct{ v1.Layer }

func (lyingLayer) Digest() (v1.Hash, error) {
	return v1.NewHash("sha256:0000000000000000000000000000000000000000000000000000000000000000")
}

type withLayers struct {
	v1.Image
	layers []v1.Layer
}

func (w withLayers) Layers() ([]v1.Layer, error) { return w.layers, nil }

// A plain tar's digest is its diff_id, so a wrong one is caught for free. A
// compressed blob is not hashed a second time: its content is checked
// against the diff_id, and that is all the analysis reads.
func TestDigestMismatch(t *testing.T) {
	for _, c := range []it.Compression{it.Gzip, it.Zstd, it.Uncompressed} {
		l := it.MustLayer(t, it.Tar(it.SizedFile("a", 10), it.SizedFile("b/c", 300)), c)
		honest, err := analyze.Analyze(context.Background(), it.MustImage(t, []v1.Layer{l}, nil, nil), analyze.Options{})
		if err != nil {
			t.Fatal(err)
		}
		img := withLayers{it.MustImage(t, []v1.Layer{l}, nil, nil), []v1.Layer{lyingLayer{l}}}
		res, err := analyze.Analyze(context.Background(), img, analyze.Options{})
		switch {
		case c == it.Uncompressed && !errors.Is(err, analyze.ErrDigestMismatch):
			t.Errorf("%v: err = %v, want ErrDigestMismatch", c, err)
		case c != it.Uncompressed && err != nil:
			t.Errorf("%v: err = %v, want the content checked against its diff_id only", c, err)
		case c != it.Uncompressed:
			got, want := res.Layers[0], honest.Layers[0]
			if got.SizeBytes != want.SizeBytes || got.FileCount != want.FileCount || len(got.Entries) != len(want.Entries) || got.DiffID != want.DiffID {
				t.Errorf("%v: lying digest changed the analysis: %+v, want %+v", c, got, want)
			}
		}
		if _, err := analyze.Analyze(context.Background(), img, analyze.Options{NoVerify: true}); err != nil {
			t.Errorf("%v with NoVerify: %v", c, err)
		}
	}
}

// A stored stream that stops at the end-of-archive marker, short of the
// 10240-byte record the diff_id was computed over, is accepted with a note;
// the same stream with one content byte changed is not.
func TestDiffIDMissingRecordPadding(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper bool
	}{{"only padding missing", false}, {"content differs too", true}} {
		t.Run(tc.name, func(t *testing.T) {
			raw := it.Tar(it.SizedFile("a", 10))
			padded := append(append([]byte{}, raw...), make([]byte, 10240-len(raw)%10240)...)
			diffID := fmt.Sprintf("%x", sha256.Sum256(padded))
			stored := append([]byte{}, raw...)
			if tc.tamper {
				stored[512] ^= 1
			}
			l := it.MustLayer(t, stored, it.Gzip)
			img := it.MustImage(t, []v1.Layer{l}, nil, nil)
			cfg, err := img.ConfigFile()
			if err != nil {
				t.Fatal(err)
			}
			cfg = cfg.DeepCopy()
			cfg.RootFS.DiffIDs[0] = v1.Hash{Algorithm: "sha256", Hex: diffID}
			res, err := analyze.Analyze(context.Background(), withConfig{img, cfg}, analyze.Options{})
			if tc.tamper {
				if !errors.Is(err, analyze.ErrDiffIDMismatch) || !strings.Contains(err.Error(), "--no-verify") {
					t.Fatalf("err = %v, want ErrDiffIDMismatch naming --no-verify", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "padding") {
				t.Errorf("notes = %q, want one about padding", res.Notes)
			}
		})
	}
}

// TestRemovedEntriesCarryHiddenSize: each path a whiteout hides gets a
// ChangeRemoved entry sized as the entry it hid, so a reader can add up
// what a cleanup layer deleted.
func TestRemovedEntriesCarryHiddenSize(t *testing.T) {
	res := run(t, build(t, it.Uncompressed,
		[]it.Entry{it.Dir("d/"), it.SizedFile("d/a", 5), it.Dir("d/sub/"), it.SizedFile("d/sub/b", 7), it.SizedFile("keep", 1)},
		[]it.Entry{it.SizedFile("d/a", 11)},
		[]it.Entry{it.Whiteout("d")},
	))
	// d/a is hidden as layer 1 left it, d/sub/b as layer 0 did.
	want := map[string]int64{"d": 0, "d/a": 11, "d/sub": 0, "d/sub/b": 7}
	got := map[string]int64{}
	for _, e := range res.Layers[2].Entries {
		if e.Change != analyze.ChangeRemoved {
			t.Errorf("layer 2 wrote %s", res.Tree.Path(e.Node))
			continue
		}
		got[res.Tree.Path(e.Node)] = e.Size
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("removed sizes %v, want %v", got, want)
	}
}

// TestWastedHiddenBy: each wasted file names the layers that stored its
// hidden copies and the layers that hid them.
func TestWastedHiddenBy(t *testing.T) {
	res := run(t, build(t, it.Uncompressed,
		[]it.Entry{it.SizedFile("cfg", 10), it.SizedFile("twice", 3), it.SizedFile("twice", 4)},
		[]it.Entry{it.SizedFile("cfg", 20), it.SizedFile("cache/x", 300)},
		[]it.Entry{it.SizedFile("cfg", 30)},
		[]it.Entry{it.Whiteout("cache")},
	))
	type row struct {
		stored, hiddenBy string
	}
	want := map[string]row{
		"cfg":     {"[0 1]", "[1 2]"}, // each rewrite hides the copy below it
		"cache/x": {"[1]", "[3]"},     // a whiteout three layers up
		"twice":   {"[0]", "[0]"},     // the layer's own second copy
	}
	got := map[string]row{}
	for _, w := range res.WastedFiles {
		got[w.Path] = row{fmt.Sprint(w.Layers), fmt.Sprint(w.HiddenBy)}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("stored in / hidden by:\n got %v\nwant %v", got, want)
	}
}
