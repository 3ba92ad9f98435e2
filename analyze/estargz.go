package analyze

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// eStargz (the seekable gzip of stargz-snapshotter) writes files of its
// own into a layer's tar: the table of contents, last, and a landmark that
// marks where the files to prefetch end. They are format metadata, not
// files of the image, so in an eStargz layer they are left out of sizes,
// counts, the tree and waste; in any other layer a file of that name is an
// ordinary file.
var estargzMetadata = map[string]bool{
	"stargz.index.json":     true,
	".prefetch.landmark":    true,
	".no.prefetch.landmark": true,
}

// EstargzTOCAnnotation is the layer annotation with which eStargz tools
// publish the digest of a layer's table of contents.
const EstargzTOCAnnotation = "containerd.io/snapshot/stargz/toc.digest"

// isEstargzMetadata reports whether a tar entry is, by name and type, one
// that eStargz writes for itself: a regular file at the root.
func isEstargzMetadata(name string, k Kind) bool {
	return k == KindFile && estargzMetadata[name]
}

// Footer sizes: eStargz ends its blob with a 51-byte empty gzip member
// whose extra field is the subfield "SG" holding the TOC's offset in hex
// and "STARGZ"; the older stargz writes the same 22 bytes as the whole
// extra field, in 47 bytes.
const (
	estargzFooterSize = 51
	stargzFooterSize  = 47
)

// hasStargzFooter reports whether a compressed blob ending in tail ends
// with an eStargz or legacy stargz footer.
func hasStargzFooter(tail []byte) bool {
	if len(tail) >= estargzFooterSize {
		f := tail[len(tail)-estargzFooterSize:]
		if footerMember(f, 26) && f[12] == 'S' && f[13] == 'G' && binary.LittleEndian.Uint16(f[14:16]) == 22 && stargzSubfield(f[16:38]) {
			return true
		}
	}
	if len(tail) >= stargzFooterSize {
		f := tail[len(tail)-stargzFooterSize:]
		if footerMember(f, 22) && stargzSubfield(f[12:34]) {
			return true
		}
	}
	return false
}

// footerMember reports whether f is a gzip member with an extra field of
// xlen bytes that decompresses to nothing (CRC and size zero).
func footerMember(f []byte, xlen int) bool {
	return f[0] == 0x1f && f[1] == 0x8b && f[2] == 8 && f[3]&0x04 != 0 &&
		int(binary.LittleEndian.Uint16(f[10:12])) == xlen && bytes.Equal(f[len(f)-8:], make([]byte, 8))
}

// stargzSubfield reports whether s is sixteen hex digits and "STARGZ".
func stargzSubfield(s []byte) bool {
	if len(s) != 22 || string(s[16:]) != "STARGZ" {
		return false
	}
	for _, c := range s[:16] {
		if !strings.ContainsRune("0123456789abcdefABCDEF", rune(c)) {
			return false
		}
	}
	return true
}

// annotatedEstargz reports whether the manifest describes l as eStargz,
// for sources that hand over the layer's descriptor.
func annotatedEstargz(l any) bool {
	d, ok := l.(interface {
		Descriptor() (*v1.Descriptor, error)
	})
	if !ok {
		return false
	}
	desc, err := d.Descriptor()
	return err == nil && desc != nil && desc.Annotations[EstargzTOCAnnotation] != ""
}

// tailReader keeps the last bytes read through it, for the footer check.
type tailReader struct {
	r    io.Reader
	buf  [estargzFooterSize]byte
	fill int
}

func (t *tailReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.keep(p[:n])
	return n, err
}

func (t *tailReader) keep(b []byte) {
	if len(b) >= len(t.buf) {
		t.fill = copy(t.buf[:], b[len(b)-len(t.buf):])
		return
	}
	old := min(t.fill, len(t.buf)-len(b))
	copy(t.buf[:old], t.buf[t.fill-old:t.fill])
	t.fill = old + copy(t.buf[old:], b)
}

// tail returns the last bytes read, up to the footer size.
func (t *tailReader) tail() []byte { return t.buf[:t.fill] }

// estargzNote is the Result note for the eStargz layers of res, or "".
func estargzNote(res *Result) string {
	var layers []string
	entries, size := 0, int64(0)
	for _, l := range res.Layers {
		if l.EstargzMetadataEntries > 0 {
			layers = append(layers, fmt.Sprint(l.Index))
			entries += l.EstargzMetadataEntries
			size += l.EstargzMetadataBytes
		}
	}
	if len(layers) == 0 {
		return ""
	}
	what := "layer " + layers[0]
	if len(layers) > 1 {
		what = "layers " + strings.Join(layers, ", ")
	}
	return fmt.Sprintf("%s: eStargz format metadata (stargz.index.json and prefetch landmarks, %d entries, %d bytes) left out of sizes, counts, the tree and waste",
		what, entries, size)
}

// settleMeta drops the entries set aside as eStargz metadata when the
// layer is eStargz, and otherwise puts them back where the tar had them.
func (s *layerScan) settleMeta(t *Tree, estargz bool) error {
	meta := s.meta
	s.meta = nil
	var ok bool
	for i, m := range meta {
		if estargz {
			if s.metaBytes, ok = addSize(s.metaBytes, m.e.Size); !ok {
				return fmt.Errorf("entry %q: size %d is not a plausible eStargz table of contents", m.name, m.e.Size)
			}
			s.metaEntries++
			continue
		}
		if s.size, ok = addSize(s.size, m.e.Size); !ok {
			return fmt.Errorf("entry %q: size %d brings the layer's files past 1 PiB, not a plausible layer", m.name, m.e.Size)
		}
		node, err := s.intern(t, m.name)
		if err != nil {
			return err
		}
		m.e.Node = node
		s.entries = slices.Insert(s.entries, m.pos+i, m.e)
		if s.hashes != nil {
			s.hashes = slices.Insert(s.hashes, m.pos+i, m.hash)
		}
		if s.headers != nil {
			s.headers = slices.Insert(s.headers, m.pos+i, m.header)
		}
		s.files++
		s.count++
	}
	return nil
}
