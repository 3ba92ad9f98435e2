package source

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/strata-cli/strata/internal/imagetest"
	"github.com/strata-cli/strata/internal/registrytest"
)

// rawLayout writes an OCI layout by hand, blob by blob, so that a test
// can make manifests no image library would: an artifact's manifest with
// a config that is not an image config. Each manifest is listed in the
// index with the descriptor fields given.
type rawLayout struct {
	t     *testing.T
	dir   string
	index v1.IndexManifest
}

func newRawLayout(t *testing.T) *rawLayout {
	dir := filepath.Join(t.TempDir(), "layout")
	if err := os.MkdirAll(filepath.Join(dir, "blobs", "sha256"), 0o755); err != nil {
		t.Fatal(err)
	}
	return &rawLayout{t: t, dir: dir, index: v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex}}
}

func (l *rawLayout) blob(b []byte) v1.Descriptor {
	sum := sha256.Sum256(b)
	h := v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}
	if err := os.WriteFile(filepath.Join(l.dir, "blobs", "sha256", h.Hex), b, 0o644); err != nil {
		l.t.Fatal(err)
	}
	return v1.Descriptor{Digest: h, Size: int64(len(b))}
}

// manifest adds a manifest whose config is cfg of type cfgType, over one
// layer, and lists it with platform p and artifactType.
func (l *rawLayout) manifest(cfgType types.MediaType, cfg []byte, artifactType string, p *v1.Platform) {
	c := l.blob(cfg)
	c.MediaType = cfgType
	layer := l.blob(imagetest.Tar(imagetest.File("chart/Chart.yaml", "name: x\n")))
	layer.MediaType = types.OCIUncompressedLayer
	m := v1.Manifest{SchemaVersion: 2, MediaType: types.OCIManifestSchema1, Config: c, Layers: []v1.Descriptor{layer}, ArtifactType: artifactType}
	raw, _ := json.Marshal(m)
	d := l.blob(raw)
	d.MediaType, d.Platform, d.ArtifactType = types.OCIManifestSchema1, p, artifactType
	l.index.Manifests = append(l.index.Manifests, d)
}

func (l *rawLayout) write() string {
	raw, _ := json.Marshal(l.index)
	for name, b := range map[string][]byte{"index.json": raw, "oci-layout": []byte(`{"imageLayoutVersion":"1.0.0"}`)} {
		if err := os.WriteFile(filepath.Join(l.dir, name), b, 0o644); err != nil {
			l.t.Fatal(err)
		}
	}
	return l.dir
}

// imageConfig is a real image config over the layer rawLayout writes.
func imageConfig(t *testing.T, p v1.Platform) []byte {
	diff := sha256.Sum256(imagetest.Tar(imagetest.File("chart/Chart.yaml", "name: x\n")))
	cfg := v1.ConfigFile{OS: p.OS, Architecture: p.Architecture, RootFS: v1.RootFS{Type: "layers", DiffIDs: []v1.Hash{{Algorithm: "sha256", Hex: hex.EncodeToString(diff[:])}}}}
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestArtifactIsNamedNotAnImage: a Helm chart (its config type says so)
// and an artifact manifest with artifactType are refused as artifacts of
// that type, not as an image whose config lists 0 diff_ids.
func TestArtifactIsNamedNotAnImage(t *testing.T) {
	for _, tc := range []struct {
		name, artifactType string
		cfgType            types.MediaType
		want               string
	}{
		{"helm chart", "", "application/vnd.cncf.helm.config.v1+json", "an artifact of type application/vnd.cncf.helm.config.v1+json, not a container image"},
		{"artifact manifest", "application/vnd.example.model.v1", "application/vnd.oci.empty.v1+json", "an artifact of type application/vnd.example.model.v1, not a container image"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newRawLayout(t)
			l.manifest(tc.cfgType, []byte(`{"name":"x","version":"1.0.0"}`), tc.artifactType, nil)
			_, err := Open(context.Background(), "oci:"+l.write(), Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrUnsupported) {
				t.Errorf("Open = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestIndexSkipsArtifacts: an index holding an image and an artifact
// (a signature, say) for the same platform opens the image, with or
// without --platform.
func TestIndexSkipsArtifacts(t *testing.T) {
	amd := v1.Platform{OS: "linux", Architecture: "amd64"}
	l := newRawLayout(t)
	l.manifest("application/vnd.dev.cosign.simplesigning.v1+json", []byte(`{}`), "application/vnd.dev.sigstore.bundle.v0.3+json", &amd)
	l.manifest(types.OCIConfigJSON, imageConfig(t, amd), "", &amd)
	dir := l.write()
	for _, platform := range []string{"", "linux/amd64"} {
		img, err := Open(context.Background(), "oci:"+dir, Options{Platform: platform})
		if err != nil {
			t.Fatalf("platform %q: %v", platform, err)
		}
		cfg, err := img.ConfigFile()
		if err != nil || len(cfg.RootFS.DiffIDs) != 1 {
			t.Errorf("platform %q: opened %+v (%v), want the image", platform, cfg, err)
		}
		Close(img)
	}
}

// TestRegistryArtifactIsNamed: a Helm chart pushed to a registry is named
// as an artifact too.
func TestRegistryArtifactIsNamed(t *testing.T) {
	isolateEnv(t)
	host := registrytest.InProcess(t, nil)
	chart := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), "application/vnd.cncf.helm.config.v1+json")
	chart, err := mutate.AppendLayers(chart, imagetest.MustLayer(t, imagetest.Tar(imagetest.File("Chart.yaml", "name: x\n")), imagetest.Gzip))
	if err != nil {
		t.Fatal(err)
	}
	ref := registrytest.Push(t, host+"/charts/x:1.0.0", chart)
	_, err = Open(context.Background(), "registry://"+ref, Options{})
	if err == nil || !strings.Contains(err.Error(), "an artifact of type application/vnd.cncf.helm.config.v1+json, not a container image") {
		t.Errorf("Open = %v, want the chart named as an artifact", err)
	}
}
