package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/compare"
	it "github.com/strata-cli/strata/internal/imagetest"
)

// compareBuilds analyses two builds of one Dockerfile. They share the two
// base layers; the third step copies a source whose content changed (same
// size) and a config whose mode changed, so the cache breaks there; the
// fourth step's output grew, adds a file and no longer leaves another; and
// NEW has one more step, which deletes a cache directory.
func compareBuilds(t testing.TB) (*analyze.Result, *analyze.Result) {
	t.Helper()
	base := [][]it.Entry{
		{it.Dir("bin"), it.Entry{Name: "bin/busybox", Size: 9000, Mode: 0o755}, it.Dir("etc"), it.SizedFile("etc/os-release", 120)},
		{it.Dir("usr"), it.Dir("usr/lib"), it.SizedFile("usr/lib/libc.so", 4000), it.Dir("var"), it.Dir("var/cache"), it.SizedFile("var/cache/apk.idx", 700)},
	}
	cmds := []string{
		"/bin/sh -c #(nop) ADD file:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef in / ",
		"RUN |1 V=3 /bin/sh -c apk add musl",
		"COPY app /app",
		"RUN /bin/sh -c make -C /app",
		"RUN /bin/sh -c rm -rf /var/cache",
	}
	mk := func(src string, cfgMode int64, out int64, build []it.Entry, extra ...[]it.Entry) *analyze.Result {
		layers := append(slices.Clone(base),
			[]it.Entry{it.Dir("app"), it.File("app/main.c", src), it.Entry{Name: "app/config.json", Body: []byte(`{"debug":false}`), Mode: cfgMode}, it.File("app/README", "hello")},
			append([]it.Entry{it.SizedFile("app/out", out)}, build...),
		)
		layers = append(layers, extra...)
		var ls []v1.Layer
		var hist []v1.History
		for i, entries := range layers {
			ls = append(ls, it.MustLayer(t, it.Tar(entries...), it.Gzip))
			hist = append(hist, v1.History{CreatedBy: cmds[i]})
		}
		res, err := analyze.Analyze(context.Background(), it.MustImage(t, ls, hist, nil), analyze.Options{HashFiles: true})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	old := mk("int v=1;", 0o644, 1000, []it.Entry{it.SizedFile("app/tmp.o", 300)})
	new := mk("int v=2;", 0o600, 2500, []it.Entry{it.Dir("app/lib"), it.SizedFile("app/lib/util.so", 800)},
		[]it.Entry{it.Whiteout("var/cache")})
	old.Image.Reference, new.Image.Reference = "app:1.4", "app:1.5"
	return old, new
}

func newTestCompare(t testing.TB, w, h int) *compareModel {
	t.Helper()
	old, new := compareBuilds(t)
	m := newCompareModel(compare.Compare(old, new), ThemeMono, "verdict: ok", defaultKeyMap())
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

// pressCompare sends keys and feeds the pane messages their commands return
// back in, as the runtime would. It reports whether a command quit.
func pressCompare(t testing.TB, m *compareModel, keys ...string) (quit bool) {
	t.Helper()
	var run func(cmd tea.Cmd)
	run = func(cmd tea.Cmd) {
		if cmd == nil {
			return
		}
		switch msg := cmd().(type) {
		case tea.BatchMsg:
			for _, c := range msg {
				run(c)
			}
		case tea.QuitMsg:
			quit = true
		case pairSelectedMsg, filterChangedMsg, filterDoneMsg:
			_, next := m.Update(msg)
			run(next)
		}
	}
	for _, k := range keys {
		_, cmd := m.Update(keyMsg(k))
		run(cmd)
	}
	return quit
}

func compareFrame(m *compareModel) string { return ansi.Strip(m.View().Content) }

// treeRows lists the diff tree's rows as symbol + path.
func treeRows(m *compareModel) []string {
	var out []string
	for _, i := range m.tree.rows {
		out = append(out, m.tree.nodes[i].kind.symbol()+m.tree.path(i))
	}
	return out
}

func TestCompareStart(t *testing.T) {
	m := newTestCompare(t, 120, 35)
	if m.focus != cmpFocusLayers || m.layers.cursor != 2 || m.details.sel != 2 {
		t.Fatalf("start: focus %d, cursor %d, details %d; want the layers pane on the cache break (2)", m.focus, m.layers.cursor, m.details.sel)
	}
	f := compareFrame(m)
	for _, want := range []string{
		"── cache broke here (step 3 of NEW)",
		"! broke",
		"= shared",
		"+ added",
		"~ /app/config.json  mode (15 B)",
		"~ /app/main.c  content (8 B)",
		"verdict: ok",
	} {
		if !strings.Contains(f, want) {
			t.Errorf("start frame lacks %q", want)
		}
	}
	lines := strings.Split(f, "\n")
	if len(lines) != 35 {
		t.Errorf("frame has %d lines, want 35", len(lines))
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w > 120 {
			t.Errorf("line %d is %d cells wide", i, w)
		}
	}
	golden(t, "compare_start", f)
}

func TestCompareMoveThroughHistory(t *testing.T) {
	m := newTestCompare(t, 120, 35)
	pressCompare(t, m, "g")
	if m.layers.cursor != 0 || m.details.sel != 0 {
		t.Fatalf("g: cursor %d, details %d", m.layers.cursor, m.details.sel)
	}
	if f := compareFrame(m); !strings.Contains(f, "Shared: the same diffID") {
		t.Errorf("shared layer's details lack the explanation:\n%s", f)
	}
	golden(t, "compare_shared", compareFrame(m))
	pressCompare(t, m, "j", "j", "down")
	if m.layers.cursor != 3 || m.details.sel != 3 {
		t.Fatalf("down x3: cursor %d, details %d", m.layers.cursor, m.details.sel)
	}
	if f := compareFrame(m); !strings.Contains(f, "Rebuilt: it comes after the cache break at layer 2") {
		t.Errorf("rebuilt layer's details lack the explanation:\n%s", f)
	}
	golden(t, "compare_rebuilt", compareFrame(m))
	pressCompare(t, m, "G")
	if m.layers.cursor != 4 || m.rep.Layers[4].Status != "added" {
		t.Errorf("G: cursor %d, status %s", m.layers.cursor, m.rep.Layers[m.layers.cursor].Status)
	}
	pressCompare(t, m, "j") // clamped at the bottom
	if m.layers.cursor != 4 {
		t.Errorf("j past the end: cursor %d", m.layers.cursor)
	}
}

func TestCompareDiffTree(t *testing.T) {
	m := newTestCompare(t, 120, 35)
	pressCompare(t, m, "tab")
	if m.focus != cmpFocusDetails {
		t.Fatalf("tab: focus %d, want details", m.focus)
	}
	pressCompare(t, m, "tab")
	if m.focus != cmpFocusTree {
		t.Fatalf("tab tab: focus %d, want tree", m.focus)
	}
	want := []string{"~app", "~app/config.json", "+app/lib", "+app/lib/util.so", "~app/main.c", "~app/out", "-app/tmp.o",
		"-var", "-var/cache", "-var/cache/apk.idx"}
	if got := treeRows(m); !slices.Equal(got, want) {
		t.Fatalf("rows = %q\nwant %q", got, want)
	}
	app := m.tree.nodes[m.tree.rows[0]]
	if app.added != 1 || app.removed != 1 || app.changed != 3 || app.delta() != 800+1500-300 {
		t.Errorf("app/ sums: %+v, delta %d", app, app.delta())
	}
	golden(t, "compare_tree", compareFrame(m))

	pressCompare(t, m, "enter") // fold app/
	if got := treeRows(m); !slices.Equal(got, []string{"~app", "-var", "-var/cache", "-var/cache/apk.idx"}) {
		t.Errorf("folded app: rows = %q", got)
	}
	pressCompare(t, m, "l", "j", "j", "h") // unfold, down to app/lib, fold it
	if !m.tree.collapsed[m.tree.rows[2]] || m.tree.cursor != 2 {
		t.Errorf("h on app/lib: cursor %d, rows %q", m.tree.cursor, treeRows(m))
	}
	pressCompare(t, m, "h") // on a folded dir: go to the parent
	if m.tree.cursor != 0 {
		t.Errorf("h on folded app/lib: cursor %d, want 0 (app)", m.tree.cursor)
	}
	pressCompare(t, m, "[")
	if got := treeRows(m); !slices.Equal(got, []string{"~app", "-var"}) {
		t.Errorf("[: rows = %q", got)
	}
	pressCompare(t, m, "]", "o")
	if got := treeRows(m)[1]; got != "~app/out" {
		t.Errorf("sorted by size: first child %q, want app/out", got)
	}
}

func TestCompareFilter(t *testing.T) {
	m := newTestCompare(t, 120, 35)
	pressCompare(t, m, "/")
	if !m.filter.active || m.focus != cmpFocusTree {
		t.Fatalf("/: filter %v, focus %d", m.filter.active, m.focus)
	}
	for _, r := range "cache" {
		pressCompare(t, m, string(r))
	}
	if got := treeRows(m); !slices.Equal(got, []string{"-var", "-var/cache", "-var/cache/apk.idx"}) {
		t.Errorf("filter cache: rows = %q", got)
	}
	if q := pressCompare(t, m, "q"); q || m.tree.filter != "cacheq" {
		t.Errorf("q while typing: quit %v, filter %q", q, m.tree.filter)
	}
	pressCompare(t, m, "backspace", "enter")
	if m.filter.active || m.tree.filter != "cache" {
		t.Errorf("enter: active %v, filter %q", m.filter.active, m.tree.filter)
	}
	if !strings.Contains(compareFrame(m), "(filter: cache)") {
		t.Errorf("the tree title does not show the filter")
	}
	pressCompare(t, m, "esc")
	if m.tree.filter != "" || len(m.tree.rows) != 10 {
		t.Errorf("esc: filter %q, %d rows", m.tree.filter, len(m.tree.rows))
	}
}

func TestCompareKeys(t *testing.T) {
	m := newTestCompare(t, 120, 35)
	pressCompare(t, m, "shift+tab")
	if m.focus != cmpFocusTree {
		t.Errorf("shift+tab: focus %d", m.focus)
	}
	pressCompare(t, m, "tab", "tab") // details: motion scrolls, never moves the layer cursor
	pressCompare(t, m, "j", "G")
	if m.layers.cursor != 2 {
		t.Errorf("keys in details moved the layer cursor to %d", m.layers.cursor)
	}
	pressCompare(t, m, "?")
	if !m.showHelp || !strings.Contains(compareFrame(m), "fold dir") {
		t.Errorf("?: help %v", m.showHelp)
	}
	pressCompare(t, m, "esc")
	if m.showHelp {
		t.Errorf("esc did not close the help")
	}
	if pressCompare(t, m, "?", "q") || m.showHelp {
		t.Errorf("q in the help: quit or left it open (%v), want it closed", m.showHelp)
	}
	if !pressCompare(t, m, "q") {
		t.Errorf("q did not quit")
	}
}

// Identical images: no break, every row shared, an empty diff.
func TestCompareSameImage(t *testing.T) {
	old, _ := compareBuilds(t)
	m := newCompareModel(compare.Compare(old, old), ThemeMono, "", defaultKeyMap())
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	f := compareFrame(m)
	if strings.Contains(f, "cache broke") || !strings.Contains(f, "(the final filesystems are the same)") || !strings.Contains(f, "files same") {
		t.Errorf("same image:\n%s", f)
	}
	if m.layers.cursor != 0 {
		t.Errorf("cursor %d, want 0", m.layers.cursor)
	}
}

// Tiny terminals must not panic or overflow.
func TestCompareSmallSizes(t *testing.T) {
	m := newTestCompare(t, 120, 35)
	for _, sz := range [][2]int{{80, 24}, {40, 10}, {20, 5}, {1, 1}} {
		m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		pressCompare(t, m, "j", "tab", "j", "tab", "j", "enter")
		for i, l := range strings.Split(compareFrame(m), "\n") {
			if w := ansi.StringWidth(l); w > sz[0] {
				t.Errorf("%dx%d: line %d is %d cells", sz[0], sz[1], i, w)
			}
		}
	}
}

// TestRunCompareKeys: the compare view takes the same key overrides as the
// explorer (the keys: config), and rejects an unknown action the same way.
func TestRunCompareKeys(t *testing.T) {
	old, new := compareBuilds(t)
	rep := compare.Compare(old, new)
	// q is no longer quit, so only the x after it can end the program.
	err := RunCompare(context.Background(), rep, CompareOptions{
		Keys: map[string][]string{"quit": {"x"}}, Input: strings.NewReader("qx"), Output: io.Discard, Theme: ThemeMono,
	})
	if err != nil {
		t.Fatalf("RunCompare: %v", err)
	}
	err = RunCompare(context.Background(), rep, CompareOptions{Keys: map[string][]string{"nope": {"x"}}, Output: io.Discard})
	if !errors.Is(err, ErrUnknownAction) {
		t.Fatalf("RunCompare with an unknown action: %v, want ErrUnknownAction", err)
	}
	keys, _ := keyMapWith(map[string][]string{"quit": {"x"}, "filter": {"f"}})
	m := newCompareModel(rep, ThemeMono, "", keys)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	if pressCompare(t, m, "q") {
		t.Fatal("q quit though quit is rebound to x")
	}
	pressCompare(t, m, "f")
	if !m.filter.active {
		t.Fatal("f did not open the filter though filter is rebound to f")
	}
	if h := compareFrame(m); !strings.Contains(h, "esc") {
		t.Fatalf("no filter help in the frame:\n%s", h)
	}
}

// TestCompareDockerfileLines: when NEW's Dockerfile places the step the
// cache broke at, the divider and the details name its lines.
func TestCompareDockerfileLines(t *testing.T) {
	old, new := compareBuilds(t)
	steps := make([]analyze.StepLines, len(new.History))
	for i := range steps {
		steps[i] = analyze.StepLines{Line: 3*i + 1, EndLine: 3*i + 2}
	}
	new.BuildFile = &analyze.BuildFile{Path: "build/Dockerfile", Steps: steps}
	rep := compare.Compare(old, new)
	cb := rep.CacheBreak
	if cb == nil || cb.Step == 0 {
		t.Fatalf("no cache break at a step: %+v", cb)
	}
	where := fmt.Sprintf("build/Dockerfile:%d-%d", steps[cb.Step-1].Line, steps[cb.Step-1].EndLine)
	m := newCompareModel(rep, ThemeMono, "verdict: ok", defaultKeyMap())
	m.Update(tea.WindowSizeMsg{Width: 140, Height: 40})
	f := compareFrame(m)
	for _, want := range []string{
		fmt.Sprintf("── cache broke here (step %d of NEW, %s)", cb.Step, where),
		fmt.Sprintf("Cache broke here (step %d of NEW, %s).", cb.Step, where),
	} {
		if !strings.Contains(f, want) {
			t.Errorf("frame lacks %q:\n%s", want, f)
		}
	}
}
