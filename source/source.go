// Package source opens container images from where they are stored and
// returns them as go-containerregistry v1.Image values.
//
// Every image returned by Open is cheap to inspect: config, manifest,
// digests, sizes, diffIDs and media types are known without reading layer
// data, and each layer's Compressed() returns the blob exactly as stored
// (for a classic docker save that is an uncompressed tar). Callers that
// read each layer once through Compressed() therefore make one pass over
// the image's bytes. The one exception is a docker save from before Docker
// 1.10, which records no diff_ids: Open hashes its layers once to make them.
package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Options tunes Open.
type Options struct {
	// Platform selects an image from a multi-platform index, as
	// "os/arch[/variant]". Empty means: the only image, else the host's.
	Platform string
	// Source is the kind of source to read a reference without a scheme
	// from. Empty or "auto" means: an existing path, else the Docker
	// daemon, else podman, else containerd, else the registry.
	Source string
	// SourceDefault says Source is a configured default (a config file,
	// STRATA_SOURCE) rather than chosen for this reference: a reference
	// that names an existing file or directory is then read from it, as
	// with auto. A Source given on the command line is obeyed as given.
	SourceDefault bool
	// Stdin is what the reference "-" reads: an archive piped in (docker
	// save IMAGE | strata -). Nil means "-" names nothing.
	Stdin io.Reader
	// RegistryHeaderTimeout bounds how long a registry or its token server
	// may take to send each response's headers; 0 means
	// DefaultRegistryHeaderTimeout (30s).
	RegistryHeaderTimeout time.Duration
	// RegistryIdleTimeout abandons a response body (manifest, config or
	// layer) when, while strata waits on it, less than 1 KiB of it
	// arrives within that long; 0 means
	// DefaultRegistryIdleTimeout (30s). Neither timeout bounds a whole
	// download: a large layer arriving steadily takes what it takes.
	RegistryIdleTimeout time.Duration
	// Insecure lets registry:// use plain HTTP and skip TLS verification.
	// Loopback and private addresses use plain HTTP without it.
	Insecure bool
	// Progress, when set, is called as image bytes are fetched: the save
	// stream of a daemon, the layer blobs of a registry. Local files are
	// not fetched and report nothing. It may be called from several
	// goroutines at once and must not block for long.
	Progress func(Progress)
	// Config, when set, is called with the image config as soon as an
	// archive that streams in (a daemon's save, a pipe) has delivered it,
	// long before the rest: the history can show while the layers are on
	// their way. It is recognised in the stream, not yet checked against
	// the manifest (which a save writes last), so with several images in
	// one stream the image opened may have another. Files read in place,
	// registries and containerd do not call it: their config comes first.
	Config func(*v1.ConfigFile)
	// Used, when set, is called once with where the image comes from, as
	// soon as that is known and before any long fetch.
	Used func(Origin)
	// Provenance, when set, is called with the in-toto statement of the
	// SLSA provenance attestation that an index (an OCI layout or archive,
	// a registry) attaches to the chosen image, as BuildKit writes it
	// beside the image in the same index. It is not called when there is
	// none, or when it cannot be read.
	Provenance func(statement []byte)
}

// Progress is how far a fetch has got.
type Progress struct {
	Done  int64 // bytes fetched so far, over all layers
	Total int64 // bytes expected; for a daemon an estimate; 0 if unknown
	Final bool  // the fetch is complete
}

// Kind names a kind of source; it is also the scheme that selects it.
type Kind string

// The kinds of source.
const (
	KindDocker        Kind = "docker"
	KindPodman        Kind = "podman"
	KindContainerd    Kind = "containerd"
	KindRegistry      Kind = "registry"
	KindDockerArchive Kind = "docker-archive"
	KindOCI           Kind = "oci"
	KindOCIArchive    Kind = "oci-archive"
)

func (k Kind) String() string { return string(k) }

// Origin says where an image was read from.
type Origin struct {
	Kind Kind
	// Endpoint is the daemon's host (unix:///var/run/docker.sock), the
	// registry (https://ghcr.io) or the path of a file or directory.
	Endpoint string
}

func (o Options) used(or Origin) {
	if o.Used != nil {
		o.Used(or)
	}
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
	// ErrUnavailable means a daemon or registry does not answer.
	ErrUnavailable = errors.New("source unavailable")
	// ErrUnauthorized means a registry wants credentials strata does not
	// have (or refused the ones it has).
	ErrUnauthorized = errors.New("unauthorized")
)

// scheme is one kind of source, selected by a "name:" or "name://" prefix.
// Adding a source is one entry here.
type scheme struct {
	kind Kind
	open func(ctx context.Context, ref, rest string, opts Options) (v1.Image, error)
	// slashes requires "name://": "docker:24" and "registry:2" are image
	// names, not schemes.
	slashes bool
	// file says the source is a path, reported to Options.Used as is.
	file bool
}

var schemes = []scheme{
	{kind: KindDockerArchive, open: openDockerArchive, file: true},
	{kind: KindOCIArchive, open: openOCIArchive, file: true},
	{kind: KindOCI, open: openOCIDir, file: true},
	{kind: KindDocker, open: openDocker, slashes: true},
	{kind: KindPodman, open: openPodman, slashes: true},
	{kind: KindContainerd, open: openContainerd, slashes: true},
	{kind: KindRegistry, open: openRegistry, slashes: true},
}

// Kinds lists the values Options.Source accepts besides "auto".
func Kinds() []string {
	out := make([]string, len(schemes))
	for i, s := range schemes {
		out[i] = string(s.kind)
	}
	return out
}

// Open returns the image that ref names. Accepted forms:
//
//	docker://REF                   an image in the Docker daemon (name, ID or digest)
//	podman://REF                   an image in podman, through its API socket
//	containerd://[NAMESPACE/]REF   an image in containerd, read from its content store
//	registry://REF                 an image in a registry, read with no daemon
//	docker-archive:PATH[:TAG]      a `docker save` tar (classic, Docker 25+ or pre-1.10)
//	oci:DIR[:TAG|@DIGEST]          an OCI image layout directory
//	oci-archive:PATH[:TAG|@DIGEST] a tar of an OCI image layout, read in place
//	PATH                           a directory (OCI layout) or an archive,
//	                               recognised by its contents
//	-                              an archive on Options.Stdin, recognised
//	                               by its contents
//	REF                            anything else: see Options.Source
//
// The file prefixes may also be written "name://". TAG matches the
// org.opencontainers.image.ref.name annotation (OCI) or a RepoTags entry
// (docker save); DIGEST is a manifest or index digest.
//
// Images read from a daemon or a registry hold a temporary file or
// connections: they implement io.Closer, and callers should close them
// when done (see Close).
//
// Credentials typed into a reference (registry://user:pass@host/repo) are
// never echoed: errors show them as ***@ (see Redact).
func Open(ctx context.Context, ref string, opts Options) (v1.Image, error) {
	img, err := openRef(ctx, ref, opts)
	if err != nil {
		return nil, redactErr(err, ref)
	}
	return img, nil
}

func openRef(ctx context.Context, ref string, opts Options) (v1.Image, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if opts.Platform != "" {
		if _, err := parsePlatform(opts.Platform); err != nil {
			return nil, err
		}
	}
	forced, err := forcedScheme(opts.Source)
	if err != nil {
		return nil, err
	}
	for _, s := range schemes {
		rest, ok := cutScheme(ref, s)
		if !ok {
			continue
		}
		if forced != nil && forced.kind != s.kind {
			return nil, fmt.Errorf("reference %q contradicts --source %s", ref, forced.kind)
		}
		return openScheme(ctx, s, ref, rest, opts)
	}
	if forced != nil && !forced.file && isLocalPath(ref) {
		if opts.SourceDefault {
			// A configured source says where image names are looked
			// up; a path the user typed names a file, not an image.
			return openBare(ctx, ref, opts)
		}
		img, err := openScheme(ctx, *forced, ref, ref, opts)
		if err != nil {
			return nil, fmt.Errorf("%w; %s is a local path: without --source %s it is read from there", err, ref, forced.kind)
		}
		return img, nil
	}
	if forced != nil {
		return openScheme(ctx, *forced, ref, ref, opts)
	}
	return openBare(ctx, ref, opts)
}

// isLocalPath reports whether ref, less any :TAG or @DIGEST, names an
// existing file or directory, or is "-" (standard input).
func isLocalPath(ref string) bool {
	if ref == stdinRef {
		return true
	}
	p, _, err := splitSelector(ref)
	if err != nil {
		return false
	}
	_, err = os.Stat(p)
	return err == nil
}

// Close releases what img holds, when it holds anything (see Open).
func Close(img v1.Image) error {
	if c, ok := img.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

func forcedScheme(src string) (*scheme, error) {
	if src == "" || src == "auto" {
		return nil, nil
	}
	for _, s := range schemes {
		if string(s.kind) == src {
			return &s, nil
		}
	}
	return nil, fmt.Errorf("unknown source %q (want auto, %s): %w", src, strings.Join(Kinds(), ", "), ErrUnsupported)
}

func openScheme(ctx context.Context, s scheme, ref, rest string, opts Options) (v1.Image, error) {
	if rest == "" {
		return nil, fmt.Errorf("reference %q: missing %s after %s:", ref, map[bool]string{true: "path", false: "image"}[s.file], s.kind)
	}
	img, err := s.open(ctx, ref, rest, opts)
	if err == nil && s.file {
		opts.used(Origin{Kind: s.kind, Endpoint: rest})
	}
	return img, err
}

func cutScheme(ref string, s scheme) (string, bool) {
	if rest, ok := strings.CutPrefix(ref, string(s.kind)+"://"); ok {
		return rest, true
	}
	if s.slashes {
		return "", false
	}
	return strings.CutPrefix(ref, string(s.kind)+":")
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

// sentinelError carries a sentinel for errors.Is without printing it, so
// that a message reads "docker is not reachable at ..." rather than ending
// in the sentinel's own text.
type sentinelError struct {
	msg      string
	sentinel error
	cause    error
}

func (e *sentinelError) Error() string {
	if e.cause != nil {
		return e.msg + ": " + e.cause.Error()
	}
	return e.msg
}

func (e *sentinelError) Is(target error) bool { return target == e.sentinel }

func (e *sentinelError) Unwrap() error { return e.cause }

// markErr returns an error whose text is msg (and cause's, if any) and
// that matches sentinel and cause.
func markErr(sentinel, cause error, msg string) error {
	return &sentinelError{msg: msg, sentinel: sentinel, cause: cause}
}

// Redact returns ref with the credentials of a user:pass@ prefix before
// the registry host replaced by ***@, for echoing in messages. Image names
// have no '@' but before a digest, so any other '@' ends such a prefix.
// File references are returned as they are: a path may hold an '@'.
func Redact(ref string) string {
	if secret := userinfo(ref); secret != "" {
		return strings.Replace(ref, secret, "***@", 1)
	}
	return ref
}

// userinfo returns the "user:pass@" part of ref, or "".
func userinfo(ref string) string {
	for _, s := range schemes {
		if rest, ok := cutScheme(ref, s); ok {
			if s.file {
				return ""
			}
			ref = rest
			break
		}
	}
	if looksLikePath(ref) {
		return ""
	}
	name := ref
	if i := strings.LastIndex(name, "@"); i >= 0 && isDigest(name[i+1:]) {
		name = name[:i]
	}
	i := strings.LastIndex(name, "@")
	if i < 0 {
		return ""
	}
	if _, err := os.Stat(ref); err == nil {
		return "" // an existing path after all
	}
	return name[:i+1]
}

// isDigest reports whether s is "algorithm:encoded", as after an '@' in
// an image reference.
func isDigest(s string) bool {
	alg, enc, ok := strings.Cut(s, ":")
	if !ok || alg == "" || enc == "" {
		return false
	}
	for _, c := range alg + enc {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.ContainsRune("+._-=", c)) {
			return false
		}
	}
	return true
}

// redactErr returns err with every echo of the credentials in ref, as
// typed or quoted, replaced by ***@. It still matches what err matches.
func redactErr(err error, ref string) error {
	secret := userinfo(ref)
	if secret == "" {
		return err
	}
	forms := []string{secret}
	if _, pass, ok := strings.Cut(secret, ":"); ok {
		forms = append(forms, pass) // as a tag split off "user:"
	}
	msg := err.Error()
	for _, f := range forms {
		q := strconv.Quote(f)
		msg = strings.ReplaceAll(msg, q[1:len(q)-1], "***@")
		msg = strings.ReplaceAll(msg, f, "***@")
	}
	return &redactedError{msg: msg, err: err}
}

// redactedError is an error whose text had credentials removed.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }

func (e *redactedError) Unwrap() error { return e.err }
