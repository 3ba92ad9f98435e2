package source

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"go.uber.org/goleak"

	"github.com/strata-cli/strata/internal/imagetest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// fixture is an image with one layer of each compression, plus an ENV
// history entry without a layer.
func fixture(t *testing.T, platform *v1.Platform) v1.Image {
	t.Helper()
	tag := "amd64"
	if platform != nil {
		tag = platform.Architecture
	}
	l1 := imagetest.MustLayer(t, imagetest.Tar(
		imagetest.Dir("etc"),
		imagetest.File("etc/os-release", "ID="+tag+"\n"),
		imagetest.SizedFile("bin/busybox", 3000),
	), imagetest.Gzip)
	l2 := imagetest.MustLayer(t, imagetest.Tar(
		imagetest.SizedFile("var/cache/apk/index", 1500),
		imagetest.Symlink("bin/sh", "busybox"),
	), imagetest.Zstd)
	l3 := imagetest.MustLayer(t, imagetest.Tar(
		imagetest.Whiteout("var/cache/apk/index"),
		imagetest.File("app", "#!/bin/sh\necho hi\n"),
	), imagetest.Uncompressed)
	return imagetest.MustImage(t, []v1.Layer{l1, l2, l3}, []v1.History{
		{CreatedBy: "ADD rootfs.tar /"},
		{CreatedBy: "RUN apk add foo"},
		{CreatedBy: "ENV A=b", EmptyLayer: true},
		{CreatedBy: "COPY app /app"},
	}, platform)
}

func readAll(t *testing.T, open func() (io.ReadCloser, error)) []byte {
	t.Helper()
	rc, err := open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustOpen(t *testing.T, ref string, opts Options) v1.Image {
	t.Helper()
	img, err := Open(context.Background(), ref, opts)
	if err != nil {
		t.Fatalf("Open(%q): %v", ref, err)
	}
	return img
}

// storedAs says how a source stores the layers of the fixture.
type storedAs int

const (
	asWritten     storedAs = iota // OCI: blobs as the layers' Compressed()
	asClassicTar                  // docker save ≤24: raw tars, docker media type
	asDocker25Tar                 // docker save 25+: raw tars, OCI media type
)

func TestOpenFormats(t *testing.T) {
	want := fixture(t, nil)
	dir := t.TempDir()
	classic := filepath.Join(dir, "classic.tar")
	d25 := filepath.Join(dir, "docker25.tar")
	ociDir := filepath.Join(dir, "layout")
	ociTar := filepath.Join(dir, "oci.tar")
	if err := imagetest.WriteDockerArchive(classic, want, "example.com/app:1.0"); err != nil {
		t.Fatal(err)
	}
	if err := imagetest.WriteDocker25Archive(d25, want, "example.com/app:1.0"); err != nil {
		t.Fatal(err)
	}
	ctrd := filepath.Join(dir, "containerd.tar")
	if err := imagetest.WriteContainerdArchive(ctrd, want, "example.com/app:1.0"); err != nil {
		t.Fatal(err)
	}
	other := fixture(t, &v1.Platform{OS: "linux", Architecture: "riscv64"})
	idx := imagetest.MustIndex(t,
		imagetest.Manifest{Image: want, Tag: "1.0"},
		imagetest.Manifest{Image: other, Tag: "other"},
	)
	single := imagetest.MustIndex(t, imagetest.Manifest{Image: want, Tag: "1.0"})
	if err := imagetest.WriteOCILayout(ociDir, idx); err != nil {
		t.Fatal(err)
	}
	if err := imagetest.WriteOCIArchive(ociTar, idx); err != nil {
		t.Fatal(err)
	}
	singleDir := filepath.Join(dir, "single")
	singleTar := filepath.Join(dir, "single.tar")
	if err := imagetest.WriteOCILayout(singleDir, single); err != nil {
		t.Fatal(err)
	}
	if err := imagetest.WriteOCIArchive(singleTar, single); err != nil {
		t.Fatal(err)
	}
	wantDigest, _ := want.Digest()

	for _, tc := range []struct {
		ref    string
		stored storedAs
	}{
		{"docker-archive:" + classic, asClassicTar},
		{"docker-archive://" + classic, asClassicTar},
		{"docker-archive:" + classic + ":example.com/app:1.0", asClassicTar},
		{classic, asClassicTar},
		{"docker-archive:" + d25, asDocker25Tar},
		{d25, asDocker25Tar},
		// The containerd image store saves the blobs as pulled, and an
		// index that lists platforms it does not hold.
		{"docker-archive:" + ctrd, asWritten},
		{"docker-archive:" + ctrd + ":example.com/app:1.0", asWritten},
		{ctrd, asWritten},
		{"oci:" + ociDir + ":1.0", asWritten},
		{"oci://" + ociDir + ":1.0", asWritten},
		{"oci:" + ociDir + "@" + wantDigest.String(), asWritten},
		{"oci:" + singleDir, asWritten},
		{singleDir, asWritten},
		{"oci-archive:" + ociTar + ":1.0", asWritten},
		{"oci-archive://" + ociTar + "@" + wantDigest.String(), asWritten},
		{"oci-archive:" + singleTar, asWritten},
		{singleTar, asWritten},
	} {
		t.Run(strings.ReplaceAll(tc.ref, dir+"/", ""), func(t *testing.T) {
			got := mustOpen(t, tc.ref, Options{})
			checkImage(t, got, want, tc.stored)
		})
	}
}

// checkImage compares what source returned with the image that was written.
func checkImage(t *testing.T, got, want v1.Image, stored storedAs) {
	t.Helper()
	gotCfg, err := got.RawConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	wantCfg, _ := want.RawConfigFile()
	if !bytes.Equal(gotCfg, wantCfg) {
		t.Error("config bytes differ")
	}
	cfg, err := got.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.History) != 4 || !cfg.History[2].EmptyLayer {
		t.Errorf("history = %+v", cfg.History)
	}
	gotName, _ := got.ConfigName()
	wantName, _ := want.ConfigName()
	if gotName != wantName {
		t.Errorf("config name %v, want %v", gotName, wantName)
	}
	gotLs, err := got.Layers()
	if err != nil {
		t.Fatal(err)
	}
	wantLs, _ := want.Layers()
	if len(gotLs) != len(wantLs) {
		t.Fatalf("%d layers, want %d", len(gotLs), len(wantLs))
	}
	for i := range gotLs {
		g, w := gotLs[i], wantLs[i]
		gDiff, _ := g.DiffID()
		wDiff, _ := w.DiffID()
		if gDiff != wDiff {
			t.Errorf("layer %d: diffid %v, want %v", i, gDiff, wDiff)
		}
		gBytes := readAll(t, g.Compressed)
		gDigest, _ := g.Digest()
		gSize, _ := g.Size()
		gMT, _ := g.MediaType()
		switch stored {
		case asWritten:
			wDigest, _ := w.Digest()
			wMT, _ := w.MediaType()
			if !bytes.Equal(gBytes, readAll(t, w.Compressed)) {
				t.Errorf("layer %d: Compressed() is not the stored blob", i)
			}
			if gDigest != wDigest || gMT != wMT {
				t.Errorf("layer %d: digest %v %s, want %v %s", i, gDigest, gMT, wDigest, wMT)
			}
		case asClassicTar, asDocker25Tar:
			if !bytes.Equal(gBytes, readAll(t, w.Uncompressed)) {
				t.Errorf("layer %d: Compressed() is not the raw layer tar", i)
			}
			if gDigest != wDiff {
				t.Errorf("layer %d: digest %v, want the diffid %v", i, gDigest, wDiff)
			}
			wantMT := types.DockerUncompressedLayer
			if stored == asDocker25Tar {
				wantMT = types.OCIUncompressedLayer
			}
			if gMT != wantMT {
				t.Errorf("layer %d: media type %s, want %s", i, gMT, wantMT)
			}
		}
		if gSize != int64(len(gBytes)) {
			t.Errorf("layer %d: size %d, want %d", i, gSize, len(gBytes))
		}
		if !bytes.Equal(readAll(t, g.Uncompressed), readAll(t, w.Uncompressed)) {
			t.Errorf("layer %d: Uncompressed() differs", i)
		}
	}
	// The digest is the sha256 of the manifest, which lists the layers as
	// they are stored.
	raw, err := got.RawManifest()
	if err != nil {
		t.Fatal(err)
	}
	d, err := got.Digest()
	if err != nil {
		t.Fatal(err)
	}
	if h, _, _ := v1.SHA256(bytes.NewReader(raw)); h != d {
		t.Errorf("digest %v is not the manifest's %v", d, h)
	}
	m, err := got.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range gotLs {
		ld, _ := l.Digest()
		if m.Layers[i].Digest != ld {
			t.Errorf("manifest layer %d is %v, layer says %v", i, m.Layers[i].Digest, ld)
		}
	}
	if stored == asWritten {
		wd, _ := want.Digest()
		if d != wd {
			t.Errorf("image digest %v, want %v", d, wd)
		}
	}
}

// TestDocker25UsesStoredManifest checks that the digest of a Docker 25+
// archive is that of the manifest it stores, as `docker images --digests`.
func TestDocker25UsesStoredManifest(t *testing.T) {
	p := filepath.Join(t.TempDir(), "d25.tar")
	if err := imagetest.WriteDocker25Archive(p, fixture(t, nil), "app:1"); err != nil {
		t.Fatal(err)
	}
	img := mustOpen(t, "docker-archive:"+p+":app:1", Options{})
	got, _ := img.Digest()
	var index v1.IndexManifest
	b := extractMember(t, p, "index.json")
	if err := json.Unmarshal(b, &index); err != nil {
		t.Fatal(err)
	}
	if want := index.Manifests[0].Digest; got != want {
		t.Errorf("digest %v, want stored manifest %v", got, want)
	}
}

func extractMember(t *testing.T, archive, name string) []byte {
	t.Helper()
	idx, err := indexTar(archive)
	if err != nil {
		t.Fatal(err)
	}
	b, err := idx.readFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestClassicSymlinkedLayer covers docker save storing a layer shared by
// two positions once and symlinking the second layer.tar to the first.
func TestClassicSymlinkedLayer(t *testing.T) {
	layerTar := imagetest.Tar(imagetest.File("same", "x"))
	l := imagetest.MustLayer(t, layerTar, imagetest.Uncompressed)
	img := imagetest.MustImage(t, []v1.Layer{l, l}, nil, nil)
	rawCfg, _ := img.RawConfigFile()
	manifest := `[{"Config":"c.json","RepoTags":null,"Layers":["a/layer.tar","b/layer.tar"]}]`
	p := filepath.Join(t.TempDir(), "dedup.tar")
	archive := imagetest.Tar(
		imagetest.Entry{Name: "./a/layer.tar", Body: layerTar},
		imagetest.Symlink("b/layer.tar", "../a/layer.tar"),
		imagetest.Entry{Name: "c.json", Body: rawCfg},
		imagetest.File("manifest.json", manifest),
	)
	if err := os.WriteFile(p, archive, 0o644); err != nil {
		t.Fatal(err)
	}
	got := mustOpen(t, p, Options{})
	ls, err := got.Layers()
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 2 {
		t.Fatalf("%d layers, want 2", len(ls))
	}
	for i, l := range ls {
		if !bytes.Equal(readAll(t, l.Compressed), layerTar) {
			t.Errorf("layer %d: wrong bytes", i)
		}
	}
}

// TestCompressedDockerArchive covers tars written by ggcr-style tools,
// whose manifest.json points at gzip/zstd layers.
func TestCompressedDockerArchive(t *testing.T) {
	want := fixture(t, nil)
	rawCfg, _ := want.RawConfigFile()
	ls, _ := want.Layers()
	entries := []imagetest.Entry{{Name: "config.json", Body: rawCfg}}
	var names []string
	for i, l := range ls {
		name := []string{"l0.tar.gz", "l1.tar.zst", "l2.tar"}[i]
		names = append(names, name)
		entries = append(entries, imagetest.Entry{Name: name, Body: readAll(t, l.Compressed)})
	}
	mj, _ := json.Marshal([]map[string]any{{"Config": "config.json", "RepoTags": []string{"x:1"}, "Layers": names}})
	entries = append(entries, imagetest.Entry{Name: "manifest.json", Body: mj})
	p := filepath.Join(t.TempDir(), "compressed.tar")
	if err := os.WriteFile(p, imagetest.Tar(entries...), 0o644); err != nil {
		t.Fatal(err)
	}
	got := mustOpen(t, "docker-archive:"+p, Options{})
	gotLs, _ := got.Layers()
	wantMT := []types.MediaType{types.DockerLayer, types.OCILayerZStd, types.DockerUncompressedLayer}
	for i, l := range gotLs {
		mt, _ := l.MediaType()
		if mt != wantMT[i] {
			t.Errorf("layer %d: media type %s, want %s", i, mt, wantMT[i])
		}
		wd, _ := ls[i].Digest()
		if i == 2 {
			wd, _ = ls[i].DiffID()
		}
		if d, _ := l.Digest(); d != wd {
			t.Errorf("layer %d: digest %v, want %v", i, d, wd)
		}
		if !bytes.Equal(readAll(t, l.Compressed), readAll(t, ls[i].Compressed)) {
			t.Errorf("layer %d: Compressed() is not the stored member", i)
		}
	}
	if _, err := got.Digest(); err != nil {
		t.Error(err)
	}
}

func platformIndexes(t *testing.T) (flat, nested v1.ImageIndex, amd, arm v1.Image) {
	t.Helper()
	amdP := &v1.Platform{OS: "linux", Architecture: "amd64"}
	armP := &v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}
	amd, arm = fixture(t, amdP), fixture(t, armP)
	armDigest, _ := arm.Digest()
	att := imagetest.MustImage(t, nil, []v1.History{}, &v1.Platform{OS: "unknown", Architecture: "unknown"})
	flat = imagetest.MustIndex(t,
		imagetest.Manifest{Image: amd, Platform: amdP},
		imagetest.Manifest{Image: arm, Platform: armP},
		imagetest.Attestation(att, armDigest),
	)
	nested = imagetest.MustIndex(t, imagetest.Manifest{Index: flat, Tag: "multi"})
	return flat, nested, amd, arm
}

func TestPlatformSelection(t *testing.T) {
	flat, nested, amd, arm := platformIndexes(t)
	dir := t.TempDir()
	refs := map[string]string{}
	for name, idx := range map[string]v1.ImageIndex{"flat": flat, "nested": nested} {
		d := filepath.Join(dir, name)
		if err := imagetest.WriteOCILayout(d, idx); err != nil {
			t.Fatal(err)
		}
		a := filepath.Join(dir, name+".tar")
		if err := imagetest.WriteOCIArchive(a, idx); err != nil {
			t.Fatal(err)
		}
		refs[name+"-dir"] = "oci:" + d
		refs[name+"-archive"] = "oci-archive:" + a
	}
	refs["nested-tag"] = refs["nested-dir"] + ":multi"
	amdDigest, _ := amd.Digest()
	armDigest, _ := arm.Digest()

	for name, ref := range refs {
		for _, tc := range []struct {
			platform string
			want     v1.Hash
		}{
			{"linux/amd64", amdDigest},
			{"linux/arm64", armDigest},
			{"linux/arm64/v8", armDigest},
		} {
			t.Run(name+"/"+tc.platform, func(t *testing.T) {
				img := mustOpen(t, ref, Options{Platform: tc.platform})
				if d, _ := img.Digest(); d != tc.want {
					t.Errorf("got %v, want %v", d, tc.want)
				}
			})
		}
		t.Run(name+"/default", func(t *testing.T) {
			img, err := Open(context.Background(), ref, Options{})
			switch runtime.GOARCH {
			case "amd64", "arm64":
				if err != nil {
					t.Fatal(err)
				}
				cfg, _ := img.ConfigFile()
				if cfg.Architecture != runtime.GOARCH {
					t.Errorf("default picked %s, want host %s", cfg.Architecture, runtime.GOARCH)
				}
			default:
				if !errors.Is(err, ErrNoPlatform) {
					t.Errorf("err = %v, want ErrNoPlatform", err)
				}
			}
		})
		t.Run(name+"/missing", func(t *testing.T) {
			_, err := Open(context.Background(), ref, Options{Platform: "linux/s390x"})
			want := "no image for platform linux/s390x in " + ref + " (available: linux/amd64, linux/arm64/v8)"
			if err == nil || err.Error() != want {
				t.Errorf("err = %v, want %q", err, want)
			}
			var pe *PlatformError
			if !errors.As(err, &pe) || !errors.Is(err, ErrNoPlatform) {
				t.Errorf("err %v is not a *PlatformError", err)
			}
		})
	}
}

func TestSingleImagePlatformMismatch(t *testing.T) {
	p := filepath.Join(t.TempDir(), "img.tar")
	if err := imagetest.WriteDockerArchive(p, fixture(t, nil), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(context.Background(), p, Options{Platform: "linux/amd64"}); err != nil {
		t.Errorf("matching platform: %v", err)
	}
	_, err := Open(context.Background(), p, Options{Platform: "linux/arm64"})
	if !errors.Is(err, ErrNoPlatform) {
		t.Errorf("err = %v, want ErrNoPlatform", err)
	}
	if _, err := Open(context.Background(), p, Options{Platform: "arm64"}); err == nil || !strings.Contains(err.Error(), "invalid platform") {
		t.Errorf("err = %v, want invalid platform", err)
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	img := fixture(t, nil)
	rawCfg, _ := img.RawConfigFile()
	layerTar := imagetest.Tar(imagetest.File("a", "b"))

	garbage := write("garbage.tar", imagetest.Tar(imagetest.File("manifest.json", "{not json")))
	notTar := write("not-a.tar", bytes.Repeat([]byte("hello world "), 100))
	neither := write("neither.tar", imagetest.Tar(imagetest.File("hello", "x")))
	missingLayer := write("missing-layer.tar", imagetest.Tar(
		imagetest.Entry{Name: "c.json", Body: rawCfg},
		imagetest.File("manifest.json", `[{"Config":"c.json","Layers":["1/layer.tar","2/layer.tar","3/layer.tar"]}]`),
		imagetest.Entry{Name: "1/layer.tar", Body: layerTar},
	))
	countMismatch := write("count.tar", imagetest.Tar(
		imagetest.Entry{Name: "c.json", Body: rawCfg},
		imagetest.File("manifest.json", `[{"Config":"c.json","Layers":["1/layer.tar"]}]`),
		imagetest.Entry{Name: "1/layer.tar", Body: layerTar},
	))
	twoImages := write("two.tar", imagetest.Tar(
		imagetest.Entry{Name: "c.json", Body: rawCfg},
		imagetest.File("manifest.json", `[{"Config":"c.json","RepoTags":["a:1"],"Layers":[]},{"Config":"c.json","RepoTags":["b:1"],"Layers":[]}]`),
	))
	emptyIndex := write("empty-index.tar", imagetest.Tar(
		imagetest.File("oci-layout", `{"imageLayoutVersion":"1.0.0"}`),
		imagetest.File("index.json", `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}`),
	))
	ociDir := filepath.Join(dir, "layout")
	if err := imagetest.WriteOCILayout(ociDir, imagetest.MustIndex(t, imagetest.Manifest{Image: img, Tag: "v1"})); err != nil {
		t.Fatal(err)
	}
	// An OCI layout whose layer blob was deleted.
	brokenDir := filepath.Join(dir, "broken")
	if err := imagetest.WriteOCILayout(brokenDir, imagetest.MustIndex(t, imagetest.Manifest{Image: img})); err != nil {
		t.Fatal(err)
	}
	ls, _ := img.Layers()
	ld, _ := ls[1].Digest()
	if err := os.Remove(filepath.Join(brokenDir, "blobs", "sha256", ld.Hex)); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name, ref string
		is        error
		contains  string
	}{
		{"missing file", "docker-archive:" + filepath.Join(dir, "nope.tar"), ErrNotFound, "nope.tar"},
		{"missing bare file", filepath.Join(dir, "nope.tar"), ErrNotFound, "nope.tar"},
		{"missing dir", "oci:" + filepath.Join(dir, "nope"), ErrNotFound, "nope"},
		{"not a tar", "docker-archive:" + notTar, ErrInvalid, "reading tar"},
		{"bare not a tar", notTar, ErrInvalid, "not-a.tar"},
		{"bare neither", neither, ErrInvalid, "not a docker-archive or oci-archive"},
		{"garbage manifest.json", "docker-archive:" + garbage, ErrInvalid, "parsing manifest.json in"},
		{"missing manifest.json", "docker-archive:" + neither, ErrNotFound, "reading manifest.json in"},
		{"missing layer", "docker-archive:" + missingLayer, ErrNotFound, "2/layer.tar"},
		{"diff_ids mismatch", "docker-archive:" + countMismatch, ErrInvalid, "3 diff_ids but manifest.json has 1 layers"},
		{"two images no tag", "docker-archive:" + twoImages, nil, "holds 2 images"},
		{"unknown docker tag", "docker-archive:" + twoImages + ":c:1", ErrNotFound, `tag "c:1"`},
		{"empty index", "oci-archive:" + emptyIndex, ErrNotFound, "no image manifests"},
		{"missing index.json", "oci-archive:" + neither, ErrNotFound, "reading index.json in"},
		{"unknown oci tag", "oci:" + ociDir + ":v2", ErrNotFound, `tag "v2"`},
		{"unknown digest", "oci:" + ociDir + "@sha256:" + strings.Repeat("0", 64), ErrNotFound, "finding sha256:000"},
		{"bad digest", "oci:" + ociDir + "@sha256:abc", nil, "invalid digest"},
		{"missing blob", "oci:" + brokenDir, ErrNotFound, ld.Hex},
		// (bare image names go to the daemons and the registry; see
		// daemon_test.go and registry_test.go, which never leave 127.0.0.1)
		{"unknown source", "registry://x", nil, "contradicts --source"},
		{"empty path", "oci:", nil, "missing path"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := Options{}
			if tc.name == "unknown source" {
				opts.Source = "oci"
			}
			img, err := Open(context.Background(), tc.ref, opts)
			if err == nil {
				t.Fatalf("Open(%q) = %v, want an error", tc.ref, img)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("err = %v, want errors.Is %v", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.contains) {
				t.Errorf("err = %q, want it to contain %q", err, tc.contains)
			}
		})
	}
}

func TestCanceledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Open(ctx, "oci:/nowhere", Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestSplitSelector(t *testing.T) {
	dir := t.TempDir()
	withColon := filepath.Join(dir, "a:b")
	if err := os.Mkdir(withColon, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "img.tar")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	digest := "sha256:" + strings.Repeat("ab", 32)
	for _, tc := range []struct {
		in, path string
		sel      selector
	}{
		{file, file, selector{}},
		{file + ":alpine:3.20", file, selector{tag: "alpine:3.20"}},
		{file + ":docker.io/library/alpine:3.20", file, selector{tag: "docker.io/library/alpine:3.20"}},
		{withColon, withColon, selector{}},
		{withColon + ":v1", withColon, selector{tag: "v1"}},
		{file + "@" + digest, file, selector{digest: digest}},
		{"/does/not/exist:v1", "/does/not/exist:v1", selector{}},
	} {
		p, sel, err := splitSelector(tc.in)
		if err != nil {
			t.Errorf("splitSelector(%q): %v", tc.in, err)
			continue
		}
		if p != tc.path || sel != tc.sel {
			t.Errorf("splitSelector(%q) = %q, %+v; want %q, %+v", tc.in, p, sel, tc.path, tc.sel)
		}
	}
}
