package analyze_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
)

// claimingLayer is a layer whose manifest says digest and config says
// diffID, whatever its bytes are.
type claimingLayer struct {
	v1.Layer
	digest, diffID v1.Hash
}

func (l claimingLayer) Digest() (v1.Hash, error) { return l.digest, nil }
func (l claimingLayer) DiffID() (v1.Hash, error) { return l.diffID, nil }

// cacheTrustFixture fills a cache from a clean layer and returns the
// cache, the clean layer, and a layer with a secret in it.
func cacheTrustFixture(t *testing.T) (*memCache, v1.Layer, v1.Layer) {
	t.Helper()
	clean := it.MustLayer(t, it.Tar(it.File("etc/os-release", "ID=clean\n")), it.Gzip)
	secret := it.MustLayer(t, it.Tar(it.File("etc/os-release", "ID=clean\n"), it.File("root/.ssh/id.pem", "PRIVATE KEY\n")), it.Gzip)
	c := &memCache{}
	if _, err := analyze.Analyze(context.Background(), it.MustImage(t, []v1.Layer{clean}, nil, nil), analyze.Options{Cache: c}); err != nil {
		t.Fatal(err)
	}
	return c, clean, secret
}

func hasPath(res *analyze.Result, p string) bool {
	for _, l := range res.Layers {
		for _, e := range l.Entries {
			if res.Tree.Path(e.Node) == p {
				return true
			}
		}
	}
	return false
}

// TestCacheHitNeedsTheBlobThatWasVerified: a layer whose config claims
// the diff_id of a cached clean layer, but whose blob (named by its true
// digest) is another, is read, not answered from the cache: the old code
// served the clean record, and a --block '**/*.pem' gate passed.
func TestCacheHitNeedsTheBlobThatWasVerified(t *testing.T) {
	c, clean, secret := cacheTrustFixture(t)
	cleanDiff, _ := clean.DiffID()
	secretDigest, _ := secret.Digest()
	for _, name := range []string{"alone", "with the clean layer below"} {
		layers := []v1.Layer{claimingLayer{secret, secretDigest, cleanDiff}}
		if name != "alone" {
			layers = append([]v1.Layer{clean}, layers...)
		}
		res, err := analyze.Analyze(context.Background(), it.MustImage(t, layers, nil, nil), analyze.Options{Cache: c})
		if err == nil {
			t.Errorf("%s: analysed from the cache (pem listed: %v), want the layer read and its diff_id refused", name, hasPath(res, "root/.ssh/id.pem"))
		} else if !errors.Is(err, analyze.ErrDiffIDMismatch) {
			t.Errorf("%s: err = %v, want a diff_id mismatch", name, err)
		}
	}
}

// TestVerifyCachedChecksTheBlob: a layer that also lies about its digest,
// naming the clean blob's, gets a cache hit; VerifyCached, which gating
// turns on, hashes the blob and refuses it, for a layer record and for
// an image record alike.
func TestVerifyCachedChecksTheBlob(t *testing.T) {
	c, clean, secret := cacheTrustFixture(t)
	cleanDiff, _ := clean.DiffID()
	cleanDigest, _ := clean.Digest()
	liar := claimingLayer{secret, cleanDigest, cleanDiff}
	img := it.MustImage(t, []v1.Layer{liar}, nil, nil)

	// The image record of the clean image has the same diff_ids: it hits
	// first. Without VerifyCached, the trade-off: the record is trusted.
	if _, err := analyze.Analyze(context.Background(), img, analyze.Options{Cache: c}); err != nil {
		t.Fatalf("without VerifyCached: %v", err)
	}
	_, err := analyze.Analyze(context.Background(), img, analyze.Options{Cache: c, VerifyCached: true})
	if !errors.Is(err, analyze.ErrDigestMismatch) || !strings.Contains(err.Error(), "layer 0") {
		t.Errorf("image record: err = %v, want layer 0's digest mismatch", err)
	}
	// Two layers: no image record, the layer record hits.
	img2 := it.MustImage(t, []v1.Layer{liar, it.MustLayer(t, it.Tar(it.File("x", "x")), it.Gzip)}, nil, nil)
	_, err = analyze.Analyze(context.Background(), img2, analyze.Options{Cache: c, VerifyCached: true})
	if !errors.Is(err, analyze.ErrDigestMismatch) || !strings.Contains(err.Error(), "layer 0") {
		t.Errorf("layer record: err = %v, want layer 0's digest mismatch", err)
	}
	// The genuine image passes with VerifyCached, from the cache.
	hits := c.hits
	if _, err := analyze.Analyze(context.Background(), it.MustImage(t, []v1.Layer{clean}, nil, nil), analyze.Options{Cache: c, VerifyCached: true}); err != nil || c.hits == hits {
		t.Errorf("clean image with VerifyCached: err %v, cache hits %d -> %d", err, hits, c.hits)
	}
}
