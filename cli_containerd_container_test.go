//go:build linux

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/internal/containerdtest"
	"github.com/strata-cli/strata/internal/imagetest"
	"github.com/strata-cli/strata/report"
)

// TestCLIContainerdContainer reads a containerd container whose upper
// directory the test writes into as the container would.
func TestCLIContainerdContainer(t *testing.T) {
	sock := containerdtest.Start(t)
	dir := t.TempDir()
	img := imagetest.MustImage(t, []v1.Layer{
		imagetest.MustLayer(t, imagetest.Tar(imagetest.Dir("data"), imagetest.File("data/mod", "modify-me\n"), imagetest.File("data/del", "delete-me\n")), imagetest.Gzip),
	}, nil, nil)
	archive := filepath.Join(dir, "app.tar")
	if err := imagetest.WriteOCIArchive(archive, imagetest.MustIndex(t, imagetest.Manifest{Image: img, Tag: "example.com/app:1"})); err != nil {
		t.Fatal(err)
	}
	containerdtest.Ctr(t, sock, "k8s.io", "images", "import", archive)
	containerdtest.Ctr(t, sock, "k8s.io", "containers", "create", "example.com/app:1", "c1")
	out := containerdtest.Ctr(t, sock, "k8s.io", "snapshots", "mounts", "/mnt", "c1")
	_, upper, _ := strings.Cut(out, "upperdir=")
	upper, _, _ = strings.Cut(upper, ",")
	if upper == "" {
		t.Fatalf("no upperdir in %q", out)
	}
	for rel, body := range map[string]string{"data/new": "hello\n", "data/mod": "modify-me\nmore\n"} {
		if err := os.MkdirAll(filepath.Join(upper, "data"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(upper, rel), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mknod(filepath.Join(upper, "data/del"), syscall.S_IFCHR, 0); err != nil {
		t.Fatal(err)
	}
	dead := filepath.Join(dir, "dead.sock")
	env := []string{"CONTAINERD_ADDRESS=" + sock, "CONTAINERD_NAMESPACE=", "DOCKER_HOST=unix://" + dead, "CONTAINER_HOST=unix://" + dead}

	for _, args := range [][]string{
		{"container", "--json", "-", "containerd://k8s.io/c1"},
		{"--source", "containerd", "container", "--json", "-", "k8s.io/c1"},
		{"container", "--json", "-", "k8s.io/c1"}, // auto: docker and podman do not answer
	} {
		r := runEnv(t, dir, env, args...)
		if r.code != exitOK {
			t.Fatalf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
		if !strings.Contains(r.stderr, "strata: using containerd (unix://"+sock+", namespace k8s.io)") {
			t.Errorf("%v: stderr %q", args, r.stderr)
		}
		var doc struct {
			report.JSONReport
			Container report.JSONContainer `json:"container"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Fatalf("%v\n%s", err, r.stdout)
		}
		c := doc.Container
		if c.Name != "c1" || c.State != "created" || c.ImageRef != "example.com/app:1" || c.LayerIndex != 1 || len(doc.Layers) != 2 || c.SizeRw != nil {
			t.Fatalf("%v: container = %+v (%d layers)", args, c, len(doc.Layers))
		}
		if c.Diff != (report.JSONContainerDiff{Added: 1, Changed: 2, Deleted: 1}) {
			t.Errorf("%v: diff = %+v, want data/new added; data and data/mod changed; data/del deleted", args, c.Diff)
		}
		// "hello\n" is 6 bytes, "modify-me\nmore\n" 15.
		if l := doc.Layers[1]; l.SizeBytes != 21 || l.Added != 1 || l.Modified != 1 || l.Removed != 1 || l.FileCount != 2 {
			t.Errorf("%v: writable layer = %+v", args, l)
		}
	}

	wantError(t, runEnv(t, dir, env, "container", "containerd://k8s.io/nope"), "container nope is not in containerd namespace k8s.io")
	r := runEnv(t, dir, env, "container", "nope")
	wantError(t, r, "container nope is not in containerd namespace default at "+sock)
	if !strings.Contains(r.stderr, "docker not running at unix://"+dead) || !strings.Contains(r.stderr, "podman not running at") {
		t.Errorf("auto: stderr %q does not say what docker and podman answered", r.stderr)
	}
	wantError(t, runEnv(t, dir, env, "--source", "registry", "container", "c1"), "want auto, docker, podman or containerd")
	containerdtest.Ctr(t, sock, "k8s.io", "images", "import", "--snapshotter", "native", archive)
	containerdtest.Ctr(t, sock, "k8s.io", "containers", "create", "--snapshotter", "native", "example.com/app:1", "c2")
	wantError(t, runEnv(t, dir, env, "container", "containerd://k8s.io/c2"), "container c2: its snapshot c2 (snapshotter native) mounts as bind ")
}
