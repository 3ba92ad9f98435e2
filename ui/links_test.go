package ui

import (
	"context"
	"strings"
	"testing"

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
