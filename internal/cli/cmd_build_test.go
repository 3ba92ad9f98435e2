package cli

import (
	"strings"
	"testing"
)

// TestBuildHelpIsStratas: --help after build shows strata's build help and
// runs no builder (docker's help, then "wrote no image ID", before).
func TestBuildHelpIsStratas(t *testing.T) {
	for _, args := range [][]string{{"build", "--help"}, {"build", "-t", "x", "-h", "."}} {
		r := runIn(t, t.TempDir(), map[string]string{"PATH": ""}, args...)
		if r.code != exitOK || !strings.Contains(r.stdout, `build runs "docker build"`) || !strings.Contains(r.stdout, "docker build --help") || r.stderr != "" {
			t.Errorf("strata %v: exit %d, stdout %q, stderr %q", args, r.code, r.stdout, r.stderr)
		}
	}
}

// TestBuildRefusesStrataFlagsAfterIt: a strata flag after build is named,
// with where it goes, before any builder runs; flags that docker build
// shares (--platform, --no-cache) pass through.
func TestBuildRefusesStrataFlagsAfterIt(t *testing.T) {
	for _, tc := range []struct {
		args []string
		flag string
	}{
		{[]string{"build", "--ci", "-t", "x", "."}, "--ci"},
		{[]string{"build", "-t", "x", "--json=out.json", "."}, "--json"},
		{[]string{"build", "--highest-wasted-bytes", "1MB", "."}, "--highest-wasted-bytes"},
	} {
		r := runIn(t, t.TempDir(), map[string]string{"PATH": ""}, tc.args...)
		wantError(t, r, tc.flag+" is strata's flag")
		if !strings.Contains(r.stderr, "strata "+tc.flag+" build") {
			t.Errorf("strata %v: stderr %q does not say where the flag goes", tc.args, r.stderr)
		}
	}
	if f := strataOnlyFlag(newRootCmd(env{}), []string{"--platform", "linux/arm64", "--no-cache", "-t", "x", "--", "--ci"}); f != "" {
		t.Errorf("strataOnlyFlag flagged %s, a docker build flag or one after --", f)
	}
}
