package analyze

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// go-rpmdb reads a Berkeley DB Packages file in a goroutine of its own,
// where a panic kills the process and no recover reaches, and it trusts
// the file's numbers: it slices a page by an entry count and by item
// offsets in uint16 arithmetic that wraps, follows an overflow chain
// without a bound (and, on a page in it that is not an overflow page,
// re-reads that page for ever), and seeks to page*pagesize in uint32.
// checkBDBPages walks the same structures first, as that reader (v0.1.1)
// does, so that the reader only ever sees a file it gets through.
//
// The layout, as far as the reader uses it: page 0 is the hash metadata
// (magic at 12, page size at 20, encryption at 24, type at 25, last page
// number at 32), in the byte order its magic reads in. Every page starts
// with a 26-byte header: next page number at 16, entry count at 20, the
// "high free offset" at 22 (on an overflow page: the bytes it holds), the
// type at 25. A hash page's header is followed by the entries' uint16
// offsets in the page, key and data alternating; the reader takes the
// data items only, and of those only off-page items (type 3), which give
// at 4 the first overflow page of the value.
const (
	bdbHashMagic     = 0x00061561
	bdbPageHeader    = 26
	bdbHOffPageSize  = 12
	bdbHashUnsorted  = 2 // hash page before Berkeley DB 4.6 (CentOS 5)
	bdbHOffPage      = 3
	bdbOverflowPage  = 7
	bdbHashMetadata  = 8
	bdbHashPage      = 13
	bdbMinPageSize   = 512
	bdbMaxPageSize   = 65536
	bdbMetaPageBytes = 512 // what the reader's Open reads of page 0
)

// checkBDBPages reports the first structure of a Berkeley DB rpm database
// that go-rpmdb's reader would crash on, loop on or read past the file
// for, or nil when it reads through. It is a bounds check only: what the
// values hold is checked later, header by header (checkRpmHeader).
func checkBDBPages(data []byte) error {
	if len(data) < bdbMetaPageBytes {
		return fmt.Errorf("%d bytes, shorter than a metadata page", len(data))
	}
	var order binary.ByteOrder = binary.LittleEndian
	if order.Uint32(data[12:]) != bdbHashMagic {
		order = binary.BigEndian
		if order.Uint32(data[12:]) != bdbHashMagic {
			return errors.New("metadata page: no hash database magic")
		}
	}
	if data[24] != 0 {
		return errors.New("metadata page: encrypted")
	}
	if data[25] != bdbHashMetadata {
		return fmt.Errorf("metadata page: type %d, not hash metadata", data[25])
	}
	ps := order.Uint32(data[20:])
	if ps < bdbMinPageSize || ps > bdbMaxPageSize || ps&(ps-1) != 0 {
		return fmt.Errorf("metadata page: page size %d", ps)
	}
	size := int(ps)
	pages := len(data) / size
	last := order.Uint32(data[32:])
	if uint64(last) >= uint64(pages) {
		return fmt.Errorf("metadata page: last page %d beyond the file's %d pages", last, pages)
	}
	// Each overflow page may belong to one value only: this stops a chain
	// that loops, and values sharing pages, whose total could be many
	// times the file; so all values together are at most the file.
	claimed := make([]bool, pages)
	// The reader adds offsets and lengths in a page in uint16, so on 64
	// KiB pages an end of 65536 wraps to 0: one byte short of that is
	// the most it can slice.
	limit := min(size, math.MaxUint16)
	for p := 0; p <= int(last); p++ { // the reader reads page 0 too; its type skips it
		page := data[p*size : (p+1)*size]
		if t := page[25]; t != bdbHashPage && t != bdbHashUnsorted {
			continue
		}
		n := int(order.Uint16(page[20:]))
		if n%2 != 0 {
			return fmt.Errorf("page %d: odd entry count %d", p, n)
		}
		if bdbPageHeader+2*n > limit {
			return fmt.Errorf("page %d: %d entries, more than the page holds", p, n)
		}
		for i := 1; i < n; i += 2 { // the data item of each key/data pair
			off := int(order.Uint16(page[bdbPageHeader+2*i:]))
			if off >= size {
				return fmt.Errorf("page %d: index %d beyond the page", p, i)
			}
			if page[off] != bdbHOffPage {
				continue
			}
			if off+bdbHOffPageSize > limit {
				return fmt.Errorf("page %d: index %d: off-page item past the page's end", p, i)
			}
			if err := checkBDBChain(data, order, ps, claimed, order.Uint32(page[off+4:])); err != nil {
				return fmt.Errorf("page %d: index %d: %w", p, i, err)
			}
		}
	}
	return nil
}

// checkBDBChain follows one value's overflow chain from page first as the
// reader does, to a next page number of 0, marking its pages claimed.
func checkBDBChain(data []byte, order binary.ByteOrder, ps uint32, claimed []bool, first uint32) error {
	size := int(ps)
	for pg := first; pg != 0; {
		// The reader seeks to ps*pg in uint32: in the file and below 4 GiB
		// means that did not wrap.
		if uint64(pg) >= uint64(len(claimed)) || uint64(pg)*uint64(ps) > math.MaxUint32 {
			return fmt.Errorf("overflow page %d beyond the file", pg)
		}
		if claimed[pg] {
			return fmt.Errorf("overflow page %d already read (a chain that loops or is shared)", pg)
		}
		claimed[pg] = true
		page := data[int(pg)*size : (int(pg)+1)*size]
		if page[25] != bdbOverflowPage {
			return fmt.Errorf("page %d in an overflow chain is of type %d", pg, page[25])
		}
		next := order.Uint32(page[16:])
		if next == 0 { // the last page holds only its length's bytes
			if n := int(order.Uint16(page[22:])); bdbPageHeader+n > min(size, math.MaxUint16) {
				return fmt.Errorf("overflow page %d: length %d beyond the page", pg, n)
			}
		}
		pg = next
	}
	return nil
}
