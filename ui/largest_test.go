package ui

import (
	"cmp"
	"slices"
	"strings"
	"testing"

	"github.com/strata-cli/strata/analyze"
)

// sizedPath is a file of a largest-files list.
type sizedPath struct {
	path string
	size int64
}

// largestRows is what the overlay lists, in order.
func largestRows(m *Model) []sizedPath {
	var out []sizedPath
	for _, i := range m.largest.files {
		out = append(out, sizedPath{m.largest.vt.path(i), m.largest.vt.nodes[i].size})
	}
	return out
}

// biggestFirst orders files as the overlay must: size down, then path.
func biggestFirst(files []sizedPath) []sizedPath {
	slices.SortFunc(files, func(a, b sizedPath) int {
		if c := cmp.Compare(b.size, a.size); c != 0 {
			return c
		}
		return strings.Compare(a.path, b.path)
	})
	return files
}

// TestLargestFiles: L lists the selected layer's own files, or in the
// stacked view every file of the filesystem up to that layer, biggest
// first, and enter puts the tree's cursor on the file in the same view.
func TestLargestFiles(t *testing.T) {
	res := fixture(t)
	m := newTestModel(t, res, 80, 24)
	press(t, m, "down", "down", "L") // step 2: layer 1, its own changes
	if m.overlay != overlayLargest {
		t.Fatal("L did not open the overlay")
	}
	var own []sizedPath
	for _, e := range res.Layers[1].Entries {
		if e.Kind == analyze.KindFile && e.Change != analyze.ChangeRemoved && e.Size > 0 {
			own = append(own, sizedPath{res.Tree.Path(e.Node), e.Size})
		}
	}
	if got, want := largestRows(m), biggestFirst(own); !slices.Equal(got, want) {
		t.Errorf("layer 1: %v, want %v", got, want)
	}
	golden(t, "largest_80x24", frame(m))

	press(t, m, "L", "G", "s", "L") // close; the last layer, stacked
	var final []sizedPath
	for id := range res.Tree.Len() {
		if ref, ok := res.Tree.Final(analyze.NodeID(id)); ok {
			if e := res.Layers[ref.Layer].Entries[ref.Index]; e.Kind == analyze.KindFile && e.Size > 0 {
				final = append(final, sizedPath{res.Tree.Path(e.Node), e.Size})
			}
		}
	}
	if got, want := largestRows(m), biggestFirst(final); !slices.Equal(got, want) {
		t.Errorf("stacked top layer: %v, want the final filesystem's %v", got, want)
	}
	if title := m.largest.Title(); !strings.Contains(title, "layer 2 (stacked") {
		t.Errorf("title %q does not name the view", title)
	}
	press(t, m, "down", "down", "enter")
	want := final[2].path
	if m.overlay != overlayNone || m.tree.layer != 2 || m.tree.mode != modeStacked || m.focus != focusTree {
		t.Fatalf("jump: overlay %d layer %d mode %v focus %d", m.overlay, m.tree.layer, m.tree.mode, m.focus)
	}
	if p := m.tree.cursorPath(); p != want {
		t.Errorf("jump: cursor on %q, want %q", p, want)
	}
	for _, sz := range [][2]int{{80, 24}, {200, 60}} {
		m := newTestModel(t, res, sz[0], sz[1])
		press(t, m, "L")
		for i, l := range strings.Split(frame(m), "\n") {
			if w := len([]rune(l)); w > sz[0] {
				t.Errorf("%dx%d line %d is %d wide: %q", sz[0], sz[1], i, w, l)
			}
		}
		press(t, m, "esc")
		if m.overlay != overlayNone {
			t.Errorf("%dx%d: esc did not close the overlay", sz[0], sz[1])
		}
	}
}

// TestLargestWaitsForBuild: opening the list while the view is still
// being built in the background builds it at once; a list that large is
// sorted by a command while the overlay says so, and then holds every file.
func TestLargestWaitsForBuild(t *testing.T) {
	res := manyFiles(t, syncBuildEntries+1000)
	m := newTestModel(t, res, 100, 30)
	m.Update(keyMsg("ctrl+a")) // its command is not run: the stacked build stays pending
	if !m.tree.building {
		t.Fatal("the view was built at once: the fixture is too small for this test")
	}
	_, cmd := m.Update(keyMsg("L"))
	if m.tree.building || cmd == nil {
		t.Fatalf("L: building %v, sorting command %v", m.tree.building, cmd != nil)
	}
	if f := frame(m); !strings.Contains(f, "sorting the files of layer 0") {
		t.Errorf("no note while sorting:\n%s", f)
	}
	if _, again := m.Update(keyMsg("L")); again != nil {
		t.Error("closing the list started a second sort")
	}
	if _, again := m.Update(keyMsg("L")); again != nil {
		t.Error("reopening the list while it sorts started a second sort")
	}
	run(m, cmd)
	if n := len(m.largest.files); n != syncBuildEntries+1000 {
		t.Fatalf("%d files listed, want every one of layer 0's %d", n, syncBuildEntries+1000)
	}
	files := m.largest.files
	vt := m.largest.vt
	for i := 1; i < len(files); i++ {
		if vt.nodes[files[i]].size > vt.nodes[files[i-1]].size {
			t.Fatalf("row %d (%d B) is bigger than row %d (%d B)", i, vt.nodes[files[i]].size, i-1, vt.nodes[files[i-1]].size)
		}
	}
	if f := frame(m); strings.Contains(f, "sorting") || !strings.Contains(f, "/usr/d") {
		t.Errorf("the sorted list does not show:\n%s", f)
	}
}
