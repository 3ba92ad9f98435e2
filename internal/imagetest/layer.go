package imagetest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Compression says how a layer blob is stored.
type Compression int

const (
	// Gzip stores the layer as tar+gzip.
	Gzip Compression = iota
	// Zstd stores the layer as tar+zstd.
	Zstd
	// Uncompressed stores the raw tar.
	Uncompressed
)

// String returns "gzip", "zstd" or "uncompressed".
func (c Compression) String() string {
	switch c {
	case Gzip:
		return "gzip"
	case Zstd:
		return "zstd"
	case Uncompressed:
		return "uncompressed"
	}
	return fmt.Sprintf("Compression(%d)", int(c))
}

// Compress returns b compressed with c. Output is deterministic: gzip
// headers carry no name or time, and zstd runs single-threaded.
func Compress(b []byte, c Compression) ([]byte, error) {
	var buf bytes.Buffer
	switch c {
	case Uncompressed:
		return bytes.Clone(b), nil
	case Gzip:
		zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		if err != nil {
			return nil, err
		}
		if _, err := zw.Write(b); err != nil {
			return nil, err
		}
		if err := zw.Close(); err != nil {
			return nil, err
		}
	case Zstd:
		zw, err := zstd.NewWriter(&buf, zstd.WithEncoderConcurrency(1), zstd.WithEncoderLevel(zstd.SpeedDefault))
		if err != nil {
			return nil, err
		}
		if _, err := zw.Write(b); err != nil {
			zw.Close()
			return nil, err
		}
		if err := zw.Close(); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("unknown compression %d", int(c))
	}
	return buf.Bytes(), nil
}

// Layer compresses tarBytes once with c and returns a layer whose
// Compressed() yields exactly the stored bytes and whose Uncompressed()
// yields tarBytes. Digest, Size and DiffID are computed up front.
//
// Media types are the OCI ones: tar+gzip, tar+zstd, or plain tar.
func Layer(tarBytes []byte, c Compression) (v1.Layer, error) {
	stored, err := Compress(tarBytes, c)
	if err != nil {
		return nil, fmt.Errorf("compressing layer: %w", err)
	}
	var mt types.MediaType
	switch c {
	case Gzip:
		mt = types.OCILayer
	case Zstd:
		mt = types.OCILayerZStd
	case Uncompressed:
		mt = types.OCIUncompressedLayer
	}
	return &memLayer{
		stored: stored,
		raw:    bytes.Clone(tarBytes),
		digest: sha256Hash(stored),
		diffID: sha256Hash(tarBytes),
		mt:     mt,
	}, nil
}

// MustLayer is Layer that fails the test on error.
func MustLayer(t TB, tarBytes []byte, c Compression) v1.Layer {
	t.Helper()
	l, err := Layer(tarBytes, c)
	if err != nil {
		t.Fatalf("imagetest.Layer: %v", err)
	}
	return l
}

// TB is the part of testing.TB that the Must helpers use. Declaring it here
// keeps the testing package out of non-test binaries.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
}

func sha256Hash(b []byte) v1.Hash {
	sum := sha256.Sum256(b)
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}
}

// memLayer is a layer held in memory, compressed exactly once.
type memLayer struct {
	stored, raw    []byte
	digest, diffID v1.Hash
	mt             types.MediaType
}

var _ v1.Layer = (*memLayer)(nil)

// Digest implements v1.Layer.
func (l *memLayer) Digest() (v1.Hash, error) { return l.digest, nil }

// DiffID implements v1.Layer.
func (l *memLayer) DiffID() (v1.Hash, error) { return l.diffID, nil }

// Compressed implements v1.Layer; it returns the bytes as stored.
func (l *memLayer) Compressed() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(l.stored)), nil
}

// Uncompressed implements v1.Layer.
func (l *memLayer) Uncompressed() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(l.raw)), nil
}

// Size implements v1.Layer.
func (l *memLayer) Size() (int64, error) { return int64(len(l.stored)), nil }

// MediaType implements v1.Layer.
func (l *memLayer) MediaType() (types.MediaType, error) { return l.mt, nil }
