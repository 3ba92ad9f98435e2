package ui

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestSavePromptShowsTheWholeDestination: a destination wider than the
// bar is never cut for good: the end shows while typing at it, the start
// once the cursor goes home, each cut side marked, and the line never
// runs past the terminal.
func TestSavePromptShowsTheWholeDestination(t *testing.T) {
	m := newTestModel(t, fixture(t), 80, 24)
	m.extract = func(context.Context, int, string, string, func(int64, int64)) (string, error) { return "", nil }
	press(t, m, "tab", "down", "X", "ctrl+u")
	dest := "/srv/backups/" + strings.Repeat("deep/", 14) + "end-of-the-path/sh"
	typeText(t, m, dest)
	status := func() string { return strings.Split(frame(m), "\n")[22] }
	if s := status(); !strings.Contains(s, "end-of-the-path/sh█") || !strings.Contains(s, "…") || ansi.StringWidth(s) > 80 {
		t.Errorf("at the end the prompt shows %q, want the destination's end", s)
	}
	press(t, m, "home")
	if s := status(); !strings.Contains(s, "/srv/backups/") || !strings.HasSuffix(strings.TrimRight(s, " "), "…") {
		t.Errorf("at home the prompt shows %q, want the destination's start", s)
	}
	if m.filter.Query() != dest {
		t.Errorf("the prompt holds %q, want %q", m.filter.Query(), dest)
	}
}

// TestCtrlUClearsTheBar: ctrl+u empties the save prompt and the filter
// wherever the cursor is (textinput alone deletes only up to it).
func TestCtrlUClearsTheBar(t *testing.T) {
	m := newTestModel(t, fixture(t), 100, 30)
	var got []string
	m.extract = func(_ context.Context, _ int, _, to string, _ func(int64, int64)) (string, error) {
		got = append(got, to)
		return to, nil
	}
	press(t, m, "tab", "down", "X", "home", "ctrl+u")
	if q := m.filter.Query(); q != "" || !m.filter.active {
		t.Fatalf("after ctrl+u at home the prompt holds %q (open %v), want it empty and open", q, m.filter.active)
	}
	typeText(t, m, "/tmp/x")
	press(t, m, "enter")
	if len(got) != 1 || got[0] != "/tmp/x" {
		t.Errorf("saved to %q, want /tmp/x", got)
	}
	press(t, m, "/")
	typeText(t, m, "passwd")
	if m.tree.filter != "passwd" {
		t.Fatalf("filter %q", m.tree.filter)
	}
	press(t, m, "left", "left", "ctrl+u")
	if m.tree.filter != "" || m.filter.Query() != "" {
		t.Errorf("after ctrl+u the filter is %q, the bar %q; want both empty", m.tree.filter, m.filter.Query())
	}
}

// TestExtractShowsProgressAndEscCancels: while a file is saved the status
// line says how much of its layer has been read; esc cancels it (the
// extraction's context ends, so the session removes its partial file) and
// the tree's filter stays.
func TestExtractShowsProgressAndEscCancels(t *testing.T) {
	m := newTestModel(t, fixture(t), 120, 30)
	started := make(chan context.Context, 1)
	m.extract = func(ctx context.Context, _ int, _, _ string, progress func(int64, int64)) (string, error) {
		started <- ctx
		progress(3_000_000, 12_000_000)
		<-ctx.Done()
		return "", ctx.Err()
	}
	press(t, m, "/")
	typeText(t, m, "sh")
	press(t, m, "enter", "tab", "down")
	if p := m.tree.cursorPath(); p != "bin/sh" {
		t.Fatalf("cursor on %q, want bin/sh", p)
	}
	_, cmd := m.Update(keyMsg("x")) // the extractMsg
	_, cmd = m.Update(cmd())
	_, wait := m.Update(cmd()) // the progress report
	ctx := <-started
	if f := frame(m); !strings.Contains(f, "extracting /bin/sh: 3.0 MB of 12 MB of the layer read · esc cancels") {
		t.Errorf("no progress on the status line:\n%s", f)
	}
	// A second extraction waits for the first.
	m.Update(extractMsg{Layer: 0, Path: "etc/passwd"})
	if !strings.Contains(m.status, "already extracting /bin/sh") {
		t.Errorf("a second extraction: status %q", m.status)
	}
	m.Update(keyMsg("esc"))
	if ctx.Err() == nil {
		t.Fatal("esc did not cancel the extraction")
	}
	m.Update(wait())
	if m.saving != nil || !strings.Contains(m.status, "cancelled: nothing saved") {
		t.Errorf("after esc: extracting %v, status %q", m.saving != nil, m.status)
	}
	if m.tree.filter != "sh" {
		t.Errorf("esc cleared the filter to %q while it cancelled", m.tree.filter)
	}
}

// TestExtractDirAsksFirst: x on a directory asks y/n, naming how many
// files and bytes and where; only y saves, and it hands over the files of
// the view with the layer each comes from (here the stacked view, where
// /etc/passwd is layer 1's copy). X asks where first, then y/n.
func TestExtractDirAsksFirst(t *testing.T) {
	m := newTestModel(t, fixture(t), 120, 30)
	m.extract = func(context.Context, int, string, string, func(int64, int64)) (string, error) {
		t.Error("a directory was saved as a file")
		return "", nil
	}
	type call struct {
		dir, to string
		files   []ExtractFile
	}
	var calls []call
	m.extractDir = func(_ context.Context, dir string, files []ExtractFile, to string, _ func(int64, int64)) (string, error) {
		calls = append(calls, call{dir, to, files})
		return "/out/" + dir, nil
	}
	press(t, m, "down", "down", "down", "ctrl+a", "tab") // layer 2 (the rm), stacked
	if m.tree.layer != 2 {
		t.Fatalf("on layer %d, want 2", m.tree.layer)
	}
	if !m.tree.selectPath("etc", false) {
		t.Fatal("no etc in the view")
	}
	press(t, m, "x")
	if f := frame(m); !strings.Contains(f, "extract 2 files (350 B) under /etc/ to ./etc? y/n") {
		t.Errorf("no confirmation on screen:\n%s", f)
	}
	press(t, m, "n")
	press(t, m, "x", "esc")
	if len(calls) != 0 || m.status != "not extracted" {
		t.Fatalf("n or esc: calls %v, status %q", calls, m.status)
	}
	press(t, m, "x", "y")
	want := []ExtractFile{{Layer: 0, Path: "etc/os-release"}, {Layer: 1, Path: "etc/passwd"}}
	if len(calls) != 1 || calls[0].dir != "etc" || calls[0].to != "" || !slices.Equal(calls[0].files, want) {
		t.Fatalf("y: calls %+v, want etc with %v", calls, want)
	}
	if m.status != "extracted /etc/ (2 files) to /out/etc" {
		t.Errorf("status %q", m.status)
	}

	press(t, m, "X")
	if f := frame(m); !strings.Contains(f, "save /etc/ to: ./etc") {
		t.Errorf("X on a directory: no prompt:\n%s", f)
	}
	press(t, m, "ctrl+u")
	typeText(t, m, "/tmp/out/")
	press(t, m, "enter")
	if m.confirm == nil || !strings.Contains(frame(m), "under /etc/ to /tmp/out/? y/n") {
		t.Fatalf("after the destination no confirmation:\n%s", frame(m))
	}
	press(t, m, "y")
	if len(calls) != 2 || calls[1].to != "/tmp/out/" {
		t.Errorf("X then y: calls %+v", calls)
	}

	// A directory whose files this view removes has nothing to save.
	if !m.tree.selectPath("var/cache", false) {
		t.Fatal("no var/cache in the view")
	}
	press(t, m, "x")
	if m.confirm != nil || !strings.Contains(m.status, "no regular files under /var/cache/") {
		t.Errorf("x on var/cache: confirm %v, status %q", m.confirm, m.status)
	}
}

// TestExtractDirCancel: esc stops a directory's extraction, and the
// status says the files already saved stay (each is whole).
func TestExtractDirCancel(t *testing.T) {
	m := newTestModel(t, fixture(t), 120, 30)
	m.extract = func(context.Context, int, string, string, func(int64, int64)) (string, error) { return "", nil }
	m.extractDir = func(ctx context.Context, _ string, _ []ExtractFile, _ string, progress func(int64, int64)) (string, error) {
		progress(10, 100)
		<-ctx.Done()
		return "", ctx.Err()
	}
	press(t, m, "tab")
	if !m.tree.selectPath("etc", false) {
		t.Fatal("no etc")
	}
	press(t, m, "x")
	_, cmd := m.Update(keyMsg("y")) // the confirmed extractMsg
	_, cmd = m.Update(cmd())
	_, wait := m.Update(cmd()) // the progress report
	if !strings.Contains(frame(m), "extracting /etc") {
		t.Errorf("no progress:\n%s", frame(m))
	}
	m.Update(keyMsg("esc"))
	m.Update(wait())
	if m.saving != nil || m.status != "extraction of /etc/ cancelled: the files saved before stay" {
		t.Errorf("after esc: extracting %v, status %q", m.saving != nil, m.status)
	}
}
