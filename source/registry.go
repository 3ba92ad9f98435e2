package source

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// registryBackoff retries a failed request twice, quickly: enough for a
// dropped connection during a long pull, short enough that an unreachable
// registry is reported within a second.
var registryBackoff = remote.Backoff{Duration: 200 * time.Millisecond, Factor: 2, Jitter: 0.1, Steps: 3}

// openRegistry reads an image straight from a registry, with no daemon.
// Only the manifest (and, when an index has to be resolved, the platform
// lists) is fetched here; the config is fetched on first use and each
// layer blob is streamed once when the caller reads it, its digest checked
// by go-containerregistry as the bytes arrive.
func openRegistry(ctx context.Context, ref, rest string, opts Options) (v1.Image, error) {
	var nameOpts []name.Option
	if opts.Insecure {
		nameOpts = append(nameOpts, name.Insecure)
	}
	// Loopback and private addresses already default to plain HTTP in
	// go-containerregistry, so a local test registry needs no --insecure.
	r, err := name.ParseReference(rest, nameOpts...)
	if err != nil {
		return nil, fmt.Errorf("reference %q: %w", rest, err)
	}
	tr := remote.DefaultTransport.(*http.Transport).Clone()
	if opts.Insecure {
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // asked for with --insecure
	}
	// The credentials are resolved here rather than by go-containerregistry
	// so that their values are known, and scrubbed from any server text
	// that reaches an error.
	auth, err := authn.DefaultKeychain.Resolve(r.Context())
	if err != nil {
		return nil, fmt.Errorf("registry %s: reading credentials: %w", r.Context().RegistryStr(), err)
	}
	sec := secretsOf(auth)
	guarded := newGuardedTransport(tr, opts)
	ropts := []remote.Option{
		remote.WithContext(ctx),
		remote.WithAuth(auth),
		remote.WithTransport(guarded),
		remote.WithRetryBackoff(registryBackoff),
		remote.WithUserAgent("strata"),
	}
	host := r.Context().RegistryStr()
	opts.used(Origin{Kind: KindRegistry, Endpoint: r.Context().Scheme() + "://" + host})
	img, err := resolveRemote(ctx, r, ref, ropts, opts)
	if err == nil {
		err = checkConfigSize(img)
	}
	if err != nil {
		tr.CloseIdleConnections()
		err = registryErr(r, sec, err)
		if errors.Is(err, ErrNotFound) && impliedLatest(rest) {
			err = fmt.Errorf("%w%s", err, latestHint(rest))
		}
		return nil, err
	}
	ri := &registryImage{Image: img, ref: r, secrets: sec, ranges: &rangeClient{base: guarded, auth: auth}}
	if opts.Progress != nil {
		ri.progress = opts.Progress
		ls, err := img.Layers()
		if err != nil {
			tr.CloseIdleConnections()
			return nil, registryErr(r, sec, err)
		}
		for _, l := range ls {
			n, err := l.Size()
			if err != nil {
				tr.CloseIdleConnections()
				return nil, registryErr(r, sec, err)
			}
			ri.total += n
		}
	}
	return &closingImage{Image: ri, close: func() error { tr.CloseIdleConnections(); return nil }}, nil
}

// checkConfigSize refuses a config the manifest says is larger than any
// metadata strata reads. go-containerregistry reads a config up to its
// declared size, and without a bound when the size is -1, so an endless
// config blob would otherwise fill memory.
func checkConfigSize(img v1.Image) error {
	m, err := img.Manifest()
	if err != nil {
		return err
	}
	if n := m.Config.Size; n < 0 || n > maxMetadataSize {
		return markErr(ErrInvalid, nil, fmt.Sprintf("config %s: size %d is not between 0 and %d MiB", m.Config.Digest, n, maxMetadataSize>>20))
	}
	return nil
}

// resolveRemote fetches the manifest r names and, for an index, picks an
// image by platform exactly as for an OCI layout.
func resolveRemote(ctx context.Context, r name.Reference, ref string, ropts []remote.Option, opts Options) (v1.Image, error) {
	desc, err := remote.Get(r, ropts...)
	if err != nil {
		return nil, err
	}
	if !isIndex(desc.MediaType) {
		if m, err := v1.ParseManifest(bytes.NewReader(desc.Manifest)); err == nil {
			if t := artifactType(m); t != "" {
				return nil, fmt.Errorf("%s holds an artifact of type %s, not a container image: %w", ref, t, ErrUnsupported)
			}
		}
		img, err := desc.Image()
		if err != nil {
			return nil, err
		}
		return img, checkPlatform(img, ref, opts)
	}
	store := registryStore{repo: r.Context(), ropts: ropts}
	im, err := v1.ParseIndexManifest(bytes.NewReader(desc.Manifest))
	if err != nil {
		return nil, fmt.Errorf("parsing index of %s: %w: %w", ref, ErrInvalid, err)
	}
	cands, err := newIndexWalk(ctx, store).collect(im.Manifests)
	if err != nil {
		return nil, err
	}
	if len(cands) == 0 {
		return nil, fmt.Errorf("no image manifests in the index of %s: %w", ref, ErrNotFound)
	}
	d, err := choosePlatform(store, withoutArtifacts(cands), ref, opts)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	reportProvenance(store, im.Manifests, d.Digest, opts)
	img, err := remote.Image(r.Context().Digest(d.Digest.String()), ropts...)
	if err != nil {
		return nil, err
	}
	return img, checkPlatform(img, ref, opts)
}

// registryStore lets the index walk shared with OCI layouts read nested
// indexes, manifests and configs from a registry. Registries serve
// manifests and blobs at different endpoints, so open tries the manifest
// endpoint first; only descriptors without a platform need a config.
type registryStore struct {
	repo  name.Repository
	ropts []remote.Option
}

func (s registryStore) open(h v1.Hash) (io.ReadCloser, error) {
	d, err := remote.Get(s.repo.Digest(h.String()), s.ropts...)
	if err == nil {
		return io.NopCloser(bytes.NewReader(d.Manifest)), nil
	}
	l, lerr := remote.Layer(s.repo.Digest(h.String()), s.ropts...)
	if lerr != nil {
		return nil, err
	}
	return l.Compressed()
}

// size is unknown before a fetch; readBlob still bounds what it reads.
func (s registryStore) size(v1.Hash) (int64, error) { return 0, nil }

// registryImage counts the bytes of layer blobs as they are read.
type registryImage struct {
	v1.Image
	ref      name.Reference
	secrets  []string
	progress func(Progress)
	total    int64
	done     atomic.Int64
	// ranges serves the layers' OpenRange (see registry_range.go).
	ranges *rangeClient
}

// ConfigFile implements v1.Image as ggcr's does (the fetched config,
// parsed), through parseConfig: ggcr's parse copies the config into its
// decoder and grows a long history step by step.
func (ri *registryImage) ConfigFile() (*v1.ConfigFile, error) {
	raw, err := ri.Image.RawConfigFile()
	if err != nil {
		return nil, err
	}
	return parseConfig(raw)
}

// Layers implements v1.Image; each layer's blob is fetched by Compressed
// and its read errors name the layer.
func (ri *registryImage) Layers() ([]v1.Layer, error) {
	ls, err := ri.Image.Layers()
	if err != nil {
		return nil, registryErr(ri.ref, ri.secrets, err)
	}
	out := make([]v1.Layer, len(ls))
	for i, l := range ls {
		out[i] = &registryLayer{Layer: l, img: ri}
	}
	return out, nil
}

type registryLayer struct {
	v1.Layer
	img *registryImage
}

// Compressed implements v1.Layer: the blob as the registry sends it.
func (l *registryLayer) Compressed() (io.ReadCloser, error) {
	d, _ := l.Digest()
	rc, err := l.Layer.Compressed()
	if err != nil {
		return nil, fmt.Errorf("fetching layer %s from %s: %w", d, l.img.ref.Context().RegistryStr(), registryErr(l.img.ref, l.img.secrets, err))
	}
	return &blobReader{rc: rc, layer: l, digest: d}, nil
}

type blobReader struct {
	rc     io.ReadCloser
	layer  *registryLayer
	digest v1.Hash
}

func (b *blobReader) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if n > 0 && b.layer.img.progress != nil {
		ri := b.layer.img
		ri.progress(Progress{Done: ri.done.Add(int64(n)), Total: ri.total})
	}
	if err != nil && !errors.Is(err, io.EOF) {
		err = fmt.Errorf("reading layer %s from %s: %w", b.digest, b.layer.img.ref.Context().RegistryStr(), err)
	}
	return n, err
}

func (b *blobReader) Close() error { return b.rc.Close() }

// registryErr turns go-containerregistry's errors into strata's sentinels
// with a message that says what to do. Credentials never reach a message:
// a server's error text may quote the request's headers, so whatever it
// says is scrubbed of secrets and of anything that looks like one.
func registryErr(r name.Reference, secrets []string, err error) error {
	if err == nil {
		return nil
	}
	return redactServerText(classifyRegistryErr(r, err), secrets)
}

func classifyRegistryErr(r name.Reference, err error) error {
	var ge *guardError
	var te *transport.Error
	var ne net.Error
	var oe *net.OpError
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.Is(err, ErrNoPlatform), errors.Is(err, ErrNotFound), errors.Is(err, ErrInvalid):
		return err
	case errors.As(err, &ge):
		return ge // says which registry and what it did; the URL adds nothing
	case errors.As(err, &te):
		switch te.StatusCode {
		case http.StatusUnauthorized, http.StatusForbidden:
			return authErr(r)
		case http.StatusNotFound:
			return notInRegistry(r)
		}
		for _, d := range te.Errors {
			switch d.Code {
			case transport.ManifestUnknownErrorCode, transport.NameUnknownErrorCode, transport.BlobUnknownErrorCode:
				return notInRegistry(r)
			case transport.UnauthorizedErrorCode, transport.DeniedErrorCode:
				return authErr(r)
			}
		}
		return fmt.Errorf("registry %s: %w", r.Context().RegistryStr(), err)
	case tlsFailure(err):
		// Reachable, but its certificate is not trusted or its TLS is off.
		reg := r.Context().RegistryStr()
		return markErr(ErrUnavailable, err, fmt.Sprintf("registry %s: TLS failed (for a registry with a self-signed certificate or plain HTTP, add --insecure)", reg))
	case errors.As(err, &oe), errors.As(err, &ne):
		return markErr(ErrUnavailable, err, fmt.Sprintf("registry %s is not reachable", r.Context().RegistryStr()))
	}
	return err
}

// tlsFailure reports whether err is a TLS handshake or certificate
// failure, or a plain-HTTP server answering a TLS client.
func tlsFailure(err error) bool {
	// crypto/tls wraps every certificate failure (unknown authority, wrong
	// host, expired) in CertificateVerificationError.
	var cv *tls.CertificateVerificationError
	var rh tls.RecordHeaderError
	return errors.As(err, &cv) || errors.As(err, &rh) ||
		strings.Contains(err.Error(), "server gave HTTP response to HTTPS client")
}

func authErr(r name.Reference) error {
	reg := r.Context().RegistryStr()
	return markErr(ErrUnauthorized, nil, fmt.Sprintf("registry %s: authentication required for %s (log in with docker login %s)", reg, r, reg))
}

func notInRegistry(r name.Reference) error {
	return markErr(ErrNotFound, nil, fmt.Sprintf("image %s not found in registry %s", r.Name(), r.Context().RegistryStr()))
}
