package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
)

// TestLoadingShowsASpottedConfig: the plan a config alone gives (a
// daemon's save still streaming) shows the history on the loading
// screen, every layer waiting; the analysis' own plan then takes over.
func TestLoadingShowsASpottedConfig(t *testing.T) {
	cfg := &v1.ConfigFile{
		RootFS: v1.RootFS{Type: "layers", DiffIDs: []v1.Hash{{Algorithm: "sha256", Hex: strings.Repeat("a", 64)}, {Algorithm: "sha256", Hex: strings.Repeat("b", 64)}}},
		History: []v1.History{
			{CreatedBy: "ADD rootfs.tar /"}, {CreatedBy: "ENV A=1", EmptyLayer: true}, {CreatedBy: "RUN make install"},
		},
	}
	m := newModel(nil, ThemeMono, "app:1", defaultKeyMap())
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 20})
	m.Update(progressMsg{p: analyze.Progress{Layers: 2, Plan: analyze.ConfigPlan(cfg, "")}})
	f := frame(m)
	for _, want := range []string{"0 of 2 layers read", "0  waiting", "ADD rootfs.tar /", "ENV A=1", "1  waiting", "RUN make install"} {
		if !strings.Contains(f, want) {
			t.Errorf("no %q on the loading screen:\n%s", want, f)
		}
	}
	res := fixture(t)
	m.Update(progressMsg{p: analyze.Progress{Layers: len(res.Layers), Plan: &analyze.Plan{Image: res.Image, Layers: res.Layers, History: res.History}}})
	if f := frame(m); strings.Contains(f, "RUN make install") || !strings.Contains(f, "apt-get") {
		t.Errorf("the analysis' plan did not replace the spotted one:\n%s", f)
	}
}
