package analyze

// Which package owns each file of the final filesystem, for views that
// group files by package (the HTML report's treemap).

// PackageOwner returns the index in r.Packages of the package that owns
// the node's regular file in the final filesystem, if any: the files
// Package.Files counts. Directories are never owned (many packages list
// /usr/bin), nor are symlinks, nor paths the final filesystem lacks.
func (r *Result) PackageOwner(id NodeID) (int, bool) {
	if int(id) >= len(r.pkgOwner) || r.pkgOwner[id] == 0 {
		return 0, false
	}
	return int(r.pkgOwner[id]) - 1, true
}

// packageOwners fills r.pkgOwner from the attribution's final state, once
// r.Packages is sorted: keys gives each package's key by its index.
func (r *Result) packageOwners(owner *ownerTable, state map[string]*pkgState, keys []string) {
	if owner.owned == 0 {
		return
	}
	r.pkgOwner = make([]int32, r.Tree.Len())
	for i, key := range keys {
		for _, n := range state[key].nodes {
			if k, ok := owner.get(n); !ok || k != key {
				continue
			}
			if ref, ok := r.Tree.Final(n); ok && r.Layers[ref.Layer].Entries[ref.Index].Kind == KindFile {
				r.pkgOwner[n] = int32(i) + 1
			}
		}
	}
}
