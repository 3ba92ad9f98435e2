package analyze

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// readTOCLayer reads layer i from its table of contents when its
// descriptor announces one (eStargz or zstd:chunked) and the source can
// read spans of the blob. It returns the scan, or nil and why the layer is
// to be streamed whole instead ("" when the layer has no TOC to offer).
//
// A TOC is vouched for by its digest in the manifest, not by the layer's
// diff_id, which only the whole stream can check: Options.Full is the way
// to have that. For the same reason its record is cached under a key of
// the layer's digest and the TOC's (tocKey), never under the diff_id that
// a streamed, verified read answers for.
func readTOCLayer(ctx context.Context, l v1.Layer, t *Tree, digest string, cache LayerCache, opts Options) (*layerScan, string, error) {
	kind, desc := tocLayer(l)
	if kind == tocNone {
		return nil, "", nil
	}
	if opts.Full {
		return nil, fmt.Sprintf("%s table of contents not used: full read asked for", kind), nil
	}
	ro, ok := l.(RangeOpener)
	if !ok {
		return nil, fmt.Sprintf("%s table of contents not used: the source cannot read ranges", kind), nil
	}
	key := tocKey(digest, kind, desc.Annotations[tocDigestAnnotation(kind)])
	if s := fromTOCCache(cache, t, key); s != nil {
		s.toc = kind
		return s, "", nil
	}
	toc, err := readTOC(ctx, ro, kind, desc)
	var s *layerScan
	if err == nil {
		s, err = scanTOC(ctx, ro, toc, t)
	}
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, "", cerr
		}
		// Paths interned before the failure stay in the tree; the stream
		// interns the same ones, the TOC having been verified.
		why := err.Error()
		if errors.Is(err, ErrNoRange) {
			why = "the source answered a range request with the whole blob (" + why + ")"
		}
		return nil, fmt.Sprintf("%s table of contents not used: %s", kind, why), nil
	}
	if cache != nil {
		// A failed store only costs the next run the TOC's fetch.
		_ = cache.Store(key, func(w io.Writer) error { return encodeScan(w, t, key, s) })
	}
	return s, "", nil
}

func tocDigestAnnotation(k tocKind) string {
	if k == tocZstdChunked {
		return ZstdChunkedChecksumAnnotation
	}
	return EstargzTOCAnnotation
}

// tocKey is the cache key of a scan built from a TOC: a digest of the
// layer's digest and the TOC's, so that it answers only for that layer
// read that way.
func tocKey(digest string, k tocKind, tocDigest string) string {
	h := sha256.Sum256([]byte("strata toc 1\n" + k.String() + "\n" + digest + "\n" + tocDigest))
	return "toc:" + hex.EncodeToString(h[:])
}

// fromTOCCache returns the cached scan under key, or nil.
func fromTOCCache(c LayerCache, t *Tree, key string) *layerScan {
	if c == nil {
		return nil
	}
	rc, err := c.Open(key)
	if err != nil {
		return nil
	}
	defer rc.Close()
	s, err := decodeScan(rc, t, key)
	if err != nil {
		return nil
	}
	return s
}
