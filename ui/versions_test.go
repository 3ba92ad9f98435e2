package ui

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/strata-cli/strata/analyze"
)

// versionContent is a fake opener: the content of each (layer, path) in
// contents, counting the opens.
func versionContent(contents map[string]string, opened *[]string) OpenFileFunc {
	return func(layer int, path string) (io.ReadCloser, error) {
		k := fmt.Sprintf("%d:%s", layer, path)
		*opened = append(*opened, k)
		c, ok := contents[k]
		if !ok {
			return nil, errors.New("no such file")
		}
		return io.NopCloser(strings.NewReader(c)), nil
	}
}

// historyOf opens the file history of p from the stacked view of the last
// layer (the tree shows every path written, removed ones at their layer).
func historyOf(t *testing.T, m *Model, layer int, p string) {
	t.Helper()
	press(t, m, "g")
	m.history.SelectLayer(layer)
	m.Update(m.history.Selected())
	m.tree.showNow(layer)
	m.setFocus(focusTree)
	if !m.tree.selectPath(p, true) {
		t.Fatalf("%s is not in the tree of layer %d", p, layer)
	}
	press(t, m, "H")
	if m.overlay != overlayVersions {
		t.Fatalf("H on %s: overlay %d, want the file history", p, m.overlay)
	}
}

// entriesOf lists what every layer holds for p, in layer and tar order.
func entriesOf(res *analyze.Result, p string) []string {
	id, _ := res.Tree.Lookup(p)
	var out []string
	for l, layer := range res.Layers {
		for _, e := range layer.Entries {
			if e.Node == id {
				out = append(out, fmt.Sprintf("%d %s %d", l, e.Change, e.Size))
			}
		}
	}
	return out
}

func versionRows(m *Model) []string {
	var out []string
	for _, r := range m.versions.rows {
		out = append(out, fmt.Sprintf("%d %s %d", r.layer, r.e.Change, r.e.Size))
	}
	return out
}

// TestFileHistory: H lists every version of the path under the tree's
// cursor across the layers, with the step that wrote it; enter views a
// version (the viewer closes back onto the list), and a removed version
// opens the content it removed.
func TestFileHistory(t *testing.T) {
	res := fixture(t)
	for _, sz := range [][2]int{{80, 24}, {200, 60}} {
		m := newTestModel(t, res, sz[0], sz[1])
		var opened []string
		m.open = versionContent(map[string]string{"0:etc/passwd": "root:x:0:0\n", "1:etc/passwd": "root:x:0:0\ncurl:x:100:100\n"}, &opened)
		historyOf(t, m, 1, "etc/passwd")
		want := entriesOf(res, "etc/passwd")
		if got := versionRows(m); !slices.Equal(got, want) || len(got) != 2 {
			t.Fatalf("versions %q, want %q", got, want)
		}
		f := frame(m)
		lines := strings.Split(f, "\n")
		for i, line := range lines {
			// The panes fill the width; the status and help lines end early.
			if w := ansi.StringWidth(line); w != sz[0] && i < len(lines)-2 || w > sz[0] {
				t.Errorf("%dx%d: line %d is %d cells: %q", sz[0], sz[1], i, w, line)
			}
		}
		if !strings.Contains(f, "wrote by step 3: RUN") || !strings.Contains(f, "modified") {
			t.Errorf("%dx%d: no step or change shown:\n%s", sz[0], sz[1], f)
		}
		golden(t, fmt.Sprintf("file_history_%dx%d", sz[0], sz[1]), f)

		press(t, m, "g", "enter")
		if m.overlay != overlayViewer || opened[len(opened)-1] != "0:etc/passwd" || m.viewer.lines[0] != "root:x:0:0" {
			t.Fatalf("enter on layer 0's version: overlay %d, opened %q", m.overlay, opened)
		}
		press(t, m, "esc")
		if m.overlay != overlayVersions {
			t.Errorf("closing the viewer: overlay %d, want back on the history", m.overlay)
		}
	}
}

// TestFileHistoryRemoved: a path a layer removed lists its removal, and
// both the removal in the history and the removed file in the tree open
// the last content stored before it, saying so.
func TestFileHistoryRemoved(t *testing.T) {
	res := fixture(t)
	m := newTestModel(t, res, 100, 30)
	var opened []string
	const p = "var/cache/apt/pkgcache.bin"
	m.open = versionContent(map[string]string{"1:" + p: "cache\n"}, &opened)
	historyOf(t, m, 2, p)
	if got, want := versionRows(m), entriesOf(res, p); !slices.Equal(got, want) || want[len(want)-1] != "2 removed 8000" {
		t.Fatalf("versions %q, want %q ending in the removal", got, want)
	}
	press(t, m, "G", "enter")
	if m.overlay != overlayViewer || opened[len(opened)-1] != "1:"+p || !strings.Contains(m.viewer.title, "removed by layer 2") {
		t.Fatalf("enter on the removal: overlay %d, opened %q, title %q", m.overlay, opened, m.viewer.title)
	}
	press(t, m, "esc", "esc") // the viewer, then the history
	if m.overlay != overlayNone {
		t.Fatalf("two esc: overlay %d", m.overlay)
	}
	m.tree.mode = modeLayer
	m.tree.showNow(2)
	if !m.tree.selectPath(p, true) {
		t.Fatal("the removal is not in layer 2's own tree")
	}
	press(t, m, "enter")
	if m.overlay != overlayViewer || opened[len(opened)-1] != "1:"+p || m.viewer.lines[0] != "cache" {
		t.Errorf("enter on a removed file in the tree: overlay %d, opened %q, status %q", m.overlay, opened, m.status)
	}
}
