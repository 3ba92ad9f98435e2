package compare

import (
	"cmp"
	"slices"

	"github.com/strata-cli/strata/analyze"
)

// PackageChange is a package that differs between the two final
// filesystems: added, removed, or installed in another version
// ("upgraded"; versions are not ordered, so a downgrade is one too).
// Sizes are the bytes of its files visible in each image.
type PackageChange struct {
	Manager      string `json:"manager"`
	Name         string `json:"name"`
	Architecture string `json:"architecture,omitempty"`
	Change       string `json:"change"`
	OldVersion   string `json:"oldVersion,omitempty"`
	NewVersion   string `json:"newVersion,omitempty"`
	OldSizeBytes int64  `json:"oldSizeBytes"`
	NewSizeBytes int64  `json:"newSizeBytes"`
	DeltaBytes   int64  `json:"deltaBytes"`
}

// diffPackages lists the packages that differ, the largest size change
// first. A package at the same version is not listed, whatever its files
// did: that is the file diff's business.
func diffPackages(old, new []analyze.Package) []PackageChange {
	key := func(p analyze.Package) string { return p.Manager + "\x00" + p.Name + "\x00" + p.Architecture }
	was := make(map[string]analyze.Package, len(old))
	for _, p := range old {
		was[key(p)] = p
	}
	var out []PackageChange
	seen := make(map[string]bool, len(new))
	for _, p := range new {
		k := key(p)
		seen[k] = true
		c := PackageChange{Manager: p.Manager, Name: p.Name, Architecture: p.Architecture, NewVersion: p.Version, NewSizeBytes: p.SizeBytes}
		o, ok := was[k]
		switch {
		case !ok:
			c.Change = "added"
		case o.Version != p.Version:
			c.Change, c.OldVersion, c.OldSizeBytes = "upgraded", o.Version, o.SizeBytes
		default:
			continue
		}
		c.DeltaBytes = c.NewSizeBytes - c.OldSizeBytes
		out = append(out, c)
	}
	for _, o := range old {
		if !seen[key(o)] {
			out = append(out, PackageChange{Manager: o.Manager, Name: o.Name, Architecture: o.Architecture, Change: "removed",
				OldVersion: o.Version, OldSizeBytes: o.SizeBytes, DeltaBytes: -o.SizeBytes})
		}
	}
	slices.SortStableFunc(out, func(a, b PackageChange) int {
		if c := cmp.Compare(abs(b.DeltaBytes), abs(a.DeltaBytes)); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	return out
}
