package ui

import (
	"strings"
	"testing"

	"github.com/strata-cli/strata/analyze"
)

// TestLayerDetailsDockerfileLine: with a Dockerfile matched, the layer
// details name the selected step's lines, a base image step's FROM, or
// say the step was not found.
func TestLayerDetailsDockerfileLine(t *testing.T) {
	res := fixture(t)
	steps := make([]analyze.StepLines, len(res.History))
	steps[0] = analyze.StepLines{Line: 1, EndLine: 1, Base: true}
	steps[2] = analyze.StepLines{Line: 4, EndLine: 6}
	res.BuildFile = &analyze.BuildFile{Path: "Dockerfile", Steps: steps}
	m := newTestModel(t, res, 120, 40)
	for _, tc := range []struct {
		keys []string
		want string
	}{
		{nil, "Dockerfile:1 (base image)"},
		{[]string{"j", "j"}, "Dockerfile:4-6"},
		{[]string{"j"}, "not found in Dockerfile"},
	} {
		press(t, m, tc.keys...)
		if p := layerPane(m); !strings.Contains(p, tc.want) {
			t.Errorf("step %d: layer details lack %q:\n%s", m.history.cursor, tc.want, p)
		}
	}
}

// TestLayerDetailsPackages: the details list what the layer did to its
// packages, largest first, and the bytes no package owns; an image
// without package databases shows no such lines.
func TestLayerDetailsPackages(t *testing.T) {
	res := fixture(t)
	l := &res.Layers[1]
	l.Packages = []analyze.LayerPackage{
		{Manager: "dpkg", Name: "curl", Version: "8.5.0-2", Change: analyze.PackageAdded, SizeBytes: 2500, Files: 3},
		{Manager: "dpkg", Name: "libc6", Version: "2.36-10", PreviousVersion: "2.36-9", Change: analyze.PackageUpgraded, SizeBytes: 300},
	}
	l.PackagedBytes, l.UnpackagedBytes = 2800, 8450
	m := newTestModel(t, res, 120, 40)
	if strings.Contains(layerPane(m), "Packages") {
		t.Error("a layer without packages lists some")
	}
	press(t, m, "j", "j") // layer 1
	p := layerPane(m)
	for _, want := range []string{"Packages   + curl 8.5.0-2 (2.5 kB)", "~ libc6 2.36-9 → 2.36-10 (300 B)", "8.5 kB in files no package owns"} {
		if !strings.Contains(p, want) {
			t.Errorf("layer details lack %q:\n%s", want, p)
		}
	}
}
