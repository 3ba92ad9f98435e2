package analyze

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// BindingKeyPrefix starts the cache key of a binding record: proof that a
// blob, by its digest, was read and found to hold the layer with a given
// diff_id. Layer and image records are keyed by diff_ids, which an image
// only claims; a cached record is trusted for a layer only when its blob
// has such a binding, so a layer that claims the diff_id of a cached clean
// layer but stores other bytes is read, and refused, rather than served.
const BindingKeyPrefix = "binding:"

// maxBindingSize bounds a binding record: two digests and newlines.
const maxBindingSize = 512

func bindingKey(digest string, diffID v1.Hash) string {
	h := sha256.Sum256([]byte("strata binding 1\n" + bindingText(digest, diffID)))
	return BindingKeyPrefix + hex.EncodeToString(h[:])
}

func bindingText(digest string, diffID v1.Hash) string {
	return digest + "\n" + diffID.String() + "\n"
}

// hasBinding reports whether c records the blob digest as verified to
// hold diffID.
func hasBinding(c LayerCache, digest string, diffID v1.Hash) bool {
	if digest == "" {
		return false
	}
	rc, err := c.Open(bindingKey(digest, diffID))
	if err != nil {
		return false
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxBindingSize))
	return err == nil && string(b) == bindingText(digest, diffID)
}

// storeBinding records that the blob digest was verified to hold diffID.
// A failed store only costs the next run a re-read.
func storeBinding(c LayerCache, digest string, diffID v1.Hash) {
	if digest == "" {
		return
	}
	_ = c.Store(bindingKey(digest, diffID), func(w io.Writer) error {
		_, err := io.WriteString(w, bindingText(digest, diffID))
		return err
	})
}

// verifyBlob hashes layer i's stored blob against its digest and size,
// for a layer answered from the cache under VerifyCached.
func verifyBlob(ctx context.Context, i int, l v1.Layer, digest string, size int64) error {
	rc, err := l.Compressed()
	if err != nil {
		return fmt.Errorf("reading layer %d (%s): %w", i, digest, err)
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, &ctxReader{ctx: ctx, r: rc})
	if err != nil {
		return fmt.Errorf("reading layer %d (%s): %w", i, digest, err)
	}
	got := "sha256:" + hex.EncodeToString(h.Sum(nil))
	if got != digest || (size > 0 && n != size) {
		return fmt.Errorf("reading layer %d (%s): %w: blob is %s (%d bytes)", i, digest, ErrDigestMismatch, got, n)
	}
	return nil
}
