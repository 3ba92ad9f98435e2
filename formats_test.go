package main

import (
	"encoding/json"
	"path/filepath"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	it "github.com/strata-cli/strata/internal/imagetest"
	"github.com/strata-cli/strata/report"
)

// TestEveryArchiveFormatGivesTheSameNumbers writes one image, with an
// overwrite, a file and a directory whiteout and an opaque directory, in
// every archive format strata reads, and checks each reports the exact
// numbers worked out by hand from the definitions.
func TestEveryArchiveFormatGivesTheSameNumbers(t *testing.T) {
	for _, c := range []it.Compression{it.Gzip, it.Zstd, it.Uncompressed} {
		t.Run(c.String(), func(t *testing.T) {
			layer := func(entries ...it.Entry) v1.Layer { return it.MustLayer(t, it.Tar(entries...), c) }
			img := it.MustImage(t, []v1.Layer{
				layer(it.Dir("etc/"), it.SizedFile("etc/conf", 100), it.SizedFile("bin/tool", 1000), it.SizedFile("cache/a", 300), it.SizedFile("cache/b", 200)),
				layer(it.SizedFile("etc/conf", 120), it.Whiteout("cache"), it.SizedFile("srv/x", 50)),
				layer(it.Dir("srv/"), it.Opaque("srv"), it.SizedFile("srv/y", 7)),
			}, []v1.History{{CreatedBy: "ADD rootfs"}, {CreatedBy: "ENV A=1", EmptyLayer: true}, {CreatedBy: "RUN edit"}, {CreatedBy: "COPY srv"}}, nil)
			idx := it.MustIndex(t, it.Manifest{Image: img, Tag: "v1"})
			dir := t.TempDir()
			refs := map[string]string{}
			write := func(name string, f func(string) error) string {
				p := filepath.Join(dir, name)
				if err := f(p); err != nil {
					t.Fatal(err)
				}
				return p
			}
			refs["docker-archive"] = "docker-archive:" + write("classic.tar", func(p string) error { return it.WriteDockerArchive(p, img, "app:v1") })
			refs["docker 25+ archive"] = "docker-archive:" + write("d25.tar", func(p string) error { return it.WriteDocker25Archive(p, img, "app:v1") })
			refs["oci"] = "oci:" + write("layout", func(p string) error { return it.WriteOCILayout(p, idx) }) + ":v1"
			refs["oci-archive"] = "oci-archive:" + write("oci.tar", func(p string) error { return it.WriteOCIArchive(p, idx) })
			refs["bare path"] = filepath.Join(dir, "d25.tar")

			// By hand: sizes 1600, 170, 7 = 1777. Hidden: etc/conf@0 (100),
			// cache/a and cache/b (500), srv/x (50). Visible: etc/conf 120,
			// bin/tool 1000, srv/y 7 = 1127; wasted = 650.
			wantLayers := [][5]int64{ // added, modified, removed, fileCount, wasted
				{4, 0, 0, 4, 600},
				{1, 1, 2, 2, 50},
				{1, 0, 1, 1, 0},
			}
			for name, ref := range refs {
				r := run(t, dir, "--json", "-", ref)
				if r.code != exitOK {
					t.Fatalf("%s: exit %d: %s", name, r.code, r.stderr)
				}
				var rep report.JSONReport
				if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				im := rep.Image
				if im.SizeBytes != 1777 || im.WastedBytes != 650 || im.FileCount != 3 || im.UserWastedBytes != 50 {
					t.Errorf("%s: size %d wasted %d files %d userWasted %d, want 1777 650 3 50", name, im.SizeBytes, im.WastedBytes, im.FileCount, im.UserWastedBytes)
				}
				if want := 1 - 650.0/1777; im.Efficiency != want {
					t.Errorf("%s: efficiency %v, want %v", name, im.Efficiency, want)
				}
				if want := 50.0 / 177; im.UserWastedPercent != want {
					t.Errorf("%s: userWastedPercent %v, want %v", name, im.UserWastedPercent, want)
				}
				for i, w := range wantLayers {
					l := rep.Layers[i]
					got := [5]int64{int64(l.Added), int64(l.Modified), int64(l.Removed), int64(l.FileCount), l.WastedBytes}
					if got != w {
						t.Errorf("%s: layer %d {added modified removed files wasted} = %v, want %v", name, i, got, w)
					}
				}
				if len(rep.History) != 4 || rep.History[1].LayerIndex != nil || *rep.History[3].LayerIndex != 2 {
					t.Errorf("%s: history does not map steps to layers: %+v", name, rep.History)
				}
			}
		})
	}
}
