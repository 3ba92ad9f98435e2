package main

import (
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/internal/containerdtest"
	"github.com/strata-cli/strata/internal/imagetest"
)

// TestCLIContainerd reads an image from a private containerd and expects
// the report of the archive it was imported from, the 'using' line, and
// one-line errors for what is not there.
func TestCLIContainerd(t *testing.T) {
	sock := containerdtest.Start(t)
	dir := t.TempDir()
	img := imagetest.MustImage(t, []v1.Layer{
		imagetest.MustLayer(t, imagetest.Tar(imagetest.SizedFile("data/big", 40000), imagetest.File("data/keep", "keep\n")), imagetest.Gzip),
		imagetest.MustLayer(t, imagetest.Tar(imagetest.Whiteout("data/big")), imagetest.Zstd),
	}, nil, nil)
	archive := filepath.Join(dir, "app.tar")
	if err := imagetest.WriteOCIArchive(archive, imagetest.MustIndex(t, imagetest.Manifest{Image: img, Tag: "example.com/app:1"})); err != nil {
		t.Fatal(err)
	}
	containerdtest.Ctr(t, sock, "k8s.io", "images", "import", "--no-unpack", archive)
	dead := filepath.Join(dir, "dead.sock")
	env := []string{"CONTAINERD_ADDRESS=" + sock, "CONTAINERD_NAMESPACE=", "DOCKER_HOST=unix://" + dead, "CONTAINER_HOST=unix://" + dead}

	want := sourceJSON(t, dir, env, "oci-archive", "oci-archive:"+archive)
	if want.Image.WastedBytes != 40000 {
		t.Fatalf("fixture wastes %d bytes, want 40000", want.Image.WastedBytes)
	}
	for _, args := range [][]string{
		{"containerd://k8s.io/example.com/app:1"},
		{"--source", "containerd", "k8s.io/example.com/app:1"},
		{"k8s.io/example.com/app:1"}, // bare: docker and podman do not answer
	} {
		sameReport(t, strings.Join(args, " "), sourceJSON(t, dir, env, "containerd", args...), want)
		r := runEnv(t, dir, env, append([]string{"--ci"}, args...)...)
		if !strings.Contains(r.stderr, "strata: using containerd (unix://"+sock+", namespace k8s.io)") {
			t.Errorf("strata %v: stderr %q does not say it used containerd", args, r.stderr)
		}
	}

	wantError(t, runEnv(t, dir, env, "containerd://example.com/app:1"), "image example.com/app:1 is not in containerd namespace default")
	wantError(t, runEnv(t, dir, env, "--platform", "linux/arm64", "containerd://k8s.io/example.com/app:1"), "no image for platform linux/arm64")
	wantError(t, runEnv(t, dir, append(env, "CONTAINERD_ADDRESS="+dead), "containerd://k8s.io/example.com/app:1"), "containerd is not running at "+dead)
}
