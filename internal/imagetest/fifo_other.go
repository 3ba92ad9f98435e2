//go:build !unix

package imagetest

import "errors"

// MakeFIFO fails: these systems have no named pipes in the file system.
func MakeFIFO(string) error { return errors.New("no FIFOs on this system") }
