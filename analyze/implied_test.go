package analyze_test

import (
	"context"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
)

// TestFileOverImpliedDirectory: layer 0 holds a/b with no entry for a;
// layer 1 writes a file a. The path a existed (as a directory), so the
// file modifies it and hides a/b: added 0, modified 1, removed 1.
func TestFileOverImpliedDirectory(t *testing.T) {
	img := it.MustImage(t, []v1.Layer{
		it.MustLayer(t, it.Tar(it.File("a/b", "bb")), it.Gzip),
		it.MustLayer(t, it.Tar(it.File("a", "file")), it.Gzip),
	}, nil, nil)
	res, err := analyze.Analyze(context.Background(), img, analyze.Options{})
	if err != nil {
		t.Fatal(err)
	}
	l := res.Layers[1]
	if l.Added != 0 || l.Modified != 1 || l.Removed != 1 {
		t.Errorf("layer 1: added %d, modified %d, removed %d; want 0, 1, 1", l.Added, l.Modified, l.Removed)
	}
}
