package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
)

// extract saves path, as layer shows it, under its base name in the
// current directory, or where to says (see extractDest). The file appears
// atomically; an existing file or symlink there is replaced, never written
// through, and anything else there is refused. When ctx ends mid-copy the
// temporary file is removed; close waits for that. progress, when set,
// hears how many bytes of the stored layer have been read and its stored
// size (0 when unknown), as the read goes: the file may sit deep in a
// large layer.
func (s *session) extract(ctx context.Context, layer int, path, to string, progress func(read, total int64)) (string, error) {
	s.extracting.Add(1)
	defer s.extracting.Done()
	name := filepath.Base(filepath.FromSlash(path))
	if name == "." || name == ".." || name == string(filepath.Separator) || strings.ContainsAny(name, `/\`) {
		return "", fmt.Errorf("refusing to extract %q: no usable file name", path)
	}
	dest, err := extractDest(name, to)
	if err != nil {
		return "", err
	}
	// The destination's folder is checked before the layer is read: a
	// typo should not wait for a layer to stream up to the file.
	if dir := filepath.Dir(dest); !isDir(dir) {
		return "", fmt.Errorf("saving to %s: %s is not a directory", dest, dir)
	}
	f, err := s.resolveFile(layer, path)
	if err != nil {
		return "", err
	}
	if progress != nil {
		f.blob = counted(f.blob, progress)
	}
	rc, err := f.open(ctx)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	if err := writeNew(dest, extractMode(f.entry), func(w io.Writer) error {
		_, err := io.Copy(w, ctxReader{ctx, rc})
		return err
	}); err != nil {
		return "", err
	}
	return dest, nil
}

// countedLayer reports how much of a layer's stored bytes its readers
// have taken.
type countedLayer struct {
	v1.Layer
	progress func(read, total int64)
}

// counted wraps l so its reads report progress, keeping the spans a
// layer serves (analyze.RangeOpener): hiding them would stream the layer
// up to the file instead of reading it from its checkpoint.
func counted(l v1.Layer, progress func(read, total int64)) v1.Layer {
	c := countedLayer{Layer: l, progress: progress}
	if _, ok := l.(analyze.RangeOpener); ok {
		return countedRanges{c}
	}
	return c
}

// countedRanges is a countedLayer whose layer serves spans.
type countedRanges struct{ countedLayer }

func (l countedRanges) OpenRange(ctx context.Context, offset, length int64) (io.ReadCloser, error) {
	rc, err := l.Layer.(analyze.RangeOpener).OpenRange(ctx, offset, length)
	if err != nil {
		return nil, err
	}
	return &countingReader{ReadCloser: rc, total: length, progress: l.progress}, nil
}

func (l countedLayer) Compressed() (io.ReadCloser, error) {
	rc, err := l.Layer.Compressed()
	if err != nil {
		return nil, err
	}
	total, err := l.Layer.Size()
	if err != nil {
		total = 0
	}
	return &countingReader{ReadCloser: rc, total: total, progress: l.progress}, nil
}

// progressStep is how many bytes pass between two reports: often enough
// for a moving figure, rarely enough to cost nothing.
const progressStep = 1 << 20

type countingReader struct {
	io.ReadCloser
	read, told, total int64
	progress          func(read, total int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.read += int64(n)
	if c.read-c.told >= progressStep || (err != nil && c.read != c.told) {
		c.told = c.read
		c.progress(c.read, c.total)
	}
	return n, err
}

// ctxReader stops a copy once ctx ends, between reads.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// extractDest is where a file called name goes when the user asked for to:
// the current directory when to is empty, into to when it is a directory
// (or ends in a separator), else to itself. A leading ~/ is the home
// directory. The user chose the place, so it may be anywhere; the file's
// own name never climbs out of it.
func extractDest(name, to string) (string, error) {
	if to == "" {
		dir, err := os.Getwd()
		if err != nil {
			return "", err
		}
		return filepath.Join(dir, name), nil
	}
	if rest, ok := strings.CutPrefix(to, "~/"); ok {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("saving to %s: %w", to, err)
		}
		to = filepath.Join(home, rest)
	}
	if strings.HasSuffix(to, "/") || strings.HasSuffix(to, string(filepath.Separator)) {
		return filepath.Join(to, name), nil
	}
	if info, err := os.Stat(to); err == nil && info.IsDir() {
		return filepath.Join(to, name), nil
	}
	return filepath.Clean(to), nil
}

// extractMode is the permission a saved file gets: 0644, plus the
// execute bits when the image's file has any, so that a saved binary or
// script still runs. Set-id and sticky bits and write access for others
// are never carried over from an image.
func extractMode(e analyze.Entry) os.FileMode {
	if e.Mode.Perm()&0o111 != 0 {
		return 0o755
	}
	return 0o644
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
