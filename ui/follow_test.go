package ui

import (
	"context"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
)

// linkFixture has a link to a file, a directory link, a dangling link, a
// loop, and cur, which layer 1 points elsewhere.
func linkFixture(t *testing.T) *analyze.Result {
	t.Helper()
	l0 := it.Tar(
		it.Dir("bin"), it.File("bin/busybox", "busybox\n"), it.Symlink("bin/sh", "busybox"),
		it.Dir("usr"), it.Dir("usr/lib"), it.File("usr/lib/libc.so", "libc\n"), it.Symlink("usr/lib/foo", "../bar"),
		it.Symlink("lib", "usr/lib"), it.Symlink("a", "b"), it.Symlink("b", "a"),
		it.Symlink("cur", "bin/busybox"),
	)
	l1 := it.Tar(it.Symlink("cur", "/lib/libc.so"), it.Dir("etc"), it.File("etc/hosts", "localhost\n"))
	img := it.MustImage(t, []v1.Layer{it.MustLayer(t, l0, it.Gzip), it.MustLayer(t, l1, it.Gzip)}, nil, nil)
	res, err := analyze.Analyze(context.Background(), img, analyze.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// treeOn shows layer in mode with the tree's cursor on p.
func treeOn(t *testing.T, m *Model, layer int, mode viewMode, p string) {
	t.Helper()
	m.history.SelectLayer(layer)
	m.Update(m.history.Selected())
	m.tree.mode = mode
	m.tree.showNow(layer)
	m.setFocus(focusTree)
	if !m.tree.selectPath(p, true) {
		t.Fatalf("%s is not in the %s tree of layer %d", p, mode, layer)
	}
}

// TestFollowInTree: enter on a link to a file opens the file, titled with
// the link; f, and enter on a link to a directory, move the cursor to the
// target (switching to the stacked view when the layer does not change
// it); dangling links and loops say so on the status line and stay put.
func TestFollowInTree(t *testing.T) {
	res := linkFixture(t)
	for _, tc := range []struct {
		name   string
		layer  int
		mode   viewMode
		on     string
		key    string
		cursor string // where the cursor ends up
		mmode  viewMode
		status string
		viewer string // the viewer's title, when the key opens it
		opened string // the (layer:path) the viewer read
	}{
		{name: "enter on a link to a file", layer: 0, on: "bin/sh", key: "enter", cursor: "bin/sh",
			viewer: "/bin/busybox (layer 0, /bin/sh -> /bin/busybox)", opened: "0:bin/busybox"},
		{name: "f on a link to a file", layer: 0, on: "bin/sh", key: "f", cursor: "bin/busybox", status: "/bin/sh -> /bin/busybox"},
		{name: "enter on a directory link", layer: 0, on: "lib", key: "enter", cursor: "usr/lib", status: "/lib -> /usr/lib"},
		{name: "target outside the layer's own changes", layer: 1, on: "cur", key: "f", cursor: "usr/lib/libc.so", mmode: modeStacked,
			status: "/cur -> /usr/lib/libc.so (stacked view: this layer does not change it)"},
		{name: "stacked, through a directory link", layer: 1, mode: modeStacked, on: "cur", key: "enter", cursor: "cur", mmode: modeStacked,
			viewer: "/usr/lib/libc.so (layer 0, /cur -> /usr/lib/libc.so)", opened: "0:usr/lib/libc.so"},
		{name: "replaced link, in the layer before", layer: 0, on: "cur", key: "f", cursor: "bin/busybox", status: "/cur -> /bin/busybox"},
		{name: "dangling", layer: 1, mode: modeStacked, on: "usr/lib/foo", key: "enter", cursor: "usr/lib/foo", mmode: modeStacked,
			status: "dangling: /usr/lib/foo -> ../bar (no such file in this image)"},
		{name: "dangling below the last layer", layer: 0, on: "usr/lib/foo", key: "f", cursor: "usr/lib/foo",
			status: "dangling: /usr/lib/foo -> ../bar (no such file up to layer 0)"},
		{name: "loop", layer: 0, on: "a", key: "enter", cursor: "a", status: "symlink loop at /a"},
		{name: "f on a file", layer: 0, on: "bin/busybox", key: "f", cursor: "bin/busybox", status: "not a symlink: nothing to follow"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newTestModel(t, res, 100, 30)
			var opened []string
			m.open = versionContent(map[string]string{"0:bin/busybox": "busybox\n", "0:usr/lib/libc.so": "libc\n"}, &opened)
			treeOn(t, m, tc.layer, tc.mode, tc.on)
			press(t, m, tc.key)
			if got := m.tree.cursorPath(); got != tc.cursor || m.tree.mode != tc.mmode || m.tree.layer != tc.layer {
				t.Errorf("cursor on %q in the %s view of layer %d, want %q in the %s view of layer %d",
					got, m.tree.mode, m.tree.layer, tc.cursor, tc.mmode, tc.layer)
			}
			if m.status != tc.status {
				t.Errorf("status %q, want %q", m.status, tc.status)
			}
			if tc.viewer == "" {
				if m.overlay != overlayNone || len(opened) > 0 {
					t.Errorf("overlay %d, opened %q; want neither", m.overlay, opened)
				}
				return
			}
			if m.overlay != overlayViewer || m.viewer.title != tc.viewer || len(opened) != 1 || opened[0] != tc.opened {
				t.Errorf("overlay %d, title %q, opened %q; want the viewer, %q, [%s]", m.overlay, m.viewer.title, opened, tc.viewer, tc.opened)
			}
		})
	}
}

// TestFollowInFileHistory: each version of a link resolves at the layer
// that wrote it. Enter on one leading to a file views that file and esc
// comes back to the history; f closes the history and puts the tree of
// that layer on the target.
func TestFollowInFileHistory(t *testing.T) {
	res := linkFixture(t)
	m := newTestModel(t, res, 100, 30)
	var opened []string
	m.open = versionContent(map[string]string{"0:bin/busybox": "busybox\n", "0:usr/lib/libc.so": "libc\n"}, &opened)
	historyOf(t, m, 1, "cur")
	if len(m.versions.rows) != 2 || m.versions.cursor != 1 {
		t.Fatalf("history of cur: %d rows, cursor %d; want 2, on the newest", len(m.versions.rows), m.versions.cursor)
	}
	if f := frame(m); !strings.Contains(f, "f follow symlink") {
		t.Errorf("the help line does not offer to follow the link:\n%s", f)
	}
	press(t, m, "enter")
	if m.overlay != overlayViewer || m.viewer.title != "/usr/lib/libc.so (layer 0, /cur -> /usr/lib/libc.so)" || m.viewer.lines[0] != "libc" {
		t.Fatalf("enter on layer 1's link: overlay %d, title %q, opened %q", m.overlay, m.viewer.title, opened)
	}
	press(t, m, "esc")
	if m.overlay != overlayVersions {
		t.Fatalf("esc in the viewer: overlay %d, want back on the history", m.overlay)
	}
	press(t, m, "g", "f")
	if m.overlay != overlayNone || m.focus != focusTree || m.tree.layer != 0 || m.tree.cursorPath() != "bin/busybox" {
		t.Fatalf("f on layer 0's link: overlay %d, focus %d, tree of layer %d on %q; want the tree of layer 0 on bin/busybox",
			m.overlay, m.focus, m.tree.layer, m.tree.cursorPath())
	}
	if m.status != "/cur -> /bin/busybox" {
		t.Errorf("status %q", m.status)
	}
	if !strings.Contains(frame(m), "/cur -> /bin/busybox") {
		t.Errorf("the status is not on screen:\n%s", frame(m))
	}

	// A link that does not resolve stays in the history and says why.
	historyOf(t, m, 0, "a")
	press(t, m, "enter")
	if m.overlay != overlayVersions || m.status != "symlink loop at /a" {
		t.Errorf("enter on a loop: overlay %d, status %q", m.overlay, m.status)
	}
	press(t, m, "esc")
	historyOf(t, m, 1, "etc/hosts")
	press(t, m, "f")
	if m.overlay != overlayVersions || m.status != "not a symlink: nothing to follow" {
		t.Errorf("f on a file's version: overlay %d, status %q", m.overlay, m.status)
	}
}

// TestFollowFrame: the tree after following a directory link, the status
// line saying where it went.
func TestFollowFrame(t *testing.T) {
	m := newTestModel(t, linkFixture(t), 80, 24)
	treeOn(t, m, 0, modeLayer, "lib")
	press(t, m, "f")
	golden(t, "follow_80x24", frame(m))
}
