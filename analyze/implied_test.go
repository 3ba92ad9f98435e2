package analyze_test

import (
	"context"
	"maps"
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

// TestDirectoryOverImpliedDirectory: a layer's tar with a/b/file and no
// entry for a or a/b still makes both directories, as extracting it
// does. A later layer that lists a/ and a/b/ while deleting under them
// (as docker build writes a RUN rm) modifies them; it adds only a
// directory that was not there, or was removed itself since.
func TestDirectoryOverImpliedDirectory(t *testing.T) {
	tests := []struct {
		name   string
		layers [][]it.Entry
		want   map[string]analyze.Change // in the last layer
	}{
		{"delete under it", [][]it.Entry{
			{it.File("a/b/file", "x"), it.File("a/b/keep", "k")},
			{it.Dir("a"), it.Dir("a/b"), it.Whiteout("a/b/file")},
		}, map[string]analyze.Change{"a": analyze.ChangeModified, "a/b": analyze.ChangeModified, "a/b/file": analyze.ChangeRemoved}},
		{"its only file deleted", [][]it.Entry{
			{it.File("a/b/file", "x")},
			{it.Dir("a/b"), it.Whiteout("a/b/file")},
		}, map[string]analyze.Change{"a/b": analyze.ChangeModified, "a/b/file": analyze.ChangeRemoved}},
		{"opaque in the same layer", [][]it.Entry{
			{it.File("a/b/file", "x")},
			{it.Dir("a/b"), it.Opaque("a/b"), it.File("a/b/new", "n")},
		}, map[string]analyze.Change{"a/b": analyze.ChangeModified, "a/b/new": analyze.ChangeAdded, "a/b/file": analyze.ChangeRemoved}},
		{"new with its files", [][]it.Entry{
			{it.File("etc/x", "x")},
			{it.Dir("n"), it.Dir("n/m"), it.File("n/m/f", "f")},
		}, map[string]analyze.Change{"n": analyze.ChangeAdded, "n/m": analyze.ChangeAdded, "n/m/f": analyze.ChangeAdded}},
		{"removed, then made again", [][]it.Entry{
			{it.File("a/b/file", "x")},
			{it.Whiteout("a/b")},
			{it.Dir("a/b")},
		}, map[string]analyze.Change{"a/b": analyze.ChangeAdded}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ls []v1.Layer
			for _, es := range tc.layers {
				ls = append(ls, it.MustLayer(t, it.Tar(es...), it.Gzip))
			}
			res, err := analyze.Analyze(context.Background(), it.MustImage(t, ls, nil, nil), analyze.Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]analyze.Change{}
			for _, e := range res.Layers[len(ls)-1].Entries {
				got[res.Tree.Path(e.Node)] = e.Change
			}
			if !maps.Equal(got, tc.want) {
				t.Errorf("last layer's changes %v, want %v", got, tc.want)
			}
		})
	}
}
