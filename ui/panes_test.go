package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/strata-cli/strata/analyze"
)

// longCommand is a RUN step of about 600 characters made of distinct
// words, so that a test can tell which of them it has seen.
func longCommand() (string, []string) {
	var words []string
	for i := 0; len(strings.Join(words, " ")) < 600; i++ {
		words = append(words, fmt.Sprintf("pkg-%03d", i))
	}
	return "RUN /bin/sh -c apt-get install -y " + strings.Join(words, " "), words
}

// longCommandFixture is the fixture with layer 1's step (step 2) running
// longCommand.
func longCommandFixture(t testing.TB) (*analyze.Result, []string) {
	res := fixture(t)
	cmd, words := longCommand()
	res.History[2].CreatedBy = cmd
	return res, words
}

// layerPane cuts the layer details pane, title included, out of a frame.
func layerPane(m *Model) string {
	lines := strings.Split(frame(m), "\n")
	top := m.histH
	var out []string
	for _, l := range lines[top : top+m.layerH] {
		out = append(out, ansi.Truncate(l, m.leftWidth(), ""))
	}
	return strings.Join(out, "\n")
}

// TestLayerDetailsScrollsLongCommand: a 600-character command wraps over
// the pane's width and every word of it comes into view by scrolling the
// focused pane, with a marker while more follows; the digests are kept
// below it.
func TestLayerDetailsScrollsLongCommand(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			res, words := longCommandFixture(t)
			m := newTestModel(t, res, sz[0], sz[1])
			press(t, m, "down", "down") // step 2, layer 1
			if m.layer.sel.Step != 2 {
				t.Fatalf("selected step %d, want 2", m.layer.sel.Step)
			}
			if !strings.Contains(layerPane(m), "↓ more") {
				t.Fatalf("a cut command shows no marker:\n%s", layerPane(m))
			}
			press(t, m, "shift+tab") // history -> layer details
			if m.focus != focusLayer {
				t.Fatalf("shift+tab from history: focus %d", m.focus)
			}
			golden(t, fmt.Sprintf("layer_details_%dx%d", sz[0], sz[1]), frame(m))
			if h := m.helpLine(); !strings.Contains(h, "scroll down") {
				t.Errorf("help line of the focused pane: %q", h)
			}

			seen := map[string]bool{}
			var panes []string
			for i := 0; i < 200; i++ {
				p := layerPane(m)
				panes = append(panes, p)
				for _, f := range strings.Fields(p) {
					seen[f] = true
				}
				if !m.layer.more() {
					break
				}
				press(t, m, "down")
			}
			for _, w := range words {
				if !seen[w] {
					t.Errorf("%q never came into view; panes:\n%s", w, strings.Join(panes, "\n\n"))
					break
				}
			}
			last := panes[len(panes)-1]
			if strings.Contains(last, "↓ more") || !strings.Contains(last, "DiffID") || !strings.Contains(last, words[len(words)-1]) {
				t.Errorf("bottom of the pane:\n%s", last)
			}
			if m.history.cursor != 2 || m.tree.layer != 1 {
				t.Errorf("scrolling moved the history: cursor %d, layer %d", m.history.cursor, m.tree.layer)
			}
			for _, l := range strings.Split(frame(m), "\n") {
				if w := ansi.StringWidth(l); w > sz[0] {
					t.Errorf("line of %d cells: %q", w, l)
				}
			}
		})
	}
}

// TestLayerDetailsKeys: page and jump keys scroll the focused pane, a new
// selection starts at the top, the wheel scrolls the pane under it and a
// click focuses it.
func TestLayerDetailsKeys(t *testing.T) {
	res, _ := longCommandFixture(t)
	m := newTestModel(t, res, 80, 24)
	press(t, m, "down", "down", "tab", "tab") // history -> tree -> layer details
	if m.focus != focusLayer {
		t.Fatalf("tab tab: focus %d, want layer details", m.focus)
	}
	d := m.layer
	page, last := d.h-1, len(d.lines)-d.h
	if page < 2 || last < 2*page {
		t.Fatalf("pane too big for the test: page %d, last offset %d", page, last)
	}
	steps := []struct {
		key  string
		want int
	}{
		{"pgdown", page}, {"pgdown", 2 * page}, {"pgup", page}, {"j", page + 1}, {"k", page},
		{"ctrl+d", page + page/2}, {"ctrl+u", page}, {"G", last}, {"pgdown", last}, {"down", last},
		{"g", 0}, {"up", 0}, {"pgup", 0},
	}
	for _, s := range steps {
		press(t, m, s.key)
		if d.off != s.want {
			t.Errorf("%s: offset %d, want %d", s.key, d.off, s.want)
		}
	}
	if m.history.cursor != 2 {
		t.Errorf("keys in layer details moved the history cursor to %d", m.history.cursor)
	}

	press(t, m, "pgdown", "tab") // -> history
	if m.focus != focusHistory {
		t.Fatalf("tab from layer details: focus %d, want history", m.focus)
	}
	press(t, m, "up")
	if d.off != 0 || d.sel.Step != 1 {
		t.Errorf("new selection: offset %d, step %d", d.off, d.sel.Step)
	}

	press(t, m, "down") // back to the long command
	y := m.histH + 2
	run(m, second(m.Update(tea.MouseWheelMsg{X: 5, Y: y, Button: tea.MouseWheelDown})))
	if d.off != wheelStep || m.history.cursor != 2 {
		t.Errorf("wheel over layer details: offset %d, history %d", d.off, m.history.cursor)
	}
	run(m, second(m.Update(tea.MouseWheelMsg{X: 5, Y: y, Button: tea.MouseWheelUp})))
	if d.off != 0 {
		t.Errorf("wheel up: offset %d", d.off)
	}
	run(m, second(m.Update(tea.MouseClickMsg{X: 5, Y: y, Button: tea.MouseLeft})))
	if m.focus != focusLayer {
		t.Errorf("click in layer details: focus %d", m.focus)
	}
}

// TestLayerDetailsShortCommandFits: nothing to scroll, no marker, and the
// keys do nothing.
func TestLayerDetailsShortCommandFits(t *testing.T) {
	m := newTestModel(t, fixture(t), 100, 30)
	press(t, m, "shift+tab", "pgdown", "G")
	if m.layer.off != 0 || m.layer.more() || strings.Contains(layerPane(m), "↓ more") {
		t.Errorf("short command scrolled: offset %d\n%s", m.layer.off, layerPane(m))
	}
	for _, s := range []string{"Command    ADD file:0123abcd in /", "Digest", "DiffID"} {
		if !strings.Contains(layerPane(m), s) {
			t.Errorf("pane lacks %q:\n%s", s, layerPane(m))
		}
	}
}

// TestNarrowHistoryKeepsBar: at 80 columns the history keeps a size bar
// and the image details the worst wasted file.
func TestNarrowHistoryKeepsBar(t *testing.T) {
	m := newTestModel(t, fixture(t), 80, 24)
	lines := strings.Split(frame(m), "\n")
	if !strings.Contains(lines[4], "███ RUN apt-get") {
		t.Errorf("no size bar on the biggest layer's row: %q", lines[4])
	}
	f := frame(m)
	for _, s := range []string{"Advice       8.0 kB", "Copies   Wasted  Path", "/var/cache/apt/pkg"} {
		if !strings.Contains(f, s) {
			t.Errorf("80x24 frame lacks %q:\n%s", s, f)
		}
	}
	// A tall terminal still lists three findings, and more files.
	m = newTestModel(t, fixture(t), 120, 40)
	f = frame(m)
	if n := strings.Count(f, "stored-then-hidden") + strings.Count(f, "package-cache"); n != 3 {
		t.Errorf("120x40 shows %d findings, want 3:\n%s", n, f)
	}
	if !strings.Contains(f, "/etc/passwd") {
		t.Errorf("120x40 lacks the second wasted file:\n%s", f)
	}
}

// TestLoadingFileCounts: each layer's entries count as it streams and its
// file count once read, with or without the history.
func TestLoadingFileCounts(t *testing.T) {
	res := fixture(t)
	n := len(res.Layers)
	for _, plan := range []bool{false, true} {
		m := newModel(nil, ThemeMono, "example:1", defaultKeyMap())
		m.Update(tea.WindowSizeMsg{Width: 100, Height: 24})
		if plan {
			m.Update(progressMsg{p: analyze.Progress{Layers: n, Plan: &analyze.Plan{Image: res.Image, Layers: res.Layers, History: res.History}}})
		}
		m.Update(progressMsg{p: analyze.Progress{Layer: 1, Layers: n, Bytes: 4096, Entries: 7}})
		if f := frame(m); !strings.Contains(f, "7 entries") {
			t.Errorf("plan %v: streaming count missing:\n%s", plan, f)
		}
		m.Update(progressMsg{p: analyze.Progress{Layer: 1, Layers: n, Bytes: 8192, Entries: 12}})
		m.Update(progressMsg{p: analyze.Progress{Layer: 0, Layers: n, Bytes: -1, Entries: 8, Files: 1, Done: true, Cached: true}})
		m.Update(progressMsg{p: analyze.Progress{Layer: 1, Layers: n, Bytes: -1, Entries: 12, Files: 9, Done: true, SizeBytes: res.Layers[1].SizeBytes}})
		// A report that lost the race with the final one changes nothing.
		m.Update(progressMsg{p: analyze.Progress{Layer: 1, Layers: n, Bytes: 100, Entries: 3}})
		f := frame(m)
		for _, s := range []string{"1 file", "9 files", "cached", "2 of 3 layers read"} {
			if !strings.Contains(f, s) {
				t.Errorf("plan %v: frame lacks %q:\n%s", plan, s, f)
			}
		}
		if strings.Contains(f, "entries") || strings.Contains(f, "3 entries") {
			t.Errorf("plan %v: entries shown for read layers:\n%s", plan, f)
		}
	}
}

// TestErrorScreenWraps: a long error is wrapped to the width, every word
// on screen.
func TestErrorScreenWraps(t *testing.T) {
	m := newModel(nil, ThemeMono, "", defaultKeyMap())
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	msg := "fetching registry.example.com/team/service:1.2.3: GET https://registry.example.com/v2/team/service/manifests/1.2.3: " +
		"UNAUTHORIZED: authentication required; [map[Action:pull Class: Name:team/service Type:repository]] " +
		"(hint: run docker login registry.example.com, or pass --platform linux/arm64 if the image has no amd64 variant)"
	m.Update(loadedMsg{err: errors.New(msg)})
	f := frame(m)
	golden(t, "error_80x24", f)
	lines := strings.Split(f, "\n")
	for i, l := range lines {
		if w := ansi.StringWidth(l); w > 80 {
			t.Errorf("line %d is %d cells: %q", i, w, l)
		}
	}
	if len(lines) < 4 || !strings.HasPrefix(lines[0], "error: ") || !strings.HasPrefix(lines[1], "       ") {
		t.Errorf("error not wrapped under its label:\n%s", f)
	}
	if got := strings.Fields(f); !strings.Contains(strings.Join(got, " "), msg) {
		t.Errorf("the error text is not all on screen:\n%s", f)
	}
	if !strings.Contains(f, "press q to quit") {
		t.Errorf("no way out shown:\n%s", f)
	}
}

// TestCopyPath: y sets the status and returns the command that puts the
// path on the system clipboard (OSC 52).
func TestCopyPath(t *testing.T) {
	m := newTestModel(t, fixture(t), 100, 30)
	press(t, m, "tab", "down")
	_, cmd := m.Update(keyMsg("y"))
	if cmd == nil {
		t.Fatal("y returned no command")
	}
	want := tea.SetClipboard("/bin/sh")()
	var got []tea.Msg
	var collect func(tea.Cmd)
	collect = func(c tea.Cmd) {
		if c == nil {
			return
		}
		switch msg := c().(type) {
		case tea.BatchMsg:
			for _, c := range msg {
				collect(c)
			}
		default:
			got = append(got, msg)
		}
	}
	collect(cmd)
	found := false
	for _, msg := range got {
		if msg == want {
			found = true
		}
		if st, ok := msg.(statusMsg); ok {
			m.Update(st)
		}
	}
	if !found {
		t.Errorf("y did not set the clipboard to /bin/sh: messages %#v, want %T(%q)", got, want, "/bin/sh")
	}
	if m.status != "copied /bin/sh" {
		t.Errorf("status %q", m.status)
	}
}

// TestRunReturnsLoadError: when loading fails, the error screen stays up
// until q, and Run returns the load error (the command exits 2 on it).
func TestRunReturnsLoadError(t *testing.T) {
	boom := errors.New("reading layer 2: unexpected EOF")
	load := func(ctx context.Context, r Reporter) (*analyze.Result, error) {
		r.Progress(analyze.Progress{Layer: 0, Layers: 3, Bytes: 10, Entries: 1})
		return nil, fmt.Errorf("analysing: %w", boom)
	}
	// q is typed only once the failure is on the error screen: typed
	// before, it would quit the loading screen and Run would return nil.
	failed := make(chan struct{})
	pr, pw := io.Pipe()
	go func() {
		<-failed
		pw.Write([]byte("q"))
	}()
	err := Run(context.Background(), nil, Options{Load: load, Input: pr, Output: io.Discard, Theme: ThemeMono, loaded: func() { close(failed) }})
	pw.Close()
	if !errors.Is(err, boom) {
		t.Fatalf("Run = %v, want the load error", err)
	}
}

// manyStepsFixture is the fixture with enough metadata steps to page
// through the history.
func manyStepsFixture(t testing.TB) *analyze.Result {
	res := fixture(t)
	for i := range 30 {
		res.History = append(res.History, analyze.HistoryEntry{CreatedBy: fmt.Sprintf("/bin/sh -c #(nop)  LABEL n=%d", i), EmptyLayer: true, LayerIndex: -1})
	}
	return res
}

// TestHistoryPaging: page and half-page keys move the history cursor by
// the pane's height, clamped, and select the step under it.
func TestHistoryPaging(t *testing.T) {
	m := newTestModel(t, manyStepsFixture(t), 100, 30)
	h := m.history
	page, last := h.height, len(h.steps)-1
	if page < 4 || last < 3*page {
		t.Fatalf("history page %d, %d steps: too few for the test", page, last+1)
	}
	steps := []struct {
		key  string
		want int
	}{
		{"pgdown", page}, {"pgdown", 2 * page}, {"pgup", page}, {"ctrl+d", page + page/2}, {"ctrl+u", page},
		{"G", last}, {"pgdown", last}, {"ctrl+d", last}, {"ctrl+u", last - page/2}, {"g", 0}, {"pgup", 0}, {"ctrl+u", 0},
	}
	for _, s := range steps {
		press(t, m, s.key)
		if h.cursor != s.want {
			t.Errorf("%s: cursor %d, want %d", s.key, h.cursor, s.want)
		}
		if h.cursor < h.offset || h.cursor >= h.offset+page {
			t.Errorf("%s: cursor %d out of view (offset %d, page %d)", s.key, h.cursor, h.offset, page)
		}
		if m.layer.sel.Step != h.cursor {
			t.Errorf("%s: layer details show step %d, cursor on %d", s.key, m.layer.sel.Step, h.cursor)
		}
	}
	press(t, m, "pgdown")
	if m.tree.layer != 2 { // the metadata steps show the last layer
		t.Errorf("pgdown to a metadata step: tree layer %d, want 2", m.tree.layer)
	}
}

// TestTreePagingAndExpand: page and half-page keys move the tree cursor by
// the pane's height; l expands a folded directory and leaves the cursor on
// it, and does nothing on a file.
func TestTreePagingAndExpand(t *testing.T) {
	m := newTestModel(t, fixture(t), 80, 11)
	press(t, m, "G", "ctrl+a", "tab", "g") // stacked last layer: 17 rows
	f := m.tree
	page, last := f.height, len(f.rows)-1
	if page < 3 || last < 2*page {
		t.Fatalf("tree page %d, %d rows: too few for the test", page, last+1)
	}
	steps := []struct {
		key  string
		want int
	}{
		{"pgdown", page}, {"pgdown", 2 * page}, {"pgdown", last}, {"pgup", last - page}, {"ctrl+u", last - page - page/2},
		{"ctrl+d", last - page}, {"end", last}, {"ctrl+d", last}, {"home", 0}, {"pgup", 0}, {"ctrl+d", page / 2},
	}
	for _, s := range steps {
		press(t, m, s.key)
		if f.cursor != s.want {
			t.Errorf("%s: cursor %d, want %d", s.key, f.cursor, s.want)
		}
		if f.cursor < f.offset || f.cursor >= f.offset+page {
			t.Errorf("%s: cursor %d out of view (offset %d, page %d)", s.key, f.cursor, f.offset, page)
		}
	}

	press(t, m, "g", "down", "down") // etc/
	if p := f.cursorPath(); p != "etc" {
		t.Fatalf("cursor %q, want etc", p)
	}
	rows := len(f.rows)
	press(t, m, "h") // fold
	if len(f.rows) != rows-2 || f.cursorPath() != "etc" {
		t.Fatalf("h: %d rows (want %d), cursor %q", len(f.rows), rows-2, f.cursorPath())
	}
	press(t, m, "l")
	if len(f.rows) != rows || f.cursorPath() != "etc" {
		t.Errorf("l: %d rows (want %d), cursor %q", len(f.rows), rows, f.cursorPath())
	}
	press(t, m, "l") // already open
	if len(f.rows) != rows || f.cursorPath() != "etc" {
		t.Errorf("l on an open dir: %d rows, cursor %q", len(f.rows), f.cursorPath())
	}
	press(t, m, "down", "l") // etc/os-release: a file
	if len(f.rows) != rows || f.cursorPath() != "etc/os-release" {
		t.Errorf("l on a file: %d rows, cursor %q", len(f.rows), f.cursorPath())
	}
}

// TestFilterMessagesOutOfOrder: the filter's messages come from commands,
// which the runtime runs concurrently; a late one for an earlier keystroke
// must not replace the filter typed since (the tmux smoke test once ended
// on "pas" for "pass").
func TestFilterMessagesOutOfOrder(t *testing.T) {
	m := newTestModel(t, fixture(t), 100, 30)
	press(t, m, "tab", "/")
	var msgs []tea.Msg
	for _, k := range []string{"p", "a", "s", "s"} {
		_, cmd := m.Update(keyMsg(k))
		msgs = append(msgs, cmd())
	}
	for i := len(msgs) - 1; i >= 0; i-- { // newest first, the oldest last
		m.Update(msgs[i])
	}
	press(t, m, "enter")
	if m.tree.filter != "pass" {
		t.Errorf("filter %q after messages out of order, want pass", m.tree.filter)
	}
	// esc clears it, even with an old message still in flight.
	_, cmd := m.Update(keyMsg("/"))
	run(m, cmd)
	_, cmd = m.Update(keyMsg("x"))
	stale := cmd()
	press(t, m, "esc")
	m.Update(stale)
	if m.tree.filter != "" {
		t.Errorf("filter %q after esc and a stale message, want none", m.tree.filter)
	}
}

// TestLayerSelectionOutOfOrder: moving down the history quickly sends one
// selection per step; whatever order they arrive in, the panes show the
// step the cursor is on.
func TestLayerSelectionOutOfOrder(t *testing.T) {
	m := newTestModel(t, fixture(t), 100, 30)
	var msgs []tea.Msg
	for range 3 {
		_, cmd := m.Update(keyMsg("down"))
		msgs = append(msgs, cmd())
	}
	for i := len(msgs) - 1; i >= 0; i-- {
		run(m, second(m.Update(msgs[i])))
	}
	want := m.history.Selected()
	if m.layer.sel != want || m.tree.layer != want.Layer {
		t.Errorf("details show step %d and the tree layer %d, the cursor is on step %d (layer %d)",
			m.layer.sel.Step, m.tree.layer, want.Step, want.Layer)
	}
}
