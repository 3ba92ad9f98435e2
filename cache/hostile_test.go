//go:build unix

package cache_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/strata-cli/strata/cache"
)

// A record that is a FIFO is refused at once, not waited on.
func TestOpenRefusesFIFORecord(t *testing.T) {
	d := cache.New(t.TempDir(), 0)
	store(t, d, "sha256:aa", 1) // creates the directory
	p := filepath.Join(d.Path(), "sha256-ff")
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := read(t, d, "sha256:ff"); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Fatalf("err = %v, want a not-a-regular-file error", err)
		}
	case <-time.After(5 * time.Second):
		// Give the stuck reader a writer so the goroutine ends.
		if w, err := os.OpenFile(p, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
		t.Fatal("Open of a FIFO record still waiting after 5s")
	}
}

// A record that is a symlink is neither read nor followed by the
// last-use update: the file it points to keeps its times and contents.
func TestOpenDoesNotFollowSymlinkRecord(t *testing.T) {
	d := cache.New(t.TempDir(), 0)
	store(t, d, "sha256:aa", 1)
	outside := filepath.Join(t.TempDir(), "outside")
	if err := os.WriteFile(outside, []byte("not a record"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := os.Chtimes(outside, old, old); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(d.Path(), "sha256-ee")); err != nil {
		t.Fatal(err)
	}
	got, err := read(t, d, "sha256:ee")
	if err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("Open = %q, %v; want a not-a-regular-file error", got, err)
	}
	fi, err := os.Stat(outside)
	if err != nil {
		t.Fatal(err)
	}
	if !fi.ModTime().Equal(old) {
		t.Errorf("the file outside the cache was touched: mtime %v, want %v", fi.ModTime(), old)
	}
}

// What a killed run leaves (a .tmp- file) goes once it is stale, by
// Prune and by the size bound every Store applies; a fresh one may be
// another run's write in progress and stays. Planted non-regular entries
// go too, without touching what a symlink points to.
func TestPruneRemovesLeftovers(t *testing.T) {
	for _, via := range []string{"prune", "store"} {
		t.Run(via, func(t *testing.T) {
			d := cache.New(t.TempDir(), 0)
			store(t, d, "sha256:aa", 1)
			stale := filepath.Join(d.Path(), ".tmp-sha256-bb-123")
			fresh := filepath.Join(d.Path(), ".tmp-sha256-cc-456")
			for _, p := range []string{stale, fresh} {
				if err := os.WriteFile(p, []byte("half a record"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			then := time.Now().Add(-cache.StaleTempAge - time.Minute)
			if err := os.Chtimes(stale, then, then); err != nil {
				t.Fatal(err)
			}
			outside := filepath.Join(t.TempDir(), "outside")
			os.WriteFile(outside, []byte("keep me"), 0o644)
			link := filepath.Join(d.Path(), "sha256-dd")
			if err := os.Symlink(outside, link); err != nil {
				t.Fatal(err)
			}
			if via == "prune" {
				if n, err := d.Prune(1 << 20); err != nil || n != 0 {
					t.Fatalf("Prune = %d, %v; want 0 records removed", n, err)
				}
			} else {
				store(t, d, "sha256:ab", 1)
			}
			for p, want := range map[string]bool{stale: false, fresh: true, link: false, outside: true} {
				_, err := os.Lstat(p)
				if exists := err == nil; exists != want {
					t.Errorf("%s exists = %v, want %v", filepath.Base(p), exists, want)
				}
			}
			if got, err := read(t, d, "sha256:aa"); err != nil || got != "x" {
				t.Errorf("record sha256:aa = %q, %v; want it kept", got, err)
			}
		})
	}
}
