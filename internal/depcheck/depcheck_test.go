package depcheck

import (
	"encoding/json"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/strata-cli/strata"

// allowed lists, for every package of the module (relative to its root),
// the module's packages it may import. Imports point one way:
// main -> internal/cli -> everything; report -> analyze, compare, advice,
// rules, units; ui -> analyze, compare, advice, units; rules -> analyze,
// units; analyze, source and cache import none of ours.
var allowed = map[string][]string{
	".":                              {"internal/cli"},
	"internal/cli":                   {"*"},
	"analyze":                        {},
	"source":                         {},
	"cache":                          {},
	"compare":                        {"analyze"},
	"advice":                         {"analyze", "internal/units"},
	"rules":                          {"analyze", "internal/units"},
	"report":                         {"analyze", "compare", "advice", "rules", "internal/units", "internal/safetext"},
	"report/html":                    {"analyze", "advice", "internal/units"},
	"ui":                             {"analyze", "compare", "advice", "internal/units", "internal/safetext"},
	"internal/units":                 {},
	"internal/safetext":              {},
	"internal/depcheck":              {},
	"dockerfile":                     {"analyze"},
	"internal/golden":                {},
	"internal/imagetest":             {"analyze"},
	"internal/imagetest/cmd/gentiny": {"internal/imagetest"},
	"internal/dockertest":            {},
	"internal/debtest":               {"internal/imagetest"},
	"internal/rpmtest":               {"internal/imagetest"},
	"internal/containerdtest":        {},
	"internal/registrytest":          {"internal/blobcount"},
	"internal/blobcount":             {},
	"bench/floor":                    {},
	"bench/profile":                  {"analyze", "cache", "source"},
	"bench/push":                     {},
	"bench/gen":                      {},
	"bench/crane":                    {},
	"bench/toc":                      {"analyze", "internal/imagetest", "internal/blobcount"},
	"bench/open":                     {"analyze", "cache", "source", "internal/blobcount"},
}

// sideEffects are the standard packages that run programs or reach the
// network. Only the command and the image sources may use them; test
// support may too, since it starts daemons and registries.
var sideEffects = []string{"os/exec", "net", "net/http", "net/url", "net/netip"}

var mayReachOut = []string{".", "internal/cli", "source", "cache", "internal/dockertest", "internal/debtest", "internal/rpmtest", "internal/containerdtest", "internal/registrytest", "internal/blobcount", "bench/floor", "bench/profile", "bench/push", "bench/gen", "bench/toc", "bench/open"}

type pkg struct {
	ImportPath string
	Imports    []string
}

// list returns every package of the module with its build imports (not
// its tests').
func list(t *testing.T) []pkg {
	t.Helper()
	// -e: an import cycle (say analyze importing ui) is still listed, so
	// that the rule it breaks is named rather than go list failing.
	cmd := exec.Command("go", "list", "-e", "-json=ImportPath,Imports,Dir,GoFiles", module+"/...")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v: %s", err, stderr.String())
	}
	var ps []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p struct {
			pkg
			Dir     string
			GoFiles []string
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		// go test caches a pass by the files the test itself read, and go
		// list reads them in another process: look at each package's
		// folder and files here, so that a new import is never passed
		// from the cache.
		if p.Dir != "" {
			_, _ = os.ReadDir(p.Dir)
			for _, f := range p.GoFiles {
				_, _ = os.ReadFile(filepath.Join(p.Dir, f))
			}
		}
		ps = append(ps, p.pkg)
	}
	return ps
}

func rel(importPath string) string {
	if importPath == module {
		return "."
	}
	return strings.TrimPrefix(importPath, module+"/")
}

// violations checks one package against the allowlist.
func violations(p pkg) []string {
	name := rel(p.ImportPath)
	allow, ok := allowed[name]
	if !ok {
		return []string{name + ": no rule in the allowlist (add one to internal/depcheck)"}
	}
	var bad []string
	for _, imp := range p.Imports {
		if strings.HasPrefix(imp, module+"/") || imp == module {
			dep := rel(imp)
			if !slices.Contains(allow, "*") && !slices.Contains(allow, dep) {
				bad = append(bad, name+" imports "+dep+", which its rule does not allow")
			}
			continue
		}
		if slices.ContainsFunc(sideEffects, func(s string) bool { return imp == s || (path.Dir(imp) == s) }) && !slices.Contains(mayReachOut, name) {
			bad = append(bad, name+" imports "+imp+": only the command, sources, cache and test support may")
		}
	}
	return bad
}

func TestImportAllowlist(t *testing.T) {
	ps := list(t)
	if len(ps) < 10 {
		t.Fatalf("go list found only %d packages", len(ps))
	}
	for _, p := range ps {
		for _, v := range violations(p) {
			t.Error(v)
		}
	}
}

// TestViolations shows the check failing on the imports it must refuse.
func TestViolations(t *testing.T) {
	tests := []struct {
		p    pkg
		want string
	}{
		{pkg{module + "/analyze", []string{module + "/ui"}}, "analyze imports ui"},
		{pkg{module + "/ui", []string{module + "/source"}}, "ui imports source"},
		{pkg{module + "/rules", []string{"os/exec"}}, "rules imports os/exec"},
		{pkg{module + "/report", []string{"net/http/httptest"}}, "report imports net/http/httptest"},
		{pkg{module + "/newpkg", nil}, "newpkg: no rule"},
	}
	for _, tt := range tests {
		got := strings.Join(violations(tt.p), "; ")
		if !strings.Contains(got, tt.want) {
			t.Errorf("violations(%s) = %q, want %q", tt.p.ImportPath, got, tt.want)
		}
	}
	if v := violations(pkg{module + "/report", []string{module + "/analyze", "fmt"}}); len(v) != 0 {
		t.Errorf("an allowed import was refused: %v", v)
	}
}
