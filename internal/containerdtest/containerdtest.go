// Package containerdtest starts a private containerd for tests (its own
// root, state and socket under a temporary directory, never the system
// instance) and imports images into it with ctr.
package containerdtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Require skips the test when containerd or ctr is missing, or
// fails it when STRATA_REQUIRE_CONTAINERD=1 says they must be there.
func Require(t testing.TB) {
	t.Helper()
	why := ""
	for _, bin := range []string{"containerd", "ctr"} {
		if _, err := exec.LookPath(bin); err != nil {
			why = bin + " not installed (apt-get install containerd)"
		}
	}
	if why == "" && os.Geteuid() != 0 {
		why = "containerd needs root"
	}
	if why == "" {
		return
	}
	if os.Getenv("STRATA_REQUIRE_CONTAINERD") == "1" {
		t.Fatalf("STRATA_REQUIRE_CONTAINERD=1 but %s", why)
	}
	t.Skipf("%s; skipping (set STRATA_REQUIRE_CONTAINERD=1 to fail instead)", why)
}

// Start starts a private containerd with its own root, state
// and socket under a temporary directory (never the system instance), and
// returns its socket. It is stopped when the test ends.
func Start(t testing.TB) string {
	t.Helper()
	Require(t)
	// The socket path must fit in sun_path (108 bytes), which a test's
	// TempDir may not.
	dir, err := os.MkdirTemp("", "strata-ctrd-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "c.sock")
	cfg := fmt.Sprintf("version = 2\nroot = %q\nstate = %q\ndisabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n[grpc]\n  address = %q\n",
		filepath.Join(dir, "root"), filepath.Join(dir, "state"), sock)
	if err := os.WriteFile(filepath.Join(dir, "config.toml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	log, err := os.Create(filepath.Join(dir, "log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("containerd", "--config", filepath.Join(dir, "config.toml"))
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting containerd: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		log.Close()
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		if out, err := exec.Command("ctr", "-a", sock, "version").CombinedOutput(); err == nil {
			break
		} else if time.Now().After(deadline) {
			raw, _ := os.ReadFile(log.Name())
			t.Fatalf("containerd did not answer at %s: %v\n%s\nlog:\n%s", sock, err, out, raw)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return sock
}

// Ctr runs ctr against sock in namespace ns.
func Ctr(t testing.TB, sock, ns string, args ...string) string {
	t.Helper()
	out, err := exec.Command("ctr", append([]string{"-a", sock, "-n", ns}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("ctr %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}
