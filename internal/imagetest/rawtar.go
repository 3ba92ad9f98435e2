package imagetest

import (
	"archive/tar"
	"bytes"
	"fmt"
	"strconv"
)

// The helpers below build tar bytes that archive/tar will not write (bad
// sizes, hand-made sparse headers, hostile PAX records), for tests of how
// strata reads them.

// RawHeader is one checksummed ustar header block for name with any type
// flag and size field, which tar.Writer would refuse for some (a PAX
// header's, a size with no data behind it).
func RawHeader(name string, typ byte, size int64) []byte {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Format: tar.FormatUSTAR})
	tw.Flush()
	blk := bytes.Clone(b.Bytes()[:512])
	blk[156] = typ
	copy(blk[124:136], fmt.Sprintf("%011o\x00", size))
	return FixChecksum(blk)
}

// FixChecksum recomputes the checksum of a ustar header block after an
// edit and returns the block.
func FixChecksum(blk []byte) []byte {
	copy(blk[148:156], "        ")
	sum := 0
	for _, c := range blk {
		sum += int(c)
	}
	copy(blk[148:156], fmt.Sprintf("%06o\x00 ", sum))
	return blk
}

// PadBlock pads b with zeros to a whole number of 512-byte tar blocks.
func PadBlock(b []byte) []byte {
	if r := len(b) % 512; r != 0 {
		b = append(b, make([]byte, 512-r)...)
	}
	return b
}

// PAXRecord formats one PAX extended-header record, "LEN key=value\n",
// where LEN counts the whole record, itself included.
func PAXRecord(k, v string) string {
	rec := " " + k + "=" + v + "\n"
	n := len(rec)
	for {
		l := len(strconv.Itoa(n)) + len(rec)
		if l == n {
			return strconv.Itoa(n) + rec
		}
		n = l
	}
}
