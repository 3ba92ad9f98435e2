package imagetest

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

func TestTarEntries(t *testing.T) {
	b := Tar(
		Dir("etc"),
		File("etc/hosts", "127.0.0.1 localhost\n"),
		SizedFile("big", 100),
		Symlink("link", "etc/hosts"),
		Hardlink("hard", "etc/hosts"),
		Whiteout("var/cache/x"),
		Opaque("opt/"),
	)
	tr := tar.NewReader(bytes.NewReader(b))
	want := []struct {
		name string
		typ  byte
		size int64
	}{
		{"etc/", tar.TypeDir, 0},
		{"etc/hosts", tar.TypeReg, 20},
		{"big", tar.TypeReg, 100},
		{"link", tar.TypeSymlink, 0},
		{"hard", tar.TypeLink, 0},
		{"var/cache/.wh.x", tar.TypeReg, 0},
		{"opt/.wh..wh..opq", tar.TypeReg, 0},
	}
	for _, w := range want {
		hdr, err := tr.Next()
		if err != nil {
			t.Fatalf("next: %v", err)
		}
		if hdr.Name != w.name || hdr.Typeflag != w.typ || hdr.Size != w.size {
			t.Errorf("got %q type %c size %d, want %q type %c size %d", hdr.Name, hdr.Typeflag, hdr.Size, w.name, w.typ, w.size)
		}
		if !hdr.ModTime.Equal(Epoch) {
			t.Errorf("%s: mtime %v, want %v", hdr.Name, hdr.ModTime, Epoch)
		}
	}
	if _, err := tr.Next(); !errors.Is(err, io.EOF) {
		t.Errorf("trailing entries: %v", err)
	}
	if !bytes.Equal(b, Tar(
		Dir("etc"), File("etc/hosts", "127.0.0.1 localhost\n"), SizedFile("big", 100),
		Symlink("link", "etc/hosts"), Hardlink("hard", "etc/hosts"), Whiteout("var/cache/x"), Opaque("opt/"),
	)) {
		t.Error("Tar is not deterministic")
	}
}

func TestLayer(t *testing.T) {
	raw := Tar(File("a", "hello"), SizedFile("b", 4096))
	for _, tc := range []struct {
		c     Compression
		mt    types.MediaType
		magic []byte
	}{
		{Gzip, types.OCILayer, []byte{0x1f, 0x8b}},
		{Zstd, types.OCILayerZStd, []byte{0x28, 0xb5, 0x2f, 0xfd}},
		{Uncompressed, types.OCIUncompressedLayer, raw[:4]},
	} {
		t.Run(tc.c.String(), func(t *testing.T) {
			l := MustLayer(t, raw, tc.c)
			stored := readAll(t, l.Compressed)
			if !bytes.HasPrefix(stored, tc.magic) {
				t.Errorf("stored bytes start %x, want %x", stored[:4], tc.magic)
			}
			if got := readAll(t, l.Uncompressed); !bytes.Equal(got, raw) {
				t.Error("Uncompressed() differs from the tar")
			}
			if d, _ := l.Digest(); d != sha256Hash(stored) {
				t.Errorf("digest %v, want sha256 of stored bytes", d)
			}
			if d, _ := l.DiffID(); d != sha256Hash(raw) {
				t.Errorf("diffid %v, want sha256 of tar", d)
			}
			if s, _ := l.Size(); s != int64(len(stored)) {
				t.Errorf("size %d, want %d", s, len(stored))
			}
			if mt, _ := l.MediaType(); mt != tc.mt {
				t.Errorf("media type %s, want %s", mt, tc.mt)
			}
			again := readAll(t, MustLayer(t, raw, tc.c).Compressed)
			if !bytes.Equal(stored, again) {
				t.Error("compression is not deterministic")
			}
		})
	}
}

func readAll(t *testing.T, open func() (io.ReadCloser, error)) []byte {
	t.Helper()
	rc, err := open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func testImage(t *testing.T) v1.Image {
	l1 := MustLayer(t, Tar(File("a", "1")), Gzip)
	l2 := MustLayer(t, Tar(File("b", "2")), Zstd)
	return MustImage(t, []v1.Layer{l1, l2}, []v1.History{
		{CreatedBy: "ADD a /"},
		{CreatedBy: "ENV X=1", EmptyLayer: true},
		{CreatedBy: "RUN b"},
	}, &v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"})
}

func TestImage(t *testing.T) {
	img := testImage(t)
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.History) != 3 || !cfg.History[1].EmptyLayer || cfg.History[2].CreatedBy != "RUN b" {
		t.Errorf("history = %+v", cfg.History)
	}
	if cfg.OS != "linux" || cfg.Architecture != "arm64" || cfg.Variant != "v8" {
		t.Errorf("platform = %s/%s/%s", cfg.OS, cfg.Architecture, cfg.Variant)
	}
	if len(cfg.RootFS.DiffIDs) != 2 {
		t.Errorf("diff_ids = %v", cfg.RootFS.DiffIDs)
	}
	d1, _ := img.Digest()
	d2, _ := testImage(t).Digest()
	if d1 != d2 {
		t.Errorf("image digest not deterministic: %v vs %v", d1, d2)
	}
}

func TestWriteDockerArchives(t *testing.T) {
	img := testImage(t)
	dir := t.TempDir()
	for name, write := range map[string]func(string, v1.Image, string) error{
		"classic":  WriteDockerArchive,
		"docker25": WriteDocker25Archive,
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, name+".tar")
			if err := write(p, img, "example.com/app:1.0"); err != nil {
				t.Fatal(err)
			}
			members := tarMembers(t, p)
			var entries []dockerManifestEntry
			if err := json.Unmarshal(members["manifest.json"], &entries); err != nil {
				t.Fatalf("manifest.json: %v", err)
			}
			if len(entries) != 1 || len(entries[0].Layers) != 2 || entries[0].RepoTags[0] != "example.com/app:1.0" {
				t.Fatalf("manifest.json = %+v", entries)
			}
			layers, _ := img.Layers()
			for i, l := range layers {
				want := readAll(t, l.Uncompressed)
				if got := members[entries[0].Layers[i]]; !bytes.Equal(got, want) {
					t.Errorf("layer %d member %s is not the uncompressed tar", i, entries[0].Layers[i])
				}
			}
			raw, _ := img.RawConfigFile()
			if !bytes.Equal(members[entries[0].Config], raw) {
				t.Error("config member differs")
			}
			if name == "docker25" {
				if len(entries[0].LayerSources) != 2 {
					t.Errorf("LayerSources = %v", entries[0].LayerSources)
				}
				for _, m := range []string{"oci-layout", "index.json"} {
					if _, ok := members[m]; !ok {
						t.Errorf("missing %s", m)
					}
				}
			}
			// Deterministic output.
			p2 := filepath.Join(dir, name+"-again.tar")
			if err := write(p2, testImage(t), "example.com/app:1.0"); err != nil {
				t.Fatal(err)
			}
			a, _ := os.ReadFile(p)
			b, _ := os.ReadFile(p2)
			if !bytes.Equal(a, b) {
				t.Error("archive is not deterministic")
			}
		})
	}
}

func tarMembers(t *testing.T, p string) map[string][]byte {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]byte{}
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		out[hdr.Name] = b
	}
}

func TestWriteOCI(t *testing.T) {
	amd := MustImage(t, []v1.Layer{MustLayer(t, Tar(File("a", "amd")), Gzip)}, nil, nil)
	arm := testImage(t)
	inner := MustIndex(t,
		Manifest{Image: amd, Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}},
		Manifest{Image: arm, Platform: &v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}},
	)
	idx := MustIndex(t, Manifest{Index: inner, Tag: "v1"})

	dir := filepath.Join(t.TempDir(), "layout")
	if err := WriteOCILayout(dir, idx); err != nil {
		t.Fatal(err)
	}
	got, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	im, err := got.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Manifests) != 1 || im.Manifests[0].Annotations[RefNameAnnotation] != "v1" {
		t.Fatalf("index.json = %+v", im)
	}
	armDigest, _ := arm.Digest()
	innerDigest, _ := inner.Digest()
	gotInner, err := got.ImageIndex(innerDigest)
	if err != nil {
		t.Fatal(err)
	}
	armImg, err := gotInner.Image(armDigest)
	if err != nil {
		t.Fatal(err)
	}
	ls, _ := armImg.Layers()
	wantLs, _ := arm.Layers()
	for i := range ls {
		if !bytes.Equal(readAll(t, ls[i].Compressed), readAll(t, wantLs[i].Compressed)) {
			t.Errorf("layer %d stored bytes differ", i)
		}
	}

	archive := filepath.Join(t.TempDir(), "oci.tar")
	if err := WriteOCIArchive(archive, idx); err != nil {
		t.Fatal(err)
	}
	members := tarMembers(t, archive)
	for _, m := range []string{"oci-layout", "index.json", "blobs/sha256/" + armDigest.Hex} {
		if _, ok := members[m]; !ok {
			t.Errorf("oci archive lacks %s", m)
		}
	}
}
