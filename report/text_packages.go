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

// perLayerPackages is how many of each layer's packages the plain report
// names.
const perLayerPackages = 3

// writeLayerPackages prints, for each layer that changed packages, what
// it did to its largest ones and the bytes no package owns: the answer
// to "the python3-dev install added 180 MB" layer by layer.
func writeLayerPackages(w io.Writer, res *analyze.Result) {
	if len(res.Packages) == 0 {
		return
	}
	header := false
	for _, l := range res.Layers {
		if len(l.Packages) == 0 {
			continue
		}
		if !header {
			fmt.Fprintf(w, "\nPackages by layer:\n")
			header = true
		}
		fmt.Fprintf(w, "  layer %d: %s in %s, %s unpackaged\n", l.Index, units.Bytes(l.PackagedBytes), plural(len(l.Packages), "package", "packages"), units.Bytes(l.UnpackagedBytes))
		for _, p := range l.Packages[:min(len(l.Packages), perLayerPackages)] {
			v := p.Version
			if p.Change == analyze.PackageUpgraded {
				v = p.PreviousVersion + " -> " + p.Version
			}
			fmt.Fprintf(w, "    %*s  %-11s  %s %s\n", colSize, units.Bytes(p.SizeBytes), p.Change, printable(p.Name), printable(v))
		}
		if rest := len(l.Packages) - perLayerPackages; rest > 0 {
			fmt.Fprintf(w, "    ... and %d more\n", rest)
		}
	}
}
