package ui

import (
	"context"
	"io"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// newThemedModel is newTestModel with a theme of colour.
func newThemedModel(t *testing.T, theme Theme) *Model {
	t.Helper()
	m := newModel(fixture(t), theme, "", defaultKeyMap())
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	return m
}

const goSource = "package main\n\n// main says hello.\nfunc main() {\n\tprintln(\"hello\", 42)\n}\n"

func TestHighlightColours(t *testing.T) {
	tests := []struct {
		name, path, content string
		theme               Theme
		lexer               string   // picked; "" for none
		coloured            []string // texts that must show in their class's colour
		class               []synClass
	}{
		{"go by name", "app/main.go", goSource, ThemeDark, "Go",
			[]string{"func", `"hello"`, "42", "// main says hello."}, []synClass{synKeyword, synString, synNumber, synComment}},
		{"light theme", "app/main.go", goSource, ThemeLight, "Go", []string{"func"}, []synClass{synKeyword}},
		{"shell by content", "usr/local/bin/start", "#!/bin/sh\necho start\nif true; then exit 0; fi\n", ThemeDark, "Bash",
			[]string{"if", "then"}, []synClass{synKeyword, synKeyword}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newThemedModel(t, tt.theme)
			v := openText(t, m, tt.path, tt.content)
			if v.syn.lexer != tt.lexer {
				t.Fatalf("lexer %q, want %q", v.syn.lexer, tt.lexer)
			}
			view := v.View()
			for i, text := range tt.coloured {
				want := m.styles.Syntax.sgr(tt.class[i]) + text + sgrReset
				if !strings.Contains(view, want) {
					t.Errorf("%q is not in class %d's colour %q:\n%q", text, tt.class[i], m.styles.Syntax.sgr(tt.class[i]), view)
				}
			}
			if !strings.Contains(view, "\x1b[38;") {
				t.Errorf("no foreground colour in the view")
			}
			// The page is cached: showing it again tokenises nothing.
			if v.Highlight() != nil {
				t.Errorf("a highlighted page is tokenised again")
			}
		})
	}
}

func TestHighlightOff(t *testing.T) {
	tests := []struct {
		name, path, content string
		theme               Theme
	}{
		{"mono theme", "app/main.go", goSource, ThemeMono},
		{"binary", "app/main.go", "package main\x00\x01func", ThemeDark},
		{"no lexer fits", "etc/notes", "just some words\nand more\n", ThemeDark},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newThemedModel(t, tt.theme)
			v := openText(t, m, tt.path, tt.content)
			if len(v.syn.bands) != 0 || v.Highlight() != nil {
				t.Errorf("highlighted: %d pages cached", len(v.syn.bands))
			}
			if view := v.View(); strings.Contains(view, "\x1b[38;") {
				t.Errorf("foreground colour in the view:\n%q", view)
			}
		})
	}
}

func TestHighlightBandSpans(t *testing.T) {
	rows := strings.Split(strings.ReplaceAll(strings.TrimSuffix(goSource, "\n"), "\t", "    "), "\n")
	msg := highlightBand(t.Context(), 1, "", "x/main.go", bandKey{}, rows)
	if msg.Lexer != "Go" || len(msg.Rows) != len(rows) {
		t.Fatalf("lexer %q, %d rows of spans for %d", msg.Lexer, len(msg.Rows), len(rows))
	}
	for r, spans := range msg.Rows {
		for _, s := range spans {
			if s.from < 0 || s.to > int32(len(rows[r])) || s.from >= s.to {
				t.Errorf("row %d: span %v outside %q", r, s, rows[r])
			}
		}
	}
	if got := msg.Rows[3]; len(got) == 0 || rows[3][got[0].from:got[0].to] != "func" || got[0].class != synKeyword {
		t.Errorf("row 3 spans %v, want func first as a keyword", got)
	}
	// A cancelled tokenising returns no rows, and the viewer keeps the
	// page plain rather than marking the file as fitting no lexer.
	ctx, cancel := contextWithCancel(t)
	cancel()
	if msg := highlightBand(ctx, 1, "", "x/main.go", bandKey{}, rows); msg.Rows != nil || msg.Lexer != "Go" {
		t.Errorf("cancelled: %d rows, lexer %q", len(msg.Rows), msg.Lexer)
	}
}

func contextWithCancel(t *testing.T) (context.Context, context.CancelFunc) {
	return context.WithCancel(t.Context())
}

// BenchmarkHighlightBand tokenises one band of Go, the command that
// follows a page load or a scroll onto rows not coloured yet, off the UI
// goroutine.
func BenchmarkHighlightBand(b *testing.B) {
	var sb strings.Builder
	for strings.Count(sb.String(), "\n") < bandRows {
		sb.WriteString(goSource)
	}
	rows := pageRows([]byte(sb.String()), 0, false)[:bandRows]
	b.SetBytes(int64(len(strings.Join(rows, "\n"))))
	for b.Loop() {
		if msg := highlightBand(b.Context(), 1, "Go", "main.go", bandKey{}, rows); msg.Rows == nil {
			b.Fatal("no spans")
		}
	}
}

// BenchmarkViewerFrameHighlighted renders a screen of highlighted Go: the
// per-frame cost, which only looks the spans up.
func BenchmarkViewerFrameHighlighted(b *testing.B) {
	m := newModel(fixture(b), ThemeDark, "", defaultKeyMap())
	m.Update(tea.WindowSizeMsg{Width: 200, Height: 60})
	m.open = func(context.Context, int, string) (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(strings.Repeat(goSource, 2000))), nil
	}
	_, cmd := m.Update(fileOpenMsg{Layer: 0, Path: "main.go"})
	run(m, cmd)
	if len(m.viewer.syn.bands) == 0 {
		b.Fatal("not highlighted")
	}
	for b.Loop() {
		_ = m.viewer.View()
	}
}

func TestHighlightFollowsScroll(t *testing.T) {
	m := newThemedModel(t, ThemeDark)
	src := strings.Repeat(goSource, 200) // 1200 rows: six bands
	v := openText(t, m, "app/main.go", src)
	if _, ok := v.syn.bands[bandKey{0, 0}]; !ok || len(v.syn.bands) != 1 {
		t.Fatalf("after opening: bands %v, want only the first", keys(v.syn.bands))
	}
	press(t, m, "G")
	last := (len(v.lines) - 1) / bandRows
	if _, ok := v.syn.bands[bandKey{0, last}]; !ok {
		t.Fatalf("after G: bands %v, want band %d", keys(v.syn.bands), last)
	}
	if _, ok := v.syn.bands[bandKey{0, 2}]; ok {
		t.Errorf("a band never on screen was tokenised")
	}
	// The rows on screen are coloured: a func line near the end.
	r := v.offset + 3
	for !strings.HasPrefix(v.lines[r], "func") {
		r++
	}
	if sp := v.spans(r); len(sp) == 0 || sp[0].class != synKeyword {
		t.Errorf("row %d %q: spans %v", r, v.lines[r], sp)
	}
}

func keys[K comparable, V any](m map[K]V) []K {
	var out []K
	for k := range m {
		out = append(out, k)
	}
	return out
}
