package analyze

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
)

// recordReader reads one section of a record front to back through a
// small buffer rather than holding it whole. The record of a million-file
// image is tens of megabytes, and faulting in that much fresh memory costs
// more than decoding it (on the benchmark VM, 78 ms against 14 ms for
// reading the same file through a buffer). A section's checksum follows it
// and is known only at its end, so a caller keeps what it decodes to
// itself until finish reports the section sound.
type recordReader struct {
	br   *bufio.Reader
	sum  hash.Hash32 // of the body bytes read so far
	tail io.Reader   // the section after its body: the checksum, then nothing
	left uint64      // body bytes not yet consumed
	sums bool        // whether finish compares the checksum
	err  error
}

// recordSource returns what r holds as a ReaderAt with its size: a cache
// file as it is, anything else read whole.
func recordSource(r io.Reader) (io.ReaderAt, int64, error) {
	if f, ok := r.(interface {
		io.ReaderAt
		Stat() (fs.FileInfo, error)
	}); ok {
		if info, err := f.Stat(); err == nil && info.Mode().IsRegular() {
			return f, info.Size(), nil
		}
	}
	b, err := io.ReadAll(r)
	return bytes.NewReader(b), int64(len(b)), err
}

// newRecordReader reads the section r holds: n bytes, the last four of
// them its checksum. Unless sums is set the checksum is not compared.
func newRecordReader(r io.Reader, n int64, sums bool) *recordReader {
	if n < 4 {
		return &recordReader{err: errCorrupt}
	}
	sum := crc32.New(castagnoli)
	body := io.TeeReader(io.LimitReader(r, n-4), sum)
	return &recordReader{br: bufio.NewReaderSize(body, int(min(n, 256<<10))), sum: sum, tail: r, left: uint64(n - 4), sums: sums}
}

func (d *recordReader) fail() { d.err, d.left = errCorrupt, 0 }

// uv reads a uvarint.
func (d *recordReader) uv() uint64 {
	if d.err != nil {
		return 0
	}
	b, _ := d.br.Peek(binary.MaxVarintLen64)
	v, n := binary.Uvarint(b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.discard(n)
	return v
}

// full fills p.
func (d *recordReader) full(p []byte) {
	if d.err != nil || uint64(len(p)) > d.left {
		d.fail()
		return
	}
	if _, err := io.ReadFull(d.br, p); err != nil {
		d.fail()
		return
	}
	d.left -= uint64(len(p))
}

// str reads a string with its length first.
func (d *recordReader) str() string {
	n := d.uv()
	if n > d.left {
		d.fail()
		return ""
	}
	b := make([]byte, n)
	d.full(b)
	return string(b)
}

// records hands fn n fixed-size records in order, straight from the
// buffer, and stops early when fn returns false.
func (d *recordReader) records(n uint64, size int, fn func(b []byte) bool) {
	if d.err != nil || n > d.left/uint64(size) {
		d.fail()
		return
	}
	per := uint64(d.br.Size() / size)
	for n > 0 {
		k := min(n, per)
		b, err := d.br.Peek(int(k) * size)
		if err != nil {
			d.fail()
			return
		}
		for i := range int(k) {
			if !fn(b[i*size : (i+1)*size]) {
				d.fail()
				return
			}
		}
		d.discard(len(b))
		n -= k
	}
}

func (d *recordReader) discard(n int) {
	if uint64(n) > d.left {
		d.fail()
		return
	}
	d.br.Discard(n)
	d.left -= uint64(n)
}

// finish reports whether the whole body was read, its checksum matches
// and nothing follows it.
func (d *recordReader) finish() bool {
	if d.err != nil || d.left != 0 {
		return false
	}
	if _, err := d.br.Peek(1); err != io.EOF { // the limit is reached exactly
		return false
	}
	var sum [5]byte
	n, _ := io.ReadFull(d.tail, sum[:])
	return n == 4 && (!d.sums || binary.LittleEndian.Uint32(sum[:4]) == d.sum.Sum32())
}
