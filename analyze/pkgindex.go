package analyze

// Which package owns each path of the final filesystem, for a file's
// details and for listing one package's files. One int32 per Tree node,
// made once by attribution (or read back from an image record): a
// 200,000-node tree costs 800 KB next to the entries' tens of megabytes,
// and every question is one index or one pass.

// indexPackages records, for every node of the final filesystem that is
// no directory nor a symlink to one, the package of res.Packages whose list claims it. The
// state and owner table are attribution's, after the last layer.
func (a *attributor) indexPackages(state map[string]*pkgState, owner *ownerTable) {
	res := a.res
	res.pkgOf = make([]int32, res.Tree.Len())
	at := make(map[string]int32, len(res.Packages))
	for i, p := range res.Packages {
		at[pkgKey(p.Manager, p.Name, p.Architecture)] = int32(i)
	}
	for key, p := range state {
		i, ok := at[key]
		if !ok {
			continue
		}
		for _, n := range p.nodes {
			if k, _ := owner.get(n); k != key {
				continue
			}
			if a.ownsFile(n) {
				res.pkgOf[n] = i + 1
			}
		}
	}
}

// ownsFile reports whether a listed node is one of the package's files
// in the final filesystem. A merged-/usr image has symlinks where the
// packages list directories (/bin -> usr/bin): those are not the
// package's, whoever made them.
func (a *attributor) ownsFile(n NodeID) bool {
	t := a.res.Tree
	ref, ok := t.Final(n)
	if !ok {
		return false
	}
	switch a.res.Layers[ref.Layer].Entries[ref.Index].Kind {
	case KindDir:
		return false
	case KindSymlink:
		r, err := a.res.Resolve(len(a.res.Layers)-1, t.Path(n))
		if err == nil && (!r.HasEntry || a.res.Layers[r.Entry.Layer].Entries[r.Entry.Index].Kind == KindDir) {
			return false // a directory, stored or implied by the paths under it
		}
	}
	return true
}

// HasPackageDB reports whether some layer wrote a dpkg, apk or rpm database:
// only then does a file no package lists count as unpackaged.
func (r *Result) HasPackageDB() bool { return r.pkgOf != nil }

// PackageOf returns the index in Packages of the package that lists the
// path id, when the path is in the final filesystem and no directory.
func (r *Result) PackageOf(id NodeID) (int, bool) {
	if int(id) >= len(r.pkgOf) || r.pkgOf[id] == 0 {
		return 0, false
	}
	return int(r.pkgOf[id] - 1), true
}

// PackageFiles returns the paths of Packages[i] in the final filesystem
// other than directories and symlinks to them (its regular files, other
// symlinks and hard links), in
// NodeID order. It walks the index once: called when a user asks, not
// per frame.
func (r *Result) PackageFiles(i int) []NodeID {
	var ids []NodeID
	want := int32(i + 1)
	for n, p := range r.pkgOf {
		if p == want {
			ids = append(ids, NodeID(n))
		}
	}
	return ids
}

// packageLists groups the index by package, for an image record.
func (r *Result) packageLists() [][]NodeID {
	lists := make([][]NodeID, len(r.Packages))
	for n, p := range r.pkgOf {
		if p > 0 && int(p) <= len(lists) {
			lists[p-1] = append(lists[p-1], NodeID(n))
		}
	}
	return lists
}
