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

// ZstdChunked writes tarBytes as zstd:chunked, after the layout
// containers/storage documents: every file's content starts a zstd frame
// of its own (a file over chunk bytes one frame a chunk, a chunk of zeros
// marked as such), the headers between them frames of their own, then
// the table of contents (the "manifest", JSON like eStargz's) compressed
// in a skippable frame, and a skippable footer. The tar-split stream the
// real writer adds is left out: nothing reads it.
func ZstdChunked(tarBytes []byte, chunk int) (Seekable, error) {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
	if err != nil {
		return Seekable{}, err
	}
	defer enc.Close()
	var blob, frame bytes.Buffer // frame: uncompressed bytes of the frame being written
	flush := func() {
		if frame.Len() > 0 {
			blob.Write(enc.EncodeAll(frame.Bytes(), nil))
			frame.Reset()
		}
	}
	tw := tar.NewWriter(&frame)
	var raw bytes.Buffer // the uncompressed stream, for the diff_id
	tw2 := tar.NewWriter(&raw)
	var entries []map[string]any
	tr := tar.NewReader(bytes.NewReader(tarBytes))
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Seekable{}, err
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			return Seekable{}, err
		}
		for _, w := range []*tar.Writer{tw, tw2} {
			if err := w.WriteHeader(hdr); err != nil {
				return Seekable{}, err
			}
		}
		e := map[string]any{"type": zstdType(hdr.Typeflag), "name": hdr.Name, "mode": hdr.Mode, "uid": hdr.Uid, "gid": hdr.Gid}
		if hdr.Linkname != "" {
			e["linkName"] = hdr.Linkname
		}
		if hdr.Typeflag == tar.TypeReg {
			e["size"] = hdr.Size
			sum := sha256.Sum256(body)
			e["digest"] = "sha256:" + hex.EncodeToString(sum[:])
		}
		entries = append(entries, e)
		for off := 0; off < len(body); off += chunk {
			part := body[off:min(off+chunk, len(body))]
			flush()
			c := e
			if off > 0 {
				c = map[string]any{"type": "chunk", "name": hdr.Name}
				entries = append(entries, c)
			}
			c["offset"], c["chunkOffset"] = blob.Len(), off
			if len(body) > chunk {
				c["chunkSize"] = len(part)
			}
			if bytes.Count(part, []byte{0}) == len(part) {
				c["chunkType"] = "zeros"
			}
			if _, err := tw.Write(part); err != nil {
				return Seekable{}, err
			}
			flush()
			c["endOffset"] = blob.Len()
		}
		if _, err := tw2.Write(body); err != nil {
			return Seekable{}, err
		}
	}
	if err := tw.Close(); err != nil {
		return Seekable{}, err
	}
	if err := tw2.Close(); err != nil {
		return Seekable{}, err
	}
	flush()
	manifest, err := json.Marshal(map[string]any{"version": 1, "entries": entries})
	if err != nil {
		return Seekable{}, err
	}
	compressed := enc.EncodeAll(manifest, nil)
	pos := blob.Len() + 8
	skippable(&blob, compressed)
	// The footer: the manifest's offset, length, uncompressed length and
	// type, the tar-split's (none here), and the magic.
	var footer [64]byte
	binary.LittleEndian.PutUint64(footer[0:], uint64(pos))
	binary.LittleEndian.PutUint64(footer[8:], uint64(len(compressed)))
	binary.LittleEndian.PutUint64(footer[16:], uint64(len(manifest)))
	binary.LittleEndian.PutUint64(footer[24:], 1)
	copy(footer[56:], "GNUlInUx")
	skippable(&blob, footer[:])
	sum := sha256.Sum256(compressed)
	stored := blob.Bytes()
	l := &memLayer{stored: stored, raw: raw.Bytes(), digest: sha256Hash(stored), diffID: sha256Hash(raw.Bytes()), mt: types.OCILayerZStd}
	return Seekable{Layer: l, Annotations: map[string]string{
		analyze.ZstdChunkedPositionAnnotation: fmt.Sprintf("%d:%d:%d:1", pos, len(compressed), len(manifest)),
		analyze.ZstdChunkedChecksumAnnotation: "sha256:" + hex.EncodeToString(sum[:]),
	}}, nil
}

// skippable appends a zstd skippable frame holding data.
func skippable(w *bytes.Buffer, data []byte) {
	var h [8]byte
	binary.LittleEndian.PutUint32(h[0:], 0x184D2A50)
	binary.LittleEndian.PutUint32(h[4:], uint32(len(data)))
	w.Write(h[:])
	w.Write(data)
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
