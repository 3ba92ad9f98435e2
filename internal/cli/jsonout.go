package cli

import (
	"io"

	"github.com/strata-cli/strata/report"
)

// writeJSONFile writes the report to path (atomically, see writeAtomic),
// or to stdout for "-".
func writeJSONFile(path string, stdout io.Writer, r any) error {
	if path == "-" {
		return report.EncodeJSON(stdout, r)
	}
	return writeAtomic(path, func(w io.Writer) error { return report.EncodeJSON(w, r) })
}
