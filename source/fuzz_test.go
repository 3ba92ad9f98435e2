package source

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	it "github.com/strata-cli/strata/internal/imagetest"
)

// FuzzOpenArchive opens arbitrary bytes as an image archive: the result is
// an image whose metadata and layers read without a panic, or an error.
func FuzzOpenArchive(f *testing.F) {
	dir := f.TempDir()
	tiny := filepath.Join(dir, "tiny.tar")
	if err := it.WriteTiny(tiny); err != nil {
		f.Fatal(err)
	}
	img, err := it.Tiny()
	if err != nil {
		f.Fatal(err)
	}
	oci := filepath.Join(dir, "oci.tar")
	if err := it.WriteOCIArchive(oci, it.MustIndex(f, it.Manifest{Image: img})); err != nil {
		f.Fatal(err)
	}
	d25 := filepath.Join(dir, "d25.tar")
	if err := it.WriteDocker25Archive(d25, img, "tiny:1"); err != nil {
		f.Fatal(err)
	}
	legacy := filepath.Join(dir, "legacy.tar")
	if err := it.WriteLegacyDockerArchive(legacy, img, "tiny:1"); err != nil {
		f.Fatal(err)
	}
	for _, p := range []string{tiny, oci, d25, legacy} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("not an archive"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(t.TempDir(), "image.tar")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		img, err := Open(context.Background(), p, Options{})
		if err != nil {
			return
		}
		defer Close(img)
		if _, err := img.ConfigFile(); err != nil {
			return
		}
		img.Digest()
		img.ConfigName()
		layers, err := img.Layers()
		if err != nil {
			return
		}
		for _, l := range layers {
			l.Digest()
			l.DiffID()
			l.Size()
			l.MediaType()
			rc, err := l.Compressed()
			if err != nil {
				continue
			}
			io.Copy(io.Discard, io.LimitReader(rc, 1<<20))
			rc.Close()
		}
	})
}
