package ui

import (
	"fmt"

	"github.com/strata-cli/strata/compare"
	"github.com/strata-cli/strata/internal/safetext"
)

// packageLines renders the package diff: a count of each kind of change,
// then one line a package, largest size change first (the order the
// comparison gives them in), coloured as the file changes are.
func (d *pairDetails) packageLines() {
	ps := d.rep.Packages
	if len(ps) == 0 {
		for _, l := range wrap("No package differs, or neither image holds a dpkg, apk or rpm database.", max(1, d.w)) {
			d.lines = append(d.lines, d.st.Dim.Render(l))
		}
		return
	}
	counts := map[string]int{}
	for _, p := range ps {
		counts[p.Change]++
	}
	d.lines = append(d.lines, d.st.Label.Render(truncate(fmt.Sprintf("%d added, %d removed, %d upgraded",
		counts["added"], counts["removed"], counts["upgraded"]), d.w)), "")
	for _, p := range ps {
		c := changeModified
		switch p.Change {
		case "added":
			c = changeAdded
		case "removed":
			c = changeRemoved
		}
		line := fmt.Sprintf("%s %9s  %s %s", c.symbol(), signedBytes(p.DeltaBytes), safetext.Line(p.Name), safetext.Line(packageVersions(p)))
		d.lines = append(d.lines, d.st.Change[c].Render(truncate(line, d.w)))
	}
}

// packageVersions is "1.2 → 1.3" for an upgrade, else the one version.
func packageVersions(p compare.PackageChange) string {
	switch p.Change {
	case "upgraded":
		return p.OldVersion + " → " + p.NewVersion
	case "removed":
		return p.OldVersion
	}
	return p.NewVersion
}
