package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/source"
	"github.com/strata-cli/strata/ui"
)

// explore opens the interactive explorer at once and reads the image behind
// it, so the history and layer progress show while a large image streams.
// The image stays open until the explorer closes: the file viewer and
// extraction read from it on demand.
func explore(ctx context.Context, ref string, o loadOptions, theme ui.Theme) error {
	im := &openedImage{}
	defer im.close()
	err := ui.Run(ctx, nil, ui.Options{
		Reference: source.Redact(ref), // shown while loading, before any error
		Theme:     theme,
		Keys:      o.keys,
		Load: func(ctx context.Context, r ui.Reporter) (*analyze.Result, error) {
			return im.load(ctx, ref, o, r)
		},
		OpenFile: im.openFile,
		Extract:  im.extract,
	})
	return err
}

// openedImage holds the image and its analysis for the explorer's file
// operations, which run on other goroutines than the load.
type openedImage struct {
	mu     sync.Mutex
	img    v1.Image
	layers []v1.Layer
	res    *analyze.Result
}

func (im *openedImage) load(ctx context.Context, ref string, o loadOptions, r ui.Reporter) (*analyze.Result, error) {
	img, err := source.Open(ctx, ref, source.Options{
		Platform: o.platform, Source: o.source, Insecure: o.insecure,
		// A daemon save or a registry fetch shows on the loading screen.
		Progress: func(p source.Progress) { r.Fetched(p.Done, p.Total) },
	})
	if err != nil {
		return nil, err
	}
	return im.analyze(ctx, img, ref, o, r.Progress)
}

// analyze reads img, which im then holds (and closes) for the file viewer.
func (im *openedImage) analyze(ctx context.Context, img v1.Image, ref string, o loadOptions, progress func(analyze.Progress)) (*analyze.Result, error) {
	layers, err := img.Layers()
	if err != nil {
		source.Close(img)
		return nil, fmt.Errorf("listing layers: %w", err)
	}
	opts := analyze.Options{Reference: ref, NoVerify: o.noVerify, Progress: progress}
	if c := o.cache.open(); c != nil {
		opts.Cache = c
	}
	res, err := analyze.Analyze(ctx, img, opts)
	if err != nil {
		source.Close(img)
		return nil, err
	}
	im.mu.Lock()
	im.img, im.layers, im.res = img, layers, res
	im.mu.Unlock()
	return res, nil
}

func (im *openedImage) close() {
	im.mu.Lock()
	defer im.mu.Unlock()
	if im.img != nil {
		source.Close(im.img)
	}
}

// openFile streams the content of path as layer stores it. A hard link is
// followed to the entry it names, as the filesystem stacked up to that
// layer shows it.
func (im *openedImage) openFile(ctx context.Context, layer int, path string) (io.ReadCloser, error) {
	im.mu.Lock()
	res, layers := im.res, im.layers
	im.mu.Unlock()
	if res == nil || layer < 0 || layer >= len(layers) {
		return nil, errors.New("the image is not loaded")
	}
	for hops := 0; hops < 8; hops++ {
		l, idx, ok := findEntry(res, layer, path)
		if !ok {
			return nil, fmt.Errorf("%s is not in layer %d", path, layer)
		}
		e := res.Layers[l].Entries[idx]
		if e.Kind != analyze.KindHardlink {
			return analyze.OpenEntry(ctx, layers[l], idx)
		}
		path = res.Tree.LinkTarget(e)
	}
	return nil, fmt.Errorf("%s: too many hard links", path)
}

// findEntry returns the entry of path visible in the filesystem stacked up
// to layer: the last copy written at or below it and not hidden by then.
func findEntry(res *analyze.Result, layer int, path string) (int, int, bool) {
	id, ok := res.Tree.Lookup(path)
	if !ok {
		return 0, 0, false
	}
	for l := layer; l >= 0; l-- {
		ents := res.Layers[l].Entries
		for i := len(ents) - 1; i >= 0; i-- {
			if ents[i].Node == id && ents[i].VisibleAt(layer) {
				return l, i, true
			}
		}
	}
	return 0, 0, false
}

// extract saves path, as layer shows it, under its base name in the
// current directory, or where to says (see extractDest). The file appears
// atomically; an existing file or symlink there is replaced, never written
// through.
func (im *openedImage) extract(ctx context.Context, layer int, path, to string) (string, error) {
	name := filepath.Base(filepath.FromSlash(path))
	if name == "." || name == ".." || name == string(filepath.Separator) || strings.ContainsAny(name, `/\`) {
		return "", fmt.Errorf("refusing to extract %q: no usable file name", path)
	}
	dest, err := extractDest(name, to)
	if err != nil {
		return "", err
	}
	rc, err := im.openFile(ctx, layer, path)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	if err := writeAtomic(dest, func(w io.Writer) error {
		_, err := io.Copy(w, rc)
		return err
	}); err != nil {
		return "", err
	}
	return dest, nil
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

// parseTheme checks a --theme value.
func parseTheme(s string) (ui.Theme, error) {
	switch t := ui.Theme(s); t {
	case ui.ThemeDark, ui.ThemeLight, ui.ThemeHighContrast, ui.ThemeMono:
		return t, nil
	case "auto", "":
		return ui.ThemeAuto, nil
	}
	return "", fmt.Errorf("unknown --theme %q (want auto, dark, light, high-contrast or mono)", s)
}
