package dockertest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Podman runs the podman CLI on storage of its own under a test's
// temporary directory (the vfs driver, which needs no overlay support), so
// that a test neither needs podman's service nor touches the machine's
// images, and leaves nothing behind.
type Podman struct {
	store []string
}

// RequirePodman returns a Podman, or skips the test when the podman CLI
// or the static busybox is missing; STRATA_REQUIRE_PODMAN=1 fails it
// instead.
func RequirePodman(t testing.TB) *Podman {
	t.Helper()
	why := ""
	if _, err := exec.LookPath("podman"); err != nil {
		why = "podman not installed"
	} else if _, err := os.Stat(Busybox); err != nil {
		why = Busybox + " missing (apt-get install busybox-static)"
	}
	if why != "" {
		skipPodman(t, why)
	}
	// podman refuses a runroot longer than 50 characters, which a test's
	// temporary directory can be.
	base := os.TempDir()
	if len(base) > 20 {
		base = "/tmp"
	}
	dir, err := os.MkdirTemp(base, "strata-pm-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return &Podman{store: []string{"--root", filepath.Join(dir, "root"), "--runroot", filepath.Join(dir, "run"), "--storage-driver", "vfs"}}
}

func skipPodman(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("STRATA_REQUIRE_PODMAN") == "1" {
		t.Fatalf("STRATA_REQUIRE_PODMAN=1 but %s", why)
	}
	t.Skipf("%s; skipping (set STRATA_REQUIRE_PODMAN=1 to fail instead)", why)
}

// Build runs podman build on the context dir as tag, with extra flags
// ("--format", "docker"). A build that fails skips the test, saying why:
// podman cannot build here (no OCI runtime, no user namespaces...);
// STRATA_REQUIRE_PODMAN=1 fails it instead.
func (p *Podman) Build(t testing.TB, tag, dir string, extra ...string) {
	t.Helper()
	args := append(append(append([]string{}, p.store...), "build", "-q", "-t", tag), extra...)
	if out, err := command(5*time.Minute, "podman", append(args, dir)...); err != nil {
		skipPodman(t, "podman cannot build here: "+err.Error()+": "+lastLines(out, 5))
	}
}

// Save writes ref as a docker-archive (podman save --format docker-archive)
// and returns its path.
func (p *Podman) Save(t testing.TB, ref string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "save.tar")
	args := append(append([]string{}, p.store...), "save", "-q", "--format", "docker-archive", "-o", out, ref)
	if msg, err := command(5*time.Minute, "podman", args...); err != nil {
		t.Fatalf("podman save %s: %v\n%s", ref, err, msg)
	}
	return out
}

// lastLines is the end of a command's output, for a skip message.
func lastLines(out string, n int) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], " / ")
}
