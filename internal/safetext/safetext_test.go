package safetext

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestLine(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain/path.txt", "plain/path.txt"},
		{"tab\tand space", `tab\x09and space`},
		{"new\nline", `new\x0aline`},
		{"\x1b]52;c;aGk=\x07", `\x1b]52;c;aGk=\x07`},
		{"\x1b[2J", `\x1b[2J`},
		{"cr\r", `cr\x0d`},
		{"c1\u009b31m", `c1\u009b31m`},
		{"caf\xe9", `caf\xe9`},
		{"café ✓", "café ✓"},
		{"", ""},
	} {
		if got := Line(tc.in); got != tc.want {
			t.Errorf("Line(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestValid(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"ok", "ok"},
		{"caf\xe9\xff", `caf\xe9\xff`},
		{"keeps\x1bcontrols", "keeps\x1bcontrols"},
	} {
		if got := Valid(tc.in); got != tc.want {
			t.Errorf("Valid(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzLine: whatever goes in, what comes out is valid UTF-8 with no
// control character, and text without any comes out as it went in.
func FuzzLine(f *testing.F) {
	for _, s := range []string{"", "a/b", "\x1b]8;;http://x/\x1b\\", "\n::error ::x", "\xff\xfe", "\u009b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Line(s)
		if !utf8.ValidString(got) || strings.ContainsFunc(got, unicode.IsControl) {
			t.Fatalf("Line(%q) = %q", s, got)
		}
		if utf8.ValidString(s) && !strings.ContainsFunc(s, unicode.IsControl) && got != s {
			t.Fatalf("Line(%q) changed clean text to %q", s, got)
		}
	})
}
