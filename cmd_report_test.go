package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/internal/imagetest"
)

func TestHTMLReportCommand(t *testing.T) {
	dir := t.TempDir()
	tiny := writeTiny(t)
	out := filepath.Join(dir, "report.html")

	r := run(t, dir, "report", tiny, "-o", out)
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("stdout = %q, want nothing", r.stdout)
	}
	if !strings.HasPrefix(r.stderr, "strata: wrote "+out+" (") {
		t.Errorf("stderr = %q, want it to say where the report went", r.stderr)
	}
	page, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<!doctype html>", `id="strata-data"`, `"reference":"` + tiny + `"`, `"n":"server"`} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("report lacks %q", want)
		}
	}
	if info, err := os.Stat(out); err != nil || info.Mode().Perm() != 0o644 {
		t.Errorf("report mode = %v (%v), want 0644", info.Mode(), err)
	}

	// -o - writes the same page to stdout, and -q says nothing.
	r = run(t, dir, "report", "-q", "-o", "-", tiny)
	if r.code != 0 || r.stderr != "" || r.stdout != string(page) {
		t.Errorf("-o -: exit %d, stderr %q, stdout %d bytes, want the %d-byte page", r.code, r.stderr, len(r.stdout), len(page))
	}

	// Nothing but the report is left in the directory: the temporary
	// file was renamed into place.
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), ".strata-cache") {
			names = append(names, e.Name())
		}
	}
	if strings.Join(names, " ") != "report.html" {
		t.Errorf("directory holds %v, want only report.html", names)
	}
}

// TestHTMLReportFlags checks that the flags that choose the image work both
// before "report" (as root flags) and after it.
func TestHTMLReportFlags(t *testing.T) {
	dir := t.TempDir()
	amd := imagetest.MustImage(t, []v1.Layer{imagetest.MustLayer(t, imagetest.Tar(imagetest.SizedFile("amd64-only", 10)), imagetest.Gzip)}, nil, nil)
	arm := imagetest.MustImage(t, []v1.Layer{imagetest.MustLayer(t, imagetest.Tar(imagetest.SizedFile("arm64-only", 10)), imagetest.Gzip)}, nil,
		&v1.Platform{OS: "linux", Architecture: "arm64"})
	idx := imagetest.MustIndex(t,
		imagetest.Manifest{Image: amd, Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}},
		imagetest.Manifest{Image: arm, Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}})
	layout := filepath.Join(dir, "layout")
	if err := imagetest.WriteOCILayout(layout, idx); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"report", "--platform", "linux/arm64", "-o", "a.html", "oci:" + layout},
		{"--platform", "linux/arm64", "report", "-o", "a.html", "oci:" + layout},
	} {
		r := run(t, dir, args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
		page, err := os.ReadFile(filepath.Join(dir, "a.html"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(page, []byte(`"n":"arm64-only"`)) || bytes.Contains(page, []byte("amd64-only")) {
			t.Errorf("%v: the report is not of the arm64 image", args)
		}
	}
}

func TestHTMLReportErrors(t *testing.T) {
	dir := t.TempDir()
	// An unreadable image is one line on stderr, and no file is written.
	r := run(t, dir, "report", "-o", "r.html", filepath.Join(dir, "missing.tar"))
	wantError(t, r, "missing.tar")
	if _, err := os.Stat(filepath.Join(dir, "r.html")); !os.IsNotExist(err) {
		t.Errorf("a failed run wrote r.html (%v)", err)
	}
	// A report into a directory that does not exist fails without a trace.
	r = run(t, dir, "report", "-o", filepath.Join(dir, "no", "such", "r.html"), writeTiny(t))
	wantError(t, r, "writing ")
	r = run(t, dir, "report")
	if r.code != exitError {
		t.Errorf("report without IMAGE: exit %d, want %d", r.code, exitError)
	}
}

// TestFormatHTML checks that --format html writes the page strata report
// writes, on stdout, while the CI rules still decide the exit code; and
// that compare, which has no page, refuses it however it is given.
func TestFormatHTML(t *testing.T) {
	dir := t.TempDir()
	tiny := writeTiny(t)
	page := run(t, dir, "report", tiny, "-o", "-")
	if page.code != 0 {
		t.Fatalf("report: exit %d, stderr %q", page.code, page.stderr)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		// tiny.tar's efficiency is 0.7587 and user-wasted 0.397.
		{"default rules fail", []string{"--format", "html", tiny}, exitRuleFailed},
		{"looser rules pass", []string{"--format", "html", "--lowest-efficiency", "0.7", "--highest-user-wasted-percent", "0.5", tiny}, exitOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, dir, tc.args...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d; stderr %q", r.code, tc.code, r.stderr)
			}
			// The report's page, with the rule results added: cut the
			// rules section and the rules from the page's data, and the
			// rest is the report's page byte for byte.
			section := regexp.MustCompile(`(?s)\n  <section aria-labelledby="rules-h">.*?</section>`)
			data := regexp.MustCompile(`,"rules":\[.*?\],"rulesSummary":"[^"]*"`)
			if !section.MatchString(r.stdout) || !data.MatchString(r.stdout) {
				t.Errorf("stdout holds no rule results (%d bytes)", len(r.stdout))
			}
			if cut := data.ReplaceAllString(section.ReplaceAllString(r.stdout, ""), ""); cut != page.stdout {
				t.Errorf("stdout without its rules is not the report's page (%d bytes, want %d)", len(cut), len(page.stdout))
			}
			if r.stderr != "" {
				t.Errorf("stderr = %q, want nothing", r.stderr)
			}
		})
	}
	for _, args := range [][]string{
		{"compare", "--format", "html", tiny, tiny},
		{"--format", "html", "compare", tiny, tiny},
	} {
		r := run(t, dir, args...)
		if r.code != exitError || !strings.Contains(r.stderr, "html") || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and one line naming html", args, r.code, r.stderr)
		}
	}
}
