package ui

import (
	"context"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
)

// cleanup sizes: layer 1 installs opt/sdk, layer 2 deletes it and adds a
// file beside it.
const (
	sdkA, sdkB, sdkReadme = 3000, 1500, 234
	sdkTotal              = sdkA + sdkB + sdkReadme
	optKeep, optNew       = 50, 999
)

// cleanupFixture is an image whose layer 2 deletes a directory of known
// sizes (opt/sdk, sdkTotal bytes in three files) and adds opt/new.
func cleanupFixture(t testing.TB) *analyze.Result {
	t.Helper()
	layers := [][]it.Entry{
		{it.Dir("app"), it.SizedFile("app/main", 700)},
		{it.Dir("opt"), it.SizedFile("opt/keep", optKeep), it.Dir("opt/sdk"), it.Dir("opt/sdk/lib"),
			it.SizedFile("opt/sdk/lib/a.so", sdkA), it.SizedFile("opt/sdk/lib/b.so", sdkB), it.SizedFile("opt/sdk/README", sdkReadme)},
		{it.Whiteout("opt/sdk"), it.SizedFile("opt/new", optNew)},
	}
	var ls []v1.Layer
	for _, es := range layers {
		ls = append(ls, it.MustLayer(t, it.Tar(es...), it.Uncompressed))
	}
	res, err := analyze.Analyze(context.Background(), it.MustImage(t, ls, nil, nil), analyze.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// rowText is the rendered tree row of path p, or "".
func rowText(t *testing.T, m *Model, p string) string {
	t.Helper()
	for _, line := range strings.Split(m.tree.View(), "\n") {
		fields := strings.Fields(line)
		if len(fields) > 0 && strings.HasSuffix(strings.TrimSuffix(fields[len(fields)-1], "/"), p[strings.LastIndexByte(p, '/')+1:]) {
			return line
		}
	}
	t.Fatalf("no row for %s in:\n%s", p, m.tree.View())
	return ""
}

// shownSize is the size the tree shows for path p.
func shownSize(t *testing.T, m *Model, p string) int64 {
	t.Helper()
	i, ok := m.tree.vt.find(p)
	if !ok {
		t.Fatalf("%s is not in the view", p)
	}
	return m.tree.shown[i]
}

// TestRemovedSizes: a removed path shows the bytes it hid, a removed
// directory the sum of what it held, and the size sort orders removals by
// those bytes. In the layer's own view a directory adds removals up; in the
// stacked view it keeps the size of what is still there.
func TestRemovedSizes(t *testing.T) {
	m := newTestModel(t, cleanupFixture(t), 100, 30)
	press(t, m, "G") // layer 2, its own changes
	if m.tree.layer != 2 || m.tree.mode != modeLayer {
		t.Fatalf("layer %d mode %v", m.tree.layer, m.tree.mode)
	}
	for p, want := range map[string]int64{
		"opt/sdk/lib/a.so": sdkA, "opt/sdk/lib": sdkA + sdkB, "opt/sdk": sdkTotal, "opt/new": optNew, "opt": sdkTotal + optNew,
	} {
		if got := shownSize(t, m, p); got != want {
			t.Errorf("layer view: %s shows %d bytes, want %d", p, got, want)
		}
	}
	if row := rowText(t, m, "opt/sdk"); !strings.HasPrefix(row, "- ") || !strings.Contains(row, humanBytes(sdkTotal)+" ") {
		t.Errorf("removed directory row %q does not show - %s", row, humanBytes(sdkTotal))
	}

	byName := []string{" opt", "+opt/new", "-opt/sdk", "-opt/sdk/README", "-opt/sdk/lib", "-opt/sdk/lib/a.so", "-opt/sdk/lib/b.so"}
	if got := rowPaths(m); !slices.Equal(got, byName) {
		t.Errorf("by name: %q, want %q", got, byName)
	}
	press(t, m, "o")
	bySize := []string{" opt", "-opt/sdk", "-opt/sdk/lib", "-opt/sdk/lib/a.so", "-opt/sdk/lib/b.so", "-opt/sdk/README", "+opt/new"}
	if got := rowPaths(m); !slices.Equal(got, bySize) {
		t.Errorf("by size: %q, want %q", got, bySize)
	}

	press(t, m, "3") // hide removals: the directory sums only what shows
	if got := shownSize(t, m, "opt"); got != optNew {
		t.Errorf("removals hidden: opt shows %d bytes, want %d", got, optNew)
	}
	press(t, m, "3", "s") // stacked
	if m.tree.mode != modeStacked {
		t.Fatalf("mode %v", m.tree.mode)
	}
	if got := shownSize(t, m, "opt/sdk"); got != sdkTotal {
		t.Errorf("stacked: opt/sdk shows %d bytes, want %d", got, sdkTotal)
	}
	if got := shownSize(t, m, "opt"); got != optKeep+optNew {
		t.Errorf("stacked: opt shows %d bytes, want what is left, %d", got, optKeep+optNew)
	}
	if got := shownSize(t, m, ""); got != 700+optKeep+optNew {
		t.Errorf("stacked: the root shows %d bytes, want the filesystem's %d", got, 700+optKeep+optNew)
	}
}
