package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/strata-cli/strata/analyze"
)

// versionContent is a fake opener: the content of each (layer, path) in
// contents, counting the opens.
func versionContent(contents map[string]string, opened *[]string) OpenFileFunc {
	return func(_ context.Context, layer int, path string) (io.ReadCloser, error) {
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

// TestFileHistoryDiff: space marks a version and d diffs it with the one
// under the cursor, older first, read through the opener in a command.
func TestFileHistoryDiff(t *testing.T) {
	res := fixture(t)
	m := newTestModel(t, res, 80, 24)
	var opened []string
	m.open = versionContent(map[string]string{
		"0:etc/passwd": "root:x:0:0\ndaemon:x:1:1\nbin:x:2:2\n",
		"1:etc/passwd": "root:x:0:0\ndaemon:x:1:1\nbin:x:2:2\ncurl:x:100:100\n",
	}, &opened)
	historyOf(t, m, 1, "etc/passwd")
	press(t, m, "d")
	if m.overlay != overlayVersions || !strings.Contains(m.status, "mark") {
		t.Errorf("d without a mark: overlay %d, status %q", m.overlay, m.status)
	}
	press(t, m, "space", "g") // mark layer 1's
	if !strings.Contains(frame(m), "\n* 1     modified") {
		t.Errorf("the marked version is not marked:\n%s", frame(m))
	}
	press(t, m, "d") // diff with layer 0's
	if m.overlay != overlayDiff || m.diff.pending {
		t.Fatalf("d: overlay %d, pending %v", m.overlay, m.diff.pending)
	}
	want := []string{"--- layer 0/etc/passwd", "+++ layer 1/etc/passwd", "@@ -1,3 +1,4 @@", " root:x:0:0", " daemon:x:1:1", " bin:x:2:2", "+curl:x:100:100"}
	if !slices.Equal(m.diff.lines, want) {
		t.Errorf("diff lines %q, want %q", m.diff.lines, want)
	}
	golden(t, "file_history_diff_80x24", frame(m))
	m.Update(tea.WindowSizeMsg{Width: 200, Height: 60})
	lines := strings.Split(frame(m), "\n")
	for i, line := range lines {
		if w := ansi.StringWidth(line); w != 200 && i < len(lines)-2 || w > 200 {
			t.Errorf("200x60: line %d is %d cells: %q", i, w, line)
		}
	}
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	press(t, m, "q")
	if m.overlay != overlayVersions {
		t.Errorf("q in the diff: overlay %d, want back on the history", m.overlay)
	}
	// A stale diff (asked for, then closed) does not come back.
	_, cmd := m.Update(diffMsg{Path: "etc/passwd", A: 0, B: 1})
	press(t, m, "esc")
	m.Update(cmd())
	if m.overlay != overlayVersions || m.diff.pending {
		t.Errorf("a diff answered after esc: overlay %d", m.overlay)
	}
}

// TestDiffSummaries: binary content and files over the limit get a
// summary naming the sizes and the first differing byte, with the hex
// rows there; equal content says so.
func TestDiffSummaries(t *testing.T) {
	bin := func(n int, flip int) string {
		b := bytes.Repeat([]byte{0, 1, 2, 3, 4, 5, 6, 7}, n/8+1)[:n]
		if flip >= 0 {
			b[flip] ^= 0xff
		}
		return string(b)
	}
	big := strings.Repeat("line of text\n", diffLimit/13+100)
	for _, tt := range []struct {
		name, a, b string
		want       []string
	}{
		{"binary", bin(100, -1), bin(100, 37), []string{"binary content", "100 bytes", "first differs at byte 37 (0x25)", "layer 0   00000020  00 01 02 03 04 05 06 07", "layer 2   00000020  00 01 02 03 04 fa 06 07"}},
		{"binary shorter", bin(40, -1), bin(20, -1), []string{"40 bytes", "20 bytes", "first differs at byte 20", "layer 2   00000010  00 01 02 03  "}},
		{"binary ends on a row", bin(40, -1), bin(16, -1), []string{"first differs at byte 16", "layer 2   (ends before it)"}},
		{"binary same", bin(64, -1), bin(64, -1), []string{"identical"}},
		{"large same", big, big, []string{"larger than " + humanBytes(diffLimit), "identical"}},
		{"large differs", big, big[:diffLimit+5] + "X" + big[diffLimit+6:], []string{fmt.Sprintf("first differs at byte %d", diffLimit+5)}},
		{"text same", "a\nb\n", "a\nb\n", []string{"the content is identical"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var opened []string
			open := versionContent(map[string]string{"0:f": tt.a, "2:f": tt.b}, &opened)
			msg := diffCmd(open, diffMsg{Path: "f", A: 0, B: 2}, 7)().(diffDoneMsg)
			text := strings.Join(msg.Lines, "\n")
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("summary lacks %q:\n%s", w, text)
				}
			}
			if msg.Req != 7 || !strings.Contains(msg.Title, "layer 0 → layer 2") {
				t.Errorf("req %d title %q", msg.Req, msg.Title)
			}
		})
	}
}

// TestQuitClosesOverlays: in every overlay q closes it (and a viewer or
// diff opened from the file history goes back to it); only q with no
// overlay quits.
func TestQuitClosesOverlays(t *testing.T) {
	res := fixture(t)
	for _, tt := range []struct {
		name string
		open func(m *Model)
		want overlay
	}{
		{"help", func(m *Model) { press(t, m, "?") }, overlayNone},
		{"wasted", func(m *Model) { press(t, m, "w") }, overlayNone},
		{"largest", func(m *Model) { press(t, m, "L") }, overlayNone},
		{"history", func(m *Model) { historyOf(t, m, 1, "etc/passwd") }, overlayNone},
		{"viewer", func(m *Model) { historyOf(t, m, 1, "etc/passwd"); press(t, m, "esc", "enter") }, overlayNone},
		{"viewer from history", func(m *Model) { historyOf(t, m, 1, "etc/passwd"); press(t, m, "enter") }, overlayVersions},
		{"diff", func(m *Model) { historyOf(t, m, 1, "etc/passwd"); press(t, m, "space", "g", "d") }, overlayVersions},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := newTestModel(t, res, 80, 24)
			var opened []string
			m.open = versionContent(map[string]string{"0:etc/passwd": "a\n", "1:etc/passwd": "b\n"}, &opened)
			tt.open(m)
			if m.overlay == overlayNone {
				t.Fatal("no overlay open")
			}
			if press(t, m, "q") || m.overlay != tt.want {
				t.Fatalf("q: overlay %d, want %d, and no quit", m.overlay, tt.want)
			}
			for i := 0; m.overlay != overlayNone && i < 3; i++ {
				if press(t, m, "q") {
					t.Fatal("q quit with an overlay open")
				}
			}
			if !press(t, m, "q") {
				t.Error("q with no overlay does not quit")
			}
		})
	}
}
