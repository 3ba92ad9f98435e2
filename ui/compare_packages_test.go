package ui

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/compare"
	it "github.com/strata-cli/strata/internal/imagetest"
)

// newPackageCompare compares the two dpkg builds of imagetest.DpkgPair.
func newPackageCompare(t *testing.T, w, h int) *compareModel {
	t.Helper()
	analyse := func(img v1.Image, ref string) *analyze.Result {
		res, err := analyze.Analyze(context.Background(), img, analyze.Options{Reference: ref})
		if err != nil {
			t.Fatal(err)
		}
		res.Image.Reference = ref
		return res
	}
	oldImg, newImg := it.DpkgPair(t)
	m := newCompareModel(compare.Compare(analyse(oldImg, "app:old"), analyse(newImg, "app:new")), ThemeMono, "verdict: ok", defaultKeyMap())
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

// TestComparePackagesToggle: with the details pane focused, the toggle
// key switches it to the package diff, largest change first, and back;
// with the layers pane focused the key does nothing to it.
func TestComparePackagesToggle(t *testing.T) {
	m := newPackageCompare(t, 100, 24)
	pressCompare(t, m, "space")
	if m.details.packages {
		t.Fatal("space in the layers pane switched the details to packages")
	}
	pressCompare(t, m, "tab", "space")
	f := compareFrame(m)
	want := []string{"1 added, 1 removed, 1 upgraded", "-   -3.0 kB  wget 1.21", "+   +1.0 kB  curl 8.5.0", "~    +500 B  libc6 2.36-9 → 2.36-10"}
	last := -1
	for _, w := range want {
		i := strings.Index(f, w)
		if i < 0 {
			t.Fatalf("the packages pane lacks %q:\n%s", w, f)
		}
		if i < last {
			t.Errorf("%q comes before the line above it: want the largest change first\n%s", w, f)
		}
		last = i
	}
	if !strings.Contains(f, "Packages") || !strings.Contains(f, "packages/layer") {
		t.Errorf("want the pane titled Packages and its key in the help line:\n%s", f)
	}
	golden(t, "compare_packages", f)

	pressCompare(t, m, "?")
	if f := compareFrame(m); !strings.Contains(f, "packages/layer") {
		t.Errorf("the help screen does not list the packages toggle:\n%s", f)
	}
	pressCompare(t, m, "?", "space")
	if f := compareFrame(m); strings.Contains(f, "wget 1.21") || !strings.Contains(f, "Details") {
		t.Errorf("the toggle again did not bring the layer details back:\n%s", f)
	}
}

// TestComparePackagesNone: images without package databases say so
// rather than showing an empty pane.
func TestComparePackagesNone(t *testing.T) {
	m := newTestCompare(t, 100, 30)
	pressCompare(t, m, "tab", "space")
	if f := compareFrame(m); !strings.Contains(f, "No package differs") {
		t.Errorf("no packages: frame lacks the note:\n%s", f)
	}
}
