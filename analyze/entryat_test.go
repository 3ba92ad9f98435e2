package analyze_test

import (
	"context"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
)

// TestEntryAt: the entry a path shows at each layer is the last copy
// written at or below it, and a whiteout hides it from its layer on.
func TestEntryAt(t *testing.T) {
	img := it.MustImage(t, []v1.Layer{
		it.MustLayer(t, it.Tar(it.File("etc/a", "v1")), it.Gzip),
		it.MustLayer(t, it.Tar(it.File("etc/b", "b")), it.Gzip),
		it.MustLayer(t, it.Tar(it.File("etc/a", "v3")), it.Gzip),
		it.MustLayer(t, it.Tar(it.Whiteout("etc/a")), it.Gzip),
	}, nil, nil)
	res, err := analyze.Analyze(context.Background(), img, analyze.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		layer    int
		path     string
		storedIn int
		ok       bool
	}{
		{0, "etc/a", 0, true},
		{1, "etc/a", 0, true},
		{2, "etc/a", 2, true},
		{3, "etc/a", 0, false},
		{0, "etc/b", 0, false},
		{1, "etc/b", 1, true},
		{2, "nope", 0, false},
		{9, "etc/a", 0, false},
		{-1, "etc/a", 0, false},
	} {
		l, idx, ok := res.EntryAt(tc.layer, tc.path)
		if ok != tc.ok || (ok && l != tc.storedIn) {
			t.Errorf("EntryAt(%d, %q) = layer %d, ok %v; want layer %d, ok %v", tc.layer, tc.path, l, ok, tc.storedIn, tc.ok)
			continue
		}
		if ok && res.Tree.Path(res.Layers[l].Entries[idx].Node) != tc.path {
			t.Errorf("EntryAt(%d, %q) points at %q", tc.layer, tc.path, res.Tree.Path(res.Layers[l].Entries[idx].Node))
		}
	}
}
