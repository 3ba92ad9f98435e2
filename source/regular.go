package source

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// maxMetadataSize bounds every manifest, index, index.json and config read
// into memory, from a file, an archive member or a registry. The largest
// real ones (multi-platform indexes with attestations, configs with long
// histories) are well under 1 MiB; 64 MiB leaves room for odd images
// while a hostile blob cannot grow memory without end.
const maxMetadataSize = 64 << 20

// openRegular opens the file at p (following symlinks: layouts and
// archives are the user's own files) and refuses anything that is not a
// regular file once opened: a FIFO would block its reader forever, and a
// device such as /dev/zero never ends.
func openRegular(p string) (*os.File, error) {
	f, err := openNoWait(p)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s: %w", p, notRegular(fi.Mode()))
	}
	return f, nil
}

// notRegular says what a file is instead of a regular file.
func notRegular(m fs.FileMode) error {
	what := "not a regular file"
	switch {
	case m.IsDir():
		what = "a directory, not a regular file"
	case m&fs.ModeNamedPipe != 0:
		what = "a FIFO, not a regular file"
	case m&fs.ModeDevice != 0:
		what = "a device, not a regular file"
	case m&fs.ModeSocket != 0:
		what = "a socket, not a regular file"
	}
	return markErr(ErrInvalid, nil, what)
}

// readMetadata reads all of r, failing rather than truncating when it
// holds more than maxMetadataSize bytes. hint, when positive, is the size
// expected: the buffer is allocated once rather than grown by doubling,
// which would cost several times the size.
func readMetadata(r io.Reader, hint int64) ([]byte, error) {
	var buf bytes.Buffer
	if hint > 0 && hint <= maxMetadataSize {
		buf.Grow(int(hint) + bytes.MinRead)
	}
	n, err := io.Copy(&buf, io.LimitReader(r, maxMetadataSize+1))
	if err != nil {
		return nil, err
	}
	if n > maxMetadataSize {
		return nil, errTooLarge()
	}
	return buf.Bytes(), nil
}

func errTooLarge() error {
	return markErr(ErrInvalid, nil, fmt.Sprintf("larger than %d MiB, too large for metadata", maxMetadataSize>>20))
}

// readMetadataFile reads a small regular file such as a layout's
// index.json, bounded by maxMetadataSize.
func readMetadataFile(p string) ([]byte, error) {
	f, err := openRegular(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() > maxMetadataSize {
		return nil, fmt.Errorf("%s: %w", p, errTooLarge())
	}
	b, err := readMetadata(f, fi.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return b, nil
}
