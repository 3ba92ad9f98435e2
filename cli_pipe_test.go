package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/internal/imagetest"
	"github.com/strata-cli/strata/report"
)

// runStdin is runWith with stdin fed from b through a pipe (exec copies
// a non-file Stdin into one), as `docker save app | strata -` does, and
// TMPDIR pointed at tmp so that a spool file left behind would show.
func runStdin(t *testing.T, dir, tmp string, b []byte, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = dir
	cmd.Env = childEnv([]string{"CI", "STRATA_CACHE_DIR", "XDG_CONFIG_HOME", "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "TMPDIR"},
		"STRATA_CACHE_DIR="+filepath.Join(dir, ".strata-cache"), "XDG_CONFIG_HOME="+filepath.Join(dir, ".xdg-config"), "TMPDIR="+tmp)
	cmd.Stdin = bytes.NewReader(b)
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

// TestCLIArchiveFromPipe: an archive piped in, named "-" or
// docker-archive:/dev/stdin, gives the report its file gives, and leaves
// no temporary file behind.
func TestCLIArchiveFromPipe(t *testing.T) {
	dir := t.TempDir()
	layer := imagetest.MustLayer(t, imagetest.Tar(imagetest.File("app/a", "hello\n"), imagetest.SizedFile("app/big", 5000)), imagetest.Gzip)
	img := imagetest.MustImage(t, []v1.Layer{layer}, nil, &v1.Platform{OS: "linux", Architecture: "amd64"})
	classic := filepath.Join(dir, "app.tar")
	if err := imagetest.WriteDockerArchive(classic, img, "example.com/app:1"); err != nil {
		t.Fatal(err)
	}
	ociTar := filepath.Join(dir, "oci.tar")
	if err := imagetest.WriteOCIArchive(ociTar, imagetest.MustIndex(t, imagetest.Manifest{Image: img, Tag: "1"})); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name, archive, ref, source string
	}{
		{"docker save to -", classic, "-", "docker-archive"},
		{"docker-archive:/dev/stdin", classic, "docker-archive:/dev/stdin", "docker-archive"},
		{"/dev/stdin", classic, "/dev/stdin", "docker-archive"},
		{"oci archive to -", ociTar, "-", "oci-archive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := sourceJSON(t, dir, nil, tc.source, tc.archive)
			b, err := os.ReadFile(tc.archive)
			if err != nil {
				t.Fatal(err)
			}
			tmp := t.TempDir()
			r := runStdin(t, dir, tmp, b, "--json", "-", tc.ref)
			if r.code != exitOK {
				t.Fatalf("strata %s: exit %d, stderr %q", tc.ref, r.code, r.stderr)
			}
			var got report.JSONReport
			if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
				t.Fatalf("stdout is not JSON: %v", err)
			}
			if got.Image.Source != tc.source {
				t.Errorf("image.source = %q, want %q", got.Image.Source, tc.source)
			}
			got.Image.Reference, got.Image.Source, got.Image.Digest = "", "", ""
			sameReport(t, tc.ref, got, want)
			if ents, _ := os.ReadDir(tmp); len(ents) > 0 {
				t.Errorf("%d files left in TMPDIR, first %s", len(ents), ents[0].Name())
			}
		})
	}

	t.Run("empty pipe", func(t *testing.T) {
		wantError(t, runStdin(t, dir, t.TempDir(), nil, "-"), "standard input: empty, nothing was written to it")
	})
}
