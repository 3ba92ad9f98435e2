package main

import (
	"encoding/json"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/internal/containerdtest"
	"github.com/strata-cli/strata/internal/imagetest"
	"github.com/strata-cli/strata/report"
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

// TestCLIContainerdDFAll imports three images that share layers into one
// namespace, and a multi-platform index whose host platform's blobs are
// gone: df --all over the namespace gives the numbers df gives for the
// three archives, and skips the fourth with its reason.
func TestCLIContainerdDFAll(t *testing.T) {
	sock := containerdtest.Start(t)
	dir := t.TempDir()
	base := imagetest.MustLayer(t, imagetest.Tar(imagetest.SizedFile("base/lib", 50000), imagetest.File("base/etc", "x\n")), imagetest.Gzip)
	mid := imagetest.MustLayer(t, imagetest.Tar(imagetest.SizedFile("mid/tool", 7000)), imagetest.Zstd)
	imgs := map[string]v1.Image{
		"example.com/a:1": imagetest.MustImage(t, []v1.Layer{base, mid, imagetest.MustLayer(t, imagetest.Tar(imagetest.SizedFile("a", 300)), imagetest.Gzip)}, nil, nil),
		"example.com/b:1": imagetest.MustImage(t, []v1.Layer{base, mid, imagetest.MustLayer(t, imagetest.Tar(imagetest.SizedFile("b", 2000)), imagetest.Uncompressed)}, nil, nil),
		"example.com/c:1": imagetest.MustImage(t, []v1.Layer{base, imagetest.MustLayer(t, imagetest.Tar(imagetest.SizedFile("c", 11)), imagetest.Gzip)}, nil, nil),
	}
	var archives []string
	for _, tag := range []string{"example.com/a:1", "example.com/b:1", "example.com/c:1"} {
		p := filepath.Join(dir, strings.NewReplacer("/", "_", ":", "_").Replace(tag)+".tar")
		if err := imagetest.WriteOCIArchive(p, imagetest.MustIndex(t, imagetest.Manifest{Image: imgs[tag], Tag: tag})); err != nil {
			t.Fatal(err)
		}
		containerdtest.Ctr(t, sock, "k8s.io", "images", "import", "--no-unpack", p)
		archives = append(archives, "oci-archive:"+p)
	}
	// Another record of a's target is the same image, not a fourth.
	containerdtest.Ctr(t, sock, "k8s.io", "images", "tag", "example.com/a:1", "example.com/a:latest")

	// An index pulled for a platform that is not this host's: the host's
	// image is listed, its blobs are not there.
	host := &v1.Platform{OS: "linux", Architecture: runtime.GOARCH}
	other := &v1.Platform{OS: "linux", Architecture: "s390x"}
	hostImg := imagetest.MustImage(t, []v1.Layer{imagetest.MustLayer(t, imagetest.Tar(imagetest.SizedFile("h", 10)), imagetest.Gzip)}, nil, host)
	otherImg := imagetest.MustImage(t, []v1.Layer{imagetest.MustLayer(t, imagetest.Tar(imagetest.SizedFile("o", 10)), imagetest.Gzip)}, nil, other)
	multi := filepath.Join(dir, "multi.tar")
	if err := imagetest.WriteOCIArchive(multi, imagetest.MustIndex(t, imagetest.Manifest{Index: imagetest.MustIndex(t,
		imagetest.Manifest{Image: hostImg, Platform: host}, imagetest.Manifest{Image: otherImg, Platform: other}), Tag: "example.com/multi:1"})); err != nil {
		t.Fatal(err)
	}
	containerdtest.Ctr(t, sock, "k8s.io", "images", "import", "--all-platforms", "--no-unpack", multi)
	hostCfg, _ := hostImg.ConfigName()
	containerdtest.Ctr(t, sock, "k8s.io", "content", "rm", hostCfg.String())

	// A single image one of whose layers is gone from the store.
	brokenLayer := imagetest.MustLayer(t, imagetest.Tar(imagetest.SizedFile("gone", 99)), imagetest.Gzip)
	broken := filepath.Join(dir, "broken.tar")
	if err := imagetest.WriteOCIArchive(broken, imagetest.MustIndex(t, imagetest.Manifest{
		Image: imagetest.MustImage(t, []v1.Layer{base, brokenLayer}, nil, nil), Tag: "example.com/broken:1"})); err != nil {
		t.Fatal(err)
	}
	containerdtest.Ctr(t, sock, "k8s.io", "images", "import", "--no-unpack", broken)
	goneDigest, _ := brokenLayer.Digest()
	containerdtest.Ctr(t, sock, "k8s.io", "content", "rm", goneDigest.String())

	dead := filepath.Join(dir, "dead.sock")
	env := []string{"CONTAINERD_ADDRESS=" + sock, "CONTAINERD_NAMESPACE=", "DOCKER_HOST=unix://" + dead, "CONTAINER_HOST=unix://" + dead}
	r := runEnv(t, dir, env, append([]string{"df", "--json", "-"}, archives...)...)
	if r.code != exitOK {
		t.Fatalf("df of the archives: exit %d, stderr %q", r.code, r.stderr)
	}
	want := dfJSON(t, r.stdout)
	if len(want.SharedLayers) != 2 || want.DiskBytes != 50002+7000+300+2000+11 {
		t.Fatalf("fixture: shared layers %+v, disk %d", want.SharedLayers, want.DiskBytes)
	}
	for _, args := range [][]string{
		{"df", "--all", "--namespace", "k8s.io", "--json", "-"},
		{"--source", "containerd", "df", "--all", "--json", "-", "--filter", "reference=example.com/*"},
	} {
		e := env
		if args[0] == "--source" {
			e = append(e, "CONTAINERD_NAMESPACE=k8s.io")
		}
		r := runEnv(t, dir, e, args...)
		if r.code != exitOK {
			t.Fatalf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
		got := dfJSON(t, r.stdout)
		refs := []string{"example.com/a:1, example.com/a:latest", "example.com/b:1", "example.com/c:1"}
		for i := range got.Images {
			if i < len(refs) && got.Images[i].Reference != refs[i] {
				t.Errorf("%v: image %d is %q, want %q", args, i, got.Images[i].Reference, refs[i])
			}
			got.Images[i].Reference = want.Images[i].Reference
		}
		g, _ := json.Marshal(got.Usage)
		w, _ := json.Marshal(want.Usage)
		if string(g) != string(w) {
			t.Errorf("%v: df --all differs from df of the archives:\ngot  %s\nwant %s", args, g, w)
		}
		wantReason := "containerd://k8s.io/example.com/multi:1 lists " + platformName(host) + ", but its blobs are not in containerd"
		if len(got.Skipped) != 2 || got.Skipped[0].Reference != "example.com/broken:1" || got.Skipped[1].Reference != "example.com/multi:1" ||
			!strings.HasPrefix(got.Skipped[1].Reason, wantReason) || strings.Count(got.Skipped[1].Reason, "lists") != 1 ||
			!strings.HasSuffix(got.Skipped[0].Reason, "its layer 1: blob "+goneDigest.String()+" is not in containerd's content store") {
			t.Errorf("%v: skipped %+v, want example.com/broken:1 (a layer gone) and example.com/multi:1 (%s)", args, got.Skipped, wantReason)
		}
		for _, line := range []string{"strata: using containerd (unix://" + sock + ", namespace k8s.io): 5 images\n", "strata: example.com/multi:1 skipped: " + wantReason, "strata: example.com/broken:1 skipped: "} {
			if !strings.Contains(r.stderr, line) {
				t.Errorf("%v: stderr %q lacks %q", args, r.stderr, line)
			}
		}
	}

	r = runEnv(t, dir, env, "df", "--all", "--namespace", "k8s.io")
	if r.code != exitOK || !strings.Contains(r.stdout, "example.com/c:1\n") {
		t.Errorf("df --all table: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	wantError(t, runEnv(t, dir, env, "df", "--all", "--namespace", "nope"), "containerd at "+sock+" has no namespace nope (it has: k8s.io)")
	wantError(t, runEnv(t, dir, env, "df", "--namespace", "k8s.io", "x.tar"), "--namespace needs --all")
	wantError(t, runEnv(t, dir, env, "--source", "docker", "df", "--all", "--namespace", "k8s.io"), "--namespace is containerd's")
	wantError(t, runEnv(t, dir, env, "df", "--all", "--namespace", "k8s.io", "--filter", "dangling=true"), "reference= and label= only")
}

func platformName(p *v1.Platform) string {
	s := p.OS + "/" + p.Architecture
	if p.Architecture == "arm64" {
		s += "/v8"
	}
	return s
}

func dfJSON(t *testing.T, out string) report.JSONDF {
	t.Helper()
	var u report.JSONDF
	if err := json.Unmarshal([]byte(out), &u); err != nil {
		t.Fatalf("df JSON: %v\n%s", err, out)
	}
	return u
}
