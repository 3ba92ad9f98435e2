package source

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
)

// member is one entry of an indexed tar: where its data lives in the file.
type member struct {
	name     string
	typ      byte
	linkname string
	offset   int64
	size     int64
}

// tarIndex maps the member names of a tar file to their data, so that
// archives are read in place: blobs are served as sections of the file and
// nothing is extracted to disk. The file is opened again for each read, so
// an index holds no descriptor and images built on it need no Close.
type tarIndex struct {
	path    string
	members map[string]member
	// file, when set, is read instead of reopening path: a temporary
	// archive that is already unlinked (see saveToTemp) has no path left.
	// Readers share it through ReadAt, which is safe concurrently.
	file *os.File
}

// indexTar scans the headers of the tar at p once. tar.Reader skips member
// data with Seek when it reads from an *os.File, so this costs one read per
// header whatever the size of the layers.
func indexTar(p string) (*tarIndex, error) {
	f, err := openRegular(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return indexTarFile(f, p)
}

// indexTarFile indexes the tar in f, read from its current offset (the
// start), calling it p in errors.
func indexTarFile(f *os.File, p string) (*tarIndex, error) {
	idx := &tarIndex{path: p, members: map[string]member{}}
	er := &eofReader{f: f}
	tr := tar.NewReader(er)
	headers := 0
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			// tar.Reader also ends cleanly when the file stops at a header
			// boundary, with no end-of-archive marker: a copy cut short
			// at a 512-byte block. Only then has the file itself run out.
			if er.eof && headers > 0 {
				return nil, errTruncated(p)
			}
			break
		}
		if headers == 0 && (errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, tar.ErrHeader)) {
			// Not one header: shorter than a block, or no tar at all
			// (a text file, a gzip-compressed save).
			return nil, markErr(ErrInvalid, nil, fmt.Sprintf("reading tar %s: not a tar archive", p))
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, errTruncated(p)
		}
		if err != nil {
			return nil, fmt.Errorf("reading tar %s: %w: %w", p, ErrInvalid, err)
		}
		headers++
		if hdr.Typeflag == tar.TypeGNUSparse || isPAXSparse(hdr) {
			// Sparse data is not contiguous in the file; no image tool
			// writes sparse members, so refuse rather than serve garbage.
			return nil, fmt.Errorf("reading tar %s: sparse member %s is not supported", p, hdr.Name)
		}
		// After Next, the file offset is the start of the member's data.
		off, err := f.Seek(0, io.SeekCurrent)
		if err != nil {
			return nil, fmt.Errorf("reading tar %s: %w", p, err)
		}
		name := cleanMemberName(hdr.Name)
		if name == "" {
			continue
		}
		switch hdr.Typeflag {
		case tar.TypeReg, tar.TypeChar, tar.TypeBlock, tar.TypeFifo, tar.TypeDir:
		case tar.TypeSymlink, tar.TypeLink:
		default:
			continue
		}
		idx.members[name] = member{
			name:     name,
			typ:      hdr.Typeflag,
			linkname: hdr.Linkname,
			offset:   off,
			size:     hdr.Size,
		}
	}
	if len(idx.members) == 0 {
		return nil, fmt.Errorf("reading tar %s: %w: %w", p, ErrInvalid, errEmptyTar)
	}
	// A file cut inside a member's data is caught above too: skipping data
	// seeks past the end, and the next header then meets the file's end.
	return idx, nil
}

// errTruncated says the tar at p ends before its end-of-archive marker.
func errTruncated(p string) error {
	return markErr(ErrInvalid, nil, fmt.Sprintf("reading tar %s: truncated archive", p))
}

// eofReader notes whether the file ever reported io.EOF. A complete tar
// never makes tar.Reader read past its end-of-archive marker, so the file
// runs out only when that marker is missing or cut short. Seek is passed
// through so that member data is still skipped, not read.
type eofReader struct {
	f   *os.File
	eof bool
}

func (r *eofReader) Read(b []byte) (int, error) {
	n, err := r.f.Read(b)
	if errors.Is(err, io.EOF) {
		r.eof = true
	}
	return n, err
}

func (r *eofReader) Seek(off int64, whence int) (int64, error) { return r.f.Seek(off, whence) }

// isPAXSparse reports a PAX-format GNU sparse member (typeflag '0' with
// GNU.sparse.* records): its data in the file is a sparse map and the
// fragments, not hdr.Size contiguous bytes.
func isPAXSparse(hdr *tar.Header) bool {
	for k := range hdr.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return true
		}
	}
	return false
}

var errEmptyTar = errors.New("no members")

// cleanMemberName turns "./a//b" and "/a/b" into "a/b". Some tools prefix
// every member with "./".
func cleanMemberName(name string) string {
	name = path.Clean("/" + name)
	return strings.TrimPrefix(name, "/")
}

// has reports whether name is a member (after following links).
func (t *tarIndex) has(name string) bool {
	_, err := t.lookup(name)
	return err == nil
}

// lookup finds a regular member by name, following symlinks and hardlinks:
// docker save stores a layer shared by two images once and links the
// second layer.tar to the first.
func (t *tarIndex) lookup(name string) (member, error) {
	name = cleanMemberName(name)
	for range 16 {
		m, ok := t.members[name]
		if !ok {
			return member{}, fmt.Errorf("%s: %w", name, errMemberNotFound)
		}
		switch m.typ {
		case tar.TypeSymlink:
			target := m.linkname
			if !path.IsAbs(target) {
				target = path.Join(path.Dir(name), target)
			}
			name = cleanMemberName(target)
		case tar.TypeLink:
			name = cleanMemberName(m.linkname)
		case tar.TypeReg:
			return m, nil
		default:
			return member{}, fmt.Errorf("%s: not a regular file", name)
		}
	}
	return member{}, fmt.Errorf("%s: too many links", name)
}

var errMemberNotFound = errors.New("no such member")

// open returns the data of a member, read in place from the archive.
func (t *tarIndex) open(name string) (io.ReadCloser, error) {
	m, err := t.lookup(name)
	if err != nil {
		return nil, err
	}
	return t.openMember(m)
}

func (t *tarIndex) openMember(m member) (io.ReadCloser, error) {
	if t.file != nil {
		return io.NopCloser(io.NewSectionReader(t.file, m.offset, m.size)), nil
	}
	f, err := openRegular(t.path)
	if err != nil {
		return nil, err
	}
	return &sectionReadCloser{SectionReader: io.NewSectionReader(f, m.offset, m.size), f: f}, nil
}

// readFile returns the whole data of a small member (manifests, configs).
func (t *tarIndex) readFile(name string) ([]byte, error) {
	m, err := t.lookup(name)
	if err != nil {
		return nil, err
	}
	if m.size > maxMetadataSize {
		return nil, fmt.Errorf("%s: %d bytes is too large for metadata", name, m.size)
	}
	rc, err := t.openMember(m)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b := make([]byte, m.size)
	if _, err := io.ReadFull(rc, b); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return b, nil
}

type sectionReadCloser struct {
	*io.SectionReader
	f *os.File
}

func (s *sectionReadCloser) Close() error { return s.f.Close() }
