package cli

import (
	"path/filepath"
	"strings"
	"testing"

	it "github.com/strata-cli/strata/internal/imagetest"
)

// TestComparePackagesFormats: strata compare of two dpkg builds, end to
// end from docker-archives, puts the package diff in the JUnit document
// and the GitHub workflow commands, and inside GitHub Actions on stderr
// beside any other format.
func TestComparePackagesFormats(t *testing.T) {
	dir := t.TempDir()
	oldImg, newImg := it.DpkgPair(t)
	oldP, newP := filepath.Join(dir, "old.tar"), filepath.Join(dir, "new.tar")
	if err := it.WriteDockerArchive(oldP, oldImg, "app:old"); err != nil {
		t.Fatal(err)
	}
	if err := it.WriteDockerArchive(newP, newImg, "app:new"); err != nil {
		t.Fatal(err)
	}
	notice := "::notice title=strata compare%3A packages::Packages: 1 added, 1 removed, 1 upgraded; largest: wget removed 1.21 (-3.0 kB)"
	tests := []struct {
		format string
		vars   map[string]string
		stdout string
		stderr string
	}{
		{format: formatJUnit, stdout: `<testcase name="packages" classname="strata compare">`},
		{format: formatJUnit, stdout: "   +500 B  upgraded  libc6 2.36-9 -&gt; 2.36-10"},
		{format: formatGitHub, stdout: notice},
		{format: formatJSON, vars: map[string]string{"GITHUB_ACTIONS": "true"}, stdout: `"name": "wget"`, stderr: notice},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			e, out, errb := compareEnv(tt.vars)
			if code := runCmd(t, e, t.TempDir(), compareArgs(oldP, newP, "--format", tt.format)...); code != exitOK {
				t.Fatalf("exit %d; stderr %s", code, errb)
			}
			if !strings.Contains(out.String(), tt.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tt.stdout, out)
			}
			if !strings.Contains(errb.String(), tt.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.stderr, errb)
			}
		})
	}
}
