package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	it "github.com/strata-cli/strata/internal/imagetest"
)

// Hostile sources (issue 22, items 3, 7 and 9): files that are not
// regular where a layout, an archive or the cache has a file, nested
// indexes that blow up a naive search, and what a killed run leaves in
// the cache. The images are corpus cases (see corpus); what needs a
// cache is here.

// absentDigest is a digest no test image has.
const absentDigest = "sha256:0000000000000000000000000000000000000000000000000000000000000000"

// fifoAt replaces p with a FIFO nobody writes to.
func fifoAt(t *testing.T, p string) {
	t.Helper()
	os.Remove(p)
	if err := it.MakeFIFO(p); err != nil {
		t.Skipf("making a FIFO: %v", err)
	}
}

// linkAt replaces p with a symlink to target.
func linkAt(t *testing.T, p, target string) {
	t.Helper()
	os.Remove(p)
	if err := os.Symlink(target, p); err != nil {
		t.Skipf("making a symlink: %v", err)
	}
}

// putIndex writes an index of descs as a blob of layout (under its own
// digest unless name is given) and returns its descriptor.
func putIndex(t *testing.T, layout string, name *v1.Hash, descs ...v1.Descriptor) v1.Descriptor {
	t.Helper()
	b, err := json.Marshal(v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex, Manifests: descs})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	h := v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}
	if name != nil {
		h = *name
	}
	if err := os.WriteFile(blobOf(layout, h), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return v1.Descriptor{MediaType: types.OCIImageIndex, Size: int64(len(b)), Digest: h}
}

func setIndexJSON(t *testing.T, layout string, descs ...v1.Descriptor) {
	t.Helper()
	b, err := json.Marshal(v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex, Manifests: descs})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(layout, "index.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func times(d v1.Descriptor, n int) []v1.Descriptor {
	out := make([]v1.Descriptor, n)
	for i := range out {
		out[i] = d
	}
	return out
}

// diamondIndexes makes layout reach its image through levels nested
// indexes, each naming the next fan times: fan^levels paths.
func diamondIndexes(t *testing.T, layout string, levels, fan int) {
	t.Helper()
	d := readIndex(t, layout).Manifests[0]
	for range levels {
		d = putIndex(t, layout, nil, times(d, fan)...)
	}
	setIndexJSON(t, layout, times(d, fan)...)
}

// selfListingIndex makes index.json name, 20 times, a blob that names
// itself 20 times (its file name is not its digest).
func selfListingIndex(t *testing.T, layout string) {
	t.Helper()
	self := v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("ab", 32)}
	d := putIndex(t, layout, &self, times(v1.Descriptor{MediaType: types.OCIImageIndex, Digest: self}, 20)...)
	setIndexJSON(t, layout, times(d, 20)...)
}

// cacheRecords returns the cache's record directory for a run in dir.
func cacheRecords(dir string) string { return filepath.Join(dir, ".strata-cache", "layers-v1") }

// A cache record that is a FIFO or a symlink is skipped, not waited on
// or followed: the analysis completes and the file the link points to
// keeps its times.
func TestCacheRecordNotRegular(t *testing.T) {
	dir := t.TempDir()
	layout := ociLayout(t, dir, it.Gzip, it.Tar(it.SizedFile("a", 10)))
	ref := "oci:" + layout
	if r := run(t, dir, "--json", "-", ref); r.code != exitOK {
		t.Fatalf("first run: exit %d, %s", r.code, r.stderr)
	}
	ents, err := os.ReadDir(cacheRecords(dir))
	if err != nil || len(ents) == 0 {
		t.Fatalf("the first run stored no records (%v)", err)
	}
	outside := filepath.Join(t.TempDir(), "outside")
	os.WriteFile(outside, []byte("not a record"), 0o644)
	old := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	os.Chtimes(outside, old, old)
	for i, e := range ents {
		p := filepath.Join(cacheRecords(dir), e.Name())
		if i%2 == 0 {
			fifoAt(t, p)
		} else {
			linkAt(t, p, outside)
		}
	}
	start := time.Now()
	r := run(t, dir, "--json", "-", ref)
	if r.code != exitOK {
		t.Fatalf("second run: exit %d, %s", r.code, r.stderr)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("second run took %v", d)
	}
	if fi, err := os.Stat(outside); err != nil || !fi.ModTime().Equal(old) {
		t.Errorf("the file a cache record links to was touched: %v, %v", fi.ModTime(), err)
	}
}

// A .tmp- file left by a run killed mid-store goes with `cache prune`
// once stale; a fresh one (a run storing right now) stays.
func TestCachePruneRemovesStaleTemp(t *testing.T) {
	dir := t.TempDir()
	recs := cacheRecords(dir)
	if err := os.MkdirAll(recs, 0o755); err != nil {
		t.Fatal(err)
	}
	stale, fresh := filepath.Join(recs, ".tmp-sha256-aa-1"), filepath.Join(recs, ".tmp-sha256-bb-2")
	os.WriteFile(stale, make([]byte, 1000), 0o644)
	os.WriteFile(fresh, make([]byte, 1000), 0o644)
	then := time.Now().Add(-2 * time.Hour)
	os.Chtimes(stale, then, then)
	if r := run(t, dir, "cache", "prune"); r.code != exitOK {
		t.Fatalf("cache prune: exit %d, %s", r.code, r.stderr)
	}
	if _, err := os.Lstat(stale); err == nil {
		t.Error("cache prune left a stale temporary file")
	}
	if _, err := os.Lstat(fresh); err != nil {
		t.Errorf("cache prune removed a fresh temporary file: %v", err)
	}
}
