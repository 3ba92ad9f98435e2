package analyze

import (
	"strings"
	"testing"
)

var oneLineCases = []string{
	"", " ", "a", "ENV A=1", " a", "a ", "a  b", "a\tb", "a\nb", "a\r\nb", "a\vb\fc",
	"COPY . /app # buildkit", "a\u00a0b", "a\u0085b", "a\u2003 b", "é b", "a é", "\x80 a",
}

// oneLine is strings.Join(strings.Fields(s), " ") whichever path it takes.
func TestOneLine(t *testing.T) {
	for _, s := range oneLineCases {
		if got, want := oneLine(s), strings.Join(strings.Fields(s), " "); got != want {
			t.Errorf("oneLine(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzOneLine(f *testing.F) {
	for _, s := range oneLineCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := oneLine(s), strings.Join(strings.Fields(s), " "); got != want {
			t.Fatalf("oneLine(%q) = %q, want %q", s, got, want)
		}
	})
}

// A command already on one line is returned as it is, not copied.
func TestOneLineKeepsACleanCommand(t *testing.T) {
	s := strings.Repeat("ENV A=1 ", 3) + "B=2"
	if n := testing.AllocsPerRun(100, func() { oneLine(s) }); n != 0 {
		t.Errorf("oneLine of a clean command allocates %v times", n)
	}
}
