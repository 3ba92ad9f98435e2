package cli

import (
	"io"

	"github.com/strata-cli/strata/report"
)

// writeJSONFile writes doc to path (atomically, see writeAtomic), or to
// stdout for "-".
func writeJSONFile(path string, stdout io.Writer, doc any) error {
	return writeJSON(path, stdout, func(w io.Writer) error { return report.EncodeJSON(w, doc) })
}

// writeJSON runs write on path (atomically: a write that fails, or stops
// on ^C, leaves no file), or on stdout for "-".
func writeJSON(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path == "-" {
		return write(stdout)
	}
	return writeAtomic(path, write)
}
