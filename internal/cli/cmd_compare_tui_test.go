package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	imgcmp "github.com/strata-cli/strata/compare"
	it "github.com/strata-cli/strata/internal/imagetest"
	"github.com/strata-cli/strata/ui"
)

// tuiEnv is a terminal session that reads real images; its explorer is a
// stub that must not run.
func tuiEnv(t *testing.T, interactive bool) (env, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return env{
		stdout:    &out,
		stderr:    &errb,
		getenv:    func(string) string { return "" },
		termWidth: func() (int, bool) { return 100, true },
		load:      openAndAnalyze,
		explore: func(context.Context, string, loadOptions, ui.Theme) error {
			t.Error("compare opened the single-image explorer")
			return nil
		},
		interactive: func() bool { return interactive },
	}, &out
}

// TestCompareOpensInterface: in a terminal, compare opens the compare view
// unless --json, --no-tui or a limit asks for the report.
func TestCompareOpensInterface(t *testing.T) {
	oldP, newP := it.CompareFixtures(t, t.TempDir())
	tests := []struct {
		name        string
		interactive bool
		set         func(*compareOptions, *rootOptions)
		want        bool
		theme       ui.Theme
	}{
		{name: "terminal", interactive: true, want: true},
		{name: "pipe", interactive: false},
		{name: "json", interactive: true, set: func(o *compareOptions, _ *rootOptions) { o.jsonPath = "-" }},
		{name: "no-tui", interactive: true, set: func(_ *compareOptions, ro *rootOptions) { ro.noTUI = true }},
		{name: "max-layers", interactive: true, set: func(o *compareOptions, _ *rootOptions) { o.maxLayers = 0 }},
		{name: "max-size", interactive: true, set: func(o *compareOptions, _ *rootOptions) { o.maxSize = "10%" }},
		{name: "theme", interactive: true, want: true, theme: ui.ThemeLight,
			set: func(_ *compareOptions, ro *rootOptions) { ro.theme = "light" }},
		{name: "no-color", interactive: true, want: true, theme: ui.ThemeMono,
			set: func(_ *compareOptions, ro *rootOptions) { ro.theme, ro.noColor = "dark", true }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, out := tuiEnv(t, tt.interactive)
			ro := &rootOptions{theme: "auto"}
			ro.load.cache.noCache = true
			var got *imgcmp.Report
			var gotOpts ui.CompareOptions
			o := &compareOptions{top: 10, maxLayers: -1, tui: func(_ context.Context, r *imgcmp.Report, opts ui.CompareOptions) error {
				got, gotOpts = r, opts
				return nil
			}}
			if tt.set != nil {
				tt.set(o, ro)
			}
			err := runCompare(context.Background(), e, ro, o, oldP, newP)
			if err != nil && err != errRegression {
				t.Fatal(err)
			}
			if (got != nil) != tt.want {
				t.Fatalf("interface opened: %v, want %v (stdout %q)", got != nil, tt.want, out.String())
			}
			if !tt.want {
				if out.Len() == 0 {
					t.Errorf("no report printed")
				}
				return
			}
			if out.Len() != 0 {
				t.Errorf("the interface run also printed %q", out.String())
			}
			if got.CacheBreak == nil || got.CacheBreak.Layer != 1 || len(got.CacheBreak.Changes) != 1 {
				t.Errorf("the view got cache break %+v, want layer 1 with app/main.c", got.CacheBreak)
			}
			if gotOpts.Verdict != "verdict: ok" || gotOpts.Theme != tt.theme {
				t.Errorf("options = %+v, want verdict ok, theme %q", gotOpts, tt.theme)
			}
		})
	}
}

// The interface flags parse after "compare", and --no-tui prints the report
// even in a terminal; a bad --theme fails before any image is read.
func TestCompareInterfaceFlags(t *testing.T) {
	oldP, newP := it.CompareFixtures(t, t.TempDir())
	e, out := tuiEnv(t, true)
	if code := runCmd(t, e, t.TempDir(), "compare", "--no-tui", "--no-color", "--theme", "dark", oldP, newP); code != exitOK {
		t.Fatalf("exit %d: %s", code, e.stderr)
	}
	if !strings.HasSuffix(out.String(), "verdict: ok\n") {
		t.Errorf("--no-tui: want the report, got %q", out.String())
	}
	e, _ = tuiEnv(t, true)
	if code := runCmd(t, e, t.TempDir(), "compare", "--theme", "neon", "/nonexistent/a.tar", "/nonexistent/b.tar"); code != exitError ||
		!strings.Contains(e.stderr.(*bytes.Buffer).String(), "unknown --theme") {
		t.Errorf("bad theme: exit %d, stderr %q", code, e.stderr)
	}
}
