//go:build unix

package imagetest

import "syscall"

// MakeFIFO creates a named pipe at p, for tests of sources that must not
// wait on one.
func MakeFIFO(p string) error { return syscall.Mkfifo(p, 0o644) }
