package analyze

import (
	"io"
)

// A seek record is its own cache file (see seekKey), with its own magic
// and version: the layer record, which every warm run decodes, is
// unchanged by it.
const (
	seekMagic   = "strata-seek\n"
	seekVersion = 1
)

// maxWindow is deflate's window: a checkpoint never needs more.
const maxWindow = 32 << 10

// encodeSeek writes x for diffID. Offsets are written as differences from
// the one before, header offsets in blocks: most take a byte or two.
func encodeSeek(w io.Writer, diffID string, x *seekIndex) error {
	rw := newRecordWriter(w, 64<<10)
	bw, uv, str := rw.bw, rw.uv, rw.str
	bw.WriteString(seekMagic)
	uv(seekVersion)
	str(diffID)
	if x.gzip {
		bw.WriteByte(1)
	} else {
		bw.WriteByte(0)
	}
	uv(uint64(x.compSize))
	uv(uint64(x.uncSize))
	uv(uint64(len(x.cps)))
	var comp, unc int64
	for _, cp := range x.cps {
		uv(uint64(cp.comp - comp))
		uv(uint64(cp.unc - unc))
		comp, unc = cp.comp, cp.unc
		flags := cp.bit
		if cp.member {
			flags |= 8
		}
		bw.WriteByte(flags)
		uv(uint64(len(cp.window)))
		bw.Write(cp.window)
	}
	uv(uint64(len(x.headers)))
	prev := uint32(0)
	for _, h := range x.headers {
		uv(uint64(h - prev))
		prev = h
	}
	return rw.section()
}

// decodeSeek reads a record written by encodeSeek, refusing one whose
// offsets do not rise or leave the blob.
func decodeSeek(r io.Reader, diffID string) (*seekIndex, error) {
	body, err := readChecked(r)
	if err != nil {
		return nil, errCorrupt
	}
	d := decoder{b: body}
	if string(d.bytes(len(seekMagic))) != seekMagic || d.uv() != seekVersion || d.str() != diffID {
		return nil, errCorrupt
	}
	x := &seekIndex{gzip: d.byte() == 1}
	compSize, uncSize, n := d.uv(), d.uv(), d.uv()
	if d.err != nil || compSize > maxLayerBytes || uncSize > maxIndexed || n > uint64(len(body)) {
		return nil, errCorrupt
	}
	x.compSize, x.uncSize = int64(compSize), int64(uncSize)
	x.cps = make([]checkpoint, 0, n)
	var comp, unc uint64
	for i := range n {
		comp += d.uv()
		unc += d.uv()
		flags := d.byte()
		wl := d.uv()
		if wl > maxWindow {
			return nil, errCorrupt
		}
		win := d.bytes(int(wl))
		if d.err != nil || comp > compSize || unc > uncSize || flags > 15 || (i == 0 && (comp != 0 || unc != 0 || flags != 8)) {
			return nil, errCorrupt
		}
		if i > 0 && unc <= uint64(x.cps[i-1].unc) {
			return nil, errCorrupt
		}
		x.cps = append(x.cps, checkpoint{comp: int64(comp), unc: int64(unc), bit: flags & 7, member: flags&8 != 0,
			window: append([]byte(nil), win...)})
	}
	nh := d.uv()
	if d.err != nil || nh > uint64(len(d.b)) {
		return nil, errCorrupt
	}
	x.headers = make([]uint32, 0, nh)
	var h uint64
	for range nh {
		h += d.uv()
		if d.err != nil || h > uncSize/blockSize || h*blockSize >= uncSize {
			return nil, errCorrupt
		}
		x.headers = append(x.headers, uint32(h))
	}
	if d.err != nil || len(d.b) != 0 || (x.gzip && len(x.cps) == 0) {
		return nil, errCorrupt
	}
	return x, nil
}
