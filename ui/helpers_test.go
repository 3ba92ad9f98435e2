package ui

import (
	"context"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// fixture is a small image with every kind of change: additions,
// a modification, a whiteout of a directory, a symlink and empty steps.
func fixture(t testing.TB) *analyze.Result {
	t.Helper()
	l0 := it.Tar(
		it.Dir("bin"), it.Entry{Name: "bin/sh", Size: 1200, Mode: 0o755},
		it.Dir("etc"), it.SizedFile("etc/passwd", 200), it.SizedFile("etc/os-release", 100),
		it.Dir("lib"), it.SizedFile("lib/libc.so", 5000), it.Symlink("lib64", "lib"),
	)
	l1 := it.Tar(
		it.Dir("usr"), it.Dir("usr/bin"), it.Entry{Name: "usr/bin/curl", Size: 3000, Mode: 0o755},
		it.SizedFile("etc/passwd", 250),
		it.Dir("var"), it.Dir("var/cache"), it.Dir("var/cache/apt"), it.SizedFile("var/cache/apt/pkgcache.bin", 8000),
	)
	l2 := it.Tar(it.Whiteout("var/cache/apt"), it.Dir("tmp"), it.SizedFile("tmp/build.log", 400))
	layers := []v1.Layer{it.MustLayer(t, l0, it.Gzip), it.MustLayer(t, l1, it.Gzip), it.MustLayer(t, l2, it.Gzip)}
	hist := []v1.History{
		{CreatedBy: "/bin/sh -c #(nop) ADD file:0123abcd in / "},
		{CreatedBy: "/bin/sh -c #(nop)  ENV PATH=/usr/local/bin:/usr/bin", EmptyLayer: true},
		{CreatedBy: "RUN |1 VERSION=8.5 /bin/sh -c apt-get update && apt-get install -y curl"},
		{CreatedBy: "/bin/sh -c rm -rf /var/cache/apt && make > /tmp/build.log"},
		{CreatedBy: `/bin/sh -c #(nop)  CMD ["sh"]`, EmptyLayer: true},
	}
	img := it.MustImage(t, layers, hist, nil)
	res, err := analyze.Analyze(context.Background(), img, analyze.Options{Reference: "example:1"})
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	return res
}

// newTestModel is a ready model of res at w x h with colour off.
func newTestModel(t testing.TB, res *analyze.Result, w, h int) *Model {
	t.Helper()
	m := newModel(res, ThemeMono, "", defaultKeyMap())
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

// keyMsg turns a key name as key.Binding spells it into a key press.
func keyMsg(s string) tea.KeyPressMsg {
	special := map[string]tea.Key{
		"up": {Code: tea.KeyUp}, "down": {Code: tea.KeyDown}, "left": {Code: tea.KeyLeft}, "right": {Code: tea.KeyRight},
		"tab": {Code: tea.KeyTab}, "shift+tab": {Code: tea.KeyTab, Mod: tea.ModShift},
		"enter": {Code: tea.KeyEnter}, "esc": {Code: tea.KeyEscape}, "space": {Code: tea.KeySpace, Text: " "},
		"pgup": {Code: tea.KeyPgUp}, "pgdown": {Code: tea.KeyPgDown}, "backspace": {Code: tea.KeyBackspace},
		"home": {Code: tea.KeyHome}, "end": {Code: tea.KeyEnd},
	}
	if k, ok := special[s]; ok {
		return tea.KeyPressMsg(k)
	}
	if c, ok := strings.CutPrefix(s, "ctrl+"); ok {
		return tea.KeyPressMsg{Code: rune(c[0]), Mod: tea.ModCtrl}
	}
	r := []rune(s)
	return tea.KeyPressMsg{Code: r[0], Text: s}
}

// press sends keys one by one and runs the commands they return, feeding
// the package's own messages back, as the Bubble Tea runtime would.
// It reports whether a command asked to quit.
func press(t testing.TB, m *Model, keys ...string) (quit bool) {
	t.Helper()
	for _, k := range keys {
		_, cmd := m.Update(keyMsg(k))
		quit = run(m, cmd) || quit
	}
	return quit
}

// typeText types s into whatever has the keyboard.
func typeText(t testing.TB, m *Model, s string) {
	t.Helper()
	for _, r := range s {
		press(t, m, string(r))
	}
}

func run(m *Model, cmd tea.Cmd) (quit bool) {
	if cmd == nil {
		return false
	}
	switch msg := cmd().(type) {
	case tea.BatchMsg:
		for _, c := range msg {
			quit = run(m, c) || quit
		}
	case tea.QuitMsg:
		return true
	case layerSelectedMsg, viewTreeBuiltMsg, largestSortedMsg, jumpToFileMsg, followMsg, packageFilesMsg, fileOpenMsg, fileContentMsg, extractMsg, extractProgressMsg, extractDoneMsg, saveAsMsg, diffMsg, diffDoneMsg, matchCountMsg, filterChangedMsg, filterDoneMsg, statusMsg, progressMsg, loadedMsg, highlightMsg, pageProgressMsg:
		_, next := m.Update(msg)
		return run(m, next)
	}
	return quit
}

// pageMsg runs a page read's command to its end: the page, past any
// progress reports a slow read sends first.
func pageMsg(cmd tea.Cmd) tea.Msg {
	msg := cmd()
	for {
		p, ok := msg.(pageProgressMsg)
		if !ok {
			return msg
		}
		msg = waitPage(p.ch)()
	}
}

// frame renders the model without escape sequences.
func frame(m *Model) string {
	return ansi.Strip(m.View().Content)
}

// golden compares got with testdata/<name>.golden; -update rewrites it.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden (run go test ./ui -update): %v", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from %s (run go test ./ui -update to accept):\n--- got ---\n%s\n--- want ---\n%s", name, path, got, want)
	}
}

// unixMode converts Unix permission bits (with setuid 04000, setgid 02000
// and sticky 01000) to an fs.FileMode.
func unixMode(m uint32) fs.FileMode {
	fm := fs.FileMode(m & 0o777)
	if m&0o4000 != 0 {
		fm |= fs.ModeSetuid
	}
	if m&0o2000 != 0 {
		fm |= fs.ModeSetgid
	}
	if m&0o1000 != 0 {
		fm |= fs.ModeSticky
	}
	return fm
}
