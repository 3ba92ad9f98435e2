package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/strata-cli/strata/report"
)

// The tiny image deletes its apk cache in a later RUN: the report and the
// JSON both say so, and say which steps to merge.
func TestCLIAdvice(t *testing.T) {
	p := writeTiny(t)
	dir := t.TempDir()
	r := run(t, dir, "--no-tui", p)
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	_, section, ok := strings.Cut(r.stdout, "\nAdvice:\n")
	if !ok || !strings.Contains(section, "[package-cache] apk cache: 900 B stored by RUN apk add") ||
		!strings.Contains(section, "[stored-then-hidden] RUN apk add --no-progress curl stored 900 B (1 file) that RUN rm -rf /var/cache/apk/*") {
		t.Errorf("report advice section:\n%s", section)
	}
	r = run(t, dir, "--json", "-", p)
	var doc struct {
		Advice []report.JSONAdvice `json:"advice"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, a := range doc.Advice {
		kinds[a.Kind] = true
		if a.Bytes <= 0 || len(a.Layers) == 0 || a.Message == "" {
			t.Errorf("advice %+v lacks bytes, layers or a message", a)
		}
	}
	if !kinds["package-cache"] || !kinds["stored-then-hidden"] {
		t.Errorf("advice kinds = %v", kinds)
	}
}
