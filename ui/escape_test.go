package ui

import (
	"context"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
)

// TestImageTextCannotDriveTheTerminal: a file name with an OSC 8
// hyperlink and a newline, a link target with an OSC 52 clipboard write
// and a history step with a screen clear are shown escaped: the frame
// holds no OSC sequence or BEL of theirs (the explorer's own styling uses
// only CSI), and no line is broken.
func TestImageTextCannotDriveTheTerminal(t *testing.T) {
	evilName := "etc/\x1b]8;;http://evil/\x1b\\click\x1b]8;;\x1b\\\nmore"
	layer := it.MustLayer(t, it.Tar(it.Dir("etc"), it.SizedFile(evilName, 10), it.Symlink("etc/l", "\x1b]52;c;aGk=\x07")), it.Gzip)
	img := it.MustImage(t, []v1.Layer{layer}, []v1.History{{CreatedBy: "RUN echo \x1b[2J\x1b[H"}}, nil)
	res, err := analyze.Analyze(context.Background(), img, analyze.Options{Reference: "evil\x1b]0;title\x07:1"})
	if err != nil {
		t.Fatal(err)
	}
	const w, h = 120, 30
	m := newTestModel(t, res, w, h)
	press(t, m, "tab") // the file tree, where the names are
	for _, view := range []string{m.View().Content, func() string { press(t, m, "w"); return m.View().Content }()} {
		if strings.Contains(view, "\x1b]") || strings.Contains(view, "\x07") || strings.Contains(view, "\x1b[2J") || strings.Contains(view, "\x1b[H") {
			t.Errorf("the frame carries the image's escape sequences:\n%q", view)
		}
	}
	press(t, m, "w")
	f := frame(m)
	if n := strings.Count(f, "\n") + 1; n != h {
		t.Errorf("frame has %d lines, want %d:\n%s", n, h, f)
	}
	for _, want := range []string{`\x1b]8;;http:`, `\x1b\click`, `\x0amore`, `-> \x1b]52;c;aGk=\x07`, `echo \x1b[2J`} {
		if !strings.Contains(f, want) {
			t.Errorf("frame does not show %q escaped:\n%s", want, f)
		}
	}
}
