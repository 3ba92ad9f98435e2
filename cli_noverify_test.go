package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-cli/strata/report"
)

// TestCLINoVerifyNote: --no-verify says once on stderr that nothing was
// checked, keeps stdout clean for --json, and leaves a failure its one
// error line.
func TestCLINoVerifyNote(t *testing.T) {
	const note = "strata: --no-verify: layer contents were not checked against their diff_ids\n"
	p := writeTiny(t)
	for _, tc := range []struct {
		name string
		args []string
		json bool
	}{
		{"report", []string{"--no-verify", p}, false},
		{"json", []string{"--no-verify", "--json", "-", p}, true},
		{"json to a file", []string{"--no-verify", "--json", "out.json", p}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, t.TempDir(), tc.args...)
			if r.code != exitOK || r.stderr != note {
				t.Fatalf("exit %d, stderr %q; want 0 and exactly %q", r.code, r.stderr, note)
			}
			if tc.json {
				var rep report.JSONReport
				if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
					t.Errorf("stdout is not JSON: %v", err)
				}
			}
		})
	}
	t.Run("without the flag", func(t *testing.T) {
		if r := run(t, t.TempDir(), p); r.code != exitOK || r.stderr != "" {
			t.Errorf("exit %d, stderr %q; want 0 and nothing", r.code, r.stderr)
		}
	})
	t.Run("failure", func(t *testing.T) {
		r := run(t, t.TempDir(), "--no-verify", filepath.Join(t.TempDir(), "nope.tar"))
		wantError(t, r, "nope.tar")
		if strings.Contains(r.stderr, "--no-verify") {
			t.Errorf("stderr = %q, want only the error", r.stderr)
		}
	})
}
