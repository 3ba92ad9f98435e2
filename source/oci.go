package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

const (
	refNameAnnotation  = "org.opencontainers.image.ref.name"
	containerdNameAnno = "io.containerd.image.name"
	dockerRefTypeAnno  = "vnd.docker.reference.type"
)

// dirStore serves blobs from an OCI layout directory.
type dirStore struct{ path layout.Path }

func (d dirStore) blobPath(h v1.Hash) string {
	return filepath.Join(string(d.path), "blobs", h.Algorithm, h.Hex)
}

func (d dirStore) open(h v1.Hash) (io.ReadCloser, error) {
	f, err := openRegular(d.blobPath(h))
	if err != nil {
		return nil, fmt.Errorf("blob %s: %w", h, notFound(err))
	}
	return f, nil
}

func (d dirStore) size(h v1.Hash) (int64, error) {
	fi, err := os.Stat(d.blobPath(h))
	if err != nil {
		return 0, fmt.Errorf("blob %s: %w", h, notFound(err))
	}
	if !fi.Mode().IsRegular() {
		return 0, fmt.Errorf("blob %s: %w", h, notRegular(fi.Mode()))
	}
	return fi.Size(), nil
}

// tarStore serves blobs from the blobs/ members of an indexed tar.
type tarStore struct{ idx *tarIndex }

func (t tarStore) name(h v1.Hash) string { return "blobs/" + h.Algorithm + "/" + h.Hex }

func (t tarStore) open(h v1.Hash) (io.ReadCloser, error) {
	rc, err := t.idx.open(t.name(h))
	if err != nil {
		return nil, fmt.Errorf("blob %s: %w", h, memberErr(err))
	}
	return rc, nil
}

func (t tarStore) size(h v1.Hash) (int64, error) {
	m, err := t.idx.lookup(t.name(h))
	if err != nil {
		return 0, fmt.Errorf("blob %s: %w", h, memberErr(err))
	}
	return m.size, nil
}

func memberErr(err error) error {
	if errors.Is(err, errMemberNotFound) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return err
}

func openOCIDir(ctx context.Context, ref, rest string, opts Options) (v1.Image, error) {
	p, sel, err := splitSelector(rest)
	if err != nil {
		return nil, err
	}
	return openOCIDirAt(ctx, ref, p, sel, opts)
}

func openOCIDirAt(ctx context.Context, ref, dir string, sel selector, opts Options) (v1.Image, error) {
	// index.json is read here rather than by go-containerregistry's layout
	// package, which reads it whole with no size bound and would block on
	// a FIFO.
	raw, err := readMetadataFile(filepath.Join(dir, "index.json"))
	if err != nil {
		return nil, fmt.Errorf("reading oci layout %s: %w", dir, notFound(err))
	}
	return resolveIndex(ctx, dirStore{layout.Path(dir)}, raw, ref, sel, opts)
}

func openOCIArchive(ctx context.Context, ref, rest string, opts Options) (v1.Image, error) {
	p, sel, err := splitSelector(rest)
	if err != nil {
		return nil, err
	}
	idx, release, err := indexArchive(ctx, p, opts)
	if err != nil {
		return nil, fmt.Errorf("opening oci-archive %s: %w", p, notFound(err))
	}
	img, err := openOCIArchiveAt(ctx, ref, idx, sel, opts)
	return holding(img, err, release)
}

func openOCIArchiveAt(ctx context.Context, ref string, idx *tarIndex, sel selector, opts Options) (v1.Image, error) {
	raw, err := idx.readFile("index.json")
	if err != nil {
		return nil, fmt.Errorf("reading index.json in %s: %w", idx.path, memberErr(err))
	}
	return resolveIndex(ctx, tarStore{idx}, raw, ref, sel, opts)
}

func isImageManifest(mt types.MediaType) bool {
	return mt == types.OCIManifestSchema1 || mt == types.DockerManifestSchema2
}

func isIndex(mt types.MediaType) bool {
	return mt == types.OCIImageIndex || mt == types.DockerManifestList
}

func isAttestation(d v1.Descriptor) bool {
	if _, ok := d.Annotations[dockerRefTypeAnno]; ok {
		return true
	}
	return d.Platform != nil && d.Platform.OS == "unknown" && d.Platform.Architecture == "unknown"
}

// resolveIndex picks one image from an index (index.json or a nested
// index) by selector and platform, and opens it.
func resolveIndex(ctx context.Context, s blobStore, rawIndex []byte, ref string, sel selector, opts Options) (v1.Image, error) {
	im, err := v1.ParseIndexManifest(bytes.NewReader(rawIndex))
	if err != nil {
		return nil, fmt.Errorf("parsing index.json in %s: %w: %w", ref, ErrInvalid, err)
	}
	descs := im.Manifests
	switch {
	case sel.digest != "":
		d, err := newIndexWalk(ctx, s).find(im, sel.digest)
		if err != nil {
			return nil, fmt.Errorf("finding %s in %s: %w", sel.digest, ref, err)
		}
		descs = []v1.Descriptor{d}
	case sel.tag != "":
		var tags []string
		descs = nil
		for _, d := range im.Manifests {
			name, cname := d.Annotations[refNameAnnotation], d.Annotations[containerdNameAnno]
			if name == sel.tag || cname == sel.tag {
				descs = append(descs, d)
			}
			if name != "" {
				tags = append(tags, name)
			}
		}
		if len(descs) == 0 {
			return nil, fmt.Errorf("tag %q in %s: %w (tags: %v)", sel.tag, ref, ErrNotFound, tags)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cands, err := newIndexWalk(ctx, s).collect(descs)
	if err != nil {
		return nil, fmt.Errorf("reading index in %s: %w", ref, err)
	}
	if len(cands) == 0 {
		if other := mediaTypesOf(descs); other != "" {
			return nil, fmt.Errorf("no image manifests in index of %s, only unsupported media types (%s): %w", ref, other, ErrUnsupported)
		}
		return nil, fmt.Errorf("no image manifests in index of %s: %w", ref, ErrNotFound)
	}
	cands = withoutArtifacts(cands)
	d, err := choosePlatform(s, cands, ref, opts)
	if err != nil {
		return nil, err
	}
	reportProvenance(s, im.Manifests, d.Digest, opts)
	return manifestImage(s, d.Digest, ref, opts)
}

// withoutArtifacts drops the descriptors an index marks as artifacts
// (signatures, SBOMs, charts: artifactType set) when images remain, so
// that choosing a platform never lands on one. An index of artifacts only
// is left whole, for the artifact's own error.
func withoutArtifacts(descs []v1.Descriptor) []v1.Descriptor {
	images := slices.DeleteFunc(slices.Clone(descs), func(d v1.Descriptor) bool { return d.ArtifactType != "" })
	if len(images) == 0 {
		return descs
	}
	return images
}

// mediaTypesOf lists the media types of descriptors that are neither
// images, indexes nor attestations, for an error that says why nothing fit.
func mediaTypesOf(descs []v1.Descriptor) string {
	var out []string
	for _, d := range descs {
		if !isAttestation(d) && !isImageManifest(d.MediaType) && !isIndex(d.MediaType) && !slices.Contains(out, string(d.MediaType)) {
			out = append(out, string(d.MediaType))
		}
	}
	return strings.Join(out, ", ")
}

// choosePlatform picks among image descriptors: by opts.Platform, else the
// only one, else the host platform.
func choosePlatform(s blobStore, cands []v1.Descriptor, ref string, opts Options) (v1.Descriptor, error) {
	if opts.Platform == "" && len(cands) == 1 {
		return cands[0], nil
	}
	want := hostPlatform()
	if opts.Platform != "" {
		want, _ = parsePlatform(opts.Platform) // validated by Open
	}
	// Descriptors written without a platform (single-image layouts, some
	// tools) are resolved from the image config, which is small.
	plats := make([]*v1.Platform, len(cands))
	for i, d := range cands {
		plats[i] = d.Platform
		if plats[i] == nil {
			p, err := configPlatform(s, d.Digest)
			if err != nil {
				return v1.Descriptor{}, fmt.Errorf("reading platform of %s in %s: %w", d.Digest, ref, err)
			}
			plats[i] = p
		}
	}
	// Prefer an exact variant match, then any variant.
	for i, p := range plats {
		if platformMatches(want, p) && normVariant(want) == normVariant(p) {
			return cands[i], nil
		}
	}
	for i, p := range plats {
		if platformMatches(want, p) {
			return cands[i], nil
		}
	}
	var avail []string
	for _, p := range plats {
		if s := platformString(p); !slices.Contains(avail, s) {
			avail = append(avail, s)
		}
	}
	return v1.Descriptor{}, &PlatformError{Want: platformString(want), Source: ref, Available: avail}
}

func configPlatform(s blobStore, manifest v1.Hash) (*v1.Platform, error) {
	raw, err := readBlob(s, manifest)
	if err != nil {
		return nil, err
	}
	m, err := v1.ParseManifest(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("parsing manifest: %w: %w", ErrInvalid, err)
	}
	rawCfg, err := readBlob(s, m.Config.Digest)
	if err != nil {
		return nil, err
	}
	cfg, err := parseConfig(rawCfg)
	if err != nil {
		return nil, fmt.Errorf("parsing config: %w: %w", ErrInvalid, err)
	}
	return cfg.Platform(), nil
}

// checkPlatform refuses an image whose config contradicts opts.Platform,
// which matters when the source holds a single image and nothing was
// chosen by platform.
func checkPlatform(img v1.Image, ref string, opts Options) error {
	if opts.Platform == "" {
		return nil
	}
	want, _ := parsePlatform(opts.Platform)
	cfg, err := img.ConfigFile()
	if err != nil {
		return fmt.Errorf("reading config in %s: %w", ref, err)
	}
	have := cfg.Platform()
	if have == nil || !platformMatches(want, have) {
		return &PlatformError{Want: platformString(want), Source: ref, Available: []string{platformString(have)}}
	}
	return nil
}
