package main

import (
	"strings"
	"testing"
)

// TestCLIVerbose: -v says how each layer was read, on stderr only, and a
// warm run says the layers came from the cache.
func TestCLIVerbose(t *testing.T) {
	p := writeTiny(t)
	dir := t.TempDir()
	for _, want := range []string{"read:", "from cache:"} {
		r := run(t, dir, "-v", "--json", "/dev/null", p)
		if r.code != exitOK {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		if n := strings.Count(r.stderr, want); n != 5 {
			t.Errorf("stderr has %d lines with %q, want one per layer (5):\n%s", n, want, r.stderr)
		}
		if !strings.Contains(r.stderr, "strata: 5 layers, 7 history steps") {
			t.Errorf("stderr does not announce the plan:\n%s", r.stderr)
		}
	}
	if r := run(t, dir, "-v", "-q", "--json", "/dev/null", p); r.stderr != "" {
		t.Errorf("-q must silence -v, got %q", r.stderr)
	}
}
