package imagetest

import (
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Annotation keys used for tags in OCI layouts and attestation manifests.
const (
	RefNameAnnotation       = "org.opencontainers.image.ref.name"
	DockerReferenceTypeAnno = "vnd.docker.reference.type"
)

// Image stacks layers on an empty OCI image. The config's history is
// exactly history (EmptyLayer entries included); when history is nil, one
// entry per layer is made up. platform defaults to linux/amd64. Created
// times are Epoch, so the config and manifest digests are stable.
func Image(layers []v1.Layer, history []v1.History, platform *v1.Platform) (v1.Image, error) {
	base := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	base = mutate.ConfigMediaType(base, types.OCIConfigJSON)
	img, err := mutate.AppendLayers(base, layers...)
	if err != nil {
		return nil, fmt.Errorf("appending layers: %w", err)
	}
	return finish(img, history, platform)
}

// finish gives img's config history (made up when nil), a platform
// (linux/amd64 when nil) and Epoch times.
func finish(img v1.Image, history []v1.History, platform *v1.Platform) (v1.Image, error) {
	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	cfg = cfg.DeepCopy()
	if history == nil {
		history = make([]v1.History, len(layers))
		for i := range history {
			history[i] = v1.History{CreatedBy: fmt.Sprintf("layer %d", i), Created: v1.Time{Time: Epoch}}
		}
	}
	cfg.History = history
	cfg.Created = v1.Time{Time: Epoch}
	if platform == nil {
		platform = &v1.Platform{OS: "linux", Architecture: "amd64"}
	}
	cfg.OS = platform.OS
	cfg.Architecture = platform.Architecture
	cfg.Variant = platform.Variant
	cfg.OSVersion = platform.OSVersion
	if len(cfg.Config.Env) == 0 {
		cfg.Config.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	}
	img, err = mutate.ConfigFile(img, cfg)
	if err != nil {
		return nil, fmt.Errorf("setting config: %w", err)
	}
	return img, nil
}

// MustImage is Image that fails the test on error.
func MustImage(t TB, layers []v1.Layer, history []v1.History, platform *v1.Platform) v1.Image {
	t.Helper()
	img, err := Image(layers, history, platform)
	if err != nil {
		t.Fatalf("imagetest.Image: %v", err)
	}
	return img
}

// Manifest is one entry of an index: an image or a nested index.
type Manifest struct {
	Image v1.Image
	Index v1.ImageIndex
	// Platform goes into the descriptor (images only, usually).
	Platform *v1.Platform
	// Tag becomes the org.opencontainers.image.ref.name annotation.
	Tag string
	// Annotations are added to the descriptor.
	Annotations map[string]string
}

// Index builds an OCI image index over ms, in order.
func Index(ms ...Manifest) (v1.ImageIndex, error) {
	adds := make([]mutate.IndexAddendum, 0, len(ms))
	for i, m := range ms {
		var add mutate.IndexAddendum
		switch {
		case m.Image != nil && m.Index == nil:
			add.Add = m.Image
		case m.Index != nil && m.Image == nil:
			add.Add = m.Index
		default:
			return nil, fmt.Errorf("manifest %d: set exactly one of Image and Index", i)
		}
		add.Platform = m.Platform
		if m.Tag != "" || len(m.Annotations) > 0 {
			add.Annotations = map[string]string{}
			for k, v := range m.Annotations {
				add.Annotations[k] = v
			}
			if m.Tag != "" {
				add.Annotations[RefNameAnnotation] = m.Tag
			}
		}
		adds = append(adds, add)
	}
	return mutate.AppendManifests(empty.Index, adds...), nil
}

// MustIndex is Index that fails the test on error.
func MustIndex(t TB, ms ...Manifest) v1.ImageIndex {
	t.Helper()
	idx, err := Index(ms...)
	if err != nil {
		t.Fatalf("imagetest.Index: %v", err)
	}
	return idx
}

// Attestation returns a manifest entry shaped like the provenance
// attestation BuildKit attaches to an index: platform unknown/unknown and a
// vnd.docker.reference.type annotation pointing at subject.
func Attestation(img v1.Image, subject v1.Hash) Manifest {
	return Manifest{
		Image:    img,
		Platform: &v1.Platform{OS: "unknown", Architecture: "unknown"},
		Annotations: map[string]string{
			DockerReferenceTypeAnno:       "attestation-manifest",
			"vnd.docker.reference.digest": subject.String(),
		},
	}
}
