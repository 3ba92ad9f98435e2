package analyze

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
)

// headerWalker is what scanLayer needs of a tar reader: the next header,
// with the previous entry's data skipped.
type headerWalker interface {
	Next() (*tar.Header, error)
}

// fastTar walks the headers of a layer tar for scanLayer. archive/tar
// spends most of its time per header on checks of the header's format
// that strata does not need (a scan of all 512 bytes for non-ASCII, a
// format guess), which on a layer of a million small files costs more than
// inflating it. fastTar reads the common case itself, POSIX ustar headers
// with PAX records for long names, times and xattrs, and hands everything
// else to archive/tar, replaying the bytes of the entry it was reading: an
// unusual header (GNU, V7, base-256 numbers, sparse files, global records,
// a bad checksum, the end of the archive) is read, and fails, exactly as
// archive/tar reads it. It never accepts what archive/tar would refuse;
// FuzzFastTar checks it against archive/tar on arbitrary bytes.
type fastTar struct {
	r io.Reader
	// skip and pad are the data and padding of the entry last returned,
	// still unread.
	skip, pad int64
	blk       [blockSize]byte
	// replay holds the blocks read for the entry in progress, to hand them
	// to archive/tar if it must take over.
	replay []byte
	slow   *tar.Reader
	fast   int // headers read without archive/tar, for tests
}

const blockSize = 512

// maxEntryRecords bounds the long-name, long-link and PAX records of one
// entry, with their header blocks: 1 MiB, archive/tar's bound on a single
// record, plus room for the headers of a maximal one.
const maxEntryRecords = 1<<20 + 8*blockSize

var errEntryRecords = errors.New("long-name and PAX records of one entry over 1 MiB, refused")

func newFastTar(r io.Reader) *fastTar { return &fastTar{r: r} }

// Next implements headerWalker.
func (f *fastTar) Next() (*tar.Header, error) {
	if f.slow != nil {
		return f.slow.Next()
	}
	if f.skip > 0 {
		if _, err := io.CopyN(io.Discard, f.r, f.skip); err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF // the data is cut short
			}
			return nil, err
		}
		f.skip = 0
	}
	if f.pad > 0 {
		// archive/tar takes a stream that ends inside the padding of its
		// last member for a clean end, and so does this.
		if _, err := io.CopyN(io.Discard, f.r, f.pad); err != nil {
			return nil, err
		}
		f.pad = 0
	}
	f.replay = f.replay[:0]
	var (
		pax                map[string]string
		longName, longLink *string
	)
	for {
		n, err := io.ReadFull(f.r, f.blk[:])
		f.replay = append(f.replay, f.blk[:n]...)
		if err != nil {
			return f.fallback() // let archive/tar tell EOF from a cut header
		}
		h, ok := f.parseUSTAR()
		if !ok {
			return f.fallback()
		}
		switch h.Typeflag {
		case tar.TypeXHeader, tar.TypeGNULongName, tar.TypeGNULongLink:
			// The records before one entry are held for a possible replay:
			// bounded here, where archive/tar would read a chain of any
			// length (it bounds each record, not the chain).
			if int64(len(f.replay))+h.Size > maxEntryRecords {
				return nil, errEntryRecords
			}
			data, ok := f.special(h.Size)
			if !ok {
				return f.fallback()
			}
			switch h.Typeflag {
			case tar.TypeXHeader:
				if pax != nil { // several in a row: rare, left to archive/tar
					return f.fallback()
				}
				if pax, ok = parsePAXRecords(data); !ok {
					return f.fallback()
				}
			case tar.TypeGNULongName:
				s := cString(data)
				longName = &s
			default:
				s := cString(data)
				longLink = &s
			}
			continue
		case tar.TypeReg, tar.TypeRegA, tar.TypeLink, tar.TypeSymlink, tar.TypeChar, tar.TypeBlock, tar.TypeDir, tar.TypeFifo, tar.TypeCont:
		default:
			return f.fallback() // global records, sparse files, vendor types
		}
		if !applyPAX(h, pax) {
			return f.fallback()
		}
		// archive/tar applies a GNU long name only when it is not empty.
		if longName != nil && *longName != "" {
			h.Name = *longName
		}
		if longLink != nil && *longLink != "" {
			h.Linkname = *longLink
		}
		if h.Typeflag == tar.TypeRegA {
			if strings.HasSuffix(h.Name, "/") {
				h.Typeflag = tar.TypeDir
			} else {
				h.Typeflag = tar.TypeReg
			}
		}
		if h.Size < 0 {
			return f.fallback()
		}
		data := h.Size
		if isHeaderOnly(h.Typeflag) {
			data = 0
		}
		f.skip, f.pad = data, padding(data)
		f.fast++
		return h, nil
	}
}

// fallback hands the rest of the layer to archive/tar, starting with the
// blocks of the entry in progress.
func (f *fastTar) fallback() (*tar.Header, error) {
	// replay is not used again: archive/tar keeps reading from it.
	f.slow = tar.NewReader(io.MultiReader(bytes.NewReader(f.replay), f.r))
	f.replay = nil
	return f.slow.Next()
}

// special reads the data of a PAX or GNU long-name entry (and its
// padding) into replay and returns it; archive/tar refuses ones over 1 MiB.
func (f *fastTar) special(size int64) ([]byte, bool) {
	if size < 0 || size > 1<<20 {
		return nil, false
	}
	start := len(f.replay)
	total := size + padding(size)
	f.replay = append(f.replay, make([]byte, total)...)
	if n, err := io.ReadFull(f.r, f.replay[start:]); err != nil {
		// Keep what was read for archive/tar: it must see the same bytes.
		f.replay = f.replay[:start+n]
		return nil, false
	}
	return f.replay[start : start+int(size)], true
}

// parseUSTAR reads the header in f.blk when it is a POSIX ustar header
// with a valid checksum and plain octal numbers, as archive/tar would.
func (f *fastTar) parseUSTAR() (*tar.Header, bool) {
	b := &f.blk
	if string(b[257:263]) != "ustar\x00" || string(b[263:265]) != "00" {
		return nil, false // GNU, V7, or not a header: archive/tar's to judge
	}
	sum, ok := octal(b[148:156])
	if !ok || sum != unsignedChecksum(b) {
		return nil, false
	}
	var h tar.Header
	var nums [7]int64
	for i, r := range [7][2]int{{100, 108}, {108, 116}, {116, 124}, {124, 136}, {136, 148}, {329, 337}, {337, 345}} {
		if nums[i], ok = octal(b[r[0]:r[1]]); !ok {
			return nil, false
		}
	}
	h.Mode, h.Uid, h.Gid, h.Size = nums[0], int(nums[1]), int(nums[2]), nums[3]
	h.Typeflag = b[156]
	h.Name = cString(b[0:100])
	h.Linkname = cString(b[157:257])
	if prefix := cString(b[345:500]); prefix != "" {
		h.Name = prefix + "/" + h.Name
	}
	return &h, true
}

// unsignedChecksum is the header checksum with its own field as spaces.
func unsignedChecksum(b *[blockSize]byte) int64 {
	var s int64
	for i, c := range b {
		if i >= 148 && i < 156 {
			c = ' '
		}
		s += int64(c)
	}
	return s
}

// octal parses a numeric field the way archive/tar does for plain octal:
// spaces and NULs around it, nothing else. Base-256 and anything odd are
// refused, for archive/tar to read.
func octal(b []byte) (int64, bool) {
	b = bytes.Trim(b, " \x00")
	if len(b) == 0 {
		return 0, true
	}
	var v int64
	for _, c := range b {
		if c < '0' || c > '7' || v > (1<<60) {
			return 0, false
		}
		v = v<<3 | int64(c-'0')
	}
	return v, true
}

func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

func padding(n int64) int64 { return -n & (blockSize - 1) }

func isHeaderOnly(t byte) bool {
	switch t {
	case tar.TypeLink, tar.TypeSymlink, tar.TypeChar, tar.TypeBlock, tar.TypeDir, tar.TypeFifo:
		return true
	}
	return false
}

// parsePAXRecords parses "LEN key=value\n" records as archive/tar does,
// refusing what it refuses and the GNU sparse keys, which change how the
// entry's data is read.
func parsePAXRecords(b []byte) (map[string]string, bool) {
	recs := map[string]string{}
	s := string(b)
	for len(s) > 0 {
		nStr, rest, ok := strings.Cut(s, " ")
		if !ok {
			return nil, false
		}
		n, err := strconv.ParseInt(nStr, 10, 0)
		if err != nil || n < 5 || n > int64(len(s)) {
			return nil, false
		}
		n -= int64(len(nStr) + 1)
		if n <= 0 {
			return nil, false
		}
		rec, nl := rest[:n-1], rest[n-1:n]
		if nl != "\n" {
			return nil, false
		}
		k, v, ok := strings.Cut(rec, "=")
		if !ok || k == "" || strings.Contains(k, "\x00") || strings.HasPrefix(k, "GNU.sparse.") {
			return nil, false
		}
		switch k {
		case "path", "linkpath", "uname", "gname":
			if strings.Contains(v, "\x00") {
				return nil, false
			}
		}
		recs[k] = v
		s = rest[n:]
	}
	return recs, true
}

// applyPAX merges PAX records into h as archive/tar does, and reports
// false where archive/tar would fail the header.
func applyPAX(h *tar.Header, recs map[string]string) bool {
	for k, v := range recs {
		if v == "" {
			continue // archive/tar keeps the ustar value
		}
		var err error
		var n int64
		switch k {
		case "path":
			h.Name = v
		case "linkpath":
			h.Linkname = v
		case "uid":
			n, err = strconv.ParseInt(v, 10, 64)
			h.Uid = int(n)
		case "gid":
			n, err = strconv.ParseInt(v, 10, 64)
			h.Gid = int(n)
		case "size":
			h.Size, err = strconv.ParseInt(v, 10, 64)
		case "mtime", "atime", "ctime":
			if !paxTime(v) {
				return false
			}
		}
		if err != nil {
			return false
		}
	}
	return true
}

// paxTime accepts a subset of the PAX times archive/tar accepts: an
// optional minus, up to 18 digits, and optionally a dot and digits.
// Anything else goes to archive/tar.
func paxTime(v string) bool {
	v = strings.TrimPrefix(v, "-")
	secs, frac, dot := strings.Cut(v, ".")
	digits := func(s string) bool {
		for _, c := range s {
			if c < '0' || c > '9' {
				return false
			}
		}
		return true
	}
	if secs == "" || !digits(secs) || (dot && (frac == "" || !digits(frac))) || len(secs) > 18 {
		return false
	}
	return true
}

// Read reads the data of the entry last returned, for the few entries
// whose content is looked at (the package databases, see
// capturePackageDB, and the start of small files for the secret scan);
// what is not read is skipped by Next as before. After a fallback it reads
// archive/tar's entry.
func (f *fastTar) Read(p []byte) (int, error) {
	if f.slow != nil {
		return f.slow.Read(p)
	}
	if f.skip <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > f.skip {
		p = p[:f.skip]
	}
	n, err := f.r.Read(p)
	f.skip -= int64(n)
	if errors.Is(err, io.EOF) && f.skip > 0 {
		err = io.ErrUnexpectedEOF // the data is cut short
	} else if errors.Is(err, io.EOF) {
		err = nil
	}
	return n, err
}
