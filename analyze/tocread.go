package analyze

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// tocLayerScan is readTOCLayer for layer i of res, reporting progress
// when it returns a scan. HashFiles needs every byte, so no TOC is read.
func tocLayerScan(ctx context.Context, i int, l v1.Layer, res *Result, cache LayerCache, opts Options) (*layerScan, string, error) {
	if opts.HashFiles {
		return nil, "", nil
	}
	name := res.Layers[i].Digest
	s, why, err := readTOCLayer(ctx, l, res.Tree, name, cache, opts)
	if err != nil {
		return nil, "", fmt.Errorf("reading layer %d (%s): %w", i, name, err)
	}
	if s != nil && opts.Progress != nil {
		// A scan from the cache fetched nothing.
		opts.Progress(Progress{Layer: i, Layers: len(res.Layers), Bytes: -1, Entries: len(s.entries) + len(s.whiteouts), Total: res.Layers[i].CompressedSizeBytes,
			Done: true, Cached: s.fetched == 0, SizeBytes: s.size, Files: s.files, TOC: s.toc.String(), Fetched: s.fetched})
	}
	return s, why, nil
}

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
	key := tocKey(digest, kind, tocDigest(kind, desc), opts.TOCContent)
	if s := fromTOCCache(cache, t, key); s != nil {
		s.toc, s.tocPartial = kind, !opts.TOCContent
		return s, "", nil
	}
	toc, err := readTOC(ctx, ro, kind, desc)
	var s *layerScan
	if err == nil {
		s, err = scanTOC(ctx, ro, toc, t, opts.TOCContent)
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

// tocDigest is the TOC digest desc's annotations give.
func tocDigest(k tocKind, desc *v1.Descriptor) string {
	if k == tocZstdChunked {
		_, sum := zstdChunkedAnnotations(desc.Annotations)
		return sum
	}
	return desc.Annotations[EstargzTOCAnnotation]
}

// tocKey is the cache key of a scan built from a TOC: a digest of the
// layer's digest and the TOC's, so that it answers only for that layer
// read that way, and of whether file contents were scanned (a record
// without would miss secrets a run with them finds).
func tocKey(digest string, k tocKind, tocDigest string, content bool) string {
	h := sha256.Sum256([]byte(fmt.Sprintf("strata toc 1\n%s\n%s\n%s\n%v", k, digest, tocDigest, content)))
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

// tocNote is the Result note for the layers read from a TOC whose files
// were not all scanned for secrets, or "".
func tocNote(layers []int) string {
	if len(layers) == 0 {
		return ""
	}
	what := fmt.Sprintf("layer %d", layers[0])
	if len(layers) > 1 {
		what = "layers " + strings.Trim(strings.Join(strings.Fields(fmt.Sprint(layers)), ", "), "[]")
	}
	return what + ": read from the table of contents by range; only files named like credentials were scanned for secrets (a full read scans the start of the others)"
}
