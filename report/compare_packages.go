package report

import (
	"fmt"
	"strings"

	imgcmp "github.com/strata-cli/strata/compare"
)

// writeComparePackages lists the packages the two images differ in,
// largest size change first, when either holds a package database.
func writeComparePackages(b *strings.Builder, r *imgcmp.Report, top int) {
	ps := r.Packages
	if len(ps) == 0 {
		return
	}
	added, removed, upgraded := 0, 0, 0
	for _, p := range ps {
		switch p.Change {
		case "added":
			added++
		case "removed":
			removed++
		default:
			upgraded++
		}
	}
	fmt.Fprintf(b, "\nPackages: %d added, %d removed, %d upgraded\n", added, removed, upgraded)
	for _, p := range ps[:min(len(ps), top)] {
		fmt.Fprintf(b, "  %9s  %-8s  %s %s\n", signedBytes(p.DeltaBytes), p.Change, printable(p.Name), printable(packageVersions(p)))
	}
	if rest := len(ps) - top; rest > 0 {
		fmt.Fprintf(b, "  ... and %d more (see --json)\n", rest)
	}
}

// packageVersions is "1.2 -> 1.3" for an upgrade, else the one version.
func packageVersions(p imgcmp.PackageChange) string {
	switch p.Change {
	case "upgraded":
		return p.OldVersion + " -> " + p.NewVersion
	case "removed":
		return p.OldVersion
	}
	return p.NewVersion
}
