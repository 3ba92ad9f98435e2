// Package dockertest builds small images in the local Docker daemon for
// tests, without pulling anything: every image is FROM scratch with a
// static busybox copied in, and RUN steps call it directly.
package dockertest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Busybox is the static busybox Debian's busybox-static installs.
const Busybox = "/bin/busybox"

// Require skips the test when the docker CLI or daemon is missing, or
// fails it when STRATA_REQUIRE_DOCKER=1 says the daemon must be there.
func Require(t testing.TB) {
	t.Helper()
	why := ""
	if _, err := exec.LookPath("docker"); err != nil {
		why = "docker CLI not installed"
	} else if out, err := command(10*time.Second, "docker", "version", "--format", "{{.Server.Version}}"); err != nil {
		why = "no Docker daemon answers: " + strings.TrimSpace(out)
	} else if _, err := os.Stat(Busybox); err != nil {
		why = Busybox + " missing (apt-get install busybox-static)"
	}
	if why == "" {
		return
	}
	if os.Getenv("STRATA_REQUIRE_DOCKER") == "1" {
		t.Fatalf("STRATA_REQUIRE_DOCKER=1 but %s", why)
	}
	t.Skipf("%s; skipping (set STRATA_REQUIRE_DOCKER=1 to fail instead)", why)
}

// Dockerfile writes a build context whose Dockerfile copies busybox into
// an empty image and then runs each step as `busybox sh -c STEP`, and
// returns its directory.
func Dockerfile(t testing.TB, steps ...string) string {
	t.Helper()
	dir := t.TempDir()
	bb, err := os.ReadFile(Busybox)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "busybox"), bb, 0o755); err != nil {
		t.Fatal(err)
	}
	var df strings.Builder
	df.WriteString("FROM scratch\nCOPY busybox /bin/busybox\n")
	for _, s := range steps {
		// The exec form needs no /bin/sh, which the image does not have.
		fmt.Fprintf(&df, "RUN [\"/bin/busybox\", \"sh\", \"-c\", %q]\n", "export PATH=/bin; /bin/busybox --install -s /bin && "+s)
	}
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Build builds the context dir as tag (which should start with
// "strata-test/") and removes the image when the test ends.
func Build(t testing.TB, tag, dir string) {
	t.Helper()
	if out, err := command(5*time.Minute, "docker", "build", "-q", "-t", tag, dir); err != nil {
		t.Fatalf("docker build %s: %v\n%s", tag, err, out)
	}
	Cleanup(t, tag)
}

// Cleanup removes the image ref when the test ends. --no-prune keeps its
// untagged parent layers: other tests (and other packages' tests, which go
// test runs at the same time) may be building on them from the cache, and
// removing them mid-build fails that build.
func Cleanup(t testing.TB, ref string) {
	t.Helper()
	t.Cleanup(func() { command(time.Minute, "docker", "rmi", "-f", "--no-prune", ref) })
}

// Save writes `docker save ref` to a file in a temporary directory.
func Save(t testing.TB, ref string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "save.tar")
	if out, err := command(5*time.Minute, "docker", "save", "-o", p, ref); err != nil {
		t.Fatalf("docker save %s: %v\n%s", ref, err, out)
	}
	return p
}

// ImageID returns the ID of ref in the daemon.
func ImageID(t testing.TB, ref string) string {
	t.Helper()
	out, err := command(time.Minute, "docker", "image", "inspect", "--format", "{{.ID}}", ref)
	if err != nil {
		t.Fatalf("docker image inspect %s: %v\n%s", ref, err, out)
	}
	return strings.TrimSpace(out)
}

// Run runs the docker CLI with args and returns its trimmed output,
// failing the test if it fails.
func Run(t testing.TB, args ...string) string {
	t.Helper()
	out, err := command(2*time.Minute, "docker", args...)
	if err != nil {
		t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(out)
}

func command(timeout time.Duration, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}
