package imagetest

import (
	"encoding/json"
	"fmt"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// WriteContainerdArchive writes img to path as `docker save` does when the
// Docker Engine uses the containerd image store: the layers are the blobs
// as pulled (compressed, under their registry digests), index.json points
// at a multi-platform image index, and only the local platform's manifest
// is in the archive; the index also lists a linux/arm64 manifest whose
// blobs were never pulled. manifest.json names the blobs as for Docker 25+.
func WriteContainerdArchive(path string, img v1.Image, tag string) error {
	rawManifest, err := img.RawManifest()
	if err != nil {
		return fmt.Errorf("reading manifest: %w", err)
	}
	manifestDigest, err := img.Digest()
	if err != nil {
		return fmt.Errorf("reading digest: %w", err)
	}
	mt, err := img.MediaType()
	if err != nil {
		return fmt.Errorf("reading media type: %w", err)
	}
	rawCfg, err := img.RawConfigFile()
	if err != nil {
		return fmt.Errorf("reading config: %w", err)
	}
	cfgName, err := img.ConfigName()
	if err != nil {
		return fmt.Errorf("reading config name: %w", err)
	}
	layers, err := img.Layers()
	if err != nil {
		return fmt.Errorf("listing layers: %w", err)
	}

	entry := dockerManifestEntry{Config: "blobs/sha256/" + cfgName.Hex, LayerSources: map[v1.Hash]v1.Descriptor{}}
	blobs := map[v1.Hash][]byte{cfgName: rawCfg, manifestDigest: rawManifest}
	var layerDigests []v1.Hash
	for i, l := range layers {
		d, err := l.Digest()
		if err != nil {
			return fmt.Errorf("layer %d: digest: %w", i, err)
		}
		diffID, err := l.DiffID()
		if err != nil {
			return fmt.Errorf("layer %d: diffid: %w", i, err)
		}
		lmt, err := l.MediaType()
		if err != nil {
			return fmt.Errorf("layer %d: media type: %w", i, err)
		}
		rc, err := l.Compressed()
		if err != nil {
			return fmt.Errorf("layer %d: opening: %w", i, err)
		}
		raw, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return fmt.Errorf("layer %d: reading: %w", i, err)
		}
		blobs[d] = raw
		layerDigests = append(layerDigests, d)
		entry.Layers = append(entry.Layers, "blobs/sha256/"+d.Hex)
		entry.LayerSources[diffID] = v1.Descriptor{MediaType: lmt, Size: int64(len(raw)), Digest: d}
	}

	cfg, err := img.ConfigFile()
	if err != nil {
		return fmt.Errorf("parsing config: %w", err)
	}
	local := v1.Descriptor{MediaType: mt, Size: int64(len(rawManifest)), Digest: manifestDigest,
		Platform: &v1.Platform{OS: cfg.OS, Architecture: cfg.Architecture, Variant: cfg.Variant}}
	// The arm64 manifest is listed but absent, as after a single-platform pull.
	absent := v1.Descriptor{MediaType: mt, Size: 1234, Digest: sha256Hash([]byte("arm64 manifest, not pulled")),
		Platform: &v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}}
	rawIndex, err := json.Marshal(v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex,
		Manifests: []v1.Descriptor{local, absent}})
	if err != nil {
		return err
	}
	indexDigest := sha256Hash(rawIndex)
	blobs[indexDigest] = rawIndex
	top := v1.Descriptor{MediaType: types.OCIImageIndex, Size: int64(len(rawIndex)), Digest: indexDigest}
	if tag != "" {
		entry.RepoTags = []string{tag}
		_, t := splitTag(tag)
		top.Annotations = map[string]string{"io.containerd.image.name": tag, RefNameAnnotation: t}
	}
	rawTop, err := json.Marshal(v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex, Manifests: []v1.Descriptor{top}})
	if err != nil {
		return err
	}
	mj, err := json.Marshal([]dockerManifestEntry{entry})
	if err != nil {
		return err
	}
	order := append([]v1.Hash{indexDigest, manifestDigest, cfgName}, layerDigests...)
	return writeTarFile(path, func(tw *tarWriter) error {
		tw.dir("blobs/")
		tw.dir("blobs/sha256/")
		written := map[v1.Hash]bool{}
		for _, h := range order {
			if !written[h] {
				written[h] = true
				tw.file("blobs/sha256/"+h.Hex, blobs[h])
			}
		}
		tw.file("index.json", rawTop)
		tw.file("manifest.json", mj)
		tw.file("oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`))
		return nil
	})
}
