package source

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/authn"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// ErrNoRange says a registry could not serve a span of a blob (it answered
// 200 with the whole blob, or a range other than the one asked for). It
// matches analyze.ErrNoRange too, which the caller checks: source may not
// import analyze (see internal/depcheck), so the match is by the shared
// wording rather than by identity.
var ErrNoRange error = noRangeError{}

type noRangeError struct{}

func (noRangeError) Error() string { return "range requests not supported" }

func (noRangeError) Is(target error) bool {
	return target != nil && target.Error() == "range requests not supported"
}

// rangeClient makes the ranged blob requests of an image's layers: the
// transport remote uses (bounds and all), authenticated for pull by
// go-containerregistry's own token dance, set up on first use so that an
// image whose layers are streamed whole never pays for it.
type rangeClient struct {
	base http.RoundTripper
	auth authn.Authenticator

	mu sync.Mutex
	rt http.RoundTripper
}

func (c *rangeClient) transport(ctx context.Context, ri *registryImage) (http.RoundTripper, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rt != nil {
		return c.rt, nil
	}
	repo := ri.ref.Context()
	rt, err := transport.NewWithContext(ctx, repo.Registry, c.auth, transport.NewUserAgent(c.base, "strata"), []string{repo.Scope(transport.PullScope)})
	if err != nil {
		return nil, err
	}
	c.rt = rt
	return rt, nil
}

// OpenRange implements analyze.RangeOpener with a GET of the blob carrying
// a closed Range (some registries parse no other form). A registry that
// ignores the header answers 200 with the whole blob: that is closed at
// once and reported as ErrNoRange, so the caller streams instead.
func (l *registryLayer) OpenRange(ctx context.Context, offset, length int64) (io.ReadCloser, error) {
	d, err := l.Digest()
	if err != nil {
		return nil, err
	}
	if offset < 0 || length <= 0 {
		return nil, fmt.Errorf("layer %s: range of %d bytes at %d: %w", d, length, offset, ErrNoRange)
	}
	ri := l.img
	if ri.ranges == nil {
		return nil, fmt.Errorf("layer %s: %w", d, ErrNoRange)
	}
	rt, err := ri.ranges.transport(ctx, ri)
	if err != nil {
		return nil, fmt.Errorf("fetching layer %s from %s: %w", d, ri.ref.Context().RegistryStr(), registryErr(ri.ref, ri.secrets, err))
	}
	repo := ri.ref.Context()
	u := url.URL{Scheme: repo.Scheme(), Host: repo.RegistryStr(), Path: fmt.Sprintf("/v2/%s/blobs/%s", repo.RepositoryStr(), d)}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	last := offset + length - 1
	req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", offset, last))
	resp, err := (&http.Client{Transport: rt}).Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching layer %s from %s: %w", d, repo.RegistryStr(), registryErr(ri.ref, ri.secrets, err))
	}
	switch resp.StatusCode {
	case http.StatusPartialContent:
	case http.StatusOK, http.StatusRequestedRangeNotSatisfiable:
		resp.Body.Close()
		return nil, fmt.Errorf("layer %s: registry answered %d to a range request: %w", d, resp.StatusCode, ErrNoRange)
	default:
		err := transport.CheckError(resp, http.StatusPartialContent)
		resp.Body.Close()
		return nil, fmt.Errorf("fetching layer %s from %s: %w", d, repo.RegistryStr(), registryErr(ri.ref, ri.secrets, err))
	}
	if a, b, ok := contentRange(resp.Header.Get("Content-Range")); !ok || a != offset || b != last {
		resp.Body.Close()
		return nil, fmt.Errorf("layer %s: registry sent range %q for bytes %d-%d: %w", d, resp.Header.Get("Content-Range"), offset, last, ErrNoRange)
	}
	// The body is bounded by what was asked for: a server that sends more
	// is not believed past it.
	rc := struct {
		io.Reader
		io.Closer
	}{io.LimitReader(resp.Body, length), resp.Body}
	return &blobReader{rc: rc, layer: l, digest: d}, nil
}

// contentRange parses "bytes a-b/total" (total may be "*").
func contentRange(v string) (a, b int64, ok bool) {
	rest, found := strings.CutPrefix(v, "bytes ")
	if !found {
		return 0, 0, false
	}
	span, _, found := strings.Cut(rest, "/")
	if !found {
		return 0, 0, false
	}
	as, bs, found := strings.Cut(span, "-")
	if !found {
		return 0, 0, false
	}
	a, err1 := strconv.ParseInt(as, 10, 64)
	b, err2 := strconv.ParseInt(bs, 10, 64)
	return a, b, err1 == nil && err2 == nil && a >= 0 && b >= a
}

// Descriptor passes on the manifest's descriptor of the layer, whose
// annotations say whether it is eStargz or zstd:chunked and where its
// table of contents is.
func (l *registryLayer) Descriptor() (*v1.Descriptor, error) {
	return partial.Descriptor(l.Layer)
}
