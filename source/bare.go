package source

// References without a scheme: a path recognised by what it holds, or an
// image name asked of each place that could have it, in order.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// openBare handles a reference without a scheme: an existing directory or
// file, recognised by its contents, else an image name for the daemons
// and the registry.
func openBare(ctx context.Context, ref string, opts Options) (v1.Image, error) {
	p, sel := stdinRef, selector{}
	if ref != stdinRef {
		var err error
		p, sel, err = splitSelector(ref)
		if err != nil && looksLikePath(ref) {
			return nil, err
		}
		var fi os.FileInfo
		if err == nil {
			fi, err = os.Stat(p)
		}
		if err != nil {
			if looksLikePath(ref) {
				return nil, noSuchPath(ref, err)
			}
			return openAuto(ctx, ref, opts)
		}
		if fi.IsDir() {
			img, err := openOCIDirAt(ctx, ref, p, sel, opts)
			if err == nil {
				opts.used(Origin{Kind: KindOCI, Endpoint: p})
			}
			return img, err
		}
	}
	idx, release, err := indexArchive(ctx, p, opts)
	if err != nil && p == stdinRef {
		return nil, err // each names standard input already
	} else if err != nil {
		return nil, fmt.Errorf("opening %s: %w", p, notFound(err))
	}
	var (
		img  v1.Image
		kind Kind
	)
	switch {
	case idx.has("manifest.json"), idx.has("repositories") && !idx.has("index.json"):
		img, err = openDockerArchiveAt(ctx, ref, idx, sel, opts)
		kind = KindDockerArchive
	case idx.has("index.json"):
		img, err = openOCIArchiveAt(ctx, ref, idx, sel, opts)
		kind = KindOCIArchive
	default:
		err = fmt.Errorf("opening %s: neither manifest.json, repositories nor index.json found; not a docker-archive or oci-archive: %w", p, ErrInvalid)
	}
	img, err = holding(img, err, release)
	if err == nil {
		opts.used(Origin{Kind: kind, Endpoint: p})
	}
	return img, err
}

// openAuto looks for an image name in each place of autoPlaces in turn.
// A place that does not answer, or does not have the image, is passed
// over; when none has it, the error names every place asked and what each
// answered, so that a typo does not read as a network failure.
func openAuto(ctx context.Context, ref string, opts Options) (v1.Image, error) {
	if !isImageID(ref) {
		if _, err := name.ParseReference(ref); err != nil {
			return nil, fmt.Errorf("%q is neither a file nor an image reference: %w", ref, ErrNotFound)
		}
	}
	var misses []string
	for _, look := range autoPlaces {
		img, miss, err := look(ctx, ref, opts)
		if err != nil || img != nil {
			return img, err
		}
		misses = append(misses, miss)
	}
	return nil, markErr(ErrNotFound, nil, fmt.Sprintf("%s: not found: %s", ref, strings.Join(misses, "; ")))
}

// A place is somewhere openAuto looks for an image name. It returns the
// image; or, when the place does not have it or does not answer, miss,
// written "WHERE: WHY" ("docker: no such image"); or an error that ends
// the search: the image is there but cannot be read, or ctx is done.
type place func(ctx context.Context, ref string, opts Options) (img v1.Image, miss string, err error)

// autoPlaces are asked in this order. Adding a place is one entry here.
var autoPlaces = []place{
	daemonPlace(dockerDaemon),
	daemonPlace(func() (daemon, error) { return podmanDaemon(), nil }),
	autoContainerd, // asked only when a socket exists
	registryPlace,
}

// daemonPlace asks the daemon find returns; a broken docker context or a
// daemon that does not answer is a miss, like a missing image.
func daemonPlace(find func() (daemon, error)) place {
	return func(ctx context.Context, ref string, opts Options) (v1.Image, string, error) {
		d, err := find()
		if err != nil {
			return nil, fmt.Sprintf("%s: %v", d.kind, err), nil
		}
		c, err := d.connect(ctx)
		if errors.Is(err, ErrUnavailable) {
			return nil, fmt.Sprintf("%s: not running at %s", d.kind, d.host), nil
		} else if err != nil {
			return nil, "", err
		}
		defer c.Close()
		id, size, err := d.inspect(ctx, c, ref)
		if errors.Is(err, ErrNotFound) {
			return nil, fmt.Sprintf("%s: no such image", d.kind), nil
		} else if err != nil {
			return nil, "", err
		}
		img, err := d.save(ctx, c, ref, ref, id, size, opts)
		return img, "", err
	}
}

// registryPlace asks the image's registry. It is not asked for an image
// ID, which only a daemon can know. A registry that is unreachable, has
// no such image or wants a login is a miss: with a bare name the user may
// well have meant a local image.
func registryPlace(ctx context.Context, ref string, opts Options) (v1.Image, string, error) {
	if isImageID(ref) {
		return nil, "registry: not asked (an image ID is known only to a daemon)", nil
	}
	r, err := name.ParseReference(ref)
	if err != nil {
		return nil, "", fmt.Errorf("%q is neither a file nor an image reference: %w", ref, ErrNotFound)
	}
	img, err := openRegistry(ctx, ref, ref, opts)
	if err == nil {
		return img, "", nil
	}
	where := "registry " + r.Context().RegistryStr()
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, where + ": no such image" + latestHint(ref), nil
	case errors.Is(err, ErrUnauthorized):
		// Docker Hub answers so for a repository that does not exist.
		return nil, where + ": no such image, or it needs a login (docker login " + r.Context().RegistryStr() + ")", nil
	case errors.Is(err, ErrUnavailable):
		return nil, where + ": " + unreachable(err), nil
	}
	return nil, "", err
}

// unreachable says in a few words why a registry did not answer.
func unreachable(err error) string {
	var dns *net.DNSError
	var ne net.Error
	var errno syscall.Errno
	switch {
	case tlsFailure(err):
		return "TLS failed (add --insecure for a self-signed certificate or plain HTTP)"
	case errors.As(err, &dns) && dns.IsNotFound:
		return "unreachable (no such host)"
	case errors.As(err, &ne) && ne.Timeout():
		return "unreachable (timed out)"
	case errors.As(err, &errno):
		return "unreachable (" + errno.Error() + ")"
	case errors.As(err, &dns):
		return "unreachable (" + dns.Err + ")"
	}
	return "unreachable"
}

// latestHint explains a missing image whose reference has no tag: the
// registry was asked for :latest, which the user never typed.
func latestHint(ref string) string {
	if impliedLatest(ref) {
		return " (no tag was given, so :latest was tried)"
	}
	return ""
}

// impliedLatest reports whether ref names neither a tag nor a digest, so
// that go-containerregistry reads it as REF:latest.
func impliedLatest(ref string) bool {
	r, err := name.ParseReference(ref)
	if err != nil {
		return false
	}
	t, ok := r.(name.Tag)
	return ok && !strings.HasSuffix(ref, ":"+t.TagStr())
}

// looksLikePath tells a mistyped path from an image name like alpine:3.20:
// no image name starts with '.', '/' or '~' or ends with '/', and none
// worth guessing ends in an archive's extension.
func looksLikePath(ref string) bool {
	if strings.HasPrefix(ref, "/") || strings.HasPrefix(ref, ".") || strings.HasPrefix(ref, "~") || strings.HasSuffix(ref, "/") {
		return true
	}
	for _, ext := range []string{".tar", ".tar.gz", ".tgz", ".oci"} {
		if strings.HasSuffix(ref, ext) {
			return true
		}
	}
	return false
}

// noSuchPath says that the path a reference names does not exist; the
// registry is never asked about something that looks like a path.
func noSuchPath(ref string, err error) error {
	if errors.Is(err, os.ErrNotExist) {
		return markErr(ErrNotFound, nil, "no such file or directory: "+ref)
	}
	return fmt.Errorf("opening %s: %w", ref, err)
}

// notFound wraps a missing-file error so that it also matches ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return err
}
