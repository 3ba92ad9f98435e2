package main

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	it "github.com/strata-cli/strata/internal/imagetest"
)

// hostileText carries what a terminal or a CI log would act on: an OSC 52
// clipboard write, a screen clear, an OSC 8 hyperlink, and a newline
// followed by GitHub workflow commands.
const hostileText = "x\x1b]52;c;aGk=\x07\x1b[2J\x1b]8;;http://evil/\x1b\\link\x1b]8;;\x1b\\\n::error ::injected\n::stop-commands::tok\r"

// rawControl reports the first byte of s that a terminal would act on:
// ESC, BEL, CR or any other C0 control but newline and tab.
func rawControl(s string) (byte, bool) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f {
			return c, true
		}
	}
	return 0, false
}

// checkNoInjection fails when output holds a raw control byte or a line
// that starts a workflow command strata did not write itself.
func checkNoInjection(t *testing.T, what, output string) {
	t.Helper()
	if c, ok := rawControl(output); ok {
		t.Errorf("%s holds raw control byte %#02x:\n%q", what, c, output)
	}
	for _, line := range strings.Split(output, "\n") {
		if strings.HasPrefix(line, "::") && !strings.HasPrefix(line, "::error title=strata ") &&
			!strings.HasPrefix(line, "::warning title=strata ") && !strings.HasPrefix(line, "::notice title=strata") {
			t.Errorf("%s starts a workflow command strata did not write: %q", what, line)
		}
	}
}

// TestImageTextIsEscapedEverywhere: strings from an image (platform,
// history, member names, tag) reach no output raw, in any format.
func TestImageTextIsEscapedEverywhere(t *testing.T) {
	dir := t.TempDir()
	name := "etc/" + strings.ReplaceAll(hostileText, "/", "_") + ".pem"
	layers := []v1.Layer{
		it.MustLayer(t, it.Tar(it.SizedFile(name, 4096)), it.Gzip),
		it.MustLayer(t, it.Tar(it.SizedFile(name, 4096)), it.Gzip),
	}
	history := []v1.History{{CreatedBy: "/bin/sh -c echo " + hostileText}, {CreatedBy: "COPY " + hostileText, Comment: hostileText}}
	img := it.MustImage(t, layers, history, &v1.Platform{OS: "linux" + hostileText, Architecture: "amd64" + hostileText})
	archive := filepath.Join(dir, "app.tar")
	if err := it.WriteDockerArchive(archive, img, "app:latest"); err != nil {
		t.Fatal(err)
	}
	runs := [][]string{
		{archive},
		{"--verbose", archive},
		{"--ci", "--block", "**/*.pem", archive},
		{"--ci", "--block", "**/*.pem", "--format", "github", archive},
		{"--ci", "--block", "**/*.pem", "--format", "markdown", archive},
		{"--ci", "--block", "**/*.pem", "--format", "junit", archive},
		{"--ci", "--block", "**/*.pem", "--format", "html", archive},
		{"report", archive},
		{"compare", archive, archive},
	}
	for _, args := range runs {
		r := run(t, dir, args...)
		what := "strata " + strings.Join(args, " ")
		if r.code == exitError {
			t.Errorf("%s: exit %d, stderr %q", what, r.code, r.stderr)
		}
		checkNoInjection(t, what+" stdout", r.stdout)
		checkNoInjection(t, what+" stderr", r.stderr)
	}
}

// TestErrorTextIsEscaped: a name from an archive inside an error line is
// escaped, and the error stays one line.
func TestErrorTextIsEscaped(t *testing.T) {
	dir := t.TempDir()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	manifest, err := json.Marshal([]map[string]any{{"Config": "cfg" + hostileText + ".json", "RepoTags": []string{"app:1"}, "Layers": []string{}}})
	if err != nil {
		t.Fatal(err)
	}
	tw.WriteHeader(&tar.Header{Name: "manifest.json", Typeflag: tar.TypeReg, Size: int64(len(manifest)), Mode: 0o644})
	tw.Write(manifest)
	tw.Close()
	p := filepath.Join(dir, "bad.tar")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, dir, "docker-archive:"+p)
	wantError(t, r, "cfg")
	checkNoInjection(t, "error line", r.stderr)
}
