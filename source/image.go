package source

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// blobStore serves content-addressed blobs: an OCI layout directory or the
// blobs/ members of an archive.
type blobStore interface {
	// open returns the blob with digest h as stored.
	open(h v1.Hash) (io.ReadCloser, error)
	// size returns the stored size of the blob, or an error wrapping
	// ErrNotFound when it is absent.
	size(h v1.Hash) (int64, error)
}

// readBlob reads a metadata blob (index, manifest, config) whole, bounded
// by maxMetadataSize, and checks it against its digest: a blob that is not
// what its digest says could otherwise send an index walk round in circles.
func readBlob(s blobStore, h v1.Hash) ([]byte, error) {
	n, err := s.size(h)
	if err != nil {
		return nil, err
	}
	if n > maxMetadataSize {
		return nil, fmt.Errorf("blob %s: %d bytes is too large for metadata", h, n)
	}
	rc, err := s.open(h)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := readMetadata(rc, n)
	if err != nil {
		return nil, fmt.Errorf("blob %s: %w", h, err)
	}
	if h.Algorithm == "sha256" {
		if got, _, _ := v1.SHA256(bytes.NewReader(b)); got != h {
			return nil, markErr(ErrInvalid, nil, fmt.Sprintf("blob %s: content does not match its digest (it is %s)", h, got))
		}
	}
	return b, nil
}

// image is strata's v1.Image. It knows every layer descriptor and diffID up
// front, so that everything but reading a layer's bytes is cheap: ggcr's
// generic extenders would otherwise compute DiffIDs (layout images) or
// digests (docker save tars) by decompressing or hashing whole layers.
type image struct {
	mediaType types.MediaType
	// readConfig reads the config from the store again: its bytes are not
	// kept, since a config can run to tens of MB (a long history) and only
	// ggcr's generic code would ask for them. configName is their sha256,
	// known when the image is opened.
	readConfig func() ([]byte, error)
	configName v1.Hash
	// config is the config parsed when the image was opened, until
	// ConfigFile hands it out (see fullImage.ConfigFile).
	configMu sync.Mutex
	config   *v1.ConfigFile
	layers   []*layer

	// manifest returns the raw manifest; it is called at most once.
	manifest     func() ([]byte, error)
	manifestOnce sync.Once
	rawManifest  []byte
	manifestErr  error
}

var _ partial.CompressedImageCore = (*image)(nil)

// RawConfigFile implements partial.CompressedImageCore.
func (i *image) RawConfigFile() ([]byte, error) { return i.readConfig() }

// MediaType implements partial.CompressedImageCore.
func (i *image) MediaType() (types.MediaType, error) { return i.mediaType, nil }

// RawManifest implements partial.CompressedImageCore.
func (i *image) RawManifest() ([]byte, error) {
	i.manifestOnce.Do(func() { i.rawManifest, i.manifestErr = i.manifest() })
	return i.rawManifest, i.manifestErr
}

// LayerByDigest implements partial.CompressedImageCore.
func (i *image) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	for _, l := range i.layers {
		d, err := l.Digest()
		if err != nil {
			return nil, err
		}
		if d == h {
			return l, nil
		}
	}
	return nil, fmt.Errorf("layer %s: %w", h, ErrNotFound)
}

// fullImage completes image into a v1.Image. Layers is answered from the
// layer list rather than through the manifest, so that it keeps the image's
// order (duplicated layers included) and needs no digest.
type fullImage struct {
	v1.Image
	core *image
}

// ConfigFile implements v1.Image. The first call returns the config parsed
// when the image was opened, and the image lets go of it: the one reader
// (analyze) copies what it needs, and a long history would otherwise be
// held twice for as long as the image stays open (the explorer keeps it
// open to read files). A later call reads and parses the config again.
func (f *fullImage) ConfigFile() (*v1.ConfigFile, error) {
	c := f.core
	c.configMu.Lock()
	cfg := c.config
	c.config = nil
	c.configMu.Unlock()
	if cfg != nil {
		return cfg, nil
	}
	raw, err := c.readConfig()
	if err != nil {
		return nil, err
	}
	return parseConfig(raw)
}

// ConfigName implements v1.Image with the digest computed at opening,
// rather than by reading and hashing the config again.
func (f *fullImage) ConfigName() (v1.Hash, error) { return f.core.configName, nil }

// Layers implements v1.Image.
func (f *fullImage) Layers() ([]v1.Layer, error) {
	out := make([]v1.Layer, len(f.core.layers))
	for i, l := range f.core.layers {
		out[i] = l.asV1()
	}
	return out, nil
}

// LayerByDiffID implements v1.Image.
func (f *fullImage) LayerByDiffID(h v1.Hash) (v1.Layer, error) {
	for _, l := range f.core.layers {
		if l.diffID == h {
			return l.asV1(), nil
		}
	}
	return nil, fmt.Errorf("layer with diffid %s: %w", h, ErrNotFound)
}

func newImage(core *image) (v1.Image, error) {
	img, err := partial.CompressedToImage(core)
	if err != nil {
		return nil, err
	}
	return &fullImage{Image: img, core: core}, nil
}

// layer is a layer blob as the source stores it.
type layer struct {
	mediaType types.MediaType
	size      int64
	diffID    v1.Hash
	open      func() (io.ReadCloser, error)
	// openRange, when set, reads n bytes of the blob at off in place (see
	// spanLayer); off and n are within the blob.
	openRange func(off, n int64) (io.ReadCloser, error)

	// digest is known up front for every source except compressed layers
	// of a docker save tar that does not record it; then hashDigest is set
	// and computes it on first use.
	digest     v1.Hash
	hashDigest bool
	digestOnce sync.Once
	digestErr  error
}

var _ v1.Layer = (*layer)(nil)

// Digest implements v1.Layer.
func (l *layer) Digest() (v1.Hash, error) {
	if !l.hashDigest {
		return l.digest, nil
	}
	l.digestOnce.Do(func() {
		rc, err := l.open()
		if err != nil {
			l.digestErr = err
			return
		}
		defer rc.Close()
		l.digest, _, l.digestErr = v1.SHA256(rc)
	})
	return l.digest, l.digestErr
}

// DiffID implements v1.Layer; it comes from the config's rootfs.diff_ids.
func (l *layer) DiffID() (v1.Hash, error) { return l.diffID, nil }

// Size implements v1.Layer: the size of the blob as stored.
func (l *layer) Size() (int64, error) { return l.size, nil }

// MediaType implements v1.Layer.
func (l *layer) MediaType() (types.MediaType, error) { return l.mediaType, nil }

// Compressed implements v1.Layer. It returns the bytes exactly as stored,
// which for some sources is an uncompressed tar.
func (l *layer) Compressed() (io.ReadCloser, error) { return l.open() }

// Descriptor returns the layer's descriptor (see partial.Descriptor).
func (l *layer) Descriptor() (*v1.Descriptor, error) {
	d, err := l.Digest()
	if err != nil {
		return nil, err
	}
	return &v1.Descriptor{MediaType: l.mediaType, Size: l.size, Digest: d}, nil
}

// Uncompressed implements v1.Layer. The compression is sniffed from the
// stored bytes, not trusted from the media type.
func (l *layer) Uncompressed() (io.ReadCloser, error) {
	rc, err := l.open()
	if err != nil {
		return nil, err
	}
	br := bufio.NewReader(rc)
	magic, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(magic, gzipMagic):
		zr, err := gzip.NewReader(br)
		if err != nil {
			rc.Close()
			return nil, fmt.Errorf("opening gzip layer: %w", err)
		}
		return &readCloser{Reader: zr, close: func() error { zr.Close(); return rc.Close() }}, nil
	case bytes.HasPrefix(magic, zstdMagic):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1))
		if err != nil {
			rc.Close()
			return nil, fmt.Errorf("opening zstd layer: %w", err)
		}
		return &readCloser{Reader: zr, close: func() error { zr.Close(); return rc.Close() }}, nil
	default:
		return &readCloser{Reader: br, close: rc.Close}, nil
	}
}

var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

type readCloser struct {
	io.Reader
	close func() error
}

func (r *readCloser) Close() error { return r.close() }

// sniff reads the first bytes of a blob and names its compression.
func sniff(open func() (io.ReadCloser, error)) (string, error) {
	rc, err := open()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	var b [4]byte
	n, err := io.ReadFull(rc, b[:])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", err
	}
	switch {
	case bytes.HasPrefix(b[:n], gzipMagic):
		return "gzip", nil
	case bytes.HasPrefix(b[:n], zstdMagic):
		return "zstd", nil
	}
	return "", nil
}

// imageFromManifest builds an image from a stored manifest: the manifest
// and config are read now, layers are opened from the store on demand.
func imageFromManifest(s blobStore, rawManifest []byte, where string) (v1.Image, error) {
	m, err := v1.ParseManifest(bytes.NewReader(rawManifest))
	if err != nil {
		return nil, fmt.Errorf("parsing manifest in %s: %w", where, err)
	}
	if t := artifactType(m); t != "" {
		return nil, fmt.Errorf("%s holds an artifact of type %s, not a container image: %w", where, t, ErrUnsupported)
	}
	rawConfig, err := readBlob(s, m.Config.Digest)
	if err != nil {
		return nil, fmt.Errorf("reading config %s in %s: %w", m.Config.Digest, where, err)
	}
	cfg, err := parseConfig(rawConfig)
	if err != nil {
		return nil, fmt.Errorf("parsing config %s in %s: %w", m.Config.Digest, where, err)
	}
	return imageFromParts(s, m, rawManifest, rawConfig, cfg, where)
}

// imageFromParts is imageFromManifest once the config is read and parsed.
func imageFromParts(s blobStore, m *v1.Manifest, rawManifest, rawConfig []byte, cfg *v1.ConfigFile, where string) (v1.Image, error) {
	if len(cfg.RootFS.DiffIDs) != len(m.Layers) {
		return nil, fmt.Errorf("image in %s: config lists %d diff_ids but the manifest has %d layers: %w",
			where, len(cfg.RootFS.DiffIDs), len(m.Layers), ErrInvalid)
	}
	mt := m.MediaType
	if mt == "" {
		mt = types.OCIManifestSchema1
	}
	core := &image{
		mediaType:  mt,
		readConfig: func() ([]byte, error) { return readBlob(s, m.Config.Digest) },
		configName: configName(rawConfig, m.Config.Digest),
		config:     cfg,
		manifest:   func() ([]byte, error) { return rawManifest, nil },
	}
	for i, d := range m.Layers {
		if _, err := s.size(d.Digest); err != nil {
			return nil, fmt.Errorf("layer %d (%s) in %s: %w", i, d.Digest, where, err)
		}
		l := &layer{
			mediaType: d.MediaType,
			size:      d.Size,
			digest:    d.Digest,
			diffID:    cfg.RootFS.DiffIDs[i],
			open:      func() (io.ReadCloser, error) { return s.open(d.Digest) },
		}
		if rs, ok := s.(rangeStore); ok {
			l.openRange = func(off, n int64) (io.ReadCloser, error) { return rs.openRange(d.Digest, off, n) }
		}
		core.layers = append(core.layers, l)
	}
	return newImage(core)
}

// marshalManifest is json.Marshal for manifests built by strata.
func marshalManifest(m *v1.Manifest) ([]byte, error) {
	return json.Marshal(m)
}

// artifactType names what a manifest holds when it is not a container
// image (a Helm chart, a model, a signature): its artifactType, else its
// config's media type when that is not an image config. "" for an image.
// Docker's schema 2 and OCI image configs are images; a manifest with no
// config media type is taken for one, as registries do.
func artifactType(m *v1.Manifest) string {
	if m.ArtifactType != "" {
		return m.ArtifactType
	}
	switch m.Config.MediaType {
	case "", types.OCIConfigJSON, types.DockerConfigJSON:
		return ""
	}
	return string(m.Config.MediaType)
}

// manifestImage reads the manifest with digest d from s and makes it the
// image, checked against the platform asked for.
func manifestImage(s blobStore, d v1.Hash, ref string, opts Options) (v1.Image, error) {
	raw, err := readBlob(s, d)
	if err != nil {
		return nil, fmt.Errorf("reading manifest %s in %s: %w", d, ref, err)
	}
	img, err := imageFromManifest(s, raw, ref)
	if err != nil {
		return nil, err
	}
	return img, checkPlatform(img, ref, opts)
}
