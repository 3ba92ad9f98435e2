//go:build unix

package source

import (
	"context"
	"os"
	"syscall"
)

// openNoWait opens p for reading without waiting: O_NONBLOCK keeps open(2)
// from blocking until a FIFO gets a writer (a layout whose index.json is a
// FIFO hung here, ignoring ^C). It changes nothing for the regular files
// openRegular accepts afterwards.
func openNoWait(p string) (*os.File, error) {
	return os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}

// openFIFO opens the FIFO at p for reading, waiting for a writer as cat
// would (read without one, a FIFO is merely empty), but no longer than
// ctx lasts: on ^C, a writer that comes and goes at once ends the wait.
func openFIFO(ctx context.Context, p string) (*os.File, error) {
	type opened struct {
		f   *os.File
		err error
	}
	ch := make(chan opened, 1)
	go func() {
		f, err := os.Open(p)
		ch <- opened{f, err}
	}()
	select {
	case o := <-ch:
		return o.f, o.err
	case <-ctx.Done():
		if w, err := os.OpenFile(p, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
		if o := <-ch; o.f != nil {
			o.f.Close()
		}
		return nil, ctx.Err()
	}
}
