package analyze_test

import (
	"context"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
)

// TestNameOfExactlyOneMiB: archive/tar accepts a GNU long name of exactly
// 1 MiB (no terminating NUL), so strata analyses it too; the old tree
// refused it as "path names too long or too many (over 4 GiB in all)".
func TestNameOfExactlyOneMiB(t *testing.T) {
	layer := it.MustLayer(t, it.LongNameChain(1, 1<<20), it.Gzip)
	res, err := analyze.Analyze(context.Background(), it.MustImage(t, []v1.Layer{layer}, nil, nil), analyze.Options{})
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	if res.Image.FileCount != 1 {
		t.Fatalf("files = %d, want 1", res.Image.FileCount)
	}
	if p := res.Tree.Path(res.Layers[0].Entries[0].Node); len(p) != 1<<20 || strings.Trim(p, "n") != "" {
		t.Errorf("path is %d bytes, want 1 MiB of n", len(p))
	}
}
