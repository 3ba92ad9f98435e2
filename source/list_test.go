package source

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/strata-cli/strata/internal/dockertest"
)

// TestOpenImageSet builds two images on one base layer and lists them
// with a filter: both come from one save that holds the shared layer
// once.
func TestOpenImageSet(t *testing.T) {
	dockertest.Require(t)
	dockertest.Build(t, "strata-test/source-set-a:1", dockertest.Dockerfile(t, "echo a > /a"))
	dockertest.Build(t, "strata-test/source-set-b:1", dockertest.Dockerfile(t, "echo bb > /b"))

	set, err := OpenImageSet(context.Background(), "", []string{"reference=strata-test/source-set-*"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	if len(set.Images) != 2 || set.Images[0].Name() != "strata-test/source-set-a:1" || set.Images[1].Name() != "strata-test/source-set-b:1" {
		t.Fatalf("images = %+v", set.Images)
	}
	if set.Origin.Kind != KindDocker {
		t.Errorf("origin = %+v", set.Origin)
	}
	seen := map[string]int{}
	for i, im := range set.Images {
		if set.entries[im.ID] == nil {
			t.Errorf("%s is not in the shared save", im.Name())
		}
		img, err := set.Image(context.Background(), i)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		if len(cfg.RootFS.DiffIDs) != 2 {
			t.Errorf("%s has %d layers, want 2", im.Name(), len(cfg.RootFS.DiffIDs))
		}
		for _, d := range cfg.RootFS.DiffIDs {
			seen[d.String()]++
		}
		Close(img)
	}
	if len(seen) != 3 {
		t.Errorf("%d distinct layers, want 3 (one shared)", len(seen))
	}
	// A classic save holds each layer once, as <id>/layer.tar: three for
	// four layers. (A Docker 25+ save stores blobs by digest, once by
	// construction.)
	n := 0
	for name := range set.idx.members {
		if strings.HasSuffix(name, "/layer.tar") {
			n++
		}
	}
	if n != 0 && n != 3 {
		t.Errorf("the save holds %d layer tars, want 3", n)
	}

	if _, err := OpenImageSet(context.Background(), "", []string{"reference"}, Options{}); err == nil {
		t.Error("a filter without = was accepted")
	}
	empty, err := OpenImageSet(context.Background(), "", []string{"reference=strata-test/no-such-image-*"}, Options{})
	if err != nil || len(empty.Images) != 0 {
		t.Errorf("no match: %v, %+v", err, empty)
	}
}

// TestImageNames lists the daemon's tags without saving anything.
func TestImageNames(t *testing.T) {
	dockertest.Require(t)
	dockertest.Build(t, "strata-test/source-names:1", dockertest.Dockerfile(t, "echo n > /n"))
	names, err := ImageNames(context.Background(), "docker")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(names, "strata-test/source-names:1") || slices.Contains(names, "<none>:<none>") || !slices.IsSorted(names) {
		t.Errorf("names = %q, want sorted tags including strata-test/source-names:1", names)
	}
	if _, err := ImageNames(context.Background(), "registry"); !errors.Is(err, ErrUnsupported) {
		t.Errorf("a registry has no image list: err = %v", err)
	}
}
