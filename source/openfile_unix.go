//go:build unix

package source

import (
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
