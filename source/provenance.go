package source

import (
	"bytes"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// BuildKit attaches its attestations to an index as manifests of their
// own: platform unknown/unknown, annotated with the image they are about,
// each statement a layer of in-toto JSON naming its predicate type.
const (
	dockerRefDigestAnno  = "vnd.docker.reference.digest"
	attestationManifest  = "attestation-manifest"
	inTotoMediaType      = "application/vnd.in-toto+json"
	inTotoPredicateAnno  = "in-toto.io/predicate-type"
	slsaProvenancePrefix = "https://slsa.dev/provenance/"
)

// provenanceOf returns the in-toto statement of the SLSA provenance that
// an attestation manifest among descs, or in the indexes they nest,
// attaches to the image manifest img, or nil when there is none.
// Provenance only adds to what the image says, so one that cannot be read
// is left out rather than failing the image.
func provenanceOf(s blobStore, descs []v1.Descriptor, img v1.Hash) []byte {
	return provenanceBelow(s, descs, img, 0, map[v1.Hash]bool{})
}

// provenanceBelow searches each index once, however often the indexes
// name it: a hostile layout can name the same index many times over.
func provenanceBelow(s blobStore, descs []v1.Descriptor, img v1.Hash, depth int, seen map[v1.Hash]bool) []byte {
	if depth > maxIndexNestingDepth {
		return nil
	}
	for _, d := range descs {
		if !isIndex(d.MediaType) || seen[d.Digest] {
			continue
		}
		seen[d.Digest] = true
		if raw, err := readBlob(s, d.Digest); err == nil {
			if im, err := v1.ParseIndexManifest(bytes.NewReader(raw)); err == nil {
				if b := provenanceBelow(s, im.Manifests, img, depth+1, seen); b != nil {
					return b
				}
			}
		}
	}
	for _, d := range descs {
		if d.Annotations[dockerRefTypeAnno] != attestationManifest || d.Annotations[dockerRefDigestAnno] != img.String() || !isImageManifest(d.MediaType) {
			continue
		}
		raw, err := readBlob(s, d.Digest)
		if err != nil {
			continue
		}
		m, err := v1.ParseManifest(bytes.NewReader(raw))
		if err != nil {
			continue
		}
		for _, l := range m.Layers {
			if string(l.MediaType) != inTotoMediaType || !strings.HasPrefix(l.Annotations[inTotoPredicateAnno], slsaProvenancePrefix) {
				continue
			}
			if b, err := readBlob(s, l.Digest); err == nil {
				return b
			}
		}
	}
	return nil
}

// reportProvenance hands the provenance of the chosen image to
// opts.Provenance, when it is asked for and there is one.
func reportProvenance(s blobStore, descs []v1.Descriptor, img v1.Hash, opts Options) {
	if opts.Provenance == nil {
		return
	}
	if b := provenanceOf(s, descs, img); b != nil {
		opts.Provenance(b)
	}
}
