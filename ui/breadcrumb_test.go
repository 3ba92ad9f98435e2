package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
)

// deepPath is a wasted file nested deep enough that its parents scroll off
// an 80x24 tree, and longer than the room the status line leaves it.
const deepPath = "usr/share/doc/libexample-dev/examples/reference/chapter-07/figures/build.log"

// deepFixture stores deepPath with many siblings above it in layer 0 and
// rewrites it in layer 1, so the wasted list jumps far down the tree.
func deepFixture(t testing.TB) *analyze.Result {
	t.Helper()
	var base []it.Entry
	for i := range 40 {
		base = append(base, it.SizedFile(fmt.Sprintf("usr/share/doc/libexample-dev/examples/reference/a%02d", i), 10))
	}
	base = append(base, it.SizedFile(deepPath, 5000))
	var ls []v1.Layer
	for _, es := range [][]it.Entry{base, {it.SizedFile(deepPath, 1)}} {
		ls = append(ls, it.MustLayer(t, it.Tar(es...), it.Uncompressed))
	}
	res, err := analyze.Analyze(context.Background(), it.MustImage(t, ls, nil, nil), analyze.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestBreadcrumb: after a jump from the wasted list the status line names
// the whole path under the cursor, cut at the front when it does not fit,
// and every line keeps to the terminal's width.
func TestBreadcrumb(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {200, 60}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			m := newTestModel(t, deepFixture(t), sz[0], sz[1])
			press(t, m, "w", "enter")
			if p := m.tree.cursorPath(); p != deepPath {
				t.Fatalf("jump: cursor on %q", p)
			}
			f := frame(m)
			lines := strings.Split(f, "\n")
			status := lines[len(lines)-2]
			crumb := status[strings.LastIndex(status, "│ ")+len("│ "):]
			if sz[0] >= len(status)-len(crumb)+len(deepPath)+1 {
				if crumb != "/"+deepPath {
					t.Errorf("status line %q does not end with /%s", status, deepPath)
				}
			} else if !strings.HasPrefix(crumb, "…") || !strings.HasSuffix("/"+deepPath, strings.TrimPrefix(crumb, "…")) {
				t.Errorf("status line %q does not end with the tail of /%s", status, deepPath)
			}
			if sz[1] == 24 && strings.Contains(strings.Join(lines[:len(lines)-2], "\n"), "reference/") {
				t.Errorf("at 80x24 the parents are on screen, so the test shows nothing:\n%s", f)
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w > sz[0] {
					t.Errorf("line %d is %d cells wide, over %d: %q", i, w, sz[0], l)
				}
			}
			golden(t, fmt.Sprintf("breadcrumb_%dx%d", sz[0], sz[1]), f)

			press(t, m, "w") // the wasted list has its own rows: no breadcrumb
			if m.overlay != overlayWasted {
				t.Fatal("w did not open the wasted list")
			}
			if lines := strings.Split(frame(m), "\n"); strings.Contains(lines[len(lines)-2], "build.log") {
				t.Errorf("the breadcrumb shows over the wasted list: %q", lines[len(lines)-2])
			}
		})
	}
}
