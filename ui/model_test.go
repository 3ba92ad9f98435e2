package ui

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"

	tea "charm.land/bubbletea/v2"

	"github.com/strata-cli/strata/analyze"
)

// rowPaths lists the file tree's rows as paths, with their change symbol.
func rowPaths(m *Model) []string {
	var out []string
	for _, i := range m.tree.rows {
		out = append(out, m.tree.vt.nodes[i].change.symbol()+m.tree.vt.path(i))
	}
	return out
}

func TestStartState(t *testing.T) {
	m := newTestModel(t, fixture(t), 100, 30)
	if m.focus != focusHistory || m.history.cursor != 0 || m.tree.layer != 0 || m.tree.mode != modeLayer {
		t.Fatalf("start: focus %d, step %d, layer %d, mode %v", m.focus, m.history.cursor, m.tree.layer, m.tree.mode)
	}
	want := []string{"+bin", "+bin/sh", "+etc", "+etc/os-release", "+etc/passwd", "+lib", "+lib/libc.so", "+lib64"}
	if got := rowPaths(m); !slices.Equal(got, want) {
		t.Errorf("rows = %q, want %q", got, want)
	}
	golden(t, "start_100x30", frame(m))
}

func TestStartSmallTerminal(t *testing.T) {
	m := newTestModel(t, fixture(t), 80, 24)
	golden(t, "start_80x24", frame(m))
	for i, line := range strings.Split(frame(m), "\n") {
		if w := len([]rune(line)); w > 80 {
			t.Errorf("line %d is %d cells wide", i, w)
		}
	}
	if n := strings.Count(frame(m), "\n") + 1; n != 24 {
		t.Errorf("frame has %d lines, want 24", n)
	}
}

func TestSelectLayer(t *testing.T) {
	m := newTestModel(t, fixture(t), 100, 30)
	press(t, m, "down") // the ENV step has no layer: keep showing layer 0
	if m.history.cursor != 1 || m.tree.layer != 0 || !m.layer.sel.Empty {
		t.Fatalf("empty step: cursor %d, layer %d, sel %+v", m.history.cursor, m.tree.layer, m.layer.sel)
	}
	press(t, m, "j")
	if m.tree.layer != 1 || m.layer.sel.Step != 2 {
		t.Fatalf("after j: layer %d, sel %+v", m.tree.layer, m.layer.sel)
	}
	want := []string{" etc", "~etc/passwd", "+usr", "+usr/bin", "+usr/bin/curl", "+var", "+var/cache", "+var/cache/apt", "+var/cache/apt/pkgcache.bin"}
	if got := rowPaths(m); !slices.Equal(got, want) {
		t.Errorf("rows = %q, want %q", got, want)
	}
	golden(t, "select_layer", frame(m))
	press(t, m, "G")
	if m.history.cursor != 4 || m.tree.layer != 2 {
		t.Errorf("G: cursor %d, layer %d", m.history.cursor, m.tree.layer)
	}
	press(t, m, "g")
	if m.history.cursor != 0 || m.tree.layer != 0 {
		t.Errorf("g: cursor %d, layer %d", m.history.cursor, m.tree.layer)
	}
}

func TestStackedView(t *testing.T) {
	m := newTestModel(t, fixture(t), 100, 30)
	press(t, m, "G", "s")
	if m.tree.mode != modeStacked || m.tree.layer != 2 {
		t.Fatalf("mode %v layer %d", m.tree.mode, m.tree.layer)
	}
	want := []string{" bin", " bin/sh", " etc", " etc/os-release", " etc/passwd", " lib", " lib/libc.so", " lib64",
		"+tmp", "+tmp/build.log", " usr", " usr/bin", " usr/bin/curl", " var", " var/cache", "-var/cache/apt", "-var/cache/apt/pkgcache.bin"}
	if got := rowPaths(m); !slices.Equal(got, want) {
		t.Errorf("rows = %q, want %q", got, want)
	}
	// etc/passwd is the copy from layer 1 and shows its size.
	i, _ := m.tree.vt.find("etc/passwd")
	if m.tree.shown[i] != 250 {
		t.Errorf("stacked etc/passwd size = %d, want 250", m.tree.shown[i])
	}
	golden(t, "stacked", frame(m))

	press(t, m, "4") // hide unchanged: only what layer 2 did, and its parents
	want = []string{"+tmp", "+tmp/build.log", " var", " var/cache", "-var/cache/apt", "-var/cache/apt/pkgcache.bin"}
	if got := rowPaths(m); !slices.Equal(got, want) {
		t.Errorf("without unchanged: rows = %q, want %q", got, want)
	}
	press(t, m, "4", "3")
	if slices.Contains(rowPaths(m), "-var/cache/apt") {
		t.Errorf("removed still shown with 3 off")
	}
	press(t, m, "3", "ctrl+l")
	if m.tree.mode != modeLayer {
		t.Errorf("ctrl+l: mode %v", m.tree.mode)
	}
	press(t, m, "ctrl+a")
	if m.tree.mode != modeStacked {
		t.Errorf("ctrl+a: mode %v", m.tree.mode)
	}
}

func TestStackedMatchesFinalFilesystem(t *testing.T) {
	res := fixture(t)
	vt := buildViewTree(res, len(res.Layers)-1, modeStacked, nil)
	for i := 1; i < len(vt.nodes); i++ {
		n := vt.nodes[i]
		if !n.hasEntry || n.change == changeRemoved {
			continue
		}
		ref, ok := res.Tree.Final(n.id)
		if !ok || res.Layers[ref.Layer].Entries[ref.Index] != n.entry {
			t.Errorf("%s: stacked view shows an entry the final filesystem does not", vt.path(int32(i)))
		}
	}
}

func TestFilter(t *testing.T) {
	m := newTestModel(t, fixture(t), 100, 30)
	press(t, m, "down", "down", "/")
	if !m.filter.active {
		t.Fatal("/ did not open the filter")
	}
	typeText(t, m, "curl")
	want := []string{"+usr", "+usr/bin", "+usr/bin/curl"}
	if got := rowPaths(m); !slices.Equal(got, want) {
		t.Errorf("live filter rows = %q, want %q", got, want)
	}
	press(t, m, "enter")
	if m.filter.active || m.tree.filter != "curl" {
		t.Errorf("after enter: active %v, filter %q", m.filter.active, m.tree.filter)
	}
	golden(t, "filter", frame(m))
	press(t, m, "esc")
	if m.tree.filter != "" || len(m.tree.rows) != 9 {
		t.Errorf("esc: filter %q, %d rows", m.tree.filter, len(m.tree.rows))
	}
	press(t, m, "/")
	typeText(t, m, `re:^etc/.*d$`)
	press(t, m, "enter")
	if got := rowPaths(m); !slices.Equal(got, []string{" etc", "~etc/passwd"}) {
		t.Errorf("regex rows = %q", got)
	}
	press(t, m, "/", "backspace", "backspace")
	typeText(t, m, "(")
	if m.filterErr == "" {
		t.Errorf("bad regexp not reported")
	}
	press(t, m, "esc")
	if m.filter.active || m.tree.filter != "" {
		t.Errorf("esc while editing: active %v filter %q", m.filter.active, m.tree.filter)
	}
}

func TestCollapse(t *testing.T) {
	m := newTestModel(t, fixture(t), 100, 30)
	press(t, m, "tab")
	if m.focus != focusTree {
		t.Fatalf("tab: focus %d", m.focus)
	}
	press(t, m, "space") // cursor is on bin/
	bin, _ := m.res.Tree.Lookup("bin")
	if !m.tree.collapsed[bin] || len(m.tree.rows) != 7 {
		t.Fatalf("space: collapsed %v, %d rows", m.tree.collapsed, len(m.tree.rows))
	}
	press(t, m, "down", "down")
	if p := m.tree.cursorPath(); p != "etc/os-release" {
		t.Errorf("cursor %q, want etc/os-release", p)
	}
	press(t, m, "left") // to the parent
	if p := m.tree.cursorPath(); p != "etc" {
		t.Errorf("left: cursor %q, want etc", p)
	}
	press(t, m, "left") // fold it
	golden(t, "collapse", frame(m))
	press(t, m, "]")
	if len(m.tree.collapsed) != 0 || len(m.tree.rows) != 8 || m.tree.cursorPath() != "etc" {
		t.Errorf("]: collapsed %v, %d rows, cursor %q", m.tree.collapsed, len(m.tree.rows), m.tree.cursorPath())
	}
	press(t, m, "[")
	if got := rowPaths(m); !slices.Equal(got, []string{"+bin", "+etc", "+lib", "+lib64"}) {
		t.Errorf("[: rows %q", got)
	}
	press(t, m, "shift+tab")
	if m.focus != focusHistory {
		t.Errorf("shift+tab: focus %d", m.focus)
	}
}

func TestSortAndAttributes(t *testing.T) {
	m := newTestModel(t, fixture(t), 100, 30)
	press(t, m, "o")
	want := []string{"+lib", "+lib/libc.so", "+bin", "+bin/sh", "+etc", "+etc/passwd", "+etc/os-release", "+lib64"}
	if got := rowPaths(m); !slices.Equal(got, want) {
		t.Errorf("by size: %q, want %q", got, want)
	}
	press(t, m, "b")
	f := frame(m)
	for _, s := range []string{"-rwxr-xr-x 0:0", "drwxr-xr-x", "lrwxrwxrwx", "lib64 -> lib"} {
		if !strings.Contains(f, s) {
			t.Errorf("attributes frame lacks %q:\n%s", s, f)
		}
	}
	golden(t, "attributes", f)
}

func TestWastedJump(t *testing.T) {
	m := newTestModel(t, fixture(t), 100, 30)
	press(t, m, "tab", "/")
	typeText(t, m, "lib")
	press(t, m, "enter", "w")
	if m.overlay != overlayWasted {
		t.Fatal("w did not open the overlay")
	}
	golden(t, "wasted", frame(m))
	// pkgcache.bin was stored by layer 1 and deleted by layer 2's whiteout;
	// the first etc/passwd was hidden by layer 1 writing it again.
	for _, want := range [][]string{{"8.0", "kB", "1", "2", "/var/cache/apt/pkgcache.bin"}, {"200", "B", "0", "1", "/etc/passwd"}} {
		if !slices.ContainsFunc(strings.Split(frame(m), "\n"), func(l string) bool { return slices.Equal(strings.Fields(l), want) }) {
			t.Errorf("no wasted row %q (stored in, hidden by) in:\n%s", want, frame(m))
		}
	}
	press(t, m, "enter")
	if m.overlay != overlayNone || m.tree.layer != 1 || m.history.cursor != 2 || m.focus != focusTree {
		t.Fatalf("jump: overlay %d layer %d step %d focus %d", m.overlay, m.tree.layer, m.history.cursor, m.focus)
	}
	if p := m.tree.cursorPath(); p != "var/cache/apt/pkgcache.bin" {
		t.Errorf("jump: cursor %q", p)
	}
	if m.tree.filter != "" {
		t.Errorf("jump kept a filter that hides the file: %q", m.tree.filter)
	}
	press(t, m, "w", "esc")
	if m.overlay != overlayNone {
		t.Errorf("esc did not close the overlay")
	}
}

func TestHelpOverlayAndQuit(t *testing.T) {
	m := newTestModel(t, fixture(t), 100, 30)
	press(t, m, "?")
	if m.overlay != overlayHelp {
		t.Fatal("? did not open help")
	}
	golden(t, "help", frame(m))
	press(t, m, "?")
	if m.overlay != overlayNone {
		t.Error("? did not close help")
	}
	if !press(t, m, "q") {
		t.Error("q did not quit")
	}
	if !press(t, m, "ctrl+c") {
		t.Error("ctrl+c did not quit")
	}
}

// TestLoadingShowsHistoryFirst: the history is on screen from the config
// alone, and each layer's size appears as it is read.
func TestLoadingShowsHistoryFirst(t *testing.T) {
	res := fixture(t)
	m := newModel(nil, ThemeMono, "example:1", defaultKeyMap())
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	n := len(res.Layers)
	m.Update(progressMsg{p: analyze.Progress{Layers: n, Plan: &analyze.Plan{Image: res.Image, Layers: res.Layers, History: res.History}}})
	m.Update(progressMsg{p: analyze.Progress{Layer: 1, Layers: n, Bytes: 4096, Entries: 7}})
	m.Update(progressMsg{p: analyze.Progress{Layer: 0, Layers: n, Bytes: -1, Entries: 9, Files: 5, Done: true, SizeBytes: res.Layers[0].SizeBytes}})
	golden(t, "loading_history", frame(m))
	if !strings.Contains(frame(m), analyze.Instruction(res.History[len(res.History)-1].CreatedBy)) {
		t.Errorf("the last build step is not on the loading screen")
	}
}

func TestLoading(t *testing.T) {
	res := fixture(t)
	m := newModel(nil, ThemeMono, "example:1", defaultKeyMap())
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.Update(progressMsg{p: analyze.Progress{Layer: 1, Layers: 3, Bytes: 4096, Entries: 7}})
	m.Update(progressMsg{p: analyze.Progress{Layer: 0, Layers: 3, Bytes: -1, Entries: 9, Files: 5, Done: true}})
	golden(t, "loading", frame(m))
	if m.state != stateLoading {
		t.Fatalf("state %d", m.state)
	}
	m.Update(loadedMsg{res: res})
	if m.state != stateReady || m.tree.layer != 0 {
		t.Fatalf("after load: state %d", m.state)
	}

	m = newModel(nil, ThemeMono, "", defaultKeyMap())
	boom := errors.New("reading layer 2: unexpected EOF")
	m.Update(loadedMsg{err: boom})
	if m.state != stateFailed || !strings.Contains(frame(m), "unexpected EOF") {
		t.Errorf("failure: state %d, frame %q", m.state, frame(m))
	}
	if !press(t, m, "q") {
		t.Error("q did not quit the error screen")
	}
}

func TestResize(t *testing.T) {
	m := newTestModel(t, fixture(t), 100, 30)
	press(t, m, "tab")
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 12})
	f := frame(m)
	if n := strings.Count(f, "\n") + 1; n != 12 {
		t.Errorf("60x12 frame has %d lines", n)
	}
	if m.tree.height < 1 || m.history.height < 1 {
		t.Errorf("panes collapsed to nothing: tree %d history %d", m.tree.height, m.history.height)
	}
}

func TestMouse(t *testing.T) {
	m := newTestModel(t, fixture(t), 100, 30)
	run(m, second(m.Update(tea.MouseWheelMsg{X: 5, Y: 3, Button: tea.MouseWheelDown})))
	run(m, second(m.Update(tea.MouseWheelMsg{X: 5, Y: 3, Button: tea.MouseWheelDown})))
	if m.history.cursor != 2 || m.tree.layer != 1 {
		t.Errorf("wheel over history: cursor %d, layer %d", m.history.cursor, m.tree.layer)
	}
	run(m, second(m.Update(tea.MouseClickMsg{X: 60, Y: 3, Button: tea.MouseLeft})))
	if m.focus != focusTree || m.tree.cursorPath() != "etc/passwd" {
		t.Errorf("click in tree: focus %d, cursor %q", m.focus, m.tree.cursorPath())
	}
	run(m, second(m.Update(tea.MouseClickMsg{X: 3, Y: 2, Button: tea.MouseLeft})))
	if m.focus != focusHistory || m.tree.layer != 0 {
		t.Errorf("click in history: focus %d, layer %d", m.focus, m.tree.layer)
	}
	before := m.tree.cursor
	run(m, second(m.Update(tea.MouseWheelMsg{X: 60, Y: 10, Button: tea.MouseWheelDown})))
	if m.tree.cursor != before+wheelStep {
		t.Errorf("wheel over tree: cursor %d, want %d", m.tree.cursor, before+wheelStep)
	}
}

func second(_ tea.Model, c tea.Cmd) tea.Cmd { return c }

// TestCtrlCAlwaysQuits: with quit rebound elsewhere and a filter being
// typed, ctrl+c still ends the program.
func TestCtrlCAlwaysQuits(t *testing.T) {
	m := newTestModel(t, fixture(t), 100, 30)
	m.keys.Quit = key.NewBinding(key.WithKeys("Q"))
	ctrlC := tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	if cmd := m.handleKey(ctrlC); cmd == nil || cmd() != tea.Quit() {
		t.Errorf("ctrl+c did not quit with quit rebound")
	}
	press(t, m, "/", "a")
	if cmd := m.handleKey(ctrlC); cmd == nil || cmd() != tea.Quit() {
		t.Errorf("ctrl+c did not quit while typing a filter")
	}
}
