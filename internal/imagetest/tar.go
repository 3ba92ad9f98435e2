// Package imagetest builds small, deterministic container images for tests:
// layer tars, gzip/zstd/uncompressed layers, images with exact history, and
// the on-disk formats strata reads (classic and Docker 25+ docker-archive,
// OCI layout directories and OCI archives).
//
// Every function returns the same bytes for the same input, so fixtures can
// be compared byte for byte and committed to testdata.
package imagetest

import (
	"archive/tar"
	"bytes"
	"path"
	"strings"
	"time"
)

// Epoch is the timestamp written into every tar header and config that
// imagetest produces, so that output never depends on the clock.
var Epoch = time.Date(2024, time.January, 1, 0, 0, 0, 0, time.UTC)

// Entry is one member of a layer tar.
type Entry struct {
	Name string
	// Type is a tar type flag; 0 means tar.TypeReg.
	Type byte
	// Body is the content of a regular file.
	Body []byte
	// Size, when positive and Body is nil, writes Size deterministic bytes
	// (see Filler) instead of Body.
	Size int64
	// Mode is the permission bits; 0 picks 0644 for files, 0755 for
	// directories and 0777 for symlinks.
	Mode     int64
	UID, GID int
	// Linkname is the target of a symlink or hardlink.
	Linkname string
}

// File is a regular file with the given content.
func File(name, body string) Entry {
	return Entry{Name: name, Body: []byte(body)}
}

// SizedFile is a regular file of size deterministic bytes.
func SizedFile(name string, size int64) Entry {
	return Entry{Name: name, Size: size}
}

// Dir is a directory.
func Dir(name string) Entry {
	return Entry{Name: name, Type: tar.TypeDir}
}

// Symlink is a symbolic link name -> target.
func Symlink(name, target string) Entry {
	return Entry{Name: name, Type: tar.TypeSymlink, Linkname: target}
}

// Hardlink is a hard link name -> target (target is a path in the layer).
func Hardlink(name, target string) Entry {
	return Entry{Name: name, Type: tar.TypeLink, Linkname: target}
}

// Whiteout deletes p from the layers below: it writes dir/.wh.base.
func Whiteout(p string) Entry {
	p = strings.TrimSuffix(p, "/")
	dir, base := path.Split(p)
	return Entry{Name: dir + ".wh." + base}
}

// Opaque hides everything below dir in the layers below: it writes
// dir/.wh..wh..opq.
func Opaque(dir string) Entry {
	return Entry{Name: strings.TrimSuffix(dir, "/") + "/.wh..wh..opq"}
}

// Filler returns n deterministic, poorly compressible-but-not-random bytes.
func Filler(n int64) []byte {
	b := make([]byte, n)
	var x uint32 = 2463534242
	for i := range b {
		// xorshift32: cheap, deterministic, and does not compress to nothing.
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

// Tar writes entries, in order, as a layer tar.
func Tar(entries ...Entry) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		hdr, body := e.header()
		// Writing to a bytes.Buffer cannot fail, and headers built here are
		// always valid; a failure is a programming error in the fixture.
		if err := tw.WriteHeader(hdr); err != nil {
			panic("imagetest: writing tar header for " + e.Name + ": " + err.Error())
		}
		if _, err := tw.Write(body); err != nil {
			panic("imagetest: writing tar body for " + e.Name + ": " + err.Error())
		}
	}
	if err := tw.Close(); err != nil {
		panic("imagetest: closing tar: " + err.Error())
	}
	return buf.Bytes()
}

func (e Entry) header() (*tar.Header, []byte) {
	typ := e.Type
	if typ == 0 {
		typ = tar.TypeReg
	}
	hdr := &tar.Header{
		Typeflag: typ,
		Name:     e.Name,
		Linkname: e.Linkname,
		Mode:     e.Mode,
		Uid:      e.UID,
		Gid:      e.GID,
		ModTime:  Epoch,
		Format:   tar.FormatPAX,
	}
	var body []byte
	switch typ {
	case tar.TypeReg:
		body = e.Body
		if body == nil && e.Size > 0 {
			body = Filler(e.Size)
		}
		hdr.Size = int64(len(body))
		if hdr.Mode == 0 {
			hdr.Mode = 0o644
		}
	case tar.TypeDir:
		if !strings.HasSuffix(hdr.Name, "/") {
			hdr.Name += "/"
		}
		if hdr.Mode == 0 {
			hdr.Mode = 0o755
		}
	case tar.TypeSymlink:
		if hdr.Mode == 0 {
			hdr.Mode = 0o777
		}
	default:
		if hdr.Mode == 0 {
			hdr.Mode = 0o644
		}
	}
	return hdr, body
}
