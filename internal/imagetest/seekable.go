package imagetest

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/containerd/stargz-snapshotter/estargz"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/strata-cli/strata/analyze"
)

// Seekable is a layer in a format that can be read by range (eStargz,
// zstd:chunked), with the annotations its manifest descriptor carries:
// they say where its table of contents is and what its digest is.
type Seekable struct {
	v1.Layer
	Annotations map[string]string
}

// Estargz converts tarBytes to eStargz with the estargz package, files
// over chunk bytes split into chunks.
func Estargz(tarBytes []byte, chunk int) (Seekable, error) {
	blob, err := estargz.Build(io.NewSectionReader(bytes.NewReader(tarBytes), 0, int64(len(tarBytes))), estargz.WithChunkSize(chunk))
	if err != nil {
		return Seekable{}, fmt.Errorf("estargz.Build: %w", err)
	}
	defer blob.Close()
	stored, err := io.ReadAll(blob)
	if err != nil {
		return Seekable{}, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(stored))
	if err != nil {
		return Seekable{}, err
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return Seekable{}, err
	}
	l := &memLayer{stored: stored, raw: raw, digest: sha256Hash(stored), diffID: sha256Hash(raw), mt: types.OCILayer}
	return Seekable{Layer: l, Annotations: map[string]string{analyze.EstargzTOCAnnotation: blob.TOCDigest().String()}}, nil
}

// ZstdChunked writes tarBytes as zstd:chunked (see WriteZstdChunked).
func ZstdChunked(tarBytes []byte, chunk int) (Seekable, error) {
	var blob bytes.Buffer
	diffID, ann, err := WriteZstdChunked(&blob, bytes.NewReader(tarBytes), chunk)
	if err != nil {
		return Seekable{}, err
	}
	stored := blob.Bytes()
	zr, err := zstd.NewReader(bytes.NewReader(stored))
	if err != nil {
		return Seekable{}, err
	}
	defer zr.Close()
	raw, err := io.ReadAll(zr)
	if err != nil {
		return Seekable{}, err
	}
	if sha256Hash(raw) != diffID {
		return Seekable{}, errors.New("zstd:chunked: the blob does not decompress to the tar written")
	}
	l := &memLayer{stored: stored, raw: raw, digest: sha256Hash(stored), diffID: diffID, mt: types.OCILayerZStd}
	return Seekable{Layer: l, Annotations: ann}, nil
}

// zstdChunkedEntry is one entry of a zstd:chunked TOC, as
// containers/storage names the fields.
type zstdChunkedEntry struct {
	Type        string `json:"type"`
	Name        string `json:"name"`
	LinkName    string `json:"linkName,omitempty"`
	Mode        int64  `json:"mode,omitempty"`
	Size        int64  `json:"size,omitempty"`
	UID         int    `json:"uid,omitempty"`
	GID         int    `json:"gid,omitempty"`
	Digest      string `json:"digest,omitempty"`
	Offset      int64  `json:"offset,omitempty"`
	EndOffset   int64  `json:"endOffset,omitempty"`
	ChunkSize   int64  `json:"chunkSize,omitempty"`
	ChunkOffset int64  `json:"chunkOffset,omitempty"`
	ChunkType   string `json:"chunkType,omitempty"`
}

// WriteZstdChunked writes the tar in src to dst as zstd:chunked, after
// the layout containers/storage documents: every file's content starts a
// zstd frame of its own (a file over chunk bytes one frame a chunk, a
// chunk of zeros marked as such), the headers between them frames of
// their own, then the table of contents (the "manifest", JSON like
// eStargz's) compressed in a skippable frame, and a skippable footer. The
// tar-split stream the real writer adds is left out: nothing here reads
// it. It returns the uncompressed stream's digest and the annotations of
// the layer's descriptor.
func WriteZstdChunked(dst io.Writer, src io.Reader, chunk int) (v1.Hash, map[string]string, error) {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
	if err != nil {
		return v1.Hash{}, nil, err
	}
	defer enc.Close()
	out := &offsetWriter{w: dst}
	var frame bytes.Buffer // uncompressed bytes of the frame being written
	var encoded []byte
	flush := func() error {
		if frame.Len() == 0 {
			return nil
		}
		encoded = enc.EncodeAll(frame.Bytes(), encoded[:0])
		frame.Reset()
		_, err := out.Write(encoded)
		return err
	}
	raw := sha256.New() // the uncompressed stream, for the diff_id
	tw := tar.NewWriter(io.MultiWriter(&frame, raw))
	var entries []zstdChunkedEntry
	tr := tar.NewReader(src)
	part := make([]byte, chunk)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return v1.Hash{}, nil, err
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return v1.Hash{}, nil, err
		}
		e := zstdChunkedEntry{Type: zstdType(hdr.Typeflag), Name: hdr.Name, LinkName: hdr.Linkname, Mode: hdr.Mode, UID: hdr.Uid, GID: hdr.Gid}
		if hdr.Typeflag != tar.TypeReg {
			entries = append(entries, e)
			continue
		}
		e.Size = hdr.Size
		first := len(entries)
		digest := sha256.New()
		for off := int64(0); off < hdr.Size; off += int64(chunk) {
			n, err := io.ReadFull(tr, part[:min(int64(chunk), hdr.Size-off)])
			if err != nil {
				return v1.Hash{}, nil, err
			}
			if err := flush(); err != nil {
				return v1.Hash{}, nil, err
			}
			c := zstdChunkedEntry{Type: "chunk", Name: hdr.Name}
			if off == 0 {
				c = e
			}
			c.Offset, c.ChunkOffset = out.n, off
			if hdr.Size > int64(chunk) {
				c.ChunkSize = int64(n)
			}
			if bytes.Count(part[:n], []byte{0}) == n {
				c.ChunkType = "zeros"
			}
			digest.Write(part[:n])
			if _, err := tw.Write(part[:n]); err != nil {
				return v1.Hash{}, nil, err
			}
			if err := flush(); err != nil {
				return v1.Hash{}, nil, err
			}
			c.EndOffset = out.n
			entries = append(entries, c)
		}
		if hdr.Size == 0 {
			entries = append(entries, e)
		}
		entries[first].Digest = "sha256:" + hex.EncodeToString(digest.Sum(nil))
	}
	if err := tw.Close(); err != nil {
		return v1.Hash{}, nil, err
	}
	if err := flush(); err != nil {
		return v1.Hash{}, nil, err
	}
	manifest, err := json.Marshal(map[string]any{"version": 1, "entries": entries})
	if err != nil {
		return v1.Hash{}, nil, err
	}
	// Streamed with the smallest window, as podman's writer does: a TOC
	// smaller than that window then declares more than its size.
	var cm bytes.Buffer
	mw, err := zstd.NewWriter(&cm, zstd.WithEncoderConcurrency(1), zstd.WithWindowSize(zstd.MinWindowSize))
	if err != nil {
		return v1.Hash{}, nil, err
	}
	if _, err := mw.Write(manifest); err != nil {
		return v1.Hash{}, nil, err
	}
	if err := mw.Close(); err != nil {
		return v1.Hash{}, nil, err
	}
	compressed := cm.Bytes()
	pos := out.n + 8
	// The footer: the manifest's offset, length, uncompressed length and
	// type, the tar-split's (none here), and the magic.
	var footer [64]byte
	binary.LittleEndian.PutUint64(footer[0:], uint64(pos))
	binary.LittleEndian.PutUint64(footer[8:], uint64(len(compressed)))
	binary.LittleEndian.PutUint64(footer[16:], uint64(len(manifest)))
	binary.LittleEndian.PutUint64(footer[24:], 1)
	copy(footer[56:], "GNUlInUx")
	for _, f := range [][]byte{compressed, footer[:]} {
		if err := skippable(out, f); err != nil {
			return v1.Hash{}, nil, err
		}
	}
	sum := sha256.Sum256(compressed)
	diffID := v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(raw.Sum(nil))}
	return diffID, map[string]string{
		analyze.ZstdChunkedPositionAnnotation: fmt.Sprintf("%d:%d:%d:1", pos, len(compressed), len(manifest)),
		analyze.ZstdChunkedChecksumAnnotation: "sha256:" + hex.EncodeToString(sum[:]),
	}, nil
}

// offsetWriter counts what it writes: the offset in the blob.
type offsetWriter struct {
	w io.Writer
	n int64
}

func (o *offsetWriter) Write(p []byte) (int, error) {
	n, err := o.w.Write(p)
	o.n += int64(n)
	return n, err
}

// skippable writes a zstd skippable frame holding data.
func skippable(w io.Writer, data []byte) error {
	var h [8]byte
	binary.LittleEndian.PutUint32(h[0:], 0x184D2A50)
	binary.LittleEndian.PutUint32(h[4:], uint32(len(data)))
	if _, err := w.Write(h[:]); err != nil {
		return err
	}
	_, err := w.Write(data)
	return err
}

func zstdType(flag byte) string {
	switch flag {
	case tar.TypeDir:
		return "dir"
	case tar.TypeSymlink:
		return "symlink"
	case tar.TypeLink:
		return "hardlink"
	case tar.TypeChar:
		return "char"
	case tar.TypeBlock:
		return "block"
	case tar.TypeFifo:
		return "fifo"
	}
	return "reg"
}

// SeekableImage stacks layers as Image does, each layer's annotations in
// its manifest descriptor.
func SeekableImage(layers []Seekable, history []v1.History) (v1.Image, error) {
	base := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	base = mutate.ConfigMediaType(base, types.OCIConfigJSON)
	adds := make([]mutate.Addendum, len(layers))
	for i, l := range layers {
		adds[i] = mutate.Addendum{Layer: l.Layer, Annotations: l.Annotations}
	}
	img, err := mutate.Append(base, adds...)
	if err != nil {
		return nil, fmt.Errorf("appending layers: %w", err)
	}
	return finish(img, history, nil)
}
