//go:build !unix

package source

import "os"

// openNoWait opens p for reading; opening never waits on these systems.
func openNoWait(p string) (*os.File, error) { return os.Open(p) }
