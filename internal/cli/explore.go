package cli

import (
	"context"
	"fmt"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/source"
	"github.com/strata-cli/strata/ui"
)

// explore opens the interactive explorer at once and reads the image behind
// it, so the history and layer progress show while a large image streams.
// The image stays open until the explorer closes: the file viewer and
// extraction read from it on demand.
func explore(ctx context.Context, ref string, o loadOptions, theme ui.Theme) error {
	return exploreSession(ctx, source.Redact(ref), o, theme, func(ctx context.Context, s *session) (*analyze.Result, error) {
		return s.open(ctx, ref)
	})
}

// exploreContainer is explore for a container: its image with the
// writable layer on top.
func exploreContainer(ctx context.Context, ref string, o loadOptions, theme ui.Theme) error {
	return exploreSession(ctx, "container "+ref, o, theme, func(ctx context.Context, s *session) (*analyze.Result, error) {
		res, _, err := s.openContainer(ctx, ref)
		return res, err
	})
}

// exploreSession runs the explorer over one session: name is shown while
// loading (before any error), open reads the image into the session.
func exploreSession(ctx context.Context, name string, o loadOptions, theme ui.Theme, open func(context.Context, *session) (*analyze.Result, error)) error {
	o.readsFiles = true
	s := newSession(o)
	defer s.close()
	return ui.Run(ctx, nil, ui.Options{
		Reference: name,
		Theme:     theme,
		Keys:      o.keys,
		Load: func(ctx context.Context, r ui.Reporter) (*analyze.Result, error) {
			// A daemon save or a registry fetch shows on the loading screen.
			s.opts.obs = observers{fetched: func(p source.Progress) { r.Fetched(p.Done, p.Total) }, layer: r.Progress,
				plan: func(p *analyze.Plan) { r.Progress(analyze.Progress{Layers: len(p.Layers), Plan: p}) }}
			return open(ctx, s)
		},
		OpenFile:   s.openFile,
		Extract:    s.extract,
		ExtractDir: s.extractDir,
	})
}

// explorerTheme is the theme --theme and --no-color ask for.
func (o *rootOptions) explorerTheme() (ui.Theme, error) {
	t, err := parseTheme(o.theme)
	if err == nil && o.noColor {
		t = ui.ThemeMono
	}
	return t, err
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
