package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	it "github.com/strata-cli/strata/internal/imagetest"
)

// diveSample is a .dive-ci laid out as dive's own sample is: a plugins:
// list, dive's three rules (with dive's "20Mb") and a plugin rule.
const diveSample = "---\nplugins:\n  - plugin1\n\nrules:\n  lowestEfficiency: 0.95\n  highestWastedBytes: 20Mb\n  highestUserWastedPercent: 0.10\n\n  plugin1/rule1: error\n"

// TestDiveSampleRulesFile: dive's sample file is read, its plugin rule
// reported on one stderr line and ignored, its known rules applied.
func TestDiveSampleRulesFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".dive-ci"), []byte(diveSample), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, quiet := range []bool{false, true} {
		args := []string{"--ci", "img"}
		if quiet {
			args = append([]string{"-q"}, args...)
		}
		e, out, errb := fakeEnv(it.SampleResult(), nil, nil)
		if code := runCmd(t, e, dir, args...); code != exitRuleFailed {
			t.Errorf("%v: exit code = %d, want %d; stderr %q", args, code, exitRuleFailed, errb)
		}
		if got := errb.String(); got != "strata: ignoring dive plugin rules: plugin1/rule1\n" {
			t.Errorf("%v: stderr = %q, want the one line naming plugin1/rule1", args, got)
		}
		for _, want := range []string{
			"Rules (from .dive-ci):",
			"FAIL  lowest-efficiency: 0.85 < 0.95",
			"PASS  highest-wasted-bytes: 12 MB (12000000 bytes) <= 20 MB (20000000 bytes)",
			"FAIL  highest-user-wasted-percent: 0.4 > 0.1",
		} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("%v: output lacks %q:\n%s", args, want, out)
			}
		}
	}
}

// TestDiveFlags: --version and -c/--config work as a dive user expects;
// -i/--ignore-errors is refused with what strata does instead.
func TestDiveFlags(t *testing.T) {
	dir := t.TempDir()
	e, out, errb := fakeEnv(nil, nil, nil)
	e.build = Build{Version: "1.2.3"}
	if code := runCmd(t, e, dir, "--version"); code != exitOK || out.String() != "strata 1.2.3\n" || errb.Len() != 0 {
		t.Errorf("--version: exit %d, stdout %q, stderr %q; want strata 1.2.3", code, out, errb)
	}
	e, out, _ = fakeEnv(nil, nil, nil)
	e.build = Build{Version: "1.2.3"}
	if code := runCmd(t, e, dir, "version", "--short"); code != exitOK || out.String() != "strata 1.2.3\n" {
		t.Errorf("version --short: exit %d, stdout %q", code, out)
	}

	for _, flag := range []string{"-i", "--ignore-errors"} {
		wantError(t, runIn(t, dir, nil, flag, "img"), "strata has no such mode: a layer or file it cannot read stops the run")
	}

	// -c FILE is the one config file read: .strata.yaml is not.
	if err := os.WriteFile(filepath.Join(dir, ".strata.yaml"), []byte("platform: linux/arm64\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "mine.yaml"), []byte("platform: linux/s390x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, flag := range []string{"-c", "--config"} {
		r := runIn(t, dir, nil, flag, "mine.yaml", "config")
		if r.code != exitOK || !regexpLine(r.stdout, `platform\s+linux/s390x\s+mine.yaml`) || strings.Contains(r.stdout, "arm64") {
			t.Errorf("%s mine.yaml config: exit %d, stderr %q, stdout:\n%s", flag, r.code, r.stderr, r.stdout)
		}
	}
	wantError(t, runIn(t, dir, nil, "--config", "missing.yaml", "img"), "reading config: open missing.yaml")
}

// regexpLine reports whether one line of s matches re whole.
func regexpLine(s, re string) bool {
	return regexp.MustCompile(`(?m)^` + re + `\s*$`).MatchString(s)
}
