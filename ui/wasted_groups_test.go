package ui

import (
	"context"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
)

// TestWastedByFolder: files a later layer deleted together, stored by the
// same layer, are one row named by their folder, with their total; a file
// with other layers stays a row of its own; the sort key lists files, and
// enter on a folder shows it in the layer that stored it.
func TestWastedByFolder(t *testing.T) {
	l0 := it.Tar(it.Dir("usr"), it.Dir("usr/share"), it.Dir("usr/share/doc"), it.Dir("usr/share/doc/a"), it.Dir("usr/share/doc/b"),
		it.SizedFile("usr/share/doc/a/README", 3000), it.SizedFile("usr/share/doc/a/NEWS", 2000), it.SizedFile("usr/share/doc/b/copyright", 1000),
		it.Dir("etc"), it.SizedFile("etc/motd", 500))
	l1 := it.Tar(it.Dir("tmp"), it.SizedFile("tmp/build.log", 700))
	l2 := it.Tar(it.Whiteout("usr/share/doc"), it.Whiteout("tmp/build.log"), it.SizedFile("etc/motd", 10))
	res, err := analyze.Analyze(context.Background(), it.MustImage(t, []v1.Layer{it.MustLayer(t, l0, it.Gzip), it.MustLayer(t, l1, it.Gzip), it.MustLayer(t, l2, it.Gzip)}, nil, nil), analyze.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := newTestModel(t, res, 120, 30)
	press(t, m, "w")
	f := frame(m)
	for _, want := range []string{"6.0 kB  0          2         /usr/share/doc/ (3 files)", "700 B  1          2         /tmp/build.log", "500 B  0          2         /etc/motd"} {
		if !strings.Contains(f, want) {
			t.Errorf("wasted list lacks %q:\n%s", want, f)
		}
	}
	press(t, m, "o")
	if f := frame(m); !strings.Contains(f, "/usr/share/doc/a/README") || strings.Contains(f, "(3 files)") {
		t.Errorf("o did not list the files:\n%s", f)
	}
	press(t, m, "o", "g", "enter")
	if m.overlay != overlayNone || m.tree.layer != 0 || m.tree.cursorPath() != "usr/share/doc" {
		t.Errorf("enter on the folder: overlay %d, layer %d, cursor %q", m.overlay, m.tree.layer, m.tree.cursorPath())
	}
}
