package source

import (
	"bytes"
	"context"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

const (
	// maxIndexNestingDepth bounds how deep indexes may nest. Real images
	// nest one level (a layout's index.json naming a multi-platform index).
	maxIndexNestingDepth = 8
	// maxIndexesRead bounds how many distinct nested indexes one walk
	// reads: a registry can make up new ones on every request, which a
	// visited set alone would not stop.
	maxIndexesRead = 256
)

// indexWalk walks nested indexes. Each index is read once, however many
// descriptors name it: without that, an index listing the same child n
// times, nested d deep, costs n^d reads. Errors below are reported, not
// taken for absence, and the context is checked before each read.
type indexWalk struct {
	ctx    context.Context
	s      blobStore
	seen   map[v1.Hash]*v1.IndexManifest
	images map[string]bool // digest and platform of the images collected
}

func newIndexWalk(ctx context.Context, s blobStore) *indexWalk {
	return &indexWalk{ctx: ctx, s: s, seen: map[v1.Hash]*v1.IndexManifest{}, images: map[string]bool{}}
}

// read returns the index with digest h, and whether it was read before.
func (w *indexWalk) read(h v1.Hash) (*v1.IndexManifest, bool, error) {
	if im, ok := w.seen[h]; ok {
		return im, true, nil
	}
	if err := w.ctx.Err(); err != nil {
		return nil, false, err
	}
	if len(w.seen) >= maxIndexesRead {
		return nil, false, fmt.Errorf("more than %d nested indexes: %w", maxIndexesRead, ErrInvalid)
	}
	// readBlob checks the content against h, so no index can name itself
	// and the walk below is over a DAG.
	raw, err := readBlob(w.s, h)
	if err != nil {
		return nil, false, fmt.Errorf("reading index %s: %w", h, err)
	}
	im, err := v1.ParseIndexManifest(bytes.NewReader(raw))
	if err != nil {
		return nil, false, fmt.Errorf("parsing index %s: %w: %w", h, ErrInvalid, err)
	}
	w.seen[h] = im
	return im, false, nil
}

// find returns the descriptor of digest anywhere below im, or an error
// wrapping ErrNotFound when no index below names it.
func (w *indexWalk) find(im *v1.IndexManifest, digest string) (v1.Descriptor, error) {
	if err := w.ctx.Err(); err != nil {
		return v1.Descriptor{}, err
	}
	d, err := w.findBelow(im, digest, 0)
	if err != nil {
		return v1.Descriptor{}, err
	}
	if d == nil {
		return v1.Descriptor{}, ErrNotFound
	}
	return *d, nil
}

// findBelow returns nil, nil when digest is not below im.
func (w *indexWalk) findBelow(im *v1.IndexManifest, digest string, depth int) (*v1.Descriptor, error) {
	if depth > maxIndexNestingDepth {
		return nil, fmt.Errorf("indexes nested too deep: %w", ErrInvalid)
	}
	for _, d := range im.Manifests {
		if d.Digest.String() == digest {
			return &d, nil
		}
	}
	for _, d := range im.Manifests {
		if !isIndex(d.MediaType) {
			continue
		}
		child, seen, err := w.read(d.Digest)
		if err != nil {
			return nil, err
		}
		if seen {
			continue // searched already, and digest was not there
		}
		found, err := w.findBelow(child, digest, depth+1)
		if err != nil || found != nil {
			return found, err
		}
	}
	return nil, nil
}

// collect flattens descs (and the indexes among them) into image manifest
// descriptors, leaving out attestations and unknown artifacts. An index
// or image named twice (for the same platform) is collected once, so that
// choosing a platform reads each config once.
func (w *indexWalk) collect(descs []v1.Descriptor) ([]v1.Descriptor, error) {
	if err := w.ctx.Err(); err != nil {
		return nil, err
	}
	return w.collectBelow(descs, 0)
}

func (w *indexWalk) collectBelow(descs []v1.Descriptor, depth int) ([]v1.Descriptor, error) {
	if depth > maxIndexNestingDepth {
		return nil, fmt.Errorf("indexes nested too deep: %w", ErrInvalid)
	}
	var out []v1.Descriptor
	for _, d := range descs {
		switch {
		case isAttestation(d):
		case isImageManifest(d.MediaType):
			if key := d.Digest.String() + " " + platformString(d.Platform); !w.images[key] {
				w.images[key] = true
				out = append(out, d)
			}
		case isIndex(d.MediaType):
			child, seen, err := w.read(d.Digest)
			if err != nil {
				return nil, err
			}
			if seen {
				continue
			}
			more, err := w.collectBelow(child.Manifests, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, more...)
		}
	}
	return out, nil
}
