package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	imgcmp "github.com/strata-cli/strata/compare"
	"github.com/strata-cli/strata/internal/golden"
	it "github.com/strata-cli/strata/internal/imagetest"
	"github.com/strata-cli/strata/report"
	"github.com/strata-cli/strata/ui"
)

// compareGrownFixture writes a docker-archive like compareFixtures' NEW
// with one more step, which rewrites app/out: one layer and 300 wasted
// bytes more than OLD.
func compareGrownFixture(t *testing.T) string {
	t.Helper()
	hist := []v1.History{{CreatedBy: "COPY busybox /bin/busybox"}, {CreatedBy: "COPY app /app"}, {CreatedBy: "RUN make"},
		{CreatedBy: "RUN make install"}}
	img := it.MustImage(t, []v1.Layer{
		it.MustLayer(t, it.Tar(it.Dir("bin"), it.SizedFile("bin/busybox", 5000)), it.Gzip),
		it.MustLayer(t, it.Tar(it.Dir("app"), it.File("app/main.c", "int v=2;"), it.File("app/README", "hi")), it.Gzip),
		it.MustLayer(t, it.Tar(it.SizedFile("app/out", 300)), it.Gzip),
		it.MustLayer(t, it.Tar(it.SizedFile("app/out", 400)), it.Gzip),
	}, hist, nil)
	p := filepath.Join(t.TempDir(), "grown.tar")
	if err := it.WriteDockerArchive(p, img, "app:grown"); err != nil {
		t.Fatal(err)
	}
	return p
}

// compareEnv runs compare in process on real archives, with output
// captured and each image's reference cut to app:<file name>, so that
// golden files do not hold temporary directories.
func compareEnv(vars map[string]string) (env, *bytes.Buffer, *bytes.Buffer) {
	e, out, errb := fakeEnv(nil, nil, vars)
	e.load = func(ctx context.Context, ref string, lo loadOptions) (*analyze.Result, error) {
		r, err := openAndAnalyze(ctx, ref, lo)
		if err == nil {
			r.Image.Reference = "app:" + strings.TrimSuffix(filepath.Base(ref), ".tar")
		}
		return r, err
	}
	return e, out, errb
}

// compareArgs is "compare --no-cache FLAGS... OLD NEW".
func compareArgs(oldP, newP string, flags ...string) []string {
	return append(append([]string{"compare", "--no-cache"}, flags...), oldP, newP)
}

func TestCompareFormatsGolden(t *testing.T) {
	oldP, newP := it.CompareFixtures(t, t.TempDir())
	grownP := compareGrownFixture(t)
	regression := []string{"--max-size-increase", "1%", "--max-waste-increase", "0"}
	ok := []string{"--max-size-increase", "10kB", "--max-layers-increase", "0"}
	all := []string{"--max-size-increase", "1%", "--max-waste-increase", "0", "--max-layers-increase", "0"}
	tests := []struct {
		golden string
		format string
		newP   string
		flags  []string
		code   int
	}{
		{"compare_regression.md", formatMarkdown, newP, regression, exitRuleFailed},
		{"compare_regression_github.txt", formatGitHub, newP, regression, exitRuleFailed},
		{"compare_ok.md", formatMarkdown, newP, ok, exitOK},
		{"compare_ok_github.txt", formatGitHub, newP, ok, exitOK},
		{"compare_grown.md", formatMarkdown, grownP, all, exitRuleFailed},
		{"compare_grown_github.txt", formatGitHub, grownP, all, exitRuleFailed},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			e, out, errb := compareEnv(nil)
			code := runCmd(t, e, t.TempDir(), compareArgs(oldP, tt.newP, append([]string{"--format", tt.format}, tt.flags...)...)...)
			if code != tt.code {
				t.Errorf("exit code = %d, want %d; stderr: %s", code, tt.code, errb)
			}
			if errb.Len() != 0 {
				t.Errorf("stderr = %q, want nothing", errb)
			}
			if strings.Contains(out.String(), "Layers:\n") {
				t.Errorf("the text report went to stdout with --format %s", tt.format)
			}
			if !strings.HasPrefix(lastLine(out.String()), "verdict: ") {
				t.Errorf("last line = %q, want the verdict", lastLine(out.String()))
			}
			golden.Check(t, tt.golden, out.Bytes())
		})
	}
}

// TestCompareJUnit reads the JUnit output back with encoding/xml: one
// suite, one testcase per --max-* flag, a failure on exactly the crossed
// ones and skipped on those not set.
func TestCompareJUnit(t *testing.T) {
	oldP, newP := it.CompareFixtures(t, t.TempDir())
	grownP := compareGrownFixture(t)
	tests := []struct {
		name    string
		newP    string
		flags   []string
		fail    []string
		skip    []string
		verdict string
	}{
		{name: "size crossed", newP: newP, flags: []string{"--max-size-increase", "1%", "--max-waste-increase", "0"},
			fail: []string{"max-size-increase"}, skip: []string{"max-layers-increase"}, verdict: "regression"},
		{name: "layers crossed", newP: grownP, flags: []string{"--max-size-increase", "1MB", "--max-layers-increase", "0"},
			fail: []string{"max-layers-increase"}, skip: []string{"max-waste-increase"}, verdict: "regression"},
		{name: "all crossed", newP: grownP, flags: []string{"--max-size-increase", "1B", "--max-waste-increase", "1B", "--max-layers-increase", "0"},
			fail: []string{"max-size-increase", "max-waste-increase", "max-layers-increase"}, verdict: "regression"},
		{name: "within", newP: grownP, flags: []string{"--max-size-increase", "50%", "--max-waste-increase", "1kB", "--max-layers-increase", "1"},
			verdict: "ok"},
		{name: "none set", newP: newP,
			skip: []string{"max-size-increase", "max-waste-increase", "max-layers-increase"}, verdict: "ok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, out, errb := compareEnv(nil)
			code := runCmd(t, e, t.TempDir(), compareArgs(oldP, tt.newP, append([]string{"--format", "junit"}, tt.flags...)...)...)
			if want := map[bool]int{true: exitRuleFailed, false: exitOK}[len(tt.fail) > 0]; code != want {
				t.Errorf("exit code = %d, want %d; stderr: %s", code, want, errb)
			}
			var doc junitDoc
			if err := xml.Unmarshal(out.Bytes(), &doc); err != nil {
				t.Fatalf("JUnit output does not parse: %v\n%s", err, out)
			}
			if len(doc.Suites) != 1 || doc.Suites[0].Name != "strata compare" {
				t.Fatalf("want one testsuite named strata compare, got %+v", doc.Suites)
			}
			s := doc.Suites[0]
			if s.Tests != 3 || len(s.Cases) != 3 || s.Failures != len(tt.fail) || s.Skipped != len(tt.skip) {
				t.Errorf("suite tests=%d cases=%d failures=%d skipped=%d, want 3/3/%d/%d", s.Tests, len(s.Cases), s.Failures, s.Skipped, len(tt.fail), len(tt.skip))
			}
			for i, name := range []string{"max-size-increase", "max-waste-increase", "max-layers-increase"} {
				if i >= len(s.Cases) {
					break
				}
				c := s.Cases[i]
				if c.Name != name {
					t.Errorf("testcase %d = %q, want %q", i, c.Name, name)
				}
				wantFail, wantSkip := slices.Contains(tt.fail, name), slices.Contains(tt.skip, name)
				if (c.Failure != nil) != wantFail || (c.Skipped != nil) != wantSkip {
					t.Errorf("%s: failure %v skipped %v, want %v and %v", name, c.Failure != nil, c.Skipped != nil, wantFail, wantSkip)
				}
				if c.Failure != nil && (c.Failure.Message == "" || !strings.Contains(c.Failure.Body, "threshold:") ||
					!strings.Contains(c.Failure.Body, "verdict: regression reason=")) {
					t.Errorf("%s: failure lacks a message, the threshold or the verdict: %+v", name, c.Failure)
				}
			}
			props := map[string]string{}
			for _, p := range s.Properties {
				props[p.Name] = p.Value
			}
			if props["verdict"] != tt.verdict || props["old"] != "app:old" || props["cacheBreakStep"] != "2" {
				t.Errorf("properties = %v, want verdict %s, old app:old, cache break at step 2", props, tt.verdict)
			}
		})
	}
}

// TestCompareFormatJSON: --format json is the --json document, and --json
// keeps working beside any format.
func TestCompareFormatJSON(t *testing.T) {
	oldP, newP := it.CompareFixtures(t, t.TempDir())
	limit := []string{"--max-size-increase", "1B"}
	dir := t.TempDir()
	e, want, _ := compareEnv(nil)
	if code := runCmd(t, e, dir, compareArgs(oldP, newP, append([]string{"--json", "-"}, limit...)...)...); code != exitRuleFailed {
		t.Fatalf("--json -: exit %d", code)
	}
	var doc report.JSONCompare
	if err := json.Unmarshal(want.Bytes(), &doc); err != nil || doc.Verdict != "regression" {
		t.Fatalf("--json -: %v, verdict %q\n%s", err, doc.Verdict, want)
	}
	// Every documented layer field is there, false ones included.
	var raw struct {
		Layers []map[string]any `json:"layers"`
	}
	if err := json.Unmarshal(want.Bytes(), &raw); err != nil || len(raw.Layers) == 0 {
		t.Fatalf("layers: %v (%d)", err, len(raw.Layers))
	}
	for _, l := range raw.Layers {
		for _, k := range []string{"index", "status", "inOld", "old", "new"} {
			if _, ok := l[k]; !ok {
				t.Errorf("layer %v has no %q", l["index"], k)
			}
		}
	}

	e, got, errb := compareEnv(nil)
	if code := runCmd(t, e, dir, compareArgs(oldP, newP, append([]string{"--format", "json"}, limit...)...)...); code != exitRuleFailed {
		t.Errorf("--format json: exit %d", code)
	}
	if got.String() != want.String() || errb.Len() != 0 {
		t.Errorf("--format json differs from --json - (stderr %q):\n%s\nwant\n%s", errb, got, want)
	}

	// Both: the document once.
	e, got, _ = compareEnv(nil)
	runCmd(t, e, dir, compareArgs(oldP, newP, append([]string{"--format", "json", "--json", "-"}, limit...)...)...)
	if got.String() != want.String() {
		t.Errorf("--format json --json -: stdout\n%s", got)
	}

	// --json FILE with --format json: the same document in both places.
	file := filepath.Join(dir, "cmp.json")
	e, got, _ = compareEnv(nil)
	runCmd(t, e, dir, compareArgs(oldP, newP, append([]string{"--format", "json", "--json", file}, limit...)...)...)
	b, err := os.ReadFile(file)
	if err != nil || string(b) != want.String() || got.String() != want.String() {
		t.Errorf("--json FILE --format json: file %q (%v), stdout %q", b, err, got)
	}

	// --json - with another format: stdout keeps the document, the format
	// goes to stderr, as for strata --json - --ci.
	e, got, errb = compareEnv(nil)
	if code := runCmd(t, e, dir, compareArgs(oldP, newP, append([]string{"--format", "markdown", "--json", "-"}, limit...)...)...); code != exitRuleFailed {
		t.Errorf("--json - --format markdown: exit %d", code)
	}
	if got.String() != want.String() || !strings.HasPrefix(errb.String(), "## ❌ strata compare: regression (size)\n") {
		t.Errorf("--json - --format markdown: stdout\n%s\nstderr\n%s", got, errb)
	}
}

// TestCompareFormatExitCodes: every format exits 1 when a limit is
// crossed, 0 when none is, and an unknown format is an error.
func TestCompareFormatExitCodes(t *testing.T) {
	oldP, newP := it.CompareFixtures(t, t.TempDir())
	for _, f := range compareFormats {
		for _, tt := range []struct {
			limit string
			code  int
		}{{"1B", exitRuleFailed}, {"1MB", exitOK}} {
			t.Run(f+"/"+tt.limit, func(t *testing.T) {
				e, out, errb := compareEnv(nil)
				code := runCmd(t, e, t.TempDir(), compareArgs(oldP, newP, "--format", f, "--max-size-increase", tt.limit)...)
				if code != tt.code || out.Len() == 0 || errb.Len() != 0 {
					t.Errorf("exit %d, want %d; %d bytes out, stderr %q", code, tt.code, out.Len(), errb)
				}
			})
		}
	}
	// Before "compare", as the root's flag it is.
	e, out, _ := compareEnv(nil)
	if code := runCmd(t, e, t.TempDir(), "--format", "github", "compare", "--no-cache", "--max-size-increase", "1B", oldP, newP); code != exitRuleFailed ||
		!strings.HasPrefix(out.String(), "::error title=strata compare::max-size-increase: ") {
		t.Errorf("--format before compare: exit %d, stdout %q", code, out)
	}
	e, _, errb := compareEnv(nil)
	if code := runCmd(t, e, t.TempDir(), compareArgs(oldP, newP, "--format", "sarif")...); code != exitError ||
		!strings.Contains(errb.String(), "want text, json, junit, markdown, github") {
		t.Errorf("bad --format: exit %d, stderr %q", code, errb)
	}
	// A missing image is still exit 2, whatever the format.
	e, _, _ = compareEnv(nil)
	if code := runCmd(t, e, t.TempDir(), compareArgs(oldP, filepath.Join(t.TempDir(), "missing.tar"), "--format", "junit")...); code != exitError {
		t.Errorf("missing image with --format junit: exit %d, want %d", code, exitError)
	}
}

// TestCompareGitHubActions: inside GitHub Actions the crossed limits also
// go to stderr as ::error commands and the Markdown summary is appended to
// $GITHUB_STEP_SUMMARY, whatever the format, as for the root's CI rules.
func TestCompareGitHubActions(t *testing.T) {
	oldP, newP := it.CompareFixtures(t, t.TempDir())
	regression := []string{"--max-size-increase", "1%", "--max-waste-increase", "0"}
	goldenMD, err := os.ReadFile(golden.Path("compare_regression.md"))
	if err != nil {
		t.Fatal(err)
	}
	ghGolden, err := os.ReadFile(golden.Path("compare_regression_github.txt"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		format     string
		stdoutHas  string // a prefix (the first line) or, for text, the last line
		wantStderr string
	}{
		{formatText, "verdict: regression reason=size", string(ghGolden)},
		{formatJUnit, "<?xml", string(ghGolden)},
		{formatJSON, "{", string(ghGolden)},
		{formatMarkdown, "## ❌ strata compare", string(ghGolden)},
		{formatGitHub, "::error title=strata compare::max-size-increase: ", ""}, // the commands are the output, not repeated
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			dir := t.TempDir()
			summary := filepath.Join(dir, "summary.md")
			if err := os.WriteFile(summary, []byte("earlier step\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			e, out, errb := compareEnv(map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary})
			code := runCmd(t, e, dir, compareArgs(oldP, newP, append([]string{"--format", tt.format}, regression...)...)...)
			if code != exitRuleFailed {
				t.Errorf("exit code = %d, want %d", code, exitRuleFailed)
			}
			if tt.format == formatText {
				if lastLine(out.String()) != tt.stdoutHas || !strings.Contains(out.String(), "cache broke at step 2") {
					t.Errorf("stdout is not the text report:\n%s", out)
				}
			} else if !strings.HasPrefix(out.String(), tt.stdoutHas) {
				t.Errorf("stdout does not start with %q:\n%s", tt.stdoutHas, out)
			}
			if errb.String() != tt.wantStderr {
				t.Errorf("stderr = %q, want %q", errb, tt.wantStderr)
			}
			got, err := os.ReadFile(summary)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != "earlier step\n"+string(goldenMD) {
				t.Errorf("step summary:\n%s\nwant the earlier content followed by compare_regression.md", got)
			}
		})
	}

	// An ok verdict is a notice; no summary file, no summary written.
	e, _, errb := compareEnv(map[string]string{"GITHUB_ACTIONS": "true"})
	if code := runCmd(t, e, t.TempDir(), compareArgs(oldP, newP, "--max-size-increase", "1MB")...); code != exitOK ||
		errb.String() != "::notice title=strata compare::verdict: ok\nverdict: ok\n" {
		t.Errorf("ok in GitHub Actions: exit %d, stderr %q", code, errb)
	}
	// Outside GitHub Actions, nothing on stderr.
	e, _, errb = compareEnv(map[string]string{"GITHUB_STEP_SUMMARY": filepath.Join(t.TempDir(), "s.md")})
	if runCmd(t, e, t.TempDir(), compareArgs(oldP, newP)...); errb.Len() != 0 {
		t.Errorf("stderr %q without GITHUB_ACTIONS", errb)
	}
	// A summary that cannot be written is an error.
	e, _, errb = compareEnv(map[string]string{"GITHUB_STEP_SUMMARY": filepath.Join(t.TempDir(), "no", "such", "dir", "s.md")})
	if code := runCmd(t, e, t.TempDir(), compareArgs(oldP, newP)...); code != exitError || !strings.Contains(errb.String(), "job summary") {
		t.Errorf("unwritable summary: exit %d, stderr %q", code, errb)
	}
}

// TestCompareFormatSkipsInterface: in a terminal, a --format other than
// text prints, like a limit or --json does.
func TestCompareFormatSkipsInterface(t *testing.T) {
	oldP, newP := it.CompareFixtures(t, t.TempDir())
	for _, f := range []string{formatMarkdown, formatJUnit} {
		e, out := tuiEnv(t, true)
		ro := &rootOptions{theme: "auto", format: f}
		ro.load.cache.noCache = true
		o := &compareOptions{top: 10, maxLayers: -1, tui: func(context.Context, *imgcmp.Report, ui.CompareOptions) error {
			t.Errorf("--format %s opened the interface", f)
			return nil
		}}
		if err := runCompare(context.Background(), e, ro, o, oldP, newP); err != nil {
			t.Fatal(err)
		}
		if out.Len() == 0 {
			t.Errorf("--format %s printed nothing", f)
		}
	}
}

// TestCompareSizeLimitsNeedAUnit: a bare number is refused with the units
// it could have meant (it silently meant bytes); 0 and sizes with a unit
// are read.
func TestCompareSizeLimitsNeedAUnit(t *testing.T) {
	for _, tc := range []struct {
		size, waste string
		wantErr     string
	}{
		{"5", "", `--max-size-increase 5: give a unit (5MB or 5%; 5B for bytes)`},
		{"", "12", `--max-waste-increase 12: give a unit (12MB; 12B for bytes)`},
		{"5B", "0", ""},
		{"5%", "1MB", ""},
		{"0", "", ""},
	} {
		o := compareOptions{maxSize: tc.size, maxWaste: tc.waste, maxLayers: -1}
		_, err := o.parseLimits()
		if (err == nil) != (tc.wantErr == "") || (err != nil && err.Error() != tc.wantErr) {
			t.Errorf("size %q waste %q: err = %v, want %q", tc.size, tc.waste, err, tc.wantErr)
		}
	}
}

// TestCompareTextPaths: the text report's list of changed paths is
// ordered by the size of each path's change, and says so.
func TestCompareTextPaths(t *testing.T) {
	oldP, _ := it.CompareFixtures(t, t.TempDir())
	e, out, errb := compareEnv(nil)
	if code := runCmd(t, e, t.TempDir(), compareArgs(oldP, compareGrownFixture(t))...); code != exitOK {
		t.Fatalf("exit code = %d; stderr: %s", code, errb)
	}
	text := out.String()
	_, list, ok := strings.Cut(text, "\n  paths, largest size change first:\n")
	if !ok {
		t.Fatalf("no label saying how the paths are ordered:\n%s", text)
	}
	if !strings.HasPrefix(list, "    app/out  ") {
		t.Errorf("app/out (300 B -> 400 B) is not first:\n%s", list)
	}
	golden.Check(t, "compare_grown.txt", out.Bytes())
}
