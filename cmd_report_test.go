package main

import (
	"bytes"
	"os"
	"path/filepath"
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
