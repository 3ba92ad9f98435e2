package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCompletionScripts(t *testing.T) {
	want := map[string]string{
		"bash":       "bash completion",
		"zsh":        "#compdef strata",
		"fish":       "fish completion for strata",
		"powershell": "Register-ArgumentCompleter",
	}
	for sh, marker := range want {
		r := run(t, t.TempDir(), "completion", sh)
		if r.code != exitOK || !strings.Contains(r.stdout, marker) || len(r.stdout) < 1000 {
			t.Errorf("completion %s: exit %d, %d bytes, stderr %q", sh, r.code, len(r.stdout), r.stderr)
		}
	}
}

func TestManPages(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "man")
	r := run(t, t.TempDir(), "man", dir)
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, page := range []string{"strata.1", "strata-init.1", "strata-cache-prune.1", "strata-version.1", "strata-completion-bash.1"} {
		b, err := os.ReadFile(filepath.Join(dir, page))
		if err != nil {
			t.Error(err)
			continue
		}
		if !strings.HasPrefix(string(b), ".nh") && !strings.Contains(string(b), ".TH") {
			t.Errorf("%s does not look like a man page", page)
		}
	}
	b, _ := os.ReadFile(filepath.Join(dir, "strata.1"))
	if !strings.Contains(string(b), "EXAMPLE") || !strings.Contains(string(b), "strata "+testVersion) {
		t.Errorf("strata.1 lacks the examples or the version:\n%.400s", b)
	}
}
