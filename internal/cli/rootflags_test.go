package cli

import (
	"encoding/json"
	"testing"

	it "github.com/strata-cli/strata/internal/imagetest"
)

// TestRootFlagsBeforeSubcommand: a root flag written before a subcommand's
// name reaches the subcommand when it has that flag, and is refused when
// it does not, instead of being silently dropped.
func TestRootFlagsBeforeSubcommand(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--ci", "report", "img", "-o", "x.html"}, "--ci does not apply to strata report"},
		{[]string{"--ci", "--highest-wasted-bytes", "1MB", "container", "web"}, "--ci does not apply to strata container"},
		{[]string{"--files", "df", "img"}, "--files does not apply to strata df"},
	} {
		wantError(t, runIn(t, t.TempDir(), nil, tc.args...), tc.want)
	}

	// compare has a --json of its own: the root's is handed to it.
	oldP, newP := it.CompareFixtures(t, t.TempDir())
	e, out, errb := compareEnv(nil)
	if code := runCmd(t, e, t.TempDir(), append([]string{"--json", "-"}, compareArgs(oldP, newP)...)...); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb)
	}
	var doc map[string]any
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil || doc["old"] == nil {
		t.Fatalf("strata --json - compare printed %q (%v), want the compare document", out, err)
	}

	// build and config take every root flag, as before.
	r := runIn(t, t.TempDir(), nil, "--highest-wasted-bytes", "5MB", "config")
	if r.code != exitOK {
		t.Fatalf("config: exit %d: %s", r.code, r.stderr)
	}
}
