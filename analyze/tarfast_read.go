package analyze

import (
	"errors"
	"io"
)

// Read reads the data of the entry Next returned last, so that a scan can
// look at a file's first bytes; whatever is left is skipped by the next
// call to Next as before. After a fallback it reads archive/tar's entry.
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
	if errors.Is(err, io.EOF) {
		if f.skip > 0 {
			return n, io.ErrUnexpectedEOF // the data is cut short
		}
		err = nil
	}
	return n, err
}
