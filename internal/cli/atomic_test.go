package cli

import (
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestWriteAtomicLeavesSpecialFilesInPlace: a fifo, or a symlink to one
// (what /dev/stdout is), is written to, not replaced by a regular file;
// the same goes for devices such as /dev/null, which a rename would turn
// into a file for every program on the machine.
func TestWriteAtomicLeavesSpecialFilesInPlace(t *testing.T) {
	for _, viaLink := range []bool{false, true} {
		dir := t.TempDir()
		fifo := filepath.Join(dir, "fifo")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
		path := fifo
		if viaLink {
			path = filepath.Join(dir, "out")
			if err := os.Symlink(fifo, path); err != nil {
				t.Fatal(err)
			}
		}
		// The reader is open before the write (so the writer's open does
		// not wait) and never waits itself: with no writer left it reads EOF.
		r, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := writeAtomic(path, func(w io.Writer) error {
			_, err := io.WriteString(w, "report\n")
			return err
		}); err != nil {
			t.Fatalf("link %v: %v", viaLink, err)
		}
		b, _ := io.ReadAll(r)
		r.Close()
		if string(b) != "report\n" {
			t.Errorf("link %v: the fifo's reader got %q", viaLink, b)
		}
		fi, err := os.Lstat(path)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[bool]os.FileMode{false: os.ModeNamedPipe, true: os.ModeSymlink}[viaLink]; fi.Mode().Type() != want {
			t.Errorf("link %v: %s is now %v, want %v", viaLink, path, fi.Mode().Type(), want)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != map[bool]int{false: 1, true: 2}[viaLink] {
			t.Errorf("link %v: %d files left in the directory, want no temporary file", viaLink, len(entries))
		}
	}
}

// TestWriteAtomicDevice writes to a private copy of /dev/null (root only,
// as CI runs) and checks it is still a device afterwards.
func TestWriteAtomicDevice(t *testing.T) {
	path := filepath.Join(t.TempDir(), "null")
	if err := syscall.Mknod(path, syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
		t.Skipf("mknod needs root: %v", err)
	}
	if err := writeAtomic(path, func(w io.Writer) error {
		_, err := io.WriteString(w, "report\n")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&os.ModeCharDevice == 0 {
		t.Errorf("%s is now %v, want a character device", path, fi.Mode())
	}
}

// TestWriteAtomicReplacesRegularFiles: a regular file, or a symlink to one,
// is replaced whole by a new regular file; the link's target is untouched.
func TestWriteAtomicReplacesRegularFiles(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := writeAtomic(link, func(w io.Writer) error {
		_, err := io.WriteString(w, "new")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(target); string(b) != "old" {
		t.Errorf("target = %q, want it untouched", b)
	}
	fi, err := os.Lstat(link)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(link); !fi.Mode().IsRegular() || string(b) != "new" {
		t.Errorf("link is %v holding %q, want a regular file holding \"new\"", fi.Mode(), b)
	}
}
