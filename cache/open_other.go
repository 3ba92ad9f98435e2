//go:build !unix

package cache

import (
	"errors"
	"os"
	"time"
)

// openRecord opens the record at p, refusing a symlink: without
// O_NOFOLLOW, the name is checked with Lstat first.
func openRecord(p string) (*os.File, error) {
	fi, err := os.Lstat(p)
	if err != nil {
		return nil, err
	}
	if fi.Mode()&os.ModeSymlink != 0 {
		return nil, errors.New("a symlink, not a regular file")
	}
	return os.Open(p)
}

// touch sets the record's times by name: these systems have no call that
// sets them through a descriptor.
func touch(f *os.File, t time.Time) error { return os.Chtimes(f.Name(), t, t) }
