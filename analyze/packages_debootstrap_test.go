package analyze_test

import (
	"slices"
	"testing"

	"github.com/strata-cli/strata/internal/debtest"
	it "github.com/strata-cli/strata/internal/imagetest"
)

// A real Debian bookworm base (debootstrap, opt-in: STRATA_DEBOOTSTRAP=1)
// with real packages installed over it: the base layer lists every
// package dpkg lists, each with the bytes its listed files hold on disk,
// and every layer's packages add up to its packaged bytes exactly.
func TestDebootstrapBookworm(t *testing.T) {
	root := debtest.Bookworm(t)
	debs := debtest.Fetch(t, "hello", "tree")
	base := debtest.Stanzas(t, root)
	img := build(t, it.Uncompressed,
		debtest.Rootfs(t, root),
		debtest.Install(base, debs[0]),
		debtest.Install(append(slices.Clone(base), debs[0].Stanza()), debs[1]),
	)
	res := run(t, img)
	checkPackageSums(t, res)

	var got []string
	onDisk := debtest.ListedBytes(t, root)
	for _, p := range res.Layers[0].Packages {
		got = append(got, p.Name+" "+p.Version)
		if p.Change.String() != "added" {
			t.Errorf("base layer: %s %s, want added", p.Name, p.Change)
		}
		if want := onDisk[p.Name]; p.SizeBytes != want {
			t.Errorf("base layer: %s holds %d bytes, its listed files %d on disk", p.Name, p.SizeBytes, want)
		}
	}
	want := debtest.Installed(t, root)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("base layer lists %d packages, dpkg %d:\n got %q\nwant %q", len(got), len(want), got, want)
	}
	l0 := res.Layers[0]
	t.Logf("base: %d packages, %d packaged bytes, %d unpackaged of %d", len(l0.Packages), l0.PackagedBytes, l0.UnpackagedBytes, l0.SizeBytes)
	for i, d := range debs {
		l := res.Layers[i+1]
		if len(l.Packages) != 1 || l.Packages[0].Name != d.Name || l.Packages[0].SizeBytes != d.RegularBytes() {
			t.Errorf("layer %d packages %+v, want %s added with %d bytes", i+1, l.Packages, d.Name, d.RegularBytes())
		}
	}
	if n := len(res.Packages); n != len(want)+2 {
		t.Errorf("image lists %d packages, want %d", n, len(want)+2)
	}
}
