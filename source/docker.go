package source

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

func openDockerArchive(ctx context.Context, ref, rest string, opts Options) (v1.Image, error) {
	p, sel, err := splitSelector(rest)
	if err != nil {
		return nil, err
	}
	if sel.digest != "" {
		return nil, fmt.Errorf("reference %q: docker-archive takes a tag, not a digest: %w", ref, ErrUnsupported)
	}
	idx, release, err := indexArchive(ctx, p, opts)
	if err != nil {
		return nil, fmt.Errorf("opening docker-archive %s: %w", p, notFound(err))
	}
	img, err := openDockerArchiveAt(ctx, ref, idx, sel, opts)
	return holding(img, err, release)
}

// openDockerArchiveAt reads a `docker save` tar. Two layouts exist:
//
//   - classic (Docker 24 and earlier): <id>/layer.tar members holding
//     uncompressed layers, <hex>.json for the config, manifest.json. There
//     is no image manifest at all.
//   - Docker 25+: an OCI layout (index.json, blobs/sha256/...) whose layers
//     are uncompressed tars, plus a manifest.json pointing into blobs/.
//
// Both have manifest.json, which is what is read. When the archive also
// holds the OCI manifest of the chosen image, that manifest is used as is,
// so the image digest is the one Docker reports. A save from before Docker
// 1.10 has no manifest.json but `repositories`: see dockerlegacy.go.
func openDockerArchiveAt(ctx context.Context, ref string, idx *tarIndex, sel selector, opts Options) (v1.Image, error) {
	if !idx.has("manifest.json") && idx.has("repositories") {
		return openLegacyDockerArchive(ctx, ref, idx, sel, opts)
	}
	raw, err := idx.readFile("manifest.json")
	if err != nil {
		return nil, fmt.Errorf("reading manifest.json in %s: %w", idx.path, memberErr(err))
	}
	var entries tarball.Manifest
	if err := json.Unmarshal(raw, &entries); err != nil {
		return nil, fmt.Errorf("parsing manifest.json in %s: %w: %w", idx.path, ErrInvalid, err)
	}
	entry, err := pickEntry(entries, sel, idx.path)
	if err != nil {
		return nil, err
	}
	return openDockerArchiveEntry(ctx, ref, idx, entry, opts)
}

// openDockerArchiveEntry opens the image that one manifest.json entry of a
// docker save tar describes.
func openDockerArchiveEntry(ctx context.Context, ref string, idx *tarIndex, entry *tarball.Descriptor, opts Options) (v1.Image, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rawConfig, err := idx.readFile(entry.Config)
	if err != nil {
		return nil, fmt.Errorf("reading config %s in %s: %w", entry.Config, idx.path, memberErr(err))
	}
	cfg, err := parseConfig(rawConfig)
	if err != nil {
		return nil, fmt.Errorf("parsing config %s in %s: %w: %w", entry.Config, idx.path, ErrInvalid, err)
	}
	if len(cfg.RootFS.DiffIDs) != len(entry.Layers) {
		return nil, fmt.Errorf("image in %s: config lists %d diff_ids but manifest.json has %d layers: %w",
			idx.path, len(cfg.RootFS.DiffIDs), len(entry.Layers), ErrInvalid)
	}
	sum := sha256.Sum256(rawConfig)
	configDigest := v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}

	var img v1.Image
	if idx.has("index.json") {
		img = storedManifestImage(ctx, idx, config{name: entry.Config, digest: configDigest, raw: rawConfig, parsed: cfg}, ref)
	}
	if img == nil {
		img, err = synthesizedImage(idx, entry, cfg, rawConfig, configDigest)
		if err != nil {
			return nil, err
		}
	}
	return img, checkPlatform(img, ref, opts)
}

// pickEntry chooses the manifest.json entry: the only one, or the one
// tagged sel.tag.
func pickEntry(entries tarball.Manifest, sel selector, where string) (*tarball.Descriptor, error) {
	if len(entries) == 0 {
		return nil, fmt.Errorf("manifest.json in %s lists no images: %w", where, ErrNotFound)
	}
	if sel.tag == "" {
		if len(entries) == 1 {
			return &entries[0], nil
		}
		return nil, fmt.Errorf("%s holds %d images; pick one with docker-archive:%s:TAG (tags: %s)",
			where, len(entries), where, strings.Join(allTags(entries), ", "))
	}
	want := normalizeTag(sel.tag)
	for i, e := range entries {
		for _, t := range e.RepoTags {
			if t == sel.tag || normalizeTag(t) == want {
				return &entries[i], nil
			}
		}
	}
	return nil, fmt.Errorf("tag %q in %s: %w (tags: %s)", sel.tag, where, ErrNotFound, strings.Join(allTags(entries), ", "))
}

func allTags(entries tarball.Manifest) []string {
	var tags []string
	for _, e := range entries {
		tags = append(tags, e.RepoTags...)
	}
	return tags
}

// normalizeTag resolves "alpine" and "alpine:latest" to
// "index.docker.io/library/alpine:latest", as docker does.
func normalizeTag(s string) string {
	t, err := name.NewTag(s)
	if err != nil {
		return s
	}
	return t.Name()
}

// config is the config manifest.json names, read and parsed.
type config struct {
	name   string // its member
	digest v1.Hash
	raw    []byte
	parsed *v1.ConfigFile
}

// storedManifestImage returns the image of a Docker 25+ archive whose OCI
// manifest has the given config, or nil when there is none. When the
// manifest's config blob is the very member manifest.json names, it is not
// read and parsed a second time: a long history would be held twice.
func storedManifestImage(ctx context.Context, idx *tarIndex, cfg config, ref string) v1.Image {
	configDigest := cfg.digest
	raw, err := idx.readFile("index.json")
	if err != nil {
		return nil
	}
	s := tarStore{idx}
	im, err := v1.ParseIndexManifest(bytes.NewReader(raw))
	if err != nil {
		return nil
	}
	cands, err := newIndexWalk(ctx, s).collect(im.Manifests)
	if err != nil {
		return nil
	}
	for _, d := range cands {
		rawManifest, err := readBlob(s, d.Digest)
		if err != nil {
			continue
		}
		m, err := v1.ParseManifest(bytes.NewReader(rawManifest))
		if err != nil || m.Config.Digest != configDigest {
			continue
		}
		var img v1.Image
		if sameMember(idx, cfg.name, s.name(m.Config.Digest)) {
			img, err = imageFromParts(s, m, rawManifest, cfg.raw, cfg.parsed, ref)
		} else {
			img, err = imageFromManifest(s, rawManifest, ref)
		}
		if err != nil {
			return nil
		}
		return img
	}
	return nil
}

// sameMember reports whether two names lead to one member of the archive
// (after links), so that its bytes are the same.
func sameMember(idx *tarIndex, a, b string) bool {
	ma, err := idx.lookup(a)
	if err != nil {
		return false
	}
	mb, err := idx.lookup(b)
	return err == nil && ma.offset == mb.offset && ma.size == mb.size
}

// synthesizedImage describes the layers of a docker save tar as stored.
//
// A classic docker save has no image manifest, so strata writes one: it
// lists each layer blob exactly as the archive stores it (usually an
// uncompressed tar, whose digest is then its diffID). The image digest
// strata reports is the digest of that manifest; it is stable for a given
// archive but is not a registry digest.
func synthesizedImage(idx *tarIndex, entry *tarball.Descriptor, cfg *v1.ConfigFile, rawConfig []byte, configDigest v1.Hash) (v1.Image, error) {
	readConfig := func() ([]byte, error) { return idx.readFile(entry.Config) }
	if entry.Config == "" {
		// A config strata wrote (the pre-1.10 layout): no member holds it.
		readConfig = func() ([]byte, error) { return rawConfig, nil }
	}
	core := &image{readConfig: readConfig, configName: configDigest, config: cfg}
	oci := false
	for i, name := range entry.Layers {
		m, err := idx.lookup(name)
		if err != nil {
			return nil, fmt.Errorf("layer %d in %s: %w", i, idx.path, memberErr(err))
		}
		diffID := cfg.RootFS.DiffIDs[i]
		l := &layer{
			size:   m.size,
			diffID: diffID,
			open:   func() (io.ReadCloser, error) { return idx.openMember(m) },
			openRange: func(off, n int64) (io.ReadCloser, error) {
				return idx.openSpan(m, off, n)
			},
		}
		comp, err := sniff(l.open)
		if err != nil {
			return nil, fmt.Errorf("reading layer %s in %s: %w", name, idx.path, err)
		}
		src, hasSrc := entry.LayerSources[diffID]
		switch {
		case comp == "":
			// An uncompressed tar: its digest is its diffID.
			l.digest, l.mediaType = diffID, types.DockerUncompressedLayer
			if hasSrc && src.MediaType != "" {
				l.mediaType = src.MediaType
			}
		case hasSrc && src.Digest.Hex != "":
			l.digest, l.mediaType = src.Digest, src.MediaType
		default:
			l.mediaType = types.DockerLayer
			if comp == "zstd" {
				l.mediaType = types.OCILayerZStd
			}
			if h, ok := digestFromBlobPath(m.name); ok {
				l.digest = h
			} else {
				l.hashDigest = true
			}
		}
		if strings.HasPrefix(string(l.mediaType), "application/vnd.oci.") {
			oci = true
		}
		core.layers = append(core.layers, l)
	}
	manifest := v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.DockerManifestSchema2,
		Config: v1.Descriptor{
			MediaType: types.DockerConfigJSON,
			Size:      int64(len(rawConfig)),
			Digest:    configDigest,
		},
	}
	if oci {
		manifest.MediaType = types.OCIManifestSchema1
		manifest.Config.MediaType = types.OCIConfigJSON
	}
	core.mediaType = manifest.MediaType
	core.manifest = func() ([]byte, error) {
		m := manifest
		m.Layers = make([]v1.Descriptor, len(core.layers))
		for i, l := range core.layers {
			d, err := l.Descriptor()
			if err != nil {
				return nil, fmt.Errorf("hashing layer %d in %s: %w", i, idx.path, err)
			}
			m.Layers[i] = *d
		}
		return marshalManifest(&m)
	}
	return newImage(core)
}

// digestFromBlobPath reads the digest out of a member's name where the
// writer named it by digest: "blobs/sha256/<hex>" (Docker 25+ and OCI
// layouts), or "<hex>.tar.gz" and "<hex>.tar.zst" at the top of the tar
// (go-containerregistry's tarball.Write, so crane pull and every tool
// built on it). Taking the name spares hashing the blob on every run; the
// name is trusted as a layout's blob path is (under analyze's
// VerifyCached a cached layer's blob is hashed anyway).
func digestFromBlobPath(name string) (v1.Hash, bool) {
	rest, ok := strings.CutPrefix(name, "blobs/sha256/")
	if !ok {
		rest, ok = strings.CutSuffix(name, ".tar.gz")
		if !ok {
			rest, ok = strings.CutSuffix(name, ".tar.zst")
		}
	}
	if !ok || len(rest) != 64 || strings.ToLower(rest) != rest {
		return v1.Hash{}, false
	}
	h, err := v1.NewHash("sha256:" + rest)
	return h, err == nil
}
