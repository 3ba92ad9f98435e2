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
	f, err := os.Open(p)
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
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading tar %s: %w: %w", p, ErrInvalid, err)
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
		case tar.TypeGNUSparse:
			// Sparse data is not contiguous in the file; no image tool
			// writes sparse members, so refuse rather than serve garbage.
			return nil, fmt.Errorf("reading tar %s: sparse member %s is not supported", p, hdr.Name)
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
	// Skipping data by seeking does not notice a file cut short: tar.Reader
	// sees a clean end at the next header. Check every member fits.
	end, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, fmt.Errorf("reading tar %s: %w", p, err)
	}
	for _, m := range idx.members {
		if m.offset+m.size > end {
			return nil, fmt.Errorf("reading tar %s: %w: truncated: member %s needs %d bytes, %d remain", p, ErrInvalid, m.name, m.size, max(end-m.offset, 0))
		}
	}
	return idx, nil
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
	f, err := os.Open(t.path)
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

// maxMetadataSize bounds manifests, indexes and configs read into memory.
const maxMetadataSize = 64 << 20

type sectionReadCloser struct {
	*io.SectionReader
	f *os.File
}

func (s *sectionReadCloser) Close() error { return s.f.Close() }
