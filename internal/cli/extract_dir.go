package cli

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/ui"
)

// extractDir saves the files of a directory of the image, as the
// explorer's view lists them, into a directory named after it (placed as
// extractDest places a file). Every file is found and the destination
// checked before a layer is read; each layer that stores some of them is
// then read once. Each file appears atomically; when ctx ends, the file
// being written is removed and those already saved stay.
func (s *session) extractDir(ctx context.Context, dir string, files []ui.ExtractFile, to string, progress func(read, total int64)) (string, error) {
	s.extracting.Add(1)
	defer s.extracting.Done()
	name := filepath.Base(filepath.FromSlash(dir))
	if name == "." || name == ".." || name == string(filepath.Separator) || strings.ContainsAny(name, `/\`) {
		return "", fmt.Errorf("refusing to extract %q: no usable directory name", dir)
	}
	dest, err := extractDest(name, to)
	if err != nil {
		return "", err
	}
	if parent := filepath.Dir(dest); !isDir(parent) {
		return "", fmt.Errorf("saving to %s: %s is not a directory", dest, parent)
	}
	if fi, err := os.Lstat(dest); err == nil && !fi.IsDir() {
		return "", fmt.Errorf("saving to %s: a %s is there, not a directory", dest, fileKind(fi.Mode()))
	}
	// Each stored entry with the paths it is saved as (hard links share
	// one), grouped by the layer that stores it.
	type want struct {
		f    storedFile
		rels []string
	}
	byLayer := map[int]map[int]*want{}
	sizes := map[int]int64{} // stored size of each layer to read; 0 when unknown
	var total int64
	for _, file := range files {
		rel, ok := strings.CutPrefix(file.Path, dir+"/")
		if !ok || !filepath.IsLocal(filepath.FromSlash(rel)) {
			return "", fmt.Errorf("refusing to extract %q: not under %s", file.Path, dir)
		}
		f, err := s.resolveFile(file.Layer, file.Path)
		if err != nil {
			return "", err
		}
		if byLayer[f.layer] == nil {
			byLayer[f.layer] = map[int]*want{}
			sizes[f.layer], _ = f.blob.Size()
			total += sizes[f.layer]
		}
		w := byLayer[f.layer][f.index]
		if w == nil {
			w = &want{f: f}
			byLayer[f.layer][f.index] = w
		}
		w.rels = append(w.rels, filepath.FromSlash(rel))
	}
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return "", fmt.Errorf("saving to %s: %w", dest, err)
	}
	var before int64 // stored bytes of the layers already read
	for _, l := range slices.Sorted(maps.Keys(byLayer)) {
		ws := byLayer[l]
		idx := slices.Sorted(maps.Keys(ws))
		w0 := ws[idx[0]]
		blob := w0.f.blob
		if progress != nil {
			base := before
			blob = countedLayer{Layer: blob, progress: func(read, _ int64) { progress(base+read, total) }}
		}
		err := analyze.ReadEntries(ctx, blob, w0.f.record, idx, func(i int, r io.Reader) error {
			w := ws[i]
			slices.SortFunc(w.rels, func(a, b string) int { return cmp.Compare(a, b) })
			first := filepath.Join(dest, w.rels[0])
			if err := saveUnder(first, extractMode(w.f.entry), ctxReader{ctx, r}); err != nil {
				return err
			}
			// Other paths of a hard-linked file are copies of the first.
			for _, rel := range w.rels[1:] {
				if err := copySaved(first, filepath.Join(dest, rel), extractMode(w.f.entry)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return "", fmt.Errorf("reading layer %d: %w", l, err)
		}
		before += sizes[l]
		if progress != nil {
			progress(before, total) // the read stops at the layer's last file, short of its end
		}
	}
	return dest, nil
}

// saveUnder writes r to path, making its folders first.
func saveUnder(path string, mode os.FileMode, r io.Reader) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("saving %s: %w", path, err)
	}
	return writeNew(path, mode, func(w io.Writer) error {
		_, err := io.Copy(w, r)
		return err
	})
}

// copySaved saves another copy of a file just saved.
func copySaved(from, to string, mode os.FileMode) error {
	f, err := os.Open(from)
	if err != nil {
		return err
	}
	defer f.Close()
	return saveUnder(to, mode, f)
}
