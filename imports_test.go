package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// layeringModule is this repository's module path; the layering rules below are
// written relative to it.
const layeringModule = "github.com/strata-cli/strata"

// TestPackageLayering keeps the package graph one-directional: the analyzer is
// a pure library (no image sources, no UI, no CLI helpers), sources know
// nothing about the analyzer or the UI, and the UI never reaches into sources.
// Only the build dependencies of each package are checked, not its tests'.
func TestPackageLayering(t *testing.T) {
	charm := []string{"charm.land", "github.com/charmbracelet"}

	tests := []struct {
		dir       string   // package directory, relative to the module root
		forbidden []string // import path prefixes it must not depend on
	}{
		{
			dir: "analyze",
			forbidden: append([]string{
				layeringModule + "/source",
				layeringModule + "/ui",
				"github.com/spf13/cobra",
				"github.com/dustin/go-humanize",
			}, charm...),
		},
		{
			dir: "source",
			forbidden: append([]string{
				layeringModule + "/ui",
				layeringModule + "/analyze",
			}, charm...),
		},
		{
			dir: "compare",
			forbidden: append([]string{
				layeringModule + "/source",
				layeringModule + "/ui",
				"github.com/spf13/cobra",
			}, charm...),
		},
		{
			dir: "advice",
			forbidden: append([]string{
				layeringModule + "/source",
				layeringModule + "/ui",
				"github.com/spf13/cobra",
			}, charm...),
		},
		{
			dir:       "ui",
			forbidden: []string{layeringModule + "/source"},
		},
		{
			// The HTML report reads analysis results only.
			dir: "htmlreport",
			forbidden: append([]string{
				layeringModule + "/source",
				layeringModule + "/ui",
				layeringModule + "/cache",
				"github.com/spf13/cobra",
				"github.com/dustin/go-humanize",
			}, charm...),
		},
	}

	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			if !layeringHasGoFiles(t, tt.dir) {
				t.Skipf("%s/ has no non-test Go files yet", tt.dir)
			}
			deps := layeringDeps(t, "./"+tt.dir)
			for _, bad := range tt.forbidden {
				var hits []string
				for _, dep := range deps {
					if dep == bad || strings.HasPrefix(dep, bad+"/") {
						hits = append(hits, dep)
					}
				}
				if len(hits) > 0 {
					t.Errorf("%s/ must not depend on %s..., but depends on:\n\t%s",
						tt.dir, bad, strings.Join(hits, "\n\t"))
				}
			}
		})
	}
}

// layeringHasGoFiles reports whether dir holds at least one non-test .go file, i.e.
// whether `go list` can treat it as a package.
func layeringHasGoFiles(t *testing.T, dir string) bool {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return false
	}
	if err != nil {
		t.Fatalf("reading %s: %v", dir, err)
	}
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() && filepath.Ext(name) == ".go" && !strings.HasSuffix(name, "_test.go") {
			return true
		}
	}
	return false
}

// layeringDeps returns the import paths of pkg and everything it transitively
// imports (standard library included) for the current platform.
func layeringDeps(t *testing.T, pkg string) []string {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", pkg)
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("go list -deps %s: %v\n%s", pkg, err, stderr)
	}
	var deps []string
	for _, line := range strings.Split(string(out), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			deps = append(deps, line)
		}
	}
	if len(deps) == 0 {
		t.Fatalf("go list -deps %s printed nothing", pkg)
	}
	return deps
}
