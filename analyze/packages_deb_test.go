package analyze_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/strata-cli/strata/internal/debtest"
	it "github.com/strata-cli/strata/internal/imagetest"
)

// Real Debian packages, installed layer by layer as dpkg would: each
// package's bytes in a layer are exactly its data tarball's regular files.
func TestRealDebPackages(t *testing.T) {
	debs := debtest.Fetch(t, "hello", "tree", "less")
	hello, tree, less := debs[0], debs[1], debs[2]
	img := build(t, it.Gzip,
		debtest.Install(nil, hello),
		append(debtest.Install([]string{hello.Stanza()}, tree, less), it.SizedFile("app/requirements.lock", 777)),
		debtest.Remove([]string{tree.Stanza(), less.Stanza()}, hello),
	)
	res := run(t, img)
	checkPackageSums(t, res)
	row := func(change string, d debtest.Deb, size int64) string {
		return fmt.Sprintf("%s %s %s %d", change, d.Name, d.Version, size)
	}
	// Sorted as Analyze sorts: largest first.
	layer1 := []string{row("added", tree, tree.RegularBytes()), row("added", less, less.RegularBytes())}
	if less.RegularBytes() > tree.RegularBytes() {
		layer1[0], layer1[1] = layer1[1], layer1[0]
	}
	want := [][]string{{row("added", hello, hello.RegularBytes())}, layer1, {row("removed", hello, 0)}}
	for i, l := range res.Layers {
		var got []string
		for _, p := range l.Packages {
			got = append(got, fmt.Sprintf("%s %s %s %d", p.Change, p.Name, p.Version, p.SizeBytes))
		}
		if !slices.Equal(got, want[i]) {
			t.Errorf("layer %d packages\n got %q\nwant %q", i, got, want[i])
		}
	}
	if l := res.Layers[1]; l.PackagedBytes != tree.RegularBytes()+less.RegularBytes() {
		t.Errorf("layer 1 packaged %d bytes, want tree's %d and less's %d", l.PackagedBytes, tree.RegularBytes(), less.RegularBytes())
	}
	var names []string
	for _, p := range res.Packages {
		names = append(names, p.Name)
		if p.Layer != 1 || p.Manager != "dpkg" {
			t.Errorf("%s: layer %d, manager %s; want layer 1, dpkg", p.Name, p.Layer, p.Manager)
		}
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"less", "tree"}) {
		t.Errorf("image packages %q, want less and tree", names)
	}
}
