//go:build unix

package cache

import (
	"os"
	"syscall"
	"time"
)

// openRecord opens the record at p without following a symlink
// (O_NOFOLLOW) and without waiting for a FIFO's writer (O_NONBLOCK, which
// changes nothing for the regular files checkRegular then accepts).
func openRecord(p string) (*os.File, error) {
	return os.OpenFile(p, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
}

// touch sets the record's times through its open descriptor, so that it
// changes the file that was checked and opened and never what a name has
// been swapped for since.
func touch(f *os.File, t time.Time) error {
	tv := syscall.NsecToTimeval(t.UnixNano())
	return syscall.Futimes(int(f.Fd()), []syscall.Timeval{tv, tv})
}
