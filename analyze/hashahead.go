package analyze

import (
	"hash"
	"io"
)

// Hashing a layer's uncompressed stream (its diff ID) costs about a sixth
// of inflating it. Done inline, it runs on the core that inflates, and on
// a one-layer image the other core has nothing to do. hashAhead moves it
// there: the bytes are read in chunks, and each chunk, once the tar walk
// has read it, goes to a goroutine that hashes while the next is inflated.
const (
	aheadChunk  = 256 << 10
	aheadChunks = 8 // 2 MiB per layer in flight
)

// hashAhead is a reader that hashes what is read through it on its own
// goroutine. Sum waits for the hash of everything read; stop ends the
// goroutine on any path, and is safe to call after Sum.
type hashAhead struct {
	r   io.Reader
	h   hash.Hash
	cur []byte // the chunk being served
	pos int
	err error // what r said after the bytes in cur

	todo    chan []byte // read chunks, in order, to hash
	free    chan []byte // hashed chunks, to fill again
	made    int         // chunks allocated so far: a small layer needs one
	done    chan struct{}
	stopped bool
}

func newHashAhead(r io.Reader, h hash.Hash) *hashAhead {
	a := &hashAhead{
		r: r, h: h,
		todo: make(chan []byte, aheadChunks),
		free: make(chan []byte, aheadChunks),
		done: make(chan struct{}),
	}
	go a.hash()
	return a
}

func (a *hashAhead) hash() {
	defer close(a.done)
	for b := range a.todo {
		a.h.Write(b)
		a.free <- b[:cap(b)]
	}
}

// Read serves the current chunk, and reads the next when it is used up.
// A chunk is handed to the hasher only when it has been served whole, so
// the hasher never sees a buffer the reader still fills.
func (a *hashAhead) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if a.pos == len(a.cur) {
		if a.cur != nil {
			a.todo <- a.cur
			a.cur, a.pos = nil, 0
		}
		if a.err != nil {
			return 0, a.err
		}
		buf := a.chunk()
		n, err := fill(a.r, buf)
		a.cur, a.pos, a.err = buf[:n], 0, err
		if n == 0 {
			a.free <- buf
			a.cur = nil
			return 0, err
		}
	}
	n := copy(p, a.cur[a.pos:])
	a.pos += n
	return n, nil
}

// chunk is a chunk to fill: a hashed one, else a new one while fewer
// than aheadChunks exist, else the next the hasher frees.
func (a *hashAhead) chunk() []byte {
	select {
	case b := <-a.free:
		return b
	default:
	}
	if a.made < aheadChunks {
		a.made++
		return make([]byte, aheadChunk)
	}
	return <-a.free
}

// fill reads into buf until it is full or r fails, and returns r's error
// as it is: unlike io.ReadFull it does not turn a stream's own
// io.ErrUnexpectedEOF (a truncated layer) into a clean end.
func fill(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
		if m == 0 {
			// A reader that returns nothing and no error, again and
			// again, is broken; hand back what there is.
			if n > 0 {
				return n, nil
			}
			return 0, io.ErrNoProgress
		}
	}
	return n, nil
}

// Sum returns the hash of every byte read so far, once the hasher has
// caught up. Nothing may be read after it.
func (a *hashAhead) Sum() []byte {
	if a.cur != nil {
		// Bytes of the chunk not read are not hashed: the stream's end is
		// where the reader stopped.
		a.todo <- a.cur[:a.pos]
		a.cur = nil
	}
	a.stop()
	return a.h.Sum(nil)
}

// stop ends the hasher and waits for it.
func (a *hashAhead) stop() {
	if a.stopped {
		return
	}
	a.stopped = true
	close(a.todo)
	<-a.done
}
