package source

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/internal/imagetest"
)

// TestMetadataNeedsNoLayerData pins the contract with analyze: after Open,
// digests, sizes, diffIDs, media types, config and manifest are answered
// without reading layer data. The layer bytes are destroyed after Open; if
// anything hashed or decompressed them, it would fail or change.
func TestMetadataNeedsNoLayerData(t *testing.T) {
	img := fixture(t, nil)
	dir := t.TempDir()

	classic, ociDir, ociTar := writeArchives(t, dir, img)
	ls, _ := img.Layers()

	// Overwrite every layer's bytes in place (same length) with zeros.
	scrambleArchive := func(p string, layers [][]byte) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range layers {
			i := bytes.Index(b, l)
			if i < 0 {
				t.Fatalf("layer bytes not found in %s", p)
			}
			clear(b[i : i+len(l)])
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var raw, stored [][]byte
	for _, l := range ls {
		raw = append(raw, readAll(t, l.Uncompressed))
		stored = append(stored, readAll(t, l.Compressed))
	}

	for _, tc := range []struct {
		ref     string
		destroy func()
	}{
		{"docker-archive:" + classic, func() { scrambleArchive(classic, raw) }},
		{"oci-archive:" + ociTar, func() { scrambleArchive(ociTar, stored) }},
		{"oci:" + ociDir, func() {
			for _, l := range ls {
				d, _ := l.Digest()
				if err := os.Remove(filepath.Join(ociDir, "blobs", "sha256", d.Hex)); err != nil {
					t.Fatal(err)
				}
			}
		}},
	} {
		name, _, _ := strings.Cut(tc.ref, ":")
		t.Run(name, func(t *testing.T) {
			got := mustOpen(t, tc.ref, Options{})
			tc.destroy()
			if _, err := got.ConfigFile(); err != nil {
				t.Error(err)
			}
			if _, err := got.ConfigName(); err != nil {
				t.Error(err)
			}
			if _, err := got.Digest(); err != nil {
				t.Error(err)
			}
			if _, err := got.Manifest(); err != nil {
				t.Error(err)
			}
			gotLs, err := got.Layers()
			if err != nil {
				t.Fatal(err)
			}
			for i, l := range gotLs {
				checks := []func() (v1.Hash, error){l.Digest, l.DiffID}
				for _, c := range checks {
					if _, err := c(); err != nil {
						t.Errorf("layer %d: %v", i, err)
					}
				}
				wantDiff, _ := ls[i].DiffID()
				if d, _ := l.DiffID(); d != wantDiff {
					t.Errorf("layer %d: diffid %v, want %v", i, d, wantDiff)
				}
				if _, err := l.Size(); err != nil {
					t.Errorf("layer %d: %v", i, err)
				}
				if _, err := l.MediaType(); err != nil {
					t.Errorf("layer %d: %v", i, err)
				}
			}
		})
	}
}

// writeArchives writes img under dir as a docker save, an OCI layout and
// an OCI archive, and returns their paths.
func writeArchives(t *testing.T, dir string, img v1.Image) (classic, ociDir, ociTar string) {
	t.Helper()
	classic = filepath.Join(dir, "classic.tar")
	if err := imagetest.WriteDockerArchive(classic, img, ""); err != nil {
		t.Fatal(err)
	}
	ociDir = filepath.Join(dir, "layout")
	if err := imagetest.WriteOCILayout(ociDir, imagetest.MustIndex(t, imagetest.Manifest{Image: img})); err != nil {
		t.Fatal(err)
	}
	ociTar = filepath.Join(dir, "oci.tar")
	if err := imagetest.WriteOCIArchive(ociTar, imagetest.MustIndex(t, imagetest.Manifest{Image: img})); err != nil {
		t.Fatal(err)
	}
	return classic, ociDir, ociTar
}
