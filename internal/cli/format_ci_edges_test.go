package cli

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/advice"
	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
	"github.com/strata-cli/strata/report"
)

// analysed reads an image built from steps of entries with the analyser
// strata runs, one history step per layer.
func analysed(t *testing.T, steps map[string][]it.Entry, order ...string) *analyze.Result {
	t.Helper()
	var ls []v1.Layer
	var hist []v1.History
	for _, cmd := range order {
		ls = append(ls, it.MustLayer(t, it.Tar(steps[cmd]...), it.Gzip))
		hist = append(hist, v1.History{CreatedBy: cmd})
	}
	res, err := analyze.Analyze(context.Background(), it.MustImage(t, ls, hist, nil), analyze.Options{Reference: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestJUnitOnError: when the run fails before any rule is evaluated,
// --format junit still writes a document with one errored testcase that
// carries the error, and the error is still the one stderr line.
func TestJUnitOnError(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		args    []string
		loadErr error
		want    string
	}{
		{"unreadable image", nil, []string{"img"}, errors.New("opening img: no such image"), "opening img: no such image"},
		{"bad rules file", map[string]string{".strata-ci.yaml": "rules:\n  lowest-eficiency: 0.9\n"}, []string{"img"}, nil, `unknown rule "lowest-eficiency"`},
		{"bad config file", map[string]string{".strata.yaml": "platfrom: linux/amd64\n"}, []string{"img"}, nil, `unknown key "platfrom"`},
		{"credentials left out", nil, []string{"registry://bob:hunter2@reg.example/app"}, errors.New("registry reg.example is not reachable"), "not reachable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, body := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			e, out, errb := fakeEnv(it.SampleResult(), tt.loadErr, nil)
			code := runCmd(t, e, dir, append([]string{"--format", "junit"}, tt.args...)...)
			if code != exitError {
				t.Errorf("exit code = %d, want %d", code, exitError)
			}
			if strings.Count(errb.String(), "\n") != 1 || !strings.Contains(errb.String(), tt.want) {
				t.Errorf("stderr = %q, want one line containing %q", errb, tt.want)
			}
			if strings.Contains(out.String(), "hunter2") {
				t.Errorf("the JUnit document holds the credentials:\n%s", out)
			}
			var doc junitDoc
			if err := xml.Unmarshal(out.Bytes(), &doc); err != nil {
				t.Fatalf("stdout is not JUnit XML: %v\n%q", err, out)
			}
			if len(doc.Suites) != 1 || doc.Suites[0].Errors != 1 || len(doc.Suites[0].Cases) != 1 {
				t.Fatalf("want one suite with one errored testcase, got %+v", doc.Suites)
			}
			c := doc.Suites[0].Cases[0]
			if c.Error == nil || !strings.Contains(c.Error.Message, tt.want) {
				t.Errorf("testcase %s: error = %+v, want a message containing %q", c.Name, c.Error, tt.want)
			}
		})
	}

	// strata compare --format junit alike.
	e, out, errb := fakeEnv(nil, errors.New("opening old.tar: no such file"), nil)
	if code := runCmd(t, e, t.TempDir(), "compare", "--format", "junit", "--max-layers-increase", "0", "old.tar", "new.tar"); code != exitError {
		t.Errorf("compare: exit code = %d, want %d", code, exitError)
	}
	var doc junitDoc
	if err := xml.Unmarshal(out.Bytes(), &doc); err != nil || len(doc.Suites) != 1 || doc.Suites[0].Errors != 1 ||
		doc.Suites[0].Cases[0].Error == nil || !strings.Contains(doc.Suites[0].Cases[0].Error.Message, "old.tar: opening old.tar: no such file") {
		t.Errorf("compare --format junit on an error: %v\n%s\nstderr %q", err, out, errb)
	}

	// Other formats keep the contract: nothing on stdout.
	e, out, _ = fakeEnv(nil, errors.New("opening img: no such image"), nil)
	if code := runCmd(t, e, t.TempDir(), "--format", "markdown", "img"); code != exitError || out.Len() != 0 {
		t.Errorf("--format markdown on an error: exit %d, stdout %q", code, out)
	}
}

// TestGitHubOneLayerNoWarning: a one-layer image has no bytes above its
// base, so highest-user-wasted-percent is skipped; that is not worth a
// warning annotation. A rule that could not be checked still is.
func TestGitHubOneLayerNoWarning(t *testing.T) {
	res := analysed(t, map[string][]it.Entry{"ADD rootfs": {it.Dir("bin"), it.SizedFile("bin/busybox", 4000)}}, "ADD rootfs")
	e, out, errb := fakeEnv(res, nil, nil)
	if code := runCmd(t, e, t.TempDir(), "--format", "github", "img"); code != exitOK {
		t.Fatalf("exit code = %d; stdout %q, stderr %q", code, out, errb)
	}
	if strings.Contains(out.String(), "::warning") || !strings.Contains(out.String(), "strata: PASS [pass:2 fail:0 skip:2]") {
		t.Errorf("one-layer image:\n%s\nwant no ::warning and the summary", out)
	}

	// sampleResult has no file tree: block cannot be checked.
	e, out, _ = fakeEnv(it.SampleResult(), nil, nil)
	runCmd(t, e, t.TempDir(), "--format", "github", "--block", "**/*.pem", "img")
	if !strings.Contains(out.String(), "::warning title=strata block::block: no file tree to check\n") {
		t.Errorf("a rule that could not be checked is not a warning:\n%s", out)
	}
}

// TestMarkdownAdvice: the job summary carries the advice the text
// report gives.
func TestMarkdownAdvice(t *testing.T) {
	res := analysed(t, map[string][]it.Entry{
		"ADD rootfs":                      {it.Dir("bin"), it.SizedFile("bin/sh", 1000)},
		"RUN apt-get update":              {it.Dir("var/lib/apt/lists"), it.SizedFile("var/lib/apt/lists/deb_Packages", 300000)},
		"RUN rm -rf /var/lib/apt/lists/*": {it.Whiteout("var/lib/apt/lists/deb_Packages")},
	}, "ADD rootfs", "RUN apt-get update", "RUN rm -rf /var/lib/apt/lists/*")
	as := advice.Advise(res)
	if len(as) == 0 {
		t.Fatal("the fixture gives no advice; the test would prove nothing")
	}
	e, out, errb := fakeEnv(res, nil, nil)
	if code := runCmd(t, e, t.TempDir(), "--format", "markdown", "img"); code != exitRuleFailed {
		t.Errorf("exit code = %d; stderr %q", code, errb)
	}
	md := out.String()
	i := strings.Index(md, "\n### Advice\n")
	if i < 0 {
		t.Fatalf("no Advice section:\n%s", md)
	}
	for _, a := range as {
		if !strings.Contains(md[i:], "`"+a.Kind+"`") {
			t.Errorf("the Advice section lacks %s (%s):\n%s", a.Kind, a.Message, md[i:])
		}
	}
}

// TestCIEnvWithJSON: CI=true applies the rules with --json as --ci does;
// the JSON is still written whole.
func TestCIEnvWithJSON(t *testing.T) {
	t.Run("file", func(t *testing.T) {
		dir := t.TempDir()
		e, out, errb := fakeEnv(it.SampleResult(), nil, map[string]string{"CI": "true"})
		if code := runCmd(t, e, dir, "--json", "out.json", "img"); code != exitRuleFailed {
			t.Errorf("exit code = %d, want %d; stderr %q", code, exitRuleFailed, errb)
		}
		data, err := os.ReadFile(filepath.Join(dir, "out.json"))
		if err != nil || !json.Valid(data) {
			t.Errorf("out.json: %v, valid %v", err, json.Valid(data))
		}
		if !strings.Contains(out.String(), "FAIL [pass:1 fail:2 skip:1]") {
			t.Errorf("stdout = %q, want the rule results", out)
		}
	})
	t.Run("stdout", func(t *testing.T) {
		e, out, errb := fakeEnv(it.SampleResult(), nil, map[string]string{"CI": "true"})
		if code := runCmd(t, e, t.TempDir(), "--json", "-", "img"); code != exitRuleFailed {
			t.Errorf("exit code = %d, want %d", code, exitRuleFailed)
		}
		var r report.JSONReport
		if err := json.Unmarshal(out.Bytes(), &r); err != nil {
			t.Errorf("stdout is not the JSON alone: %v\n%s", err, out)
		}
		if !strings.Contains(errb.String(), "FAIL [pass:1 fail:2 skip:1]") {
			t.Errorf("stderr = %q, want the rule results", errb)
		}
	})
}

// TestHTMLShowsRules: the page --format html writes shows the rule
// results in the markup itself, readable with scripts off.
func TestHTMLShowsRules(t *testing.T) {
	e, out, errb := fakeEnv(it.SampleResult(), nil, nil)
	if code := runCmd(t, e, t.TempDir(), append([]string{"--format", "html"}, ciArgs...)...); code != exitRuleFailed {
		t.Errorf("exit code = %d; stderr %q", code, errb)
	}
	page := out.String()
	i := strings.Index(page, `<table class="rules">`)
	if i < 0 {
		t.Fatalf("no rules table in the page")
	}
	table := page[i : i+strings.Index(page[i:], "</table>")]
	for _, want := range []string{
		`<tr class="rule-FAIL"><td>FAIL</td><td class="path">lowest-efficiency</td><td>0.85</td><td>0.9</td><td>0.85 &lt; 0.9</td></tr>`,
		`<tr class="rule-PASS"><td>PASS</td><td class="path">highest-wasted-bytes</td>`,
		`<tr class="rule-SKIP"><td>SKIP</td><td class="path">block</td>`,
	} {
		if !strings.Contains(table, want) {
			t.Errorf("rules table lacks %s:\n%s", want, table)
		}
	}
	if !strings.Contains(page, "FAIL [pass:2 fail:4 skip:1]") {
		t.Errorf("the page lacks the summary line")
	}
}
