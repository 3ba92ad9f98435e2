package source

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// TestCraneTarballDigestsFromNames: go-containerregistry's tarball.Write
// (crane pull's format) names each compressed layer by its digest, so the
// digests and the manifest are known without hashing a blob; a member
// whose name is not a digest is still hashed, and comes out right.
func TestCraneTarballDigestsFromNames(t *testing.T) {
	want := fixture(t, nil)
	tag, err := name.NewTag("example.com/app:1")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "crane.tar")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := tarball.Write(tag, want, f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	got := mustOpen(t, "docker-archive:"+p, Options{})
	gotLs, _ := got.Layers()
	wantLs, _ := want.Layers()
	for i, l := range gotLs {
		sp, ok := l.(spanLayer) // a member of the archive: read in spans
		sl := sp.layer
		if !ok {
			t.Fatalf("layer %d is a %T", i, l)
		}
		wd, _ := wantLs[i].Digest()
		if sl.hashDigest {
			t.Errorf("layer %d (%s): digest would be hashed though the member is named by it", i, wd)
		}
		if d, _ := l.Digest(); d != wd {
			t.Errorf("layer %d: digest %s, want %s", i, d, wd)
		}
	}
	mustDigest(t, got) // the synthesized manifest, from the named digests

	for _, tc := range []struct {
		name string
		want bool
	}{
		{"blobs/sha256/" + hex64('a'), true},
		{hex64('b') + ".tar.gz", true},
		{hex64('c') + ".tar.zst", true},
		{"layer.tar.gz", false},
		{hex64('d')[:63] + ".tar.gz", false},
		{"dir/" + hex64('e') + ".tar.gz", false},
		{"ABCDEF" + hex64('f')[6:] + ".tar.gz", false},
		{hex64('g') + ".tar.gz", false}, // not hex
	} {
		if _, ok := digestFromBlobPath(tc.name); ok != tc.want {
			t.Errorf("digestFromBlobPath(%q) = %v, want %v", tc.name, ok, tc.want)
		}
	}
}

func hex64(c byte) string {
	b := make([]byte, 64)
	for i := range b {
		b[i] = c
	}
	return string(b)
}

func mustDigest(t *testing.T, img interface{ Digest() (v1.Hash, error) }) v1.Hash {
	t.Helper()
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d
}
