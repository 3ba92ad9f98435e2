package html

import "github.com/strata-cli/strata/analyze"

// Package is one installed package, for the treemap's grouping by
// package.
type Package struct {
	Manager string `json:"manager"`
	Name    string `json:"name"`
	Version string `json:"version"`
	Size    int64  `json:"size"`
	Files   int    `json:"files"`
}

// packages lists res's packages in its order, which Node.Owner indexes.
func packages(res *analyze.Result) []Package {
	var out []Package
	for _, p := range res.Packages {
		out = append(out, Package{Manager: p.Manager, Name: p.Name, Version: p.Version, Size: p.SizeBytes, Files: p.Files})
	}
	return out
}

// ownerOf is Node.Owner for the file id.
func ownerOf(res *analyze.Result, id analyze.NodeID) int {
	if i, ok := res.PackageOf(id); ok {
		return i + 1
	}
	return 0
}

// soleOwner returns the Owner every file at and below n shares, and false
// when they have several.
func soleOwner(n *Node) (int, bool) {
	if n.Kind == "" || n.Kind == KindSmall {
		return n.Owner, true
	}
	owner, first := 0, true
	for _, c := range n.Children {
		o, one := soleOwner(c)
		if !one || (!first && o != owner) {
			return 0, false
		}
		owner, first = o, false
	}
	return owner, true
}
