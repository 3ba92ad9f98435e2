package cli

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	it "github.com/strata-cli/strata/internal/imagetest"
	"github.com/strata-cli/strata/ui"
)

// TestExtractDir: a directory's files, from two layers, land under a
// directory named after it with their contents and exec bits, each layer
// read once however many files it gives; a missing parent fails before
// any layer is read and a file where the directory would go is refused.
func TestExtractDir(t *testing.T) {
	im := loadedImage(t,
		[]it.Entry{it.Dir("etc"), it.File("etc/hosts", "old"), it.File("etc/a/b/c", "deep"), it.File("etc/os", "debian")},
		[]it.Entry{it.File("etc/hosts", "new"), {Name: "etc/run.sh", Size: 4, Mode: 0o755}},
	)
	opens := make([]int, 2)
	for i := range im.layers {
		im.layers[i] = servedLayer{im.layers[i], func(r io.Reader) io.Reader { opens[i]++; return r }}
	}
	files := []ui.ExtractFile{{Layer: 0, Path: "etc/a/b/c"}, {Layer: 1, Path: "etc/hosts"}, {Layer: 0, Path: "etc/os"}, {Layer: 1, Path: "etc/run.sh"}}
	dir := t.TempDir()
	t.Chdir(dir)

	if _, err := im.extractDir(context.Background(), "etc", files, filepath.Join(dir, "nope", "etc"), nil); err == nil ||
		!strings.Contains(err.Error(), filepath.Join(dir, "nope")+" is not a directory") || opens[0]+opens[1] != 0 {
		t.Errorf("into a missing folder: %v, layers opened %v", err, opens)
	}
	if err := os.WriteFile(filepath.Join(dir, "file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := im.extractDir(context.Background(), "etc", files, filepath.Join(dir, "file"), nil); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("onto a file: %v", err)
	}

	var last int64
	dest, err := im.extractDir(context.Background(), "etc", files, "", func(read, _ int64) { last = read })
	if err != nil {
		t.Fatal(err)
	}
	if dest != filepath.Join(dir, "etc") {
		t.Errorf("saved to %s, want ./etc", dest)
	}
	for p, want := range map[string]string{"a/b/c": "deep", "hosts": "new", "os": "debian"} {
		if b, err := os.ReadFile(filepath.Join(dest, p)); err != nil || string(b) != want {
			t.Errorf("%s holds %q (%v), want %q", p, b, err, want)
		}
	}
	if fi, err := os.Stat(filepath.Join(dest, "run.sh")); err != nil || fi.Mode() != 0o755 {
		t.Errorf("run.sh: %v (%v), want 0755", fi.Mode(), err)
	}
	if opens[0] != 1 || opens[1] != 1 {
		t.Errorf("layers opened %v times, want once each", opens)
	}
	s0, _ := im.layers[0].Size()
	if last <= s0 {
		t.Errorf("last progress %d, want past layer 0's %d bytes", last, s0)
	}

	if _, err := im.extractDir(context.Background(), "etc", []ui.ExtractFile{{Layer: 0, Path: "etc/../../x"}}, "", nil); err == nil {
		t.Error("a path climbing out of the directory was saved")
	}
}
