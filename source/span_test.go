package source

import (
	"bytes"
	"context"
	"io"
	"testing"
)

// TestArchiveLayersServeSpans: the layers of a docker save, an OCI layout
// and an OCI archive answer OpenRange with the bytes of their blob at that
// span, cut where the blob ends, and refuse a span that starts past it.
func TestArchiveLayersServeSpans(t *testing.T) {
	img := fixture(t, nil)
	dir := t.TempDir()
	classic, ociDir, ociTar := writeArchives(t, dir, img)
	type ranger interface {
		OpenRange(ctx context.Context, offset, length int64) (io.ReadCloser, error)
	}
	for _, ref := range []string{"docker-archive:" + classic, "oci:" + ociDir, "oci-archive:" + ociTar} {
		ls, err := mustOpen(t, ref, Options{}).Layers()
		if err != nil || len(ls) == 0 {
			t.Fatalf("%s: %d layers, %v", ref, len(ls), err)
		}
		for i, l := range ls {
			r, ok := l.(ranger)
			if !ok {
				t.Fatalf("%s: layer %d (%T) has no OpenRange", ref, i, l)
			}
			blob := readAll(t, l.Compressed)
			n := int64(len(blob))
			for _, sp := range [][2]int64{{0, n}, {0, 1}, {n / 2, n / 4}, {n - 3, 100}, {n, 10}} {
				rc, err := r.OpenRange(context.Background(), sp[0], sp[1])
				if err != nil {
					t.Fatalf("%s: layer %d: OpenRange(%d, %d): %v", ref, i, sp[0], sp[1], err)
				}
				got, err := io.ReadAll(rc)
				rc.Close()
				if want := blob[sp[0]:min(n, sp[0]+sp[1])]; err != nil || !bytes.Equal(got, want) {
					t.Errorf("%s: layer %d: span %v gave %d bytes (%v), want %d", ref, i, sp, len(got), err, len(want))
				}
			}
			if _, err := r.OpenRange(context.Background(), n+1, 1); err == nil {
				t.Errorf("%s: layer %d: a span past the blob's end opened", ref, i)
			}
		}
	}
}
