package source

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-cli/strata/internal/imagetest"
)

// TestTruncatedArchive cuts a docker-archive short at every 512-byte block
// boundary (and a few places between): tar.Reader sees a clean end at a
// header boundary, but every prefix must be reported as truncated, never as
// an archive that lacks manifest.json.
func TestTruncatedArchive(t *testing.T) {
	dir := t.TempDir()
	full := filepath.Join(dir, "full.tar")
	for name, write := range map[string]func(string) error{
		"classic": imagetest.WriteTiny,
		"oci": func(p string) error {
			img, err := imagetest.Tiny()
			if err != nil {
				return err
			}
			return imagetest.WriteOCIArchive(p, imagetest.MustIndex(t, imagetest.Manifest{Image: img}))
		},
	} {
		t.Run(name, func(t *testing.T) {
			if err := write(full); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(full)
			if err != nil {
				t.Fatal(err)
			}
			if len(b)%512 != 0 || !bytes.Equal(b[len(b)-1024:], make([]byte, 1024)) {
				t.Fatalf("fixture of %d bytes does not end with an end-of-archive marker", len(b))
			}
			var cuts []int
			for n := 512; n < len(b); n += 512 {
				cuts = append(cuts, n)
			}
			cuts = append(cuts, 1000, len(b)/2+7, len(b)-1)
			for _, n := range cuts {
				p := filepath.Join(dir, fmt.Sprintf("cut-%d.tar", n))
				if err := os.WriteFile(p, b[:n], 0o644); err != nil {
					t.Fatal(err)
				}
				for _, ref := range []string{p, KindDockerArchive.String() + ":" + p} {
					if name == "oci" && ref != p {
						ref = KindOCIArchive.String() + ":" + p
					}
					img, err := Open(context.Background(), ref, Options{})
					if err == nil {
						t.Errorf("cut at %d of %d: Open(%s) succeeded", n, len(b), ref)
						Close(img)
						continue
					}
					want := "reading tar " + p + ": truncated archive"
					if !strings.Contains(err.Error(), want) || !errors.Is(err, ErrInvalid) {
						t.Errorf("cut at %d of %d: Open(%s) = %q, want %q matching ErrInvalid", n, len(b), ref, err, want)
					}
				}
				os.Remove(p)
			}
			// The whole archive still opens.
			img, err := Open(context.Background(), full, Options{})
			if err != nil {
				t.Fatalf("complete archive: %v", err)
			}
			Close(img)
		})
	}
}

// TestNotATar: a file in which not even the first header can be read is
// not a tar, rather than a truncated one.
func TestNotATar(t *testing.T) {
	dir := t.TempDir()
	for name, b := range map[string][]byte{
		"short.txt":   []byte("hello\n"),
		"text.txt":    bytes.Repeat([]byte("not a tar file "), 100),
		"gzipped.tar": append([]byte{0x1f, 0x8b, 8, 0}, make([]byte, 2000)...),
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := indexTar(p)
		if want := "reading tar " + p + ": not a tar archive"; err == nil || err.Error() != want || !errors.Is(err, ErrInvalid) {
			t.Errorf("indexTar(%s) = %v, want %q matching ErrInvalid", name, err, want)
		}
	}
}

// TestIndexTarRefusesPAXSparse: a PAX-format sparse member's data in the
// file is a sparse map and fragments, so serving hdr.Size bytes from its
// offset would be garbage. It is refused like an old GNU sparse member.
func TestIndexTarRefusesPAXSparse(t *testing.T) {
	// GNU sparse 0.1: the map is a PAX record and the data holds only the
	// fragment, 512 bytes of a 1 MiB file. tar.Writer drops GNU.sparse
	// records, so the blocks are written by hand.
	var recs string
	for _, kv := range [][2]string{{"GNU.sparse.numblocks", "1"}, {"GNU.sparse.map", "0,512"}, {"GNU.sparse.size", "1048576"}, {"GNU.sparse.name", "manifest.json"}} {
		recs += imagetest.PAXRecord(kv[0], kv[1])
	}
	var raw []byte
	raw = append(raw, imagetest.RawHeader("PaxHeaders/x", tar.TypeXHeader, int64(len(recs)))...)
	raw = append(raw, imagetest.PadBlock([]byte(recs))...)
	raw = append(raw, imagetest.RawHeader("GNUSparseFile.0/manifest.json", tar.TypeReg, 512)...)
	raw = append(raw, bytes.Repeat([]byte("x"), 512)...)
	raw = append(raw, make([]byte, 1024)...)
	p := filepath.Join(t.TempDir(), "sparse.tar")
	if err := os.WriteFile(p, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	hdr, err := tar.NewReader(bytes.NewReader(raw)).Next()
	if err != nil || hdr.Name != "manifest.json" || hdr.Size != 1<<20 {
		t.Fatalf("fixture reads as %+v, %v; want a sparse manifest.json of 1 MiB", hdr, err)
	}
	_, err = indexTar(p)
	if err == nil || !strings.Contains(err.Error(), "sparse member manifest.json is not supported") {
		t.Errorf("indexTar = %v, want the sparse member refused", err)
	}
}
