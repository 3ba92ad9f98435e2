package source

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strata-cli/strata/internal/dockertest"
)

const dockerSocket = "unix:///var/run/docker.sock"

// dockerImage builds a small image with a file that a later step deletes,
// so that Docker writes a whiteout.
func dockerImage(t *testing.T, tag string) {
	t.Helper()
	dockertest.Require(t)
	dockertest.Build(t, tag, dockertest.Dockerfile(t,
		"mkdir -p /data && head -c 40000 /bin/busybox > /data/big && echo keep > /data/keep",
		"rm /data/big",
	))
}

func TestDockerOpen(t *testing.T) {
	const tag = "strata-test/source-docker:1"
	dockerImage(t, tag)
	saved := mustOpen(t, "docker-archive:"+dockertest.Save(t, tag), Options{})
	id := dockertest.ImageID(t, tag)

	// Nothing is left behind in the temp directory, even while the
	// image is open: the save is unlinked as soon as it is created.
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)

	for _, ref := range []string{"docker://" + tag, tag, id, "docker://" + id} {
		t.Run(ref, func(t *testing.T) {
			var origins []Origin
			var last Progress
			img := mustOpen(t, ref, Options{
				Used:     func(o Origin) { origins = append(origins, o) },
				Progress: func(p Progress) { last = p },
			})
			closeImage(t, img)
			if left, _ := filepath.Glob(filepath.Join(tmp, "*")); len(left) > 0 {
				t.Errorf("temp files left: %v", left)
			}
			sameImage(t, img, saved)
			want := Origin{Kind: KindDocker, Endpoint: dockerSocket}
			if h := os.Getenv("DOCKER_HOST"); h != "" {
				want.Endpoint = h
			}
			if len(origins) != 1 || origins[0] != want {
				t.Errorf("Used got %v, want once %v", origins, want)
			}
			if !last.Final || last.Done == 0 {
				t.Errorf("last progress %+v, want a final one", last)
			}
		})
	}
}

func TestDockerContext(t *testing.T) {
	const tag = "strata-test/source-context:1"
	dockerImage(t, tag)
	host := os.Getenv("DOCKER_HOST")
	if host == "" {
		host = dockerSocket
	}
	// A context named "strata-ctx" pointing at the real daemon, stored
	// where the docker CLI stores it.
	dir := t.TempDir()
	sum := sha256.Sum256([]byte("strata-ctx"))
	meta := filepath.Join(dir, "contexts", "meta", hex.EncodeToString(sum[:]))
	if err := os.MkdirAll(meta, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(meta, "meta.json"),
		[]byte(`{"Name":"strata-ctx","Metadata":{},"Endpoints":{"docker":{"Host":"`+host+`","SkipTLSVerify":false}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DOCKER_CONFIG", dir)
	t.Setenv("DOCKER_HOST", "")

	for _, how := range []string{"DOCKER_CONTEXT", "config.json"} {
		t.Run(how, func(t *testing.T) {
			if how == "DOCKER_CONTEXT" {
				t.Setenv("DOCKER_CONTEXT", "strata-ctx")
			} else {
				t.Setenv("DOCKER_CONTEXT", "")
				if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"currentContext":"strata-ctx"}`), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			var got Origin
			img := mustOpen(t, "docker://"+tag, Options{Used: func(o Origin) { got = o }})
			closeImage(t, img)
			if got.Endpoint != host {
				t.Errorf("endpoint %q, want %q", got.Endpoint, host)
			}
		})
	}

	t.Run("missing context", func(t *testing.T) {
		t.Setenv("DOCKER_CONTEXT", "nope")
		_, err := Open(context.Background(), "docker://"+tag, Options{})
		if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), `docker context "nope"`) {
			t.Errorf("err = %v, want docker context \"nope\" not found", err)
		}
	})
}

func TestDaemonErrors(t *testing.T) {
	dead := "unix://" + filepath.Join(t.TempDir(), "dead.sock")

	t.Run("docker not running", func(t *testing.T) {
		t.Setenv("DOCKER_HOST", dead)
		start := time.Now()
		_, err := Open(context.Background(), "docker://alpine:3.20", Options{})
		if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "docker is not reachable at "+dead) {
			t.Errorf("err = %v, want docker not reachable", err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("took %v to notice", d)
		}
	})
	t.Run("podman not running", func(t *testing.T) {
		t.Setenv("CONTAINER_HOST", dead)
		_, err := Open(context.Background(), "podman://alpine:3.20", Options{})
		if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "podman is not reachable at "+dead) {
			t.Errorf("err = %v, want podman not reachable", err)
		}
	})
	t.Run("image ID nowhere", func(t *testing.T) {
		// An image ID is never looked up in a registry.
		t.Setenv("DOCKER_HOST", dead)
		t.Setenv("CONTAINER_HOST", dead)
		_, err := Open(context.Background(), strings.Repeat("ab", 32), Options{})
		if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "docker: not running at "+dead) || !strings.Contains(err.Error(), "registry: not asked") {
			t.Errorf("err = %v, want not found, docker not running", err)
		}
	})
	t.Run("ssh host", func(t *testing.T) {
		t.Setenv("DOCKER_HOST", "ssh://user@127.0.0.1")
		_, err := Open(context.Background(), "docker://x", Options{})
		if !errors.Is(err, ErrUnsupported) {
			t.Errorf("err = %v, want ErrUnsupported", err)
		}
	})
	t.Run("image not in docker", func(t *testing.T) {
		dockertest.Require(t)
		_, err := Open(context.Background(), "docker://strata-test/not-there:1", Options{})
		if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "use registry://strata-test/not-there:1") {
			t.Errorf("err = %v, want not found with a registry:// hint", err)
		}
	})
}
