package source

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/internal/containerdtest"
	"github.com/strata-cli/strata/internal/imagetest"
)

// analysis is the part of an analysis that does not depend on how the
// source stores the layers.
type analysis struct {
	size, wasted, userWasted int64
	files                    int
	platform                 string
	layers                   []layerNumbers
}

type layerNumbers struct {
	diffID                  string
	size, wasted            int64
	files, added, mod, rmvd int
}

func analyzeRef(t *testing.T, ref string, opts Options) (analysis, *analyze.Result) {
	t.Helper()
	img := mustOpen(t, ref, opts)
	closeImage(t, img)
	res, err := analyze.Analyze(context.Background(), img, analyze.Options{})
	if err != nil {
		t.Fatalf("analyzing %s: %v", ref, err)
	}
	a := analysis{size: res.Image.SizeBytes, wasted: res.Image.WastedBytes, userWasted: res.Image.UserWastedBytes,
		files: res.Image.FileCount, platform: res.Image.Platform}
	for _, l := range res.Layers {
		a.layers = append(a.layers, layerNumbers{l.DiffID, l.SizeBytes, l.WastedBytes, l.FileCount, l.Added, l.Modified, l.Removed})
	}
	return a, res
}

func sameAnalysis(t *testing.T, got, want analysis) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("analysis differs:\n got %+v\nwant %+v", got, want)
	}
	if want.wasted == 0 || want.files == 0 {
		t.Errorf("fixture has no waste or no files: %+v", want)
	}
}

func TestContainerdOpen(t *testing.T) {
	isolateEnv(t)
	sock := containerdtest.Start(t)
	t.Setenv("CONTAINERD_ADDRESS", sock)
	t.Setenv("CONTAINERD_NAMESPACE", "")

	img := fixture(t, nil) // gzip, zstd and uncompressed layers
	dir := t.TempDir()
	dockerTar := filepath.Join(dir, "docker.tar")
	ociTar := filepath.Join(dir, "oci.tar")
	if err := imagetest.WriteDockerArchive(dockerTar, img, "example.com/app:docker"); err != nil {
		t.Fatal(err)
	}
	if err := imagetest.WriteOCIArchive(ociTar, imagetest.MustIndex(t, imagetest.Manifest{Image: img, Tag: "example.com/app:oci"})); err != nil {
		t.Fatal(err)
	}
	want, _ := analyzeRef(t, "docker-archive:"+dockerTar, Options{})
	_, ociRes := analyzeRef(t, "oci-archive:"+ociTar, Options{})
	_, dockerRes := analyzeRef(t, "docker-archive:"+dockerTar, Options{})

	for _, ns := range []string{"default", "k8s.io"} {
		containerdtest.Ctr(t, sock, ns, "images", "import", "--no-unpack", dockerTar)
		containerdtest.Ctr(t, sock, ns, "images", "import", "--no-unpack", ociTar)
	}
	for _, tc := range []struct {
		ref    string
		ns     string
		stored *analyze.Result // the archive whose blobs containerd holds
		envNS  string
		forced string
	}{
		{ref: "containerd://example.com/app:oci", ns: "default", stored: ociRes},
		{ref: "containerd://default/example.com/app:oci", ns: "default", stored: ociRes},
		{ref: "containerd://k8s.io/example.com/app:oci", ns: "k8s.io", stored: ociRes},
		{ref: "containerd://example.com/app:oci", ns: "k8s.io", stored: ociRes, envNS: "k8s.io"},
		{ref: "containerd://example.com/app:docker", ns: "default", stored: dockerRes},
		{ref: "containerd://k8s.io/example.com/app:docker", ns: "k8s.io", stored: dockerRes},
		{ref: "k8s.io/example.com/app:docker", ns: "k8s.io", stored: dockerRes, forced: "containerd"},
		{ref: "containerd://k8s.io/" + ociRes.Image.Digest, ns: "k8s.io", stored: ociRes},
	} {
		t.Run(tc.ref+" "+tc.envNS+tc.forced, func(t *testing.T) {
			t.Setenv("CONTAINERD_NAMESPACE", tc.envNS)
			var origins []Origin
			got, res := analyzeRef(t, tc.ref, Options{Source: tc.forced, Used: func(o Origin) { origins = append(origins, o) }})
			sameAnalysis(t, got, want)
			// Blobs are read as containerd stores them: compressed sizes
			// are the imported archive's, and so is the manifest when the
			// archive had one (ctr writes its own for a docker save).
			if res.Image.CompressedSizeBytes != tc.stored.Image.CompressedSizeBytes {
				t.Errorf("compressed %d; want the imported archive's %d", res.Image.CompressedSizeBytes, tc.stored.Image.CompressedSizeBytes)
			}
			if tc.stored == ociRes && res.Image.Digest != tc.stored.Image.Digest {
				t.Errorf("digest %s, want the imported archive's %s", res.Image.Digest, tc.stored.Image.Digest)
			}
			wantOrigin := Origin{Kind: KindContainerd, Endpoint: "unix://" + sock + ", namespace " + tc.ns}
			if len(origins) != 1 || origins[0] != wantOrigin {
				t.Errorf("Used got %v, want once %v", origins, wantOrigin)
			}
		})
	}

	// A bare reference is looked for in containerd after docker and
	// podman (neither answers here), before the registry.
	t.Run("bare", func(t *testing.T) {
		var origins []Origin
		got, _ := analyzeRef(t, "example.com/app:oci", Options{Used: func(o Origin) { origins = append(origins, o) }})
		sameAnalysis(t, got, want)
		if len(origins) != 1 || origins[0].Kind != KindContainerd {
			t.Errorf("Used got %v, want containerd", origins)
		}
		const id = "0123456789abcdef0123"
		_, err := Open(context.Background(), id, Options{})
		if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "podman: not running at") || !strings.Contains(err.Error(), "containerd: no such image (namespace default)") {
			t.Errorf("image ID nowhere: err = %v", err)
		}
		t.Setenv("CONTAINERD_ADDRESS", filepath.Join(t.TempDir(), "none.sock"))
		_, err = Open(context.Background(), id, Options{})
		if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "containerd: no socket") {
			t.Errorf("no socket: err = %v", err)
		}
	})

	// The compressions really are the three kinds, as stored.
	img2 := mustOpen(t, "containerd://example.com/app:oci", Options{})
	closeImage(t, img2)
	ls, _ := img2.Layers()
	var kinds []string
	for _, l := range ls {
		k, err := sniff(l.Compressed)
		if err != nil {
			t.Fatal(err)
		}
		kinds = append(kinds, k)
	}
	if fmt.Sprint(kinds) != "[gzip zstd ]" {
		t.Errorf("layer compressions %q, want gzip, zstd, none", kinds)
	}

	_, err := Open(context.Background(), "containerd://example.com/nope:1", Options{})
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "not in containerd namespace default") || !strings.Contains(err.Error(), "k8s.io") {
		t.Errorf("missing image: err = %v", err)
	}
}

// TestContainerdIndexMissingPlatform reads an index imported for the host
// platform only: the other platform's blobs are not in the store.
func TestContainerdIndexMissingPlatform(t *testing.T) {
	isolateEnv(t)
	sock := containerdtest.Start(t)
	t.Setenv("CONTAINERD_ADDRESS", sock)
	t.Setenv("CONTAINERD_NAMESPACE", "")

	amd := fixture(t, nil)
	arm := fixture(t, &v1.Platform{OS: "linux", Architecture: "arm64"})
	multi := imagetest.MustIndex(t,
		imagetest.Manifest{Image: amd, Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}},
		imagetest.Manifest{Image: arm, Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}},
	)
	dir := t.TempDir()
	ociTar := filepath.Join(dir, "multi.tar")
	if err := imagetest.WriteOCIArchive(ociTar, imagetest.MustIndex(t, imagetest.Manifest{Index: multi, Tag: "example.com/multi:1"})); err != nil {
		t.Fatal(err)
	}
	dockerTar := filepath.Join(dir, "amd.tar")
	if err := imagetest.WriteDockerArchive(dockerTar, amd, "example.com/amd:1"); err != nil {
		t.Fatal(err)
	}
	want, _ := analyzeRef(t, "docker-archive:"+dockerTar, Options{})

	const ns = "ns2"
	containerdtest.Ctr(t, sock, ns, "images", "import", "--all-platforms", "--no-unpack", ociTar)
	// Whatever ctr kept, the arm64 image's blobs are gone, as after a
	// single-platform pull.
	armCfg, _ := arm.ConfigName()
	containerdtest.Ctr(t, sock, ns, "content", "rm", armCfg.String())

	for _, opts := range []Options{{}, {Platform: "linux/amd64"}} {
		got, _ := analyzeRef(t, "containerd://"+ns+"/example.com/multi:1", opts)
		sameAnalysis(t, got, want)
	}
	_, err := Open(context.Background(), "containerd://"+ns+"/example.com/multi:1", Options{Platform: "linux/arm64"})
	var pe *PlatformError
	if !errors.As(err, &pe) || fmt.Sprint(pe.Available) != "[linux/amd64]" || !strings.Contains(err.Error(), "lists linux/arm64, but its blobs are not in containerd") {
		t.Errorf("arm64: err = %v", err)
	}
}

// fakeDockerd serves just enough of the Docker Engine API for a daemon
// that keeps its images in containerd at sock: ping, image inspect and
// info. It refuses to save, which must not be asked for.
func fakeDockerd(t *testing.T, sock, id string, driverStatus [][2]string) (host string, saves *atomic.Int32) {
	t.Helper()
	dir, err := os.MkdirTemp("", "strata-dockerd-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "d.sock")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	saves = new(atomic.Int32)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Api-Version", "1.51")
		w.Header().Set("Content-Type", "application/json")
		p := r.URL.Path
		switch {
		case strings.HasSuffix(p, "/_ping"):
			w.Write([]byte("OK"))
		case strings.HasSuffix(p, "/images/get"):
			saves.Add(1)
			http.Error(w, `{"message":"save not expected"}`, http.StatusInternalServerError)
		case strings.HasSuffix(p, "/json") && strings.Contains(p, "/images/"):
			json.NewEncoder(w).Encode(map[string]any{"Id": id, "Size": 1000})
		case strings.HasSuffix(p, "/info"):
			json.NewEncoder(w).Encode(map[string]any{
				"Driver": "overlayfs", "DriverStatus": driverStatus,
				"Containerd": map[string]any{"Address": sock, "Namespaces": map[string]string{"Containers": "moby", "Plugins": "plugins.moby"}},
			})
		default:
			http.NotFound(w, r)
		}
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return "unix://" + path, saves
}

// TestDockerContainerdStore reads docker:// from a daemon that uses the
// containerd image store through containerd's moby namespace, no save.
func TestDockerContainerdStore(t *testing.T) {
	isolateEnv(t)
	sock := containerdtest.Start(t)
	img := fixture(t, nil)
	dir := t.TempDir()
	ociTar := filepath.Join(dir, "oci.tar")
	if err := imagetest.WriteOCIArchive(ociTar, imagetest.MustIndex(t, imagetest.Manifest{Image: img, Tag: "docker.io/library/app:1"})); err != nil {
		t.Fatal(err)
	}
	dockerTar := filepath.Join(dir, "docker.tar")
	if err := imagetest.WriteDockerArchive(dockerTar, img, "app:1"); err != nil {
		t.Fatal(err)
	}
	want, _ := analyzeRef(t, "docker-archive:"+dockerTar, Options{})
	containerdtest.Ctr(t, sock, "moby", "images", "import", "--no-unpack", ociTar)
	id, _ := img.Digest()

	host, saves := fakeDockerd(t, sock, id.String(), [][2]string{{"driver-type", containerdSnapshotter}})
	t.Setenv("DOCKER_HOST", host)
	for _, ref := range []string{"docker://app:1", "app:1"} {
		var origins []Origin
		got, _ := analyzeRef(t, ref, Options{Used: func(o Origin) { origins = append(origins, o) }})
		sameAnalysis(t, got, want)
		wantOrigin := Origin{Kind: KindDocker, Endpoint: host + ", read from its containerd store at unix://" + sock + ", namespace moby"}
		if len(origins) != 1 || origins[0] != wantOrigin {
			t.Errorf("%s: Used got %v, want once %v", ref, origins, wantOrigin)
		}
	}
	if n := saves.Load(); n != 0 {
		t.Errorf("docker save was asked %d times", n)
	}

	// A daemon with the classic store is saved from, as before.
	host, saves = fakeDockerd(t, sock, id.String(), [][2]string{{"Backing Filesystem", "extfs"}})
	t.Setenv("DOCKER_HOST", host)
	if _, err := Open(context.Background(), "docker://app:1", Options{}); err == nil || saves.Load() != 1 {
		t.Errorf("classic store: err = %v, %d saves; want the save asked once (and refused)", err, saves.Load())
	}
}

func TestParseDockerRef(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"alpine", "docker.io/library/alpine:latest"},
		{"alpine:3.20", "docker.io/library/alpine:3.20"},
		{"bitnami/redis", "docker.io/bitnami/redis:latest"},
		{"ghcr.io/o/app:1", "ghcr.io/o/app:1"},
		{"localhost/app", "localhost/app:latest"},
		{"localhost:5000/app", "localhost:5000/app:latest"},
		{"registry.k8s.io/pause@sha256:" + strings.Repeat("a", 64), "registry.k8s.io/pause@sha256:" + strings.Repeat("a", 64)},
		{"app:1@sha256:" + strings.Repeat("b", 64), "docker.io/library/app:1@sha256:" + strings.Repeat("b", 64)},
	} {
		got, err := parseDockerRef(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("parseDockerRef(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	if _, err := parseDockerRef(":1"); err == nil {
		t.Error("parseDockerRef(\":1\") took an empty name")
	}
}

func TestSplitNamespace(t *testing.T) {
	c := &containerdConn{spaces: []string{"default", "k8s.io", "moby"}}
	for _, tc := range []struct{ env, in, ns, name string }{
		{"", "alpine", "default", "alpine"},
		{"", "k8s.io/registry.k8s.io/pause:3.9", "k8s.io", "registry.k8s.io/pause:3.9"},
		{"", "docker.io/library/alpine:3", "default", "docker.io/library/alpine:3"}, // no namespace docker.io
		{"moby", "library/alpine", "moby", "library/alpine"},
		{"moby", "default/alpine", "default", "alpine"},
		{"", "k8s.io/", "default", "k8s.io/"},
	} {
		t.Setenv("CONTAINERD_NAMESPACE", tc.env)
		ns, name := c.splitNamespace(tc.in)
		if ns != tc.ns || name != tc.name {
			t.Errorf("splitNamespace(%q) with CONTAINERD_NAMESPACE=%q = %q, %q; want %q, %q", tc.in, tc.env, ns, name, tc.ns, tc.name)
		}
	}
}

// BenchmarkContainerd analyses one image read from containerd and from a
// docker-archive of the same blobs (an OCI archive, gzip layers): the
// containerd path streams the blobs over gRPC and should cost no more
// than reading them from a file.
//
//	go test ./source -run XXX -bench Containerd -benchtime 5x
func BenchmarkContainerd(b *testing.B) {
	sock := containerdtest.Start(b)
	var layers []v1.Layer
	for i := range 4 {
		var entries []imagetest.Entry
		for j := range 64 {
			entries = append(entries, imagetest.Entry{Name: fmt.Sprintf("l%d/f%d", i, j), Body: imagetest.Filler(int64(64<<10 + i*j))})
		}
		entries = append(entries, imagetest.SizedFile(fmt.Sprintf("l%d/big", i), 8<<20))
		l, err := imagetest.Layer(imagetest.Tar(entries...), imagetest.Gzip)
		if err != nil {
			b.Fatal(err)
		}
		layers = append(layers, l)
	}
	img, err := imagetest.Image(layers, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "bench.tar")
	idx, err := imagetest.Index(imagetest.Manifest{Image: img, Tag: "example.com/bench:1"})
	if err != nil {
		b.Fatal(err)
	}
	if err := imagetest.WriteOCIArchive(path, idx); err != nil {
		b.Fatal(err)
	}
	if out, err := exec.Command("ctr", "-a", sock, "-n", "bench", "images", "import", "--no-unpack", path).CombinedOutput(); err != nil {
		b.Fatalf("ctr import: %v\n%s", err, out)
	}
	b.Setenv("CONTAINERD_ADDRESS", sock)
	for _, ref := range []string{"containerd://bench/example.com/bench:1", "oci-archive:" + path} {
		b.Run(strings.SplitN(ref, ":", 2)[0], func(b *testing.B) {
			for b.Loop() {
				img, err := Open(context.Background(), ref, Options{})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := analyze.Analyze(context.Background(), img, analyze.Options{}); err != nil {
					b.Fatal(err)
				}
				Close(img)
			}
		})
	}
}

// TestContainerdDamagedBlob truncates a layer in containerd's content
// store on disk: the analysis fails with an error naming the layer.
func TestContainerdDamagedBlob(t *testing.T) {
	isolateEnv(t)
	sock := containerdtest.Start(t)
	t.Setenv("CONTAINERD_ADDRESS", sock)
	img := fixture(t, nil)
	ociTar := filepath.Join(t.TempDir(), "oci.tar")
	if err := imagetest.WriteOCIArchive(ociTar, imagetest.MustIndex(t, imagetest.Manifest{Image: img, Tag: "example.com/app:1"})); err != nil {
		t.Fatal(err)
	}
	containerdtest.Ctr(t, sock, "default", "images", "import", "--no-unpack", ociTar)
	ls, _ := img.Layers()
	d, _ := ls[1].Digest()
	blob := filepath.Join(filepath.Dir(sock), "root", "io.containerd.content.v1.content", "blobs", d.Algorithm, d.Hex)
	if err := os.Truncate(blob, 100); err != nil {
		t.Fatal(err)
	}
	opened := mustOpen(t, "containerd://example.com/app:1", Options{})
	closeImage(t, opened)
	_, err := analyze.Analyze(context.Background(), opened, analyze.Options{})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "reading layer 1 ("+d.String()+")") || !strings.Contains(err.Error(), "containerd sent 100 of its") {
		t.Fatalf("err = %v, want one naming layer 1 (%s) and the short read", err, d)
	}
}

// TestContainerdSocket checks where the socket is looked for.
func TestContainerdSocket(t *testing.T) {
	for _, p := range containerdSockets()[:2] {
		if _, err := os.Stat(p); err == nil {
			t.Skipf("%s exists on this machine, so it would be chosen", p)
		}
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("CONTAINERD_ADDRESS", "")
	t.Setenv("COLIMA_PROFILE", "")
	if got := containerdSocket(); got != "/run/containerd/containerd.sock" {
		t.Errorf("nothing there: %s, want the system socket", got)
	}
	for _, rel := range []string{".config/colima/work/containerd.sock", ".colima/default/containerd.sock"} {
		p := filepath.Join(home, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := containerdSocket(), filepath.Join(home, ".colima/default/containerd.sock"); got != want {
		t.Errorf("colima default profile: %s, want %s", got, want)
	}
	t.Setenv("COLIMA_PROFILE", "work")
	if got, want := containerdSocket(), filepath.Join(home, ".config/colima/work/containerd.sock"); got != want {
		t.Errorf("colima profile work: %s, want %s", got, want)
	}
	t.Setenv("CONTAINERD_ADDRESS", "unix:///x/c.sock")
	if got := containerdSocket(); got != "/x/c.sock" {
		t.Errorf("CONTAINERD_ADDRESS: %s, want /x/c.sock", got)
	}
}
