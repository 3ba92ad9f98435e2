package ui

import (
	"context"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
)

// TestImpliedDirectoryNotAdded: the layer that deletes a file under a
// directory its base only implied (a/b/file, no a/b/ entry) lists a/ and
// a/b/ as docker build does; the tree marks them modified, not added.
func TestImpliedDirectoryNotAdded(t *testing.T) {
	img := it.MustImage(t, []v1.Layer{
		it.MustLayer(t, it.Tar(it.File("a/b/file", "x"), it.File("a/b/keep", "k")), it.Gzip),
		it.MustLayer(t, it.Tar(it.Dir("a"), it.Dir("a/b"), it.Whiteout("a/b/file")), it.Gzip),
	}, nil, nil)
	res, err := analyze.Analyze(context.Background(), img, analyze.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := newTestModel(t, res, 100, 20)
	press(t, m, "down")
	if m.tree.layer != 1 {
		t.Fatalf("on layer %d", m.tree.layer)
	}
	f := frame(m)
	for _, want := range []string{"~      1 B └─ a/", "~      1 B    └─ b/", "-      1 B       └─ file"} {
		if !strings.Contains(f, want) {
			t.Errorf("no %q in layer 1's tree:\n%s", want, f)
		}
	}
}
