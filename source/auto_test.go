package source

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-cli/strata/internal/dockertest"
	"github.com/strata-cli/strata/internal/imagetest"
	"github.com/strata-cli/strata/internal/registrytest"
)

// TestAutoSaysWhereItLooked: a bare name found nowhere is one error that
// names every place asked, in order, and what each answered; a mistyped
// name must not read as a network failure alone.
func TestAutoSaysWhereItLooked(t *testing.T) {
	isolateEnv(t)
	dockerHost, podmanHost := os.Getenv("DOCKER_HOST"), os.Getenv("CONTAINER_HOST")
	host := registrytest.InProcess(t, nil)
	registrytest.Push(t, host+"/strata/app:v1", fixture(t, nil))
	closed := registrytest.ClosedAddr(t)
	daemons := "docker: not running at " + dockerHost + "; podman: not running at " + podmanHost + "; containerd: no socket; "

	for _, tc := range []struct {
		name, ref, want string
	}{
		{"typo", host + "/strata/ap:v1", host + "/strata/ap:v1: not found: " + daemons + "registry " + host + ": no such image"},
		{"no tag", host + "/strata/app", daemons + "registry " + host + ": no such image (no tag was given, so :latest was tried)"},
		{"registry refuses", closed + "/strata/app:v1", daemons + "registry " + closed + ": unreachable (connection refused)"},
		{"no such host", "nosuchhost.invalid/app:1", daemons + "registry nosuchhost.invalid: unreachable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img, err := Open(context.Background(), tc.ref, Options{})
			if err == nil {
				Close(img)
				t.Fatalf("Open(%q) succeeded", tc.ref)
			}
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("err = %v, want errors.Is ErrNotFound", err)
			}
			if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("err = %q\nwant one line containing %q", err, tc.want)
			}
		})
	}

	t.Run("docker has no such image", func(t *testing.T) {
		t.Setenv("DOCKER_HOST", "")
		t.Setenv("DOCKER_CONFIG", "")
		dockertest.Require(t)
		_, err := Open(context.Background(), closed+"/strata/not-there:1", Options{})
		if want := "not found: docker: no such image; podman: "; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to contain %q", err, want)
		}
	})
}

// TestPathLikeRefsNeverAskTheRegistry: what can only be a path says that
// it does not exist, and no daemon or registry is asked about it.
func TestPathLikeRefsNeverAskTheRegistry(t *testing.T) {
	isolateEnv(t)
	t.Chdir(t.TempDir())
	for _, ref := range []string{"missing-dir/", "./nope", "/no/such/app", "~/app", "app.tar", "app.tar.gz", "layout.oci", "images/app.tar"} {
		t.Run(ref, func(t *testing.T) {
			var origins []Origin
			img, err := Open(context.Background(), ref, Options{Used: func(o Origin) { origins = append(origins, o) }})
			if err == nil {
				Close(img)
				t.Fatalf("Open(%q) succeeded", ref)
			}
			if want := "no such file or directory: " + ref; err.Error() != want {
				t.Errorf("err = %q, want %q", err, want)
			}
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("err = %v, want errors.Is ErrNotFound", err)
			}
			if len(origins) != 0 {
				t.Errorf("asked %v about a path", origins)
			}
		})
	}
}

// TestForcedSourceAndLocalPaths: --source docker|podman|registry with a
// file that exists says it is a file (and never suggests registry://), and
// a configured default source does not keep an existing file from being
// read.
func TestForcedSourceAndLocalPaths(t *testing.T) {
	isolateEnv(t)
	dir := t.TempDir()
	t.Chdir(dir)
	want := fixture(t, nil)
	if err := imagetest.WriteDockerArchive(filepath.Join(dir, "app.tar"), want, "example.com/app:1.0"); err != nil {
		t.Fatal(err)
	}

	for _, src := range []string{"docker", "podman", "registry"} {
		t.Run("flag "+src, func(t *testing.T) {
			img, err := Open(context.Background(), "app.tar", Options{Source: src})
			if err == nil {
				Close(img)
				t.Fatal("Open succeeded")
			}
			if hint := "app.tar is a local path: without --source " + src + " it is read from there"; !strings.Contains(err.Error(), hint) {
				t.Errorf("err = %q, want it to contain %q", err, hint)
			}
			if strings.Contains(err.Error(), "registry://") {
				t.Errorf("err = %q suggests registry:// for a local file", err)
			}
		})
		t.Run("config "+src, func(t *testing.T) {
			var origins []Origin
			got := mustOpen(t, "app.tar", Options{Source: src, SourceDefault: true, Used: func(o Origin) { origins = append(origins, o) }})
			checkImage(t, got, want, asClassicTar)
			if len(origins) != 1 || origins[0].Kind != KindDockerArchive {
				t.Errorf("Used got %v, want docker-archive", origins)
			}
		})
	}

	t.Run("docker running", func(t *testing.T) {
		t.Setenv("DOCKER_HOST", "")
		t.Setenv("DOCKER_CONFIG", "")
		dockertest.Require(t)
		_, err := Open(context.Background(), "app.tar", Options{Source: "docker"})
		if err == nil || !strings.Contains(err.Error(), "image app.tar is not in docker") || strings.Contains(err.Error(), "registry://") {
			t.Errorf("err = %v, want not in docker, with no registry:// hint", err)
		}
	})
}
