package source

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/strata-cli/strata/internal/imagetest"
)

// hostileLayout writes a one-image OCI layout and returns its directory
// and the paths of its manifest, config and only layer blob.
func hostileLayout(t *testing.T) (dir, manifest, config, layer string) {
	t.Helper()
	img := imagetest.MustImage(t, []v1.Layer{imagetest.MustLayer(t, imagetest.Tar(imagetest.File("a", "x")), imagetest.Gzip)}, nil, nil)
	dir = filepath.Join(t.TempDir(), "layout")
	if err := imagetest.WriteOCILayout(dir, imagetest.MustIndex(t, imagetest.Manifest{Image: img})); err != nil {
		t.Fatal(err)
	}
	blob := func(h v1.Hash) string { return filepath.Join(dir, "blobs", h.Algorithm, h.Hex) }
	md, _ := img.Digest()
	cd, _ := img.ConfigName()
	ls, _ := img.Layers()
	ld, _ := ls[0].Digest()
	return dir, blob(md), blob(cd), blob(ld)
}

// openWithin opens ref and fails the test if that takes longer than d,
// instead of hanging the test binary.
func openWithin(t *testing.T, ref string, d time.Duration, unblock func()) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		img, err := Open(context.Background(), ref, Options{})
		if err == nil {
			_, err = img.ConfigFile()
		}
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		// A reader of /dev/zero cannot be stopped: leave it to the
		// failing test binary's exit.
		unblock()
		t.Fatalf("Open(%q) still running after %v", ref, d)
		return nil
	}
}

// writeBlob stores b in the layout at dir under name (its digest, unless
// a test lies) and returns a descriptor of it.
func writeBlob(t *testing.T, dir string, mt types.MediaType, b []byte, name v1.Hash) v1.Descriptor {
	t.Helper()
	p := filepath.Join(dir, "blobs", name.Algorithm, name.Hex)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return v1.Descriptor{MediaType: mt, Size: int64(len(b)), Digest: name}
}

func indexJSON(t *testing.T, descs ...v1.Descriptor) []byte {
	t.Helper()
	b, err := json.Marshal(v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex, Manifests: descs})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func repeat(d v1.Descriptor, n int) []v1.Descriptor {
	out := make([]v1.Descriptor, n)
	for i := range out {
		out[i] = d
	}
	return out
}

// diamondLayout writes a layout whose index.json reaches the one image
// through levels nested indexes, each listing the next fan times: a walk
// without a visited set reads fan^levels indexes.
func diamondLayout(t *testing.T, levels, fan int) string {
	t.Helper()
	dir, manifest, _, _ := hostileLayout(t)
	b, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	h, _, _ := v1.SHA256(strings.NewReader(string(b)))
	d := v1.Descriptor{MediaType: types.OCIManifestSchema1, Size: int64(len(b)), Digest: h}
	for range levels {
		b := indexJSON(t, repeat(d, fan)...)
		h, _, _ := v1.SHA256(strings.NewReader(string(b)))
		d = writeBlob(t, dir, types.OCIImageIndex, b, h)
	}
	if err := os.WriteFile(filepath.Join(dir, "index.json"), indexJSON(t, repeat(d, fan)...), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

const absent = "sha256:0000000000000000000000000000000000000000000000000000000000000000"

func TestIndexWalkVisitsEachIndexOnce(t *testing.T) {
	dir := diamondLayout(t, 7, 20) // 20^7 paths to the image
	start := time.Now()
	err := openWithin(t, "oci:"+dir+"@"+absent, 10*time.Second, func() {})
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("absent digest: err = %v, want ErrNotFound", err)
	}
	if err := openWithin(t, "oci:"+dir, 10*time.Second, func() {}); err != nil {
		t.Errorf("no selector: %v", err)
	}
	t.Logf("both walks took %v", time.Since(start))
}

// An index blob that lists itself (its file name is not its digest) is
// refused by the digest check rather than walked round.
func TestIndexListingItself(t *testing.T) {
	dir, _, _, _ := hostileLayout(t)
	self := v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("ab", 32)}
	d := v1.Descriptor{MediaType: types.OCIImageIndex, Digest: self}
	d = writeBlob(t, dir, types.OCIImageIndex, indexJSON(t, repeat(d, 20)...), self)
	if err := os.WriteFile(filepath.Join(dir, "index.json"), indexJSON(t, repeat(d, 20)...), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"oci:" + dir + "@" + absent, "oci:" + dir} {
		err := openWithin(t, ref, 10*time.Second, func() {})
		if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "does not match its digest") {
			t.Errorf("Open(%s): err = %v, want a digest mismatch", ref, err)
		}
	}
}

// An error below a nested index is reported, not taken for "not there".
func TestIndexWalkReportsChildErrors(t *testing.T) {
	dir, _, _, _ := hostileLayout(t)
	bad := []byte("{not json")
	h, _, _ := v1.SHA256(strings.NewReader(string(bad)))
	grand := writeBlob(t, dir, types.OCIImageIndex, bad, h)
	child := indexJSON(t, grand)
	h, _, _ = v1.SHA256(strings.NewReader(string(child)))
	d := writeBlob(t, dir, types.OCIImageIndex, child, h)
	if err := os.WriteFile(filepath.Join(dir, "index.json"), indexJSON(t, d), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), "oci:"+dir+"@"+absent, Options{})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "parsing index "+grand.Digest.String()) {
		t.Errorf("err = %v, want the grandchild's parse error", err)
	}
}

// Walks stop when the context is canceled, between index reads.
func TestIndexWalkCanceled(t *testing.T) {
	dir := diamondLayout(t, 2, 3)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := openOCIDirAt(ctx, "oci:"+dir, dir, selector{digest: absent}, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}
