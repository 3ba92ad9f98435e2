package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
)

// manyFiles is an image large enough that its stacked views are built in
// the background: a base of n files, a layer rewriting some and deleting
// a directory, and a small top layer.
func manyFiles(t testing.TB, n int) *analyze.Result {
	t.Helper()
	var base, rewrite []it.Entry
	for i := range n {
		base = append(base, it.SizedFile(fmt.Sprintf("usr/d%02d/f%05d", i%50, i), int64(10+i%7)))
	}
	for i := 0; i < n; i += 10 {
		rewrite = append(rewrite, it.SizedFile(fmt.Sprintf("usr/d%02d/f%05d", i%50, i), 99))
	}
	rewrite = append(rewrite, it.Whiteout("usr/d07"))
	top := []it.Entry{it.File("etc/motd", "hi\n"), it.Whiteout("usr/d08/f00008")}
	var layers []v1.Layer
	for _, es := range [][]it.Entry{base, rewrite, top} {
		layers = append(layers, it.MustLayer(t, it.Tar(es...), it.Uncompressed))
	}
	res, err := analyze.Analyze(context.Background(), it.MustImage(t, layers, nil, nil), analyze.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// sameTree reports how two view trees differ, or "".
func sameTree(a, b *viewTree) string {
	if len(a.nodes) != len(b.nodes) {
		return fmt.Sprintf("%d nodes, want %d", len(a.nodes), len(b.nodes))
	}
	for i := range a.nodes {
		x, y := a.nodes[i], b.nodes[i]
		if x.id != y.id || x.entry != y.entry || x.change != y.change || x.size != y.size || x.layer != y.layer ||
			x.parent != y.parent || !slices.Equal(x.children, y.children) {
			return fmt.Sprintf("node %d (%s) differs: %+v, want %+v", i, a.path(int32(i)), x, y)
		}
	}
	return ""
}

// TestLowerSetIncremental checks that a stacked view derived from the lower
// set of a layer below is the one built from scratch, for every pair.
func TestLowerSetIncremental(t *testing.T) {
	for _, res := range []*analyze.Result{fixture(t), manyFiles(t, 2000)} {
		for layer := range res.Layers {
			scratch := lowerAt(res, nil, layer)
			want := buildViewTree(res, layer, modeStacked, scratch)
			for from := 0; from <= layer; from++ {
				got := lowerAt(res, lowerAt(res, nil, from), layer)
				if !slices.Equal(got.refs, scratch.refs) {
					t.Errorf("layer %d from %d: %d refs, want %d", layer, from, len(got.refs), len(scratch.refs))
				}
				if d := sameTree(buildViewTree(res, layer, modeStacked, got), want); d != "" {
					t.Errorf("layer %d from %d: %s", layer, from, d)
				}
			}
			// A base above the layer is not used.
			if got := lowerAt(res, lowerAt(res, nil, len(res.Layers)-1), layer); !slices.Equal(got.refs, scratch.refs) {
				t.Errorf("layer %d from the top: the base above was used", layer)
			}
		}
	}
}

// TestBackgroundBuild checks that a view too large to build during a key
// press shows a placeholder, is built by the returned command, keeps the
// cursor's path, and that a stale build does not replace the view.
func TestBackgroundBuild(t *testing.T) {
	res := manyFiles(t, 3*syncBuildEntries)
	m := newTestModel(t, res, 100, 30)
	if m.tree.building {
		t.Fatal("the first layer's view was not ready at start")
	}
	press(t, m, "tab", "down", "down") // a file in the base layer
	path := m.tree.cursorPath()

	// Stacked view of the base layer: more than syncBuildEntries to read.
	_, cmd := m.Update(keyMsg("ctrl+a"))
	if cmd == nil || !m.tree.building {
		t.Fatalf("ctrl+a built %d entries during the key press", m.tree.cost(treeKey{0, modeStacked}))
	}
	if f := frame(m); !strings.Contains(f, "building the stacked view of layer 0") {
		t.Errorf("no placeholder while building:\n%s", f)
	}
	// Keys still work meanwhile, and a second request starts no second build.
	if _, again := m.Update(keyMsg("s")); again != nil {
		t.Error("s started a build of the cached layer view")
	}
	if _, again := m.Update(keyMsg("s")); again != nil {
		t.Error("switching back started a second build of the pending view")
	}
	msg := cmd()
	built, ok := msg.(viewTreeBuiltMsg)
	if !ok {
		t.Fatalf("command returned %T", msg)
	}
	m.Update(built)
	if m.tree.building || m.tree.cursorPath() != path {
		t.Errorf("after the build: building %v, cursor on %q, want %q", m.tree.building, m.tree.cursorPath(), path)
	}
	if d := sameTree(m.tree.vt, buildViewTree(res, 0, modeStacked, nil)); d != "" {
		t.Error(d)
	}

	// A build that finishes after the user moved on is kept, not shown.
	press(t, m, "ctrl+l")
	m.Update(built)
	if m.tree.mode != modeLayer || m.tree.vt != m.tree.cache[treeKey{0, modeLayer}] {
		t.Error("a stale build replaced the view on screen")
	}
}
