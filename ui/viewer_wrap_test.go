package ui

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// openText opens content in the viewer of m as the file path.
func openText(t testing.TB, m *Model, path, content string) *viewer {
	t.Helper()
	m.open = func(context.Context, int, string) (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(content)), nil
	}
	_, cmd := m.Update(fileOpenMsg{Layer: 0, Path: path})
	run(m, cmd)
	if m.overlay != overlayViewer {
		t.Fatalf("the viewer did not open %s", path)
	}
	return &m.viewer
}

func TestViewerWrap(t *testing.T) {
	m := newTestModel(t, fixture(t), 40, 16)
	long := strings.Repeat("abcdefghij", 7) // 70 cells: two screen lines of 36
	wide := "wide " + strings.Repeat("日本", 10) + " end"
	content := "short\n" + long + "\n" + wide + "\n\tTAB" + strings.Repeat(".", 40) + "needle\nlast\n"
	v := openText(t, m, "etc/wrap.txt", content)
	press(t, m, "l")
	if v.hoff == 0 {
		t.Fatalf("l did not scroll before wrapping")
	}
	press(t, m, "W")
	if !v.wrapped || v.hoff != 0 || !strings.Contains(v.title, "wrapped") {
		t.Fatalf("W: wrapped %v, hoff %d, title %q", v.wrapped, v.hoff, v.title)
	}
	press(t, m, "l", "l")
	if v.hoff != 0 {
		t.Errorf("l scrolled wrapped lines by %d", v.hoff)
	}
	view := ansi.Strip(v.View())
	lines := strings.Split(view, "\n")
	for i, l := range lines {
		if w := ansi.StringWidth(l); w != v.width {
			t.Errorf("screen line %d is %d cells, want %d: %q", i, w, v.width, l)
		}
	}
	// Every character of every row shows, in order, over the screen
	// lines: nothing is cut, a wide character is never split.
	var joined strings.Builder
	for _, l := range lines {
		_, text, _ := strings.Cut(l, "│ ")
		joined.WriteString(strings.TrimRight(text, " "))
	}
	for _, row := range []string{long, wide, "    TAB" + strings.Repeat(".", 40) + "needle"} {
		if !strings.Contains(joined.String(), row) {
			t.Errorf("row %q is not shown whole when wrapped:\n%s", row, view)
		}
	}
	// 36 cells a line: one line each for the short rows, two for the
	// others.
	if n := len(lines); n != 8 {
		t.Errorf("wrapped view has %d screen lines, want 8:\n%s", n, view)
	}
	golden(t, "viewer_wrapped", frame(m))

	// A search lands on a match on a row's second screen line; the match
	// is the current one, styled as such, though the row starts a line
	// above it.
	press(t, m, "/")
	typeText(t, m, "needle")
	press(t, m, "enter")
	if v.cursor != 3 {
		t.Fatalf("search: cursor on row %d, want 3", v.cursor)
	}
	if !strings.Contains(v.View(), m.styles.Selected.Render("needle")) {
		t.Errorf("the match on a wrapped line is not highlighted:\n%q", v.View())
	}
	press(t, m, "W")
	if v.wrapped || strings.Contains(v.title, "wrapped") {
		t.Errorf("second W: wrapped %v, title %q", v.wrapped, v.title)
	}
}

func TestViewerWrapKeepsCursorShown(t *testing.T) {
	m := newTestModel(t, fixture(t), 40, 16)
	var b strings.Builder
	for i := range 30 {
		b.WriteString(strings.Repeat(string(rune('a'+i%26)), 80) + "\n")
	}
	v := openText(t, m, "etc/long.txt", b.String())
	press(t, m, "W")
	for _, step := range []struct {
		key  string
		want string // the line number on screen
	}{{"G", "30 │"}, {"g", " 1 │"}, {"pgdown", ""}, {"down", ""}, {"up", ""}} {
		press(t, m, step.key)
		view := ansi.Strip(v.View())
		want := step.want
		if want == "" {
			want = padLeft(itoa(v.cursor+1), v.numW) + " │"
		}
		if !strings.Contains(view, want) {
			t.Errorf("after %s, cursor on row %d: %q is not on screen:\n%s", step.key, v.cursor, want, view)
		}
		if n := strings.Count(view, "\n") + 1; n > v.height {
			t.Errorf("after %s: %d screen lines, the pane has %d", step.key, n, v.height)
		}
	}
}

func TestSegments(t *testing.T) {
	for _, tt := range []struct {
		text string
		room int
		want []string
	}{
		{"", 5, []string{""}},
		{"abcdefgh", 3, []string{"abc", "def", "gh"}},
		{"ab日本", 3, []string{"ab", "日", "本"}}, // 日 does not fit after ab
		{"日本語", 4, []string{"日本", "語"}},
		{"abc", 3, []string{"abc"}},
	} {
		var got []string
		for _, s := range segments(tt.text, tt.room, 100) {
			got = append(got, tt.text[s[0]:s[1]])
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("segments(%q, %d) = %q, want %q", tt.text, tt.room, got, tt.want)
		}
	}
	if n := len(segments(strings.Repeat("x", 1000), 10, 3)); n != 3 {
		t.Errorf("segments with limit 3: %d", n)
	}
}

// BenchmarkViewerWrappedLongLines: a frame of the wrapped viewer over
// rows of a megabyte each (a minified bundle, a log of JSON lines), with
// the cursor moving: what a frame costs is what the screen holds.
func BenchmarkViewerWrappedLongLines(b *testing.B) {
	m := newTestModel(b, fixture(b), 120, 40)
	row := strings.Repeat("0123456789abcdef", 1<<16) // 1 MiB
	openText(b, m, "srv/app.min.js", strings.Repeat(row+"\n", 3))
	press(b, m, "W")
	for i := 0; b.Loop(); i++ {
		press(b, m, []string{"j", "k"}[i%2])
		_ = m.View()
	}
}
