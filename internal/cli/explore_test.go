package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	it "github.com/strata-cli/strata/internal/imagetest"
)

// loadedImage returns an explorer image loaded from layers of entries.
func loadedImage(t *testing.T, layers ...[]it.Entry) *session {
	t.Helper()
	var ls []v1.Layer
	for _, entries := range layers {
		ls = append(ls, it.MustLayer(t, it.Tar(entries...), it.Gzip))
	}
	im := newSession(loadOptions{})
	if _, err := im.analyze(context.Background(), it.MustImage(t, ls, nil, nil), "test"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(im.close)
	return im
}

// dirNames lists dir, hidden temporary files included.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// TestExtract: a file is saved under its base name in the working
// directory, with exactly its content, and nothing else is left there.
func TestExtract(t *testing.T) {
	im := loadedImage(t,
		[]it.Entry{it.File("etc/app/config.yaml", "v1\n")},
		[]it.Entry{it.File("etc/app/config.yaml", "v2\n"), it.Hardlink("etc/link", "etc/app/config.yaml")},
	)
	dir := t.TempDir()
	t.Chdir(dir)
	for _, tc := range []struct {
		layer      int
		path, want string
		file       string
	}{
		{0, "etc/app/config.yaml", "v1\n", "config.yaml"},
		{1, "etc/app/config.yaml", "v2\n", "config.yaml"},
		{1, "etc/link", "v2\n", "link"},
	} {
		dest, err := im.extract(context.Background(), tc.layer, tc.path, "", nil)
		if err != nil {
			t.Fatalf("extract(%d, %s): %v", tc.layer, tc.path, err)
		}
		if want := filepath.Join(dir, tc.file); dest != want {
			t.Errorf("extract(%d, %s) wrote %s, want %s", tc.layer, tc.path, dest, want)
		}
		b, err := os.ReadFile(dest)
		if err != nil || string(b) != tc.want {
			t.Errorf("%s holds %q (%v), want %q", dest, b, err, tc.want)
		}
		if fi, err := os.Lstat(dest); err != nil || fi.Mode() != 0o644 {
			t.Errorf("%s: mode %v (%v), want a plain 0644 file", dest, fi.Mode(), err)
		}
	}
	if got := dirNames(t, dir); strings.Join(got, ",") != "config.yaml,link" {
		t.Errorf("directory holds %q, want only config.yaml and link", got)
	}
}

// TestExtractReplacesNotWritesThrough: a symlink or a hard link already at
// the destination is replaced by a new file; what it pointed to outside
// the directory keeps its content.
func TestExtractReplacesNotWritesThrough(t *testing.T) {
	im := loadedImage(t, []it.Entry{it.File("home/app/.bashrc", "from the image\n")})
	outside := filepath.Join(t.TempDir(), "victim")
	const orig = "outside, must not change\n"
	for name, plant := range map[string]func(dest string) error{
		"symlink":   func(dest string) error { return os.Symlink(outside, dest) },
		"hard link": func(dest string) error { return os.Link(outside, dest) },
		"dangling symlink": func(dest string) error {
			os.Remove(outside)
			return os.Symlink(outside, dest)
		},
	} {
		t.Run(name, func(t *testing.T) {
			if name != "dangling symlink" {
				if err := os.WriteFile(outside, []byte(orig), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			dir := t.TempDir()
			t.Chdir(dir)
			dest := filepath.Join(dir, ".bashrc")
			if err := plant(dest); err != nil {
				t.Fatal(err)
			}
			if _, err := im.extract(context.Background(), 0, "home/app/.bashrc", "", nil); err != nil {
				t.Fatal(err)
			}
			if fi, err := os.Lstat(dest); err != nil || !fi.Mode().IsRegular() {
				t.Fatalf("%s is %v (%v), want a regular file", dest, fi.Mode(), err)
			}
			if b, _ := os.ReadFile(dest); string(b) != "from the image\n" {
				t.Errorf("%s holds %q", dest, b)
			}
			b, err := os.ReadFile(outside)
			switch {
			case name == "dangling symlink" && !errors.Is(err, os.ErrNotExist):
				t.Errorf("the symlink's target was created: %q, %v", b, err)
			case name != "dangling symlink" && string(b) != orig:
				t.Errorf("the link's target now holds %q, want %q", b, orig)
			}
		})
	}
}

// servedLayer serves a layer's stored bytes through serve, as a flaky or
// slow registry connection would.
type servedLayer struct {
	v1.Layer
	serve func(io.Reader) io.Reader
}

func (l servedLayer) Compressed() (io.ReadCloser, error) {
	rc, err := l.Layer.Compressed()
	if err != nil {
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{l.serve(rc), rc}, nil
}

// failingLayer serves a layer's stored bytes cut off after n of them, as a
// registry connection that drops mid-blob would.
func failingLayer(l v1.Layer, n int64) v1.Layer {
	return servedLayer{l, func(r io.Reader) io.Reader { return io.MultiReader(io.LimitReader(r, n), errReader{}) }}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

// TestExtractIsAtomic: when the content cannot be read to its end, the
// file already there is left as it was and no temporary file remains.
func TestExtractIsAtomic(t *testing.T) {
	big := it.SizedFile("var/data.bin", 1<<20)
	im := loadedImage(t, []it.Entry{big})
	// The stored layer is uncompressible filler: cut it half-way through
	// the file's content.
	im.layers[0] = failingLayer(im.layers[0], 512<<10)
	dir := t.TempDir()
	t.Chdir(dir)
	dest := filepath.Join(dir, "data.bin")
	if err := os.WriteFile(dest, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := im.extract(context.Background(), 0, "var/data.bin", "", nil)
	if err == nil || !strings.Contains(err.Error(), "writing "+dest) || !strings.Contains(err.Error(), "connection reset") {
		t.Fatalf("extract = %v, want a failure naming %s", err, dest)
	}
	if b, _ := os.ReadFile(dest); !bytes.Equal(b, []byte("old")) {
		t.Errorf("%s holds %d bytes, want the old file untouched", dest, len(b))
	}
	if got := dirNames(t, dir); strings.Join(got, ",") != "data.bin" {
		t.Errorf("directory holds %q, want only data.bin", got)
	}
}

// TestExtractRefusesUnusableNames: nothing is written for a path whose
// base name is empty, "." or "..", or would name another directory.
func TestExtractRefusesUnusableNames(t *testing.T) {
	im := loadedImage(t, []it.Entry{it.File("etc/passwd", "root\n")})
	dir := t.TempDir()
	t.Chdir(dir)
	for _, p := range []string{"", ".", "..", "/", "etc/..", "etc/passwd/..", `..\..\evil`, `etc\passwd`} {
		_, err := im.extract(context.Background(), 0, p, "", nil)
		if err == nil || !strings.Contains(err.Error(), "no usable file name") {
			t.Errorf("extract(%q) = %v, want it refused", p, err)
		}
	}
	// A path that climbs out is not in the image, and only its base name
	// could ever be used.
	if _, err := im.extract(context.Background(), 0, "../../etc/passwd", "", nil); err == nil {
		t.Error(`extract("../../etc/passwd") succeeded`)
	}
	if got := dirNames(t, dir); len(got) != 0 {
		t.Errorf("directory holds %q, want nothing", got)
	}
}

// TestExtractTo: X's destination is a directory (existing, or written with
// a trailing slash), a file name, or under ~/; the current directory is
// left alone.
func TestExtractTo(t *testing.T) {
	im := loadedImage(t, []it.Entry{it.File("etc/app/config.yaml", "v1\n")})
	cwd, out, home := t.TempDir(), t.TempDir(), t.TempDir()
	t.Chdir(cwd)
	t.Setenv("HOME", home)
	if err := os.Mkdir(filepath.Join(out, "existing"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ to, want string }{
		{filepath.Join(out, "existing"), filepath.Join(out, "existing", "config.yaml")},
		{filepath.Join(out, "existing") + "/", filepath.Join(out, "existing", "config.yaml")},
		{filepath.Join(out, "renamed.yaml"), filepath.Join(out, "renamed.yaml")},
		{"~/saved.yaml", filepath.Join(home, "saved.yaml")},
		{"~/", filepath.Join(home, "config.yaml")},
		{"rel/../here.yaml", filepath.Join(cwd, "here.yaml")},
	} {
		dest, err := im.extract(context.Background(), 0, "etc/app/config.yaml", tc.to, nil)
		if err != nil {
			t.Errorf("extract to %q: %v", tc.to, err)
			continue
		}
		if abs, _ := filepath.Abs(dest); abs != tc.want {
			t.Errorf("extract to %q wrote %s, want %s", tc.to, dest, tc.want)
		}
		if b, err := os.ReadFile(tc.want); err != nil || string(b) != "v1\n" {
			t.Errorf("%s holds %q (%v)", tc.want, b, err)
		}
	}
	// A directory that does not exist is not made up.
	if _, err := im.extract(context.Background(), 0, "etc/app/config.yaml", filepath.Join(out, "missing")+"/", nil); err == nil {
		t.Error("extract into a missing directory succeeded")
	}
	if got := dirNames(t, cwd); strings.Join(got, ",") != "here.yaml" {
		t.Errorf("the working directory holds %v", got)
	}
}
