package report

import (
	"fmt"
	"strings"

	imgcmp "github.com/strata-cli/strata/compare"
)

// The package diff reads the same in every compare format: one summary
// ("Packages: 1 added, 0 removed, 2 upgraded") and one line a package
// ("+500 kB  upgraded  libc6 2.36-9 -> 2.36-10"), largest change first.

// comparePackagesSummary counts the changes of each kind.
func comparePackagesSummary(ps []imgcmp.PackageChange) string {
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
	return fmt.Sprintf("Packages: %d added, %d removed, %d upgraded", added, removed, upgraded)
}

// comparePackageLine is one change, aligned for a column of them.
func comparePackageLine(p imgcmp.PackageChange) string {
	return fmt.Sprintf("%9s  %-8s  %s %s", signedBytes(p.DeltaBytes), p.Change, printable(p.Name), printable(packageVersions(p)))
}

// comparePackageShort is one change within a sentence: "libc6 upgraded
// 2.36-9 -> 2.36-10 (+500 kB)".
func comparePackageShort(p imgcmp.PackageChange) string {
	return fmt.Sprintf("%s %s %s (%s)", printable(p.Name), p.Change, printable(packageVersions(p)), signedBytes(p.DeltaBytes))
}

// writeComparePackages lists the packages the two images differ in,
// largest size change first, when either holds a package database.
func writeComparePackages(b *strings.Builder, r *imgcmp.Report, top int) {
	ps := r.Packages
	if len(ps) == 0 {
		return
	}
	fmt.Fprintf(b, "\n%s\n", comparePackagesSummary(ps))
	for _, p := range ps[:min(len(ps), top)] {
		fmt.Fprintf(b, "  %s\n", comparePackageLine(p))
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
