//go:build !unix

package source

import (
	"context"
	"os"
)

// openNoWait opens p for reading; opening never waits on these systems.
func openNoWait(p string) (*os.File, error) { return os.Open(p) }

// openFIFO opens p for reading; opening never waits on these systems.
func openFIFO(_ context.Context, p string) (*os.File, error) { return os.Open(p) }
