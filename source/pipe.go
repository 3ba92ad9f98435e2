package source

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// stdinRef is the reference that names the archive on Options.Stdin.
const stdinRef = "-"

// indexArchive indexes the tar archive at p, or, when p is "-", the one
// on opts.Stdin. A regular file is read in place. A pipe (stdin, a FIFO,
// /dev/fd/N) cannot seek, and an archive's manifest may come last, so its
// bytes are first copied to a temporary file that is unlinked at once, as
// a daemon's save stream is (see saveToTemp). release frees that file; it
// is nil when there is none.
func indexArchive(ctx context.Context, p string, opts Options) (idx *tarIndex, release func() error, err error) {
	if p == stdinRef {
		return indexStdin(ctx, opts.Stdin, opts.Config)
	}
	f, err := openNoWait(p)
	if err != nil {
		return nil, nil, err
	}
	defer func() { f.Close() }()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	switch m := fi.Mode(); {
	case m.IsRegular():
		idx, err := indexTarFile(f, p)
		return idx, nil, err
	case isStream(m):
		if m&fs.ModeNamedPipe != 0 {
			f.Close()
			if f, err = openFIFO(ctx, p); err != nil {
				return nil, nil, err
			}
		}
		// Closing the file is what interrupts a read that waits on the
		// writer when ctx ends.
		stop := context.AfterFunc(ctx, func() { f.Close() })
		defer stop()
		return spoolArchive(ctx, f, p, opts.Config)
	default:
		// A device such as /dev/zero never ends; a directory is no tar.
		return nil, nil, fmt.Errorf("%s: %w", p, notRegular(m))
	}
}

// indexStdin indexes the archive on r, the process's standard input.
func indexStdin(ctx context.Context, r io.Reader, config func(*v1.ConfigFile)) (*tarIndex, func() error, error) {
	const what = "standard input"
	if r == nil {
		return nil, nil, fmt.Errorf("reference %q: %s is not available here: %w", stdinRef, what, ErrUnsupported)
	}
	if f, ok := r.(*os.File); ok {
		fi, err := f.Stat()
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", what, err)
		}
		switch m := fi.Mode(); {
		case m.IsRegular(): // strata - < app.tar
			idx, err := indexTarFile(f, what)
			if err != nil {
				return nil, nil, err
			}
			idx.file = f
			return idx, nil, nil
		case !isStream(m):
			return nil, nil, markErr(ErrInvalid, nil, fmt.Sprintf("%s is a terminal or device, not an archive (pipe one in: docker save IMAGE | strata -)", what))
		}
	}
	return spoolArchive(ctx, r, what, config)
}

// isStream reports a pipe or socket: data that arrives once, in order.
func isStream(m fs.FileMode) bool {
	return m&(fs.ModeNamedPipe|fs.ModeSocket) != 0
}

// spoolArchive copies the archive on r to an unlinked temporary file and
// indexes that, calling it p in errors. config is as for saveToTemp.
func spoolArchive(ctx context.Context, r io.Reader, p string, config func(*v1.ConfigFile)) (*tarIndex, func() error, error) {
	f, release, err := saveToTemp(ctx, r, 0, nil, config)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err() // the read failed because ctx closed the input
		}
		return nil, nil, fmt.Errorf("reading %s: %w", p, err)
	}
	if fi, err := f.Stat(); err == nil && fi.Size() == 0 {
		release()
		return nil, nil, markErr(ErrInvalid, nil, fmt.Sprintf("reading %s: empty, nothing was written to it", p))
	}
	idx, err := indexTarFile(f, p)
	if err != nil {
		release()
		return nil, nil, err
	}
	idx.file = f
	return idx, release, nil
}

// holding returns img so that closing it releases what release frees (a
// spooled archive); without release, img is returned as it is. On error,
// release is called at once.
func holding(img v1.Image, err error, release func() error) (v1.Image, error) {
	if release == nil {
		return img, err
	}
	if err != nil {
		release()
		return nil, err
	}
	return &closingImage{Image: img, close: release}, nil
}
