package report

import (
	"fmt"
	"io"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/internal/units"
)

// topPackages is how many packages the plain report lists.
const topPackages = 10

// writeLargestPackages prints the biggest installed packages with the
// layer that last wrote each, only when the image holds a package
// database.
func writeLargestPackages(w io.Writer, res *analyze.Result) {
	if len(res.Packages) == 0 {
		return
	}
	fmt.Fprintf(w, "\nLargest packages:\n  %*s  %*s  %s\n", colSize, "SIZE", colIndex, "LAYER", "PACKAGE")
	n := min(len(res.Packages), topPackages) // Result.Packages is sorted largest first
	for _, p := range res.Packages[:n] {
		fmt.Fprintf(w, "  %*s  %*d  %s %s (%s)\n", colSize, units.Bytes(p.SizeBytes), colIndex, p.Layer, printable(p.Name), printable(p.Version), p.Manager)
	}
	if rest := len(res.Packages) - n; rest > 0 {
		fmt.Fprintf(w, "  ... and %d more (see --json)\n", rest)
	}
}
