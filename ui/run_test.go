package ui

import (
	"context"
	"errors"
	"image/color"
	"io"
	"regexp"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/strata-cli/strata/analyze"
)

// TestRun drives the real program end to end: it starts, draws, and quits
// on "q" read from its input.
func TestRun(t *testing.T) {
	res := fixture(t)
	err := Run(context.Background(), res, Options{Input: strings.NewReader("jjq"), Output: io.Discard, Theme: ThemeMono})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
}

func TestRunLoads(t *testing.T) {
	res := fixture(t)
	loaded := make(chan struct{})
	pr, pw := io.Pipe()
	load := func(ctx context.Context, r Reporter) (*analyze.Result, error) {
		progress := r.Progress
		progress(analyze.Progress{Layer: 0, Layers: 3, Bytes: 10, Entries: 1})
		close(loaded)
		return res, nil
	}
	go func() {
		<-loaded
		pw.Write([]byte("q"))
	}()
	if err := Run(context.Background(), nil, Options{Load: load, Input: pr, Output: io.Discard, Theme: ThemeMono}); err != nil {
		t.Fatalf("Run: %v", err)
	}
}

func TestRunNeedsSomething(t *testing.T) {
	if err := Run(context.Background(), nil, Options{}); err == nil {
		t.Fatal("Run with nothing to show succeeded")
	}
}

func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, _ := io.Pipe()
	load := func(ctx context.Context, _ Reporter) (*analyze.Result, error) {
		cancel()
		<-ctx.Done()
		return nil, ctx.Err()
	}
	err := Run(ctx, nil, Options{Load: load, Input: pr, Output: io.Discard, Theme: ThemeMono})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
}

// sgrColour matches an SGR sequence that sets a foreground or background
// colour (basic, bright, 256 or true colour).
var sgrColour = regexp.MustCompile(`\x1b\[([0-9]*;)*(3[0-8]|4[0-8]|9[0-7]|10[0-7])[;m]`)

// TestNoColor: NO_COLOR set to anything but "" turns every theme to mono,
// and mono styles put no colour in a frame.
func TestNoColor(t *testing.T) {
	for _, tc := range []struct {
		theme   Theme
		noColor string
		want    Theme
	}{
		{ThemeDark, "1", ThemeMono},
		{ThemeHighContrast, "yes", ThemeMono},
		{ThemeAuto, "0", ThemeMono}, // any value but "" counts
		{ThemeLight, "", ThemeLight},
		{ThemeAuto, "", ThemeAuto},
	} {
		env := func(k string) string {
			if k == "NO_COLOR" {
				return tc.noColor
			}
			return ""
		}
		if got := themeFor(tc.theme, env); got != tc.want {
			t.Errorf("themeFor(%s) with NO_COLOR=%q = %s, want %s", tc.theme, tc.noColor, got, tc.want)
		}
	}
	colour := func(th Theme) bool {
		m := newModel(fixture(t), th, "", defaultKeyMap())
		m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
		return sgrColour.MatchString(m.View().Content)
	}
	if colour(ThemeMono) {
		t.Error("the mono theme drew colours")
	}
	if !colour(ThemeDark) {
		t.Error("the dark theme drew no colours: the check above proves nothing")
	}
}

// TestThemeFollowsBackground: with the auto theme the colours follow the
// terminal's background as it reports it; a chosen theme ignores it.
func TestThemeFollowsBackground(t *testing.T) {
	frameWith := func(th Theme, bg color.Color) string {
		m := newModel(fixture(t), th, "", defaultKeyMap())
		m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
		if bg != nil {
			m.Update(tea.BackgroundColorMsg{Color: bg})
		}
		return m.View().Content
	}
	white, black := color.RGBA{255, 255, 255, 255}, color.RGBA{0, 0, 0, 255}
	light, dark := frameWith(ThemeLight, nil), frameWith(ThemeDark, nil)
	if light == dark {
		t.Fatal("the light and dark themes draw the same frame")
	}
	if got := frameWith(ThemeAuto, white); got != light {
		t.Error("auto on a white background is not the light theme")
	}
	if got := frameWith(ThemeAuto, black); got != dark {
		t.Error("auto on a black background is not the dark theme")
	}
	if got := frameWith(ThemeDark, white); got != dark {
		t.Error("a chosen dark theme changed with the background")
	}
	if hc := frameWith(ThemeHighContrast, nil); hc == dark || hc == light {
		t.Error("high contrast draws like another theme")
	}
}
