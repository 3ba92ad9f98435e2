package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"go.uber.org/goleak"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/internal/imagetest"
	"github.com/strata-cli/strata/report"
	"github.com/strata-cli/strata/source"
)

// binary is the strata executable built once by TestMain, with the
// version set the way .goreleaser.yaml sets it.
var binary string

const testVersion = "v0.0.0-clitest"

func TestMain(m *testing.M) {
	flag := func() int {
		dir, err := os.MkdirTemp("", "strata-cli-test-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		defer os.RemoveAll(dir)
		binary = filepath.Join(dir, "strata")
		build := exec.Command("go", "build", "-o", binary, "-ldflags", "-X main.version="+testVersion+" -X main.commit=abc123", ".")
		build.Stderr = os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "building strata:", err)
			return 2
		}
		code := m.Run()
		if code == 0 {
			if err := goleak.Find(); err != nil {
				fmt.Fprintln(os.Stderr, "leaked goroutines:", err)
				return 1
			}
		}
		return code
	}()
	os.Exit(flag)
}

// strata's exit codes, as scripts see them.
const (
	exitOK         = 0
	exitRuleFailed = 1
	exitError      = 2
)

// result is one run of the binary.
type result struct {
	code           int
	stdout, stderr string
}

// run executes the binary in dir with CI unset, so that the tests behave
// the same on a developer's machine and in a CI job.
func run(t *testing.T, dir string, args ...string) result {
	t.Helper()
	return runWith(t, dir, nil, args...)
}

// childEnv is this process's environment without the variables named in
// drop, followed by set (NAME=value). The CI markers are always dropped:
// under CI=true strata --json checks the rules too, and a test that wants
// that says so in set.
func childEnv(drop []string, set ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !slices.Contains(drop, k) && k != "CI" && k != "GITHUB_ACTIONS" && k != "GITHUB_STEP_SUMMARY" {
			env = append(env, kv)
		}
	}
	return append(env, set...)
}

// runWith is run with extra environment variables (NAME=value) for the
// child only. The user's own config is never read: XDG_CONFIG_HOME is
// dir/.xdg-config.
func runWith(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = dir
	// Never touch the user's own cache or config.
	cmd.Env = childEnv([]string{"CI", "STRATA_CACHE_DIR", "XDG_CONFIG_HOME", "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY"},
		append([]string{"STRATA_CACHE_DIR=" + filepath.Join(dir, ".strata-cache"), "XDG_CONFIG_HOME=" + filepath.Join(dir, ".xdg-config")}, env...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running strata: %v", err)
	}
	return r
}

// wantError checks the contract for failures: exit 2, one line on stderr
// saying what went wrong, no stack trace, nothing on stdout.
func wantError(t *testing.T, r result, contains string) {
	t.Helper()
	if r.code != exitError {
		t.Errorf("exit code = %d, want %d (stderr %q)", r.code, exitError, r.stderr)
	}
	if strings.Count(r.stderr, "\n") != 1 || !strings.HasPrefix(r.stderr, "strata: ") {
		t.Errorf("stderr = %q, want exactly one line starting with \"strata: \"", r.stderr)
	}
	if !strings.Contains(r.stderr, contains) {
		t.Errorf("stderr = %q, want it to contain %q", r.stderr, contains)
	}
	for _, bad := range []string{"panic", "goroutine"} {
		if strings.Contains(r.stderr, bad) {
			t.Errorf("stderr mentions %q: %s", bad, r.stderr)
		}
	}
	if r.stdout != "" {
		t.Errorf("stdout = %q, want nothing", r.stdout)
	}
}

// writeTiny writes the bundled tiny image as a docker-archive.
func writeTiny(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "tiny.tar")
	if err := imagetest.WriteTiny(p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCLIReport(t *testing.T) {
	p := writeTiny(t)
	r := run(t, t.TempDir(), "docker-archive:"+p)
	if r.code != exitOK || r.stderr != "" {
		t.Fatalf("exit code %d, stderr %q", r.code, r.stderr)
	}
	img, err := imagetest.Tiny()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	// One history row per step, the empty ENV and CMD included.
	_, table, _ := strings.Cut(r.stdout, "History:\n")
	table, _, _ = strings.Cut(table, "\n\n")
	rows := strings.Split(table, "\n")[1:]
	if len(rows) != len(cfg.History) {
		t.Errorf("history table has %d rows, want %d:\n%s", len(rows), len(cfg.History), table)
	}
	for _, want := range []string{"Image:       docker-archive:" + p, "Efficiency:", "Wasted files:", "\n  -  "} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "#(nop)") {
		t.Errorf("report shows the #(nop) prefix:\n%s", r.stdout)
	}
}

// TestCLIJSONMatchesAnalyze checks that --json reports exactly what the
// library computes, for every image-wide and per-layer number.
func TestCLIJSONMatchesAnalyze(t *testing.T) {
	p := writeTiny(t)
	ref := "docker-archive:" + p
	r := run(t, t.TempDir(), "--json", "-", ref)
	if r.code != exitOK || r.stderr != "" {
		t.Fatalf("exit code %d, stderr %q", r.code, r.stderr)
	}
	var got report.JSONReport
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("stdout is not JSON: %v", err)
	}

	ctx := context.Background()
	img, err := source.Open(ctx, ref, source.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := analyze.Analyze(ctx, img, analyze.Options{Reference: ref})
	if err != nil {
		t.Fatal(err)
	}
	want := report.NewJSONReport(res, false)
	want.Image.Source = "docker-archive"
	gotJSON, _ := json.Marshal(got)
	wantJSON, _ := json.Marshal(want)
	if !bytes.Equal(gotJSON, wantJSON) {
		t.Errorf("--json output differs from analyze:\ngot  %s\nwant %s", gotJSON, wantJSON)
	}
	if got.Image.WastedBytes == 0 || len(got.WastedFiles) == 0 {
		t.Errorf("the tiny image wastes space on purpose, got %+v", got.Image)
	}
	if got.Layers[0].Files != nil {
		t.Error("layers have files without --files")
	}
}

func TestCLIJSONFiles(t *testing.T) {
	layer := imagetest.MustLayer(t, imagetest.Tar(
		imagetest.Dir("usr/bin"),
		imagetest.Entry{Name: "usr/bin/su", Body: []byte("su"), Mode: 0o4755},
		imagetest.Entry{Name: "tmp", Type: '5', Mode: 0o1777},
		imagetest.Symlink("usr/bin/sh", "busybox"),
		imagetest.File("etc/caf\xe9", "latin-1 name"),
	), imagetest.Gzip)
	img := imagetest.MustImage(t, []v1.Layer{layer}, nil, nil)
	p := filepath.Join(t.TempDir(), "img.tar")
	if err := imagetest.WriteDockerArchive(p, img, "files:test"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	r := run(t, dir, "--json", "out.json", "--files", p)
	if r.code != exitOK || r.stderr != "" || r.stdout != "" {
		t.Fatalf("exit code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	data, err := os.ReadFile(filepath.Join(dir, "out.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Layers []struct {
			Files []map[string]any `json:"files"`
		} `json:"layers"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Layers) != 1 {
		t.Fatalf("got %d layers, want 1", len(doc.Layers))
	}
	byPath := map[string]map[string]any{}
	for _, f := range doc.Layers[0].Files {
		byPath[f["path"].(string)] = f
	}
	su := byPath["usr/bin/su"]
	if su == nil {
		t.Fatalf("no usr/bin/su in %s", data)
	}
	if got := slices.Sorted(maps.Keys(su)); !equalStrings(got, sorted("path", "kind", "sizeBytes", "mode", "uid", "gid", "linkTarget", "change")) {
		t.Errorf("file keys = %v", got)
	}
	checks := []struct {
		path, key string
		want      any
	}{
		{"usr/bin/su", "mode", float64(0o4755)},
		{"usr/bin/su", "kind", "file"},
		{"usr/bin/su", "sizeBytes", float64(2)},
		{"usr/bin/su", "change", "added"},
		{"usr/bin/su", "linkTarget", ""},
		{"tmp", "mode", float64(0o1777)},
		{"tmp", "kind", "dir"},
		{"usr/bin/sh", "kind", "symlink"},
		{"usr/bin/sh", "linkTarget", "busybox"},
		{`etc/caf\xe9`, "kind", "file"},
	}
	for _, c := range checks {
		f := byPath[c.path]
		if f == nil {
			t.Errorf("no %q in the file list: %s", c.path, data)
			continue
		}
		if f[c.key] != c.want {
			t.Errorf("%s %s = %v, want %v", c.path, c.key, f[c.key], c.want)
		}
	}
}

func equalStrings(a, b []string) bool { return strings.Join(a, "\x00") == strings.Join(b, "\x00") }

func TestCLICI(t *testing.T) {
	p := writeTiny(t)
	t.Run("failing rule", func(t *testing.T) {
		r := run(t, t.TempDir(), "--ci", "--lowest-efficiency", "1", "--highest-user-wasted-percent", "off", p)
		if r.code != exitRuleFailed {
			t.Errorf("exit code = %d, want %d; stderr %q", r.code, exitRuleFailed, r.stderr)
		}
		if !strings.Contains(r.stdout, "FAIL  lowest-efficiency:") || !strings.Contains(r.stdout, "FAIL [pass:1 fail:1 skip:2]") {
			t.Errorf("stdout lacks the failure:\n%s", r.stdout)
		}
		if r.stderr != "" {
			t.Errorf("stderr = %q, want nothing", r.stderr)
		}
	})
	t.Run("passing rules from .dive-ci", func(t *testing.T) {
		dir := t.TempDir()
		rules := "rules:\n  lowestEfficiency: 0.1\n  highestWastedBytes: 1GB\n  highestUserWastedPercent: 0.99\n"
		if err := os.WriteFile(filepath.Join(dir, ".dive-ci"), []byte(rules), 0o644); err != nil {
			t.Fatal(err)
		}
		r := run(t, dir, "--ci", "-q", p)
		if r.code != exitOK {
			t.Errorf("exit code = %d, want 0; stdout:\n%s\nstderr %q", r.code, r.stdout, r.stderr)
		}
		if !strings.HasPrefix(r.stdout, "Rules (from .dive-ci):\n") || !strings.HasSuffix(r.stdout, "PASS [pass:4 fail:0 skip:0]\n") {
			t.Errorf("stdout:\n%s", r.stdout)
		}
	})
	t.Run("bad rules file", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, ".strata-ci.yaml"), []byte("rules:\n  lowest-eficiency: 0.9\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		wantError(t, run(t, dir, "--ci", p), `.strata-ci.yaml:2: unknown rule "lowest-eficiency"`)
	})
}

func TestCLIPlatform(t *testing.T) {
	mk := func(arch string) imagetest.Manifest {
		l := imagetest.MustLayer(t, imagetest.Tar(imagetest.File("arch", arch)), imagetest.Gzip)
		plat := &v1.Platform{OS: "linux", Architecture: arch}
		return imagetest.Manifest{Image: imagetest.MustImage(t, []v1.Layer{l}, nil, plat), Platform: plat}
	}
	dir := filepath.Join(t.TempDir(), "layout")
	if err := imagetest.WriteOCILayout(dir, imagetest.MustIndex(t, mk("amd64"), mk("arm64"))); err != nil {
		t.Fatal(err)
	}
	r := run(t, t.TempDir(), "--platform", "linux/arm64", "--json", "-", "oci:"+dir)
	if r.code != exitOK {
		t.Fatalf("exit code %d, stderr %q", r.code, r.stderr)
	}
	var got report.JSONReport
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	if got.Image.Platform != "linux/arm64" {
		t.Errorf("platform = %q, want linux/arm64", got.Image.Platform)
	}
	wantError(t, run(t, t.TempDir(), "--platform", "linux/s390x", "oci:"+dir), "linux/s390x")
}

func TestCLIErrors(t *testing.T) {
	dir := t.TempDir()
	tiny, err := os.ReadFile(writeTiny(t))
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	truncated := write("truncated.tar", tiny[:len(tiny)*2/3])
	garbage := write("garbage.tar", bytes.Repeat([]byte("not a tar file "), 200))
	empty := write("empty.tar", nil)
	// Flip bytes in the middle of the archive, inside layer data.
	flipped := bytes.Clone(tiny)
	for i := len(flipped) / 2; i < len(flipped)/2+64; i++ {
		flipped[i] ^= 0xff
	}
	corrupt := write("corrupt.tar", flipped)

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"missing file", []string{filepath.Join(dir, "nope.tar")}, "nope.tar"},
		{"missing file with scheme", []string{"docker-archive:" + filepath.Join(dir, "nope.tar")}, "nope.tar"},
		{"truncated archive", []string{truncated}, ""},
		{"garbage", []string{garbage}, ""},
		{"empty file", []string{empty}, ""},
		{"corrupt layer", []string{corrupt}, ""},
		{"no image", nil, "want exactly one IMAGE argument"},
		{"unknown flag", []string{"--nope", truncated}, "unknown flag: --nope"},
		{"bad rule value", []string{"--ci", "--highest-wasted-bytes", "lots", truncated}, `invalid size "lots"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, run(t, dir, tt.args...), tt.want)
		})
	}
}

func TestCLIVersion(t *testing.T) {
	r := run(t, t.TempDir(), "version")
	if r.code != exitOK {
		t.Fatalf("exit code %d, stderr %q", r.code, r.stderr)
	}
	for _, want := range []string{"version: " + testVersion + "\n", "commit:  abc123\n", "date:    unknown\n", "go:      go1."} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("version output lacks %q:\n%s", want, r.stdout)
		}
	}
}

// TestCLICache checks that a warm run, served from the layer cache, prints
// exactly what an uncached run prints, and that the cache can be listed
// and emptied.
func TestCLICache(t *testing.T) {
	p := writeTiny(t)
	dir := t.TempDir()
	uncached := run(t, dir, "--no-cache", "--json", "-", p)
	if _, err := os.Stat(filepath.Join(dir, ".strata-cache")); !os.IsNotExist(err) {
		t.Errorf("--no-cache wrote a cache (stat: %v)", err)
	}
	cold := run(t, dir, "--json", "-", p)
	warm := run(t, dir, "--json", "-", p)
	for name, r := range map[string]result{"uncached": uncached, "cold": cold, "warm": warm} {
		if r.code != exitOK || r.stderr != "" {
			t.Fatalf("%s run: exit %d, stderr %q", name, r.code, r.stderr)
		}
	}
	if cold.stdout != uncached.stdout || warm.stdout != uncached.stdout {
		t.Errorf("cached runs differ from an uncached one")
	}
	list := run(t, dir, "cache", "list")
	if list.code != exitOK || !strings.Contains(list.stdout, "5 layers, 1 images") || !strings.Contains(list.stdout, "  image  ") {
		t.Errorf("cache list: exit %d, stdout %q; want 5 layers and the image", list.code, list.stdout)
	}
	prune := run(t, dir, "cache", "prune")
	if prune.code != exitOK || !strings.Contains(prune.stdout, "removed 11 cached records") {
		t.Errorf("cache prune: exit %d, stdout %q", prune.code, prune.stdout)
	}
}

// lastLine is the last line of s, without its newline.
func lastLine(s string) string {
	s = strings.TrimRight(s, "\n")
	return s[strings.LastIndexByte(s, '\n')+1:]
}

func sorted(s ...string) []string { slices.Sort(s); return s }
