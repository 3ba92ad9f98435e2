package ui

// The tree shown as one package's files, for the packages overlay.

// showNowIn is showNow in the view mode m.
func (f *fileTree) showNowIn(i int, m viewMode) {
	f.mode = m
	f.showNow(i)
}

// ShowPackage shows only the files of Result.Packages[pkg], every one of
// them: the text filter and hidden kinds are cleared and their
// directories unfolded. The cursor goes to the largest; false when the
// view has none of them.
func (f *fileTree) ShowPackage(pkg int, name string) bool {
	f.pkg, f.pkgName = pkg, name
	f.filter, f.re, f.hidden = "", nil, [numChanges]bool{}
	for i := 1; i < len(f.vt.nodes); i++ {
		if f.inPackage(&f.vt.nodes[i]) {
			for a := f.vt.nodes[i].parent; a > 0; a = f.vt.nodes[a].parent {
				delete(f.collapsed, f.vt.nodes[a].id)
			}
		}
	}
	f.refresh()
	best := -1
	for r, n := range f.rows {
		if nd := &f.vt.nodes[n]; !nd.dir && (best < 0 || nd.size > f.vt.nodes[f.rows[best]].size) {
			best = r
		}
	}
	f.set(max(best, 0))
	return best >= 0
}

// ClearPackage shows every file again.
func (f *fileTree) ClearPackage() {
	f.pkg, f.pkgName = -1, ""
	keep := f.cursorPath()
	f.refresh()
	f.selectPath(keep, false)
}

// inPackage reports whether a node passes the package filter: with one
// set, a file of that package.
func (f *fileTree) inPackage(nd *vnode) bool {
	if f.pkg < 0 {
		return true
	}
	i, ok := f.res.PackageOf(nd.id)
	return ok && !nd.dir && i == f.pkg
}
