package cli

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
	"github.com/strata-cli/strata/source"
)

// TestArchiveFilesReadInSpans: the explorer's layers from a docker save
// (plain tars) and an OCI archive (gzip) are analyze.RangeOpeners, so a
// file is read from the index, and its bytes are the file's.
func TestArchiveFilesReadInSpans(t *testing.T) {
	const size = 6 << 20 // over the 4 MiB a layer needs for an index
	img := it.MustImage(t, []v1.Layer{it.MustLayer(t, it.Tar(it.File("a", "x"), it.SizedFile("big", size), it.File("z", "end")), it.Gzip)}, nil, nil)
	dir := t.TempDir()
	docker, oci := filepath.Join(dir, "docker.tar"), filepath.Join(dir, "oci.tar")
	if err := it.WriteDockerArchive(docker, img, ""); err != nil {
		t.Fatal(err)
	}
	if err := it.WriteOCIArchive(oci, it.MustIndex(t, it.Manifest{Image: img})); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"docker-archive:" + docker, "oci-archive:" + oci} {
		src, err := source.Open(context.Background(), ref, source.Options{})
		if err != nil {
			t.Fatal(err)
		}
		s := newSession(loadOptions{readsFiles: true}) // as the explorer opens it
		if _, err := s.analyze(context.Background(), src, ref); err != nil {
			t.Fatal(err)
		}
		if _, ok := s.layers[0].(analyze.RangeOpener); !ok {
			t.Errorf("%s: layer %T is no RangeOpener", ref, s.layers[0])
		}
		// Extraction counts its reads for the progress line; the spans survive.
		if l := counted(s.layers[0], func(int64, int64) {}); !isRangeOpener(l) {
			t.Errorf("%s: the extraction's counted layer %T hides OpenRange", ref, l)
		}
		for path, want := range map[string][]byte{"big": it.Filler(size), "z": []byte("end")} {
			rc, err := s.openFile(context.Background(), 0, path)
			if err != nil {
				t.Fatalf("%s: %s: %v", ref, path, err)
			}
			got, err := io.ReadAll(rc)
			rc.Close()
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s: %s: %d bytes (%v), want %d", ref, path, len(got), err, len(want))
			}
		}
		s.close()
	}
}

func isRangeOpener(l any) bool { _, ok := l.(analyze.RangeOpener); return ok }
