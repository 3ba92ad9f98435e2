package cli

import (
	"bytes"
	"context"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strata-cli/strata/analyze"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenDir is absolute because some tests change directory.
var goldenDir, _ = filepath.Abs(filepath.Join("testdata", "golden"))

// checkGolden compares got with testdata/golden/name, or rewrites the file
// with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join(goldenDir, name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (run go test -update to accept):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// sampleResult is a hand-built result shaped like a small Debian image with
// an apt cache that a later layer deletes. It has no Tree.
func sampleResult() *analyze.Result {
	created := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	return &analyze.Result{
		Image: analyze.Summary{
			Reference:           "docker-archive://app.tar",
			Digest:              "sha256:1111111111111111111111111111111111111111111111111111111111111111",
			ConfigDigest:        "sha256:2222222222222222222222222222222222222222222222222222222222222222",
			Platform:            "linux/amd64",
			SizeBytes:           80_000_000,
			CompressedSizeBytes: 30_000_000,
			FileCount:           4321,
			WastedBytes:         12_000_000,
			Efficiency:          0.85,
			UserWastedBytes:     12_000_000,
			UserWastedPercent:   0.4,
		},
		Layers: []analyze.Layer{
			{Index: 0, Digest: "sha256:aaaa", DiffID: "sha256:bbbb", Command: "/bin/sh -c #(nop) ADD file:0123abcd in / ",
				SizeBytes: 50_000_000, CompressedSizeBytes: 20_000_000, FileCount: 4000, Added: 4000},
			{Index: 1, Digest: "sha256:cccc", DiffID: "sha256:dddd", Command: "RUN /bin/sh -c apt-get update && apt-get install -y curl ca-certificates git openssh-client # buildkit",
				SizeBytes: 30_000_000, CompressedSizeBytes: 10_000_000, FileCount: 330, Added: 320, Modified: 10, WastedBytes: 12_000_000},
			{Index: 2, Digest: "sha256:eeee", DiffID: "sha256:ffff", Command: "RUN /bin/sh -c rm -rf /var/lib/apt/lists/* # buildkit",
				FileCount: 0, Removed: 9},
		},
		History: []analyze.HistoryEntry{
			{CreatedBy: "/bin/sh -c #(nop) ADD file:0123abcd in / ", Created: created, LayerIndex: 0},
			{CreatedBy: "/bin/sh -c #(nop)  CMD [\"bash\"]", Created: created, EmptyLayer: true, LayerIndex: -1},
			{CreatedBy: "RUN /bin/sh -c apt-get update && apt-get install -y curl ca-certificates git openssh-client # buildkit", Created: created, LayerIndex: 1},
			{CreatedBy: "RUN /bin/sh -c rm -rf /var/lib/apt/lists/* # buildkit", LayerIndex: 2},
		},
		WastedFiles: []analyze.WastedFile{
			{Path: "var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4", WastedBytes: 9_000_000, Layers: []int{1}},
			{Path: "var/cache/debconf/templates.dat", WastedBytes: 2_000_000, Layers: []int{0, 1}},
			{Path: "etc/weird-\xffname", WastedBytes: 1_000_000, Layers: []int{1}},
		},
	}
}

// fakeEnv returns an env whose loader hands back res (or err), with output
// captured in the returned buffers.
func fakeEnv(res *analyze.Result, err error, vars map[string]string) (env, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return env{
		stdout:    &out,
		stderr:    &errb,
		getenv:    func(k string) string { return vars[k] },
		termWidth: func() (int, bool) { return 0, false },
		load: func(context.Context, string, loadOptions) (*analyze.Result, error) {
			return res, err
		},
	}, &out, &errb
}

// runCmd runs the root command in dir (for rules-file discovery) and
// returns the exit code main would use.
func runCmd(t *testing.T, e env, dir string, args ...string) int {
	t.Helper()
	if dir != "" {
		t.Chdir(dir)
	}
	cmd := newRootCmd(e)
	if args == nil {
		args = []string{} // nil would make cobra read os.Args
	}
	cmd.SetArgs(args)
	return ExitCode(e.stderr, cmd.ExecuteContext(context.Background()))
}

// result is one in-process run of the command.
type result struct {
	code           int
	stdout, stderr string
}

// runIn runs the root command in dir with vars as its whole environment
// and the fake loader; the user's own cache and config are never read.
func runIn(t *testing.T, dir string, vars map[string]string, args ...string) result {
	t.Helper()
	all := map[string]string{"STRATA_CACHE_DIR": filepath.Join(dir, ".strata-cache"), "XDG_CONFIG_HOME": filepath.Join(dir, ".xdg-config")}
	maps.Copy(all, vars)
	e, out, errb := fakeEnv(nil, nil, all)
	code := runCmd(t, e, dir, args...)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// wantError checks the contract for failures: exit 2, one line on stderr
// saying what went wrong, nothing on stdout.
func wantError(t *testing.T, r result, contains string) {
	t.Helper()
	if r.code != exitError || strings.Count(r.stderr, "\n") != 1 || !strings.HasPrefix(r.stderr, "strata: ") || !strings.Contains(r.stderr, contains) || r.stdout != "" {
		t.Errorf("exit %d, stderr %q, stdout %q; want exit %d and one line containing %q", r.code, r.stderr, r.stdout, exitError, contains)
	}
}

func lastLine(s string) string {
	s = strings.TrimRight(s, "\n")
	return s[strings.LastIndexByte(s, '\n')+1:]
}
