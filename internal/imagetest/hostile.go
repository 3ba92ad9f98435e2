package imagetest

import (
	"archive/tar"
	"bytes"
	"encoding/binary"
	"fmt"
)

// The builders below make the hostile layers of issue 21: inputs that cost
// a careless reader memory per header or time per entry squared. Each
// returns an uncompressed tar unless it says otherwise.

// LongNameChain is n GNU long-name records of size bytes each, in ustar
// headers, before one empty file: a reader that keeps every record holds
// n*size bytes.
func LongNameChain(n int, size int64) []byte {
	var b bytes.Buffer
	name := bytes.Repeat([]byte("n"), int(size))
	for range n {
		b.Write(RawHeader("././@LongLink", tar.TypeGNULongName, size))
		b.Write(PadBlock(bytes.Clone(name)))
	}
	b.Write(RawHeader("file", tar.TypeReg, 0))
	b.Write(make([]byte, 1024))
	return b.Bytes()
}

// ZstdRawFrame wraps data in one zstd frame that declares a window of
// 1<<windowLog bytes (10..41), stored as raw blocks: a decoder that takes
// the frame's word allocates the window before reading any data.
func ZstdRawFrame(data []byte, windowLog uint) []byte {
	out := []byte{0x28, 0xb5, 0x2f, 0xfd, 0x00, byte((windowLog - 10) << 3)}
	const maxBlock = 128 << 10
	for {
		n := min(len(data), maxBlock)
		hdr := uint32(n) << 3 // raw block
		if n == len(data) {
			hdr |= 1 // last block
		}
		out = binary.LittleEndian.AppendUint32(out, hdr)[:len(out)+3]
		out = append(out, data[:n]...)
		data = data[n:]
		if len(data) == 0 {
			return out
		}
	}
}

// OverDirRounds is a directory d holding n files, then n rounds of a file
// d written over it and the directory d recreated.
func OverDirRounds(n int) []byte {
	es := []Entry{Dir("d/")}
	for i := range n {
		es = append(es, File(fmt.Sprintf("d/f%07d", i), ""))
	}
	for range n {
		es = append(es, File("d", ""), Dir("d/"))
	}
	return Tar(es...)
}

// RepeatedOpaque is a directory d holding n files, then n opaque
// whiteouts of d.
func RepeatedOpaque(n int) []byte {
	es := []Entry{Dir("d/")}
	for i := range n {
		es = append(es, File(fmt.Sprintf("d/f%07d", i), ""))
	}
	for range n {
		es = append(es, Opaque("d"))
	}
	return Tar(es...)
}

// RepeatedWhiteouts is a directory d holding n files, then n whiteouts
// of d.
func RepeatedWhiteouts(n int) []byte {
	es := []Entry{Dir("d/")}
	for i := range n {
		es = append(es, File(fmt.Sprintf("d/f%07d", i), ""))
	}
	for range n {
		es = append(es, Whiteout("d"))
	}
	return Tar(es...)
}

// SparseSizes is n GNU sparse files each declaring a size of size bytes
// with no data: their sizes summed in an int64 wrap when size is near
// 1<<63.
func SparseSizes(n int, size int64) []byte {
	var b bytes.Buffer
	for i := range n {
		blk := RawHeader(fmt.Sprintf("sparse%d", i), tar.TypeGNUSparse, 0)
		copy(blk[257:265], "ustar  \x00") // GNU magic: sparse headers are GNU's
		// The real size (12 bytes at 483), base-256 encoded: too large
		// for octal.
		blk[483] = 0x80
		binary.BigEndian.PutUint64(blk[487:495], uint64(size))
		b.Write(FixChecksum(blk))
	}
	b.Write(make([]byte, 1024))
	return b.Bytes()
}
