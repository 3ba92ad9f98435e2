// Package source opens container images from where they are stored and
// returns them as go-containerregistry v1.Image values.
//
// Every image returned by Open is cheap to inspect: config, manifest,
// digests, sizes, diffIDs and media types are known without reading layer
// data, and each layer's Compressed() returns the blob exactly as stored
// (for a classic docker save that is an uncompressed tar). Callers that
// read each layer once through Compressed() therefore make one pass over
// the image's bytes.
package source

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Options tunes Open.
type Options struct {
	// Platform selects an image from a multi-platform index, as
	// "os/arch[/variant]". Empty means: the only image, else the host's.
	Platform string
}

// Sentinel errors; match them with errors.Is.
var (
	// ErrUnsupported means the reference names a kind of source strata
	// cannot read (yet).
	ErrUnsupported = errors.New("unsupported source")
	// ErrNotFound means a file, member, blob, tag or digest is missing.
	ErrNotFound = errors.New("not found")
	// ErrInvalid means the source exists but its contents are malformed.
	ErrInvalid = errors.New("invalid image")
	// ErrNoPlatform means no image in an index matches the platform; the
	// error is a *PlatformError listing what is available.
	ErrNoPlatform = errors.New("no image for platform")
)

// scheme is one kind of source, selected by a "name:" or "name://" prefix.
// Adding a source (docker daemon, podman, registry) is one entry here.
type scheme struct {
	name string
	open func(ctx context.Context, ref, rest string, opts Options) (v1.Image, error)
}

var schemes = []scheme{
	{"docker-archive", openDockerArchive},
	{"oci-archive", openOCIArchive},
	{"oci", openOCIDir},
}

// Open returns the image that ref names. Accepted forms:
//
//	docker-archive:PATH[:TAG]    a `docker save` tar (classic or Docker 25+)
//	oci:DIR[:TAG|@DIGEST]        an OCI image layout directory
//	oci-archive:PATH[:TAG|@DIGEST] a tar of an OCI image layout, read in place
//	PATH                         a directory (OCI layout) or an archive,
//	                             recognised by its contents
//
// Each prefix may also be written "name://". TAG matches the
// org.opencontainers.image.ref.name annotation (OCI) or a RepoTags entry
// (docker save); DIGEST is a manifest or index digest.
func Open(ctx context.Context, ref string, opts Options) (v1.Image, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if opts.Platform != "" {
		if _, err := parsePlatform(opts.Platform); err != nil {
			return nil, err
		}
	}
	for _, s := range schemes {
		if rest, ok := cutScheme(ref, s.name); ok {
			if rest == "" {
				return nil, fmt.Errorf("reference %q: missing path after %s:", ref, s.name)
			}
			return s.open(ctx, ref, rest, opts)
		}
	}
	return openBare(ctx, ref, opts)
}

func cutScheme(ref, name string) (string, bool) {
	if rest, ok := strings.CutPrefix(ref, name+"://"); ok {
		return rest, true
	}
	return strings.CutPrefix(ref, name+":")
}

// openBare handles a reference without a scheme: an existing directory or
// file, recognised by its contents.
func openBare(ctx context.Context, ref string, opts Options) (v1.Image, error) {
	p, sel, err := splitSelector(ref)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(p)
	if err != nil {
		if looksLikePath(ref) {
			return nil, fmt.Errorf("opening %s: %w", ref, notFound(err))
		}
		return nil, fmt.Errorf("unsupported reference %q: daemon and registry sources are not available yet: %w", ref, ErrUnsupported)
	}
	if fi.IsDir() {
		return openOCIDirAt(ctx, ref, p, sel, opts)
	}
	idx, err := indexTar(p)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", p, notFound(err))
	}
	switch {
	case idx.has("manifest.json"):
		return openDockerArchiveAt(ctx, ref, idx, sel, opts)
	case idx.has("index.json"):
		return openOCIArchiveAt(ctx, ref, idx, sel, opts)
	}
	return nil, fmt.Errorf("opening %s: neither manifest.json nor index.json found; not a docker-archive or oci-archive: %w", p, ErrInvalid)
}

// looksLikePath tells a mistyped path from an image name like alpine:3.20.
func looksLikePath(ref string) bool {
	return strings.HasPrefix(ref, "/") || strings.HasPrefix(ref, ".") ||
		strings.HasSuffix(ref, ".tar") || strings.HasSuffix(ref, ".tar.gz") ||
		strings.HasPrefix(ref, "~")
}

// notFound wraps a missing-file error so that it also matches ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return err
}

// selector picks an image inside a source: by tag, by digest, or neither.
type selector struct {
	tag    string
	digest string // "sha256:..." or ""
}

func (s selector) String() string {
	switch {
	case s.digest != "":
		return "@" + s.digest
	case s.tag != "":
		return ":" + s.tag
	}
	return ""
}

// splitSelector splits "PATH", "PATH:TAG" and "PATH@sha256:HEX". Paths
// may contain ':' themselves, so a tag is split off only when PATH itself
// does not exist and the part before some ':' does (the shortest such
// prefix wins, so tags like "alpine:3.20" stay whole).
func splitSelector(s string) (string, selector, error) {
	if i := strings.LastIndex(s, "@"); i >= 0 && strings.Contains(s[i+1:], ":") && !strings.Contains(s[i+1:], "/") {
		d := s[i+1:]
		if !strings.HasPrefix(d, "sha256:") || len(d) != len("sha256:")+64 {
			return "", selector{}, fmt.Errorf("reference %q: invalid digest %q", s, d)
		}
		return s[:i], selector{digest: d}, nil
	}
	if _, err := os.Stat(s); err == nil {
		return s, selector{}, nil
	}
	for i := 0; i < len(s); i++ {
		if s[i] != ':' || i == 0 || i == len(s)-1 {
			continue
		}
		if _, err := os.Stat(s[:i]); err == nil {
			return s[:i], selector{tag: s[i+1:]}, nil
		}
	}
	return s, selector{}, nil
}
