package ui

import (
	"context"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
)

// TestLinksDrawnApart: a symlink and a hard link to the same file read
// differently in the tree.
func TestLinksDrawnApart(t *testing.T) {
	l := it.Tar(it.Dir("etc"), it.SizedFile("etc/hosts", 40), it.Symlink("soft", "etc/hosts"), it.Hardlink("hard", "etc/hosts"))
	res, err := analyze.Analyze(context.Background(), it.MustImage(t, []v1.Layer{it.MustLayer(t, l, it.Gzip)}, nil, nil), analyze.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := newTestModel(t, res, 100, 30)
	f := frame(m)
	if !strings.Contains(f, "soft -> etc/hosts") || !strings.Contains(f, "hard => /etc/hosts") {
		t.Errorf("links not drawn apart:\n%s", f)
	}
}

// TestCuts: every cut fits its cells, wide characters included, and
// keeps its ellipsis; a middle cut keeps both ends.
func TestCuts(t *testing.T) {
	for _, s := range []string{"FreeGLUTConfigVersion.cmake", "日本語のファイル名.txt", "a日b本c語d", "x"} {
		for w := 1; w <= 12; w++ {
			for name, cut := range map[string]func(string, int) string{"truncate": truncate, "truncateLeft": truncateLeft, "truncateMiddle": truncateMiddle} {
				got := cut(s, w)
				gw := ansi.StringWidth(got)
				if gw > w {
					t.Errorf("%s(%q, %d) = %q, %d cells", name, s, w, got, gw)
				}
				if ansi.StringWidth(s) > w && !strings.Contains(got, "…") {
					t.Errorf("%s(%q, %d) = %q lost its ellipsis", name, s, w, got)
				}
			}
		}
	}
	a, b := truncateMiddle("FreeGLUTConfig.cmake", 14), truncateMiddle("FreeGLUTConfigVersion.cmake", 14)
	if a == b || !strings.HasSuffix(a, ".cmake") || !strings.HasPrefix(b, "Free") {
		t.Errorf("middle cuts %q and %q do not keep what tells them apart", a, b)
	}
}
