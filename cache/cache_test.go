package cache_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strata-cli/strata/cache"
)

func store(t *testing.T, d *cache.Dir, key string, n int) {
	t.Helper()
	if err := d.Store(key, func(w io.Writer) error {
		_, err := w.Write(bytes.Repeat([]byte{'x'}, n))
		return err
	}); err != nil {
		t.Fatalf("Store(%s): %v", key, err)
	}
}

func read(t *testing.T, d *cache.Dir, key string) (string, error) {
	t.Helper()
	rc, err := d.Open(key)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	return string(b), err
}

func TestStoreAndOpen(t *testing.T) {
	d := cache.New(t.TempDir(), 0)
	store(t, d, "sha256:aa", 3)
	got, err := read(t, d, "sha256:aa")
	if err != nil || got != "xxx" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := read(t, d, "sha256:bb"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing key: err = %v, want not-exist", err)
	}
}

func TestKeysMustBeDigests(t *testing.T) {
	d := cache.New(t.TempDir(), 0)
	for _, key := range []string{"../escape", "sha256:../../x", "sha256:", "plain", "sha256:a/b"} {
		if err := d.Store(key, func(io.Writer) error { return nil }); err == nil {
			t.Errorf("Store(%q) accepted a key that is not a digest", key)
		}
		if _, err := d.Open(key); err == nil {
			t.Errorf("Open(%q) accepted a key that is not a digest", key)
		}
	}
}

func TestFailedWriteLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	d := cache.New(dir, 0)
	err := d.Store("sha256:cc", func(w io.Writer) error {
		w.Write([]byte("half"))
		return errors.New("disk on fire")
	})
	if err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("err = %v", err)
	}
	ents, _ := os.ReadDir(d.Path())
	if len(ents) != 0 {
		t.Errorf("a failed write left %d files behind", len(ents))
	}
}

func TestEvictsLeastRecentlyUsed(t *testing.T) {
	d := cache.New(t.TempDir(), 250)
	old := time.Now().Add(-time.Hour)
	for i, key := range []string{"sha256:01", "sha256:02"} {
		store(t, d, key, 100)
		// Make the order of use explicit rather than trusting clock ticks.
		ts := old.Add(time.Duration(i) * time.Minute)
		os.Chtimes(filepath.Join(d.Path(), strings.Replace(key, ":", "-", 1)), ts, ts)
	}
	if _, err := read(t, d, "sha256:01"); err != nil { // now the most recent
		t.Fatal(err)
	}
	store(t, d, "sha256:03", 100) // 300 > 250: the least recently used goes
	recs, err := d.List()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, r := range recs {
		keys = append(keys, r.Key)
	}
	if got := strings.Join(keys, ","); got != "sha256:03,sha256:01" && got != "sha256:01,sha256:03" {
		t.Errorf("after eviction the cache holds %s, want sha256:01 and sha256:03", got)
	}
	n, err := d.Prune(0)
	if err != nil || n != 2 {
		t.Errorf("Prune(0) removed %d (%v), want 2", n, err)
	}
}
