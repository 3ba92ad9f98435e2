package imagetest

import (
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// CompareFixtures writes into dir two docker-archives of a three-step
// build whose second step copies a source file that changed between them
// (same size, other content) and whose third step's output grew: the
// smallest pair that exercises every part of strata compare.
func CompareFixtures(t TB, dir string) (oldPath, newPath string) {
	t.Helper()
	hist := []v1.History{{CreatedBy: "COPY busybox /bin/busybox"}, {CreatedBy: "COPY app /app"}, {CreatedBy: "RUN make"}}
	mk := func(name, src string, out int64) string {
		img := MustImage(t, []v1.Layer{
			MustLayer(t, Tar(Dir("bin"), SizedFile("bin/busybox", 5000)), Gzip),
			MustLayer(t, Tar(Dir("app"), File("app/main.c", src), File("app/README", "hi")), Gzip),
			MustLayer(t, Tar(SizedFile("app/out", out)), Gzip),
		}, hist, nil)
		p := filepath.Join(dir, name)
		if err := WriteDockerArchive(p, img, "app:"+name); err != nil {
			t.Fatalf("imagetest.CompareFixtures: %v", err)
		}
		return p
	}
	return mk("old.tar", "int v=1;", 100), mk("new.tar", "int v=2;", 300)
}
