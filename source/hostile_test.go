//go:build unix

package source

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// replaceWithFIFO turns p into a FIFO with no writer. Should a reader
// wait on it anyway (the bug), cleanup opens and closes a writer so that
// the reader sees EOF and its goroutine ends.
func replaceWithFIFO(t *testing.T, p string) {
	t.Helper()
	os.Remove(p)
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unblockFIFO(p) })
}

func unblockFIFO(p string) {
	if w, err := os.OpenFile(p, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
		w.Close()
	}
}

func replaceWithSymlink(t *testing.T, p, target string) {
	t.Helper()
	os.Remove(p)
	if err := os.Symlink(target, p); err != nil {
		t.Fatal(err)
	}
}

func TestNonRegularLayoutFiles(t *testing.T) {
	tests := []struct {
		name  string
		spoil func(t *testing.T, dir, manifest, config, layer string)
		fifo  func(dir, manifest, config, layer string) string // the FIFO, if any
		want  string
	}{
		{
			name:  "index.json is a FIFO",
			spoil: func(t *testing.T, dir, _, _, _ string) { replaceWithFIFO(t, filepath.Join(dir, "index.json")) },
			fifo:  func(dir, _, _, _ string) string { return filepath.Join(dir, "index.json") },
			want:  "index.json: a FIFO, not a regular file",
		},
		{
			name: "index.json links to /dev/zero",
			spoil: func(t *testing.T, dir, _, _, _ string) {
				replaceWithSymlink(t, filepath.Join(dir, "index.json"), "/dev/zero")
			},
			want: "index.json: a device, not a regular file",
		},
		{
			name:  "manifest blob is a FIFO",
			spoil: func(t *testing.T, _, manifest, _, _ string) { replaceWithFIFO(t, manifest) },
			fifo:  func(_, manifest, _, _ string) string { return manifest },
			want:  "a FIFO, not a regular file",
		},
		{
			name:  "config blob is a FIFO",
			spoil: func(t *testing.T, _, _, config, _ string) { replaceWithFIFO(t, config) },
			fifo:  func(_, _, config, _ string) string { return config },
			want:  "a FIFO, not a regular file",
		},
		{
			name:  "config blob links to /dev/zero",
			spoil: func(t *testing.T, _, _, config, _ string) { replaceWithSymlink(t, config, "/dev/zero") },
			want:  "a device, not a regular file",
		},
		{
			name:  "layer blob is a FIFO",
			spoil: func(t *testing.T, _, _, _, layer string) { replaceWithFIFO(t, layer) },
			fifo:  func(_, _, _, layer string) string { return layer },
			want:  "a FIFO, not a regular file",
		},
		{
			name: "index.json larger than the metadata bound",
			spoil: func(t *testing.T, dir, _, _, _ string) {
				// Sparse: costs no disk, and the old code read it whole.
				p := filepath.Join(dir, "index.json")
				if err := os.Truncate(p, maxMetadataSize+1); err != nil {
					t.Fatal(err)
				}
			},
			want: "index.json: larger than 64 MiB, too large for metadata",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir, manifest, config, layer := hostileLayout(t)
			tc.spoil(t, dir, manifest, config, layer)
			unblock := func() {}
			if tc.fifo != nil {
				p := tc.fifo(dir, manifest, config, layer)
				unblock = func() { unblockFIFO(p) }
			}
			err := openWithin(t, "oci:"+dir, 5*time.Second, unblock)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("err = %v, want it to match ErrInvalid", err)
			}
		})
	}
}

// An archive that is a device never ends: it is refused, not read. (A
// FIFO is read, as a pipe: see TestOpenArchiveFromPipe and
// TestFIFOWithoutWriterIsCancelable.)
func TestNonRegularArchive(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "zero.tar")
	replaceWithSymlink(t, link, "/dev/zero")
	for _, ref := range []string{link, "oci-archive:" + link, "docker-archive:" + link} {
		err := openWithin(t, ref, 5*time.Second, func() {})
		if err == nil || !strings.Contains(err.Error(), "a device, not a regular file") {
			t.Errorf("Open(%q) = %v, want a not-a-regular-file error", ref, err)
		}
	}
}

// A blob whose bytes are not what its digest says is refused: an index
// blob could otherwise list itself.
func TestMetadataBlobDigestChecked(t *testing.T) {
	_, manifest, _, _ := hostileLayout(t)
	b, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	// Still a valid manifest, but no longer the one the digest names.
	if err := os.WriteFile(manifest, append(bytes.TrimSpace(b), ' ', '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(filepath.Dir(filepath.Dir(manifest)))
	_, err = Open(context.Background(), "oci:"+dir, Options{})
	if err == nil || !strings.Contains(err.Error(), "content does not match its digest") || !errors.Is(err, ErrInvalid) {
		t.Fatalf("err = %v, want a digest mismatch matching ErrInvalid", err)
	}
}
