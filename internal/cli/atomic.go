package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// writeAtomic writes a file through write to a temporary name in the same
// directory and renames it into place, so a reader never sees half a file,
// a failed run leaves the old one alone, and a symlink at path is replaced
// rather than written through.
//
// A path that is, or links to, something other than a regular file (a
// device such as /dev/null, a fifo, /dev/stdout) is written to in place:
// renaming over it would replace a device node with a file, which as root
// breaks /dev for every other program.
func writeAtomic(path string, write func(io.Writer) error) (err error) {
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() && !fi.IsDir() {
		return writeInPlace(path, write)
	}
	return replaceAtomic(path, 0o644, write)
}

// writeNew is writeAtomic for a file whose name came from an image: what
// is at path is never followed or written into. A symlink there is
// replaced by the file; a FIFO, device or socket is refused, since the
// image, not the user, chose to write there.
func writeNew(path string, perm os.FileMode, write func(io.Writer) error) error {
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() && fi.Mode()&os.ModeSymlink == 0 {
		return fmt.Errorf("refusing to write %s: a %s, not a regular file", path, fileKind(fi.Mode()))
	}
	return replaceAtomic(path, perm, write)
}

// fileKind names the type of a file that is not a regular one.
func fileKind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&os.ModeNamedPipe != 0:
		return "FIFO"
	case m&os.ModeDevice != 0:
		return "device"
	case m&os.ModeSocket != 0:
		return "socket"
	}
	return "special file"
}

// replaceAtomic writes to a temporary file beside path and renames it over
// whatever path is, a symlink included (rename replaces the link itself).
func replaceAtomic(path string, perm os.FileMode, write func(io.Writer) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := write(f); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	// CreateTemp makes the file 0600; what strata writes is not a secret.
	if err := f.Chmod(perm); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// writeInPlace writes to an existing non-regular file, never creating one.
func writeInPlace(path string, write func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err == nil {
		err = write(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
