package imagetest

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
)

// WriteOCILayout writes idx as an OCI image layout in dir: idx becomes
// index.json, and every image and nested index it references is written
// under blobs/ with its layers exactly as Compressed() returns them. Tags
// are the org.opencontainers.image.ref.name annotations of idx's
// descriptors (see Manifest.Tag).
func WriteOCILayout(dir string, idx v1.ImageIndex) error {
	if _, err := layout.Write(dir, idx); err != nil {
		return fmt.Errorf("writing oci layout %s: %w", dir, err)
	}
	return nil
}

// WriteOCIArchive writes idx as a tar of an OCI image layout (what
// `docker buildx --output type=oci` and `skopeo copy oci-archive:` make).
// Members are in lexical order with fixed times.
func WriteOCIArchive(path string, idx v1.ImageIndex) error {
	tmp, err := os.MkdirTemp("", "imagetest-oci-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := WriteOCILayout(tmp, idx); err != nil {
		return err
	}
	return TarDir(path, tmp)
}

// TarDir writes the regular files and directories under dir into a tar at
// path, with names relative to dir, in lexical order and with fixed times.
func TarDir(path, dir string) error {
	return writeTarFile(path, func(tw *tarWriter) error {
		return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(dir, p)
			if err != nil || rel == "." {
				return err
			}
			rel = filepath.ToSlash(rel)
			switch {
			case d.IsDir():
				tw.dir(rel + "/")
			case d.Type()&fs.ModeSymlink != 0:
				target, err := os.Readlink(p)
				if err != nil {
					return err
				}
				tw.symlink(rel, target)
			default:
				b, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				tw.file(rel, b)
			}
			return nil
		})
	})
}
