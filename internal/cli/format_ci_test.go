package cli

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	it "github.com/strata-cli/strata/internal/imagetest"
	"github.com/strata-cli/strata/report"

	"github.com/strata-cli/strata/internal/golden"
)

// ciArgs is one CI run over sampleResult that exercises every kind of
// outcome: failed ratio rules, a passed size rule, a failed layer rule, a
// failed path rule and a skipped one (sampleResult has no file tree).
var ciArgs = []string{"--ci", "--highest-wasted-bytes", "20MB", "--highest-layer-size", "40MB",
	"--deny-waste", "var/lib/apt/lists/**", "--block", "**/*.pem", "img"}

func TestCIFormatsGolden(t *testing.T) {
	for _, f := range []struct{ format, golden string }{
		{formatMarkdown, "ci_fail.md"},
		{formatGitHub, "ci_fail_github.txt"},
		{formatJUnit, "ci_fail_junit.xml"},
		{formatJSON, "ci_fail.json"},
	} {
		t.Run(f.format, func(t *testing.T) {
			e, out, errb := fakeEnv(it.SampleResult(), nil, nil)
			code := runCmd(t, e, t.TempDir(), append([]string{"--format", f.format}, ciArgs...)...)
			if code != exitRuleFailed {
				t.Errorf("exit code = %d, want %d; stderr: %s", code, exitRuleFailed, errb)
			}
			if errb.Len() != 0 {
				t.Errorf("stderr = %q, want nothing", errb)
			}
			if strings.Contains(out.String(), "History:\n") {
				t.Errorf("the plain report went to stdout with --format %s", f.format)
			}
			golden.Check(t, f.golden, out.Bytes())
		})
	}
}

// TestJUnitParses reads the JUnit output back with encoding/xml: one suite
// named strata, one testcase per rule, failures carrying actual and
// threshold, skips marked skipped.
func TestJUnitParses(t *testing.T) {
	e, out, _ := fakeEnv(it.SampleResult(), nil, nil)
	runCmd(t, e, t.TempDir(), append([]string{"--format", "junit"}, ciArgs...)...)
	var doc junitDoc
	if err := xml.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("JUnit output does not parse: %v\n%s", err, out)
	}
	if len(doc.Suites) != 1 || doc.Suites[0].Name != "strata" {
		t.Fatalf("want one testsuite named strata, got %+v", doc.Suites)
	}
	s := doc.Suites[0]
	want := map[string]string{ // rule -> fail, skip or pass
		"lowest-efficiency": "fail", "highest-wasted-bytes": "pass", "highest-user-wasted-percent": "fail",
		"highest-layer-size": "fail", "block": "skip", "deny-waste": "fail", "secrets": "pass",
	}
	if s.Tests != len(want) || len(s.Cases) != len(want) || s.Failures != 4 || s.Skipped != 1 {
		t.Errorf("suite counts tests=%d cases=%d failures=%d skipped=%d, want %d/%d/4/1", s.Tests, len(s.Cases), s.Failures, s.Skipped, len(want), len(want))
	}
	for _, c := range s.Cases {
		got := "pass"
		switch {
		case c.Failure != nil:
			got = "fail"
			if !strings.Contains(c.Failure.Body, "actual:") || !strings.Contains(c.Failure.Body, "threshold:") || c.Failure.Message == "" {
				t.Errorf("%s: failure lacks actual/threshold: %+v", c.Name, c.Failure)
			}
		case c.Skipped != nil:
			got = "skip"
		}
		if got != want[c.Name] {
			t.Errorf("testcase %s = %s, want %s", c.Name, got, want[c.Name])
		}
	}
	if c := s.Cases[5]; c.Failure == nil || !strings.Contains(c.Failure.Body, "var/lib/apt/lists/deb.debian.org") {
		t.Errorf("deny-waste failure does not name the path: %+v", c.Failure)
	}
}

func TestCIJSONParses(t *testing.T) {
	e, out, _ := fakeEnv(it.SampleResult(), nil, nil)
	runCmd(t, e, t.TempDir(), append([]string{"--format", "json"}, ciArgs...)...)
	var doc report.CIJSON
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Result != "FAIL" || doc.Fail != 4 || doc.Pass != 2 || doc.Skip != 1 || len(doc.Rules) != 7 {
		t.Errorf("got %+v", doc)
	}
}

// TestGitHubActionsExtras: inside GitHub Actions the workflow commands go
// to stderr and the Markdown summary is appended to $GITHUB_STEP_SUMMARY,
// on top of the chosen format.
func TestGitHubActionsExtras(t *testing.T) {
	dir := t.TempDir()
	summary := filepath.Join(dir, "summary.md")
	if err := os.WriteFile(summary, []byte("earlier step\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e, out, errb := fakeEnv(it.SampleResult(), nil, map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary})
	code := runCmd(t, e, dir, append([]string{"--format", "junit"}, ciArgs...)...)
	if code != exitRuleFailed {
		t.Errorf("exit code = %d", code)
	}
	if !strings.HasPrefix(out.String(), "<?xml") {
		t.Errorf("stdout is not only the JUnit document:\n%s", out)
	}
	for _, want := range []string{
		"::error title=strata lowest-efficiency::lowest-efficiency: 0.85 < 0.9\n",
		"::error title=strata deny-waste::",
		"::warning title=strata block::block: no file tree to check\n",
		"strata: FAIL [pass:2 fail:4 skip:1]\n",
	} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errb)
		}
	}
	got, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(golden.Path("ci_fail.md"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "earlier step\n"+string(want) {
		t.Errorf("step summary:\n%s\nwant the earlier content followed by ci_fail.md", got)
	}

	// With --format github the commands are the output, not repeated.
	e, out, errb = fakeEnv(it.SampleResult(), nil, map[string]string{"GITHUB_ACTIONS": "true"})
	runCmd(t, e, dir, append([]string{"--format", "github"}, ciArgs...)...)
	if errb.Len() != 0 || !strings.Contains(out.String(), "::error") {
		t.Errorf("--format github: stdout %q, stderr %q", out, errb)
	}
}

func TestFormatImpliesCI(t *testing.T) {
	e, out, _ := fakeEnv(it.SampleResult(), nil, nil)
	if code := runCmd(t, e, t.TempDir(), "--format", "github", "img"); code != exitRuleFailed {
		t.Errorf("exit code = %d, want %d", code, exitRuleFailed)
	}
	if !strings.Contains(out.String(), "::error title=strata lowest-efficiency::") {
		t.Errorf("output:\n%s", out)
	}
	e, _, errb := fakeEnv(it.SampleResult(), nil, nil)
	if code := runCmd(t, e, t.TempDir(), "--format", "yaml", "img"); code != exitError || !strings.Contains(errb.String(), "want text, json, junit, markdown, github, html, sarif") {
		t.Errorf("bad --format: exit %d, stderr %q", code, errb)
	}
}

// junitDoc is the part of strata's JUnit XML the tests read back.
type junitDoc struct {
	XMLName xml.Name `xml:"testsuites"`
	Suites  []struct {
		Name       string `xml:"name,attr"`
		Tests      int    `xml:"tests,attr"`
		Failures   int    `xml:"failures,attr"`
		Errors     int    `xml:"errors,attr"`
		Skipped    int    `xml:"skipped,attr"`
		Properties []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value,attr"`
		} `xml:"properties>property"`
		Cases []struct {
			Name    string `xml:"name,attr"`
			Failure *struct {
				Message string `xml:"message,attr"`
				Body    string `xml:",chardata"`
			} `xml:"failure"`
			Error *struct {
				Message string `xml:"message,attr"`
			} `xml:"error"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}
