package analyze

import (
	"cmp"
	"path"
	"slices"
	"strings"
)

// Package is one package installed in the final filesystem.
type Package struct {
	Manager      string // "dpkg", "apk" or "rpm"
	Name         string
	Version      string
	Architecture string
	// SizeBytes and Files count the package's regular files visible in the
	// final filesystem, from the layers' own entries (not the database's
	// estimate).
	SizeBytes int64
	Files     int
	// Layer is the last layer that installed, upgraded or reinstalled it.
	Layer int
}

// PackageChange says what a layer did to a package.
type PackageChange uint8

// The changes a layer can make to a package.
const (
	PackageAdded       PackageChange = iota // not installed below, installed after
	PackageRemoved                          // installed below, not after
	PackageUpgraded                         // another version below (a downgrade too: versions are not ordered here)
	PackageReinstalled                      // the same version, its record and files written again
	PackageTouched                          // the same version, some of its files written again without it
)

var packageChangeNames = [...]string{"added", "removed", "upgraded", "reinstalled", "touched"}

// String returns the change's name as used in JSON.
func (c PackageChange) String() string {
	if int(c) < len(packageChangeNames) {
		return packageChangeNames[c]
	}
	return "unknown"
}

// LayerPackage is one package a layer changed or wrote files of.
type LayerPackage struct {
	Manager      string
	Name         string
	Architecture string
	// Version is the version after the layer, or the one removed.
	Version string
	// PreviousVersion is the version below, for PackageUpgraded.
	PreviousVersion string
	Change          PackageChange
	// SizeBytes and Files count the regular files the layer writes that the
	// package owns (as the databases visible after the layer list them).
	SizeBytes int64
	Files     int
}

// pkgState is one installed package at some layer.
type pkgState struct {
	key   string // manager, name and architecture: what identifies it across layers
	mgr   string
	rec   pkgRecord
	paths []string // owned paths as listed
	nodes []NodeID // paths resolved in the Tree (those present in some layer)
	// wrote is the layer that last wrote the package's own record (a
	// dpkg .list or status.d file, apk's whole database).
	wrote int
	// frozen marks state carried over from below because the database
	// that would say otherwise was too big to read.
	frozen bool
}

// attributor works out packages once every layer is merged.
type attributor struct {
	res      *Result
	dirNodes map[string]dirNode
}

type visibleDB struct {
	f     *dbFile
	layer int
}

// attributePackages fills the packages of res from the database files
// each layer wrote (dbs, by layer), and returns notes on databases too big
// to read. An image without any leaves every package field empty.
func attributePackages(res *Result, dbs [][]dbFile) (notes []string) {
	if !slices.ContainsFunc(dbs, func(d []dbFile) bool { return len(d) > 0 }) {
		return nil
	}
	parseAll(dbs)
	a := &attributor{res: res, dirNodes: map[string]dirNode{}}
	visible := map[string]visibleDB{}
	state := map[string]*pkgState{}
	owner := &ownerTable{ids: map[string]int32{}}
	lastWrite := map[string]int{}
	for m := range res.Layers {
		l := &res.Layers[m]
		changed := false
		for p, v := range visible {
			if !res.Layers[v.layer].Entries[v.f.entry].VisibleAt(m) {
				delete(visible, p)
				changed = true
			}
		}
		if m < len(dbs) {
			for i := range dbs[m] {
				f := &dbs[m][i]
				if f.skipped > 0 {
					notes = append(notes, f.skippedNote(m))
				} else if f.err != nil {
					notes = append(notes, f.errNote(m))
				}
				if l.Entries[f.entry].VisibleAt(m) {
					visible[f.path] = visibleDB{f: f, layer: m}
					changed = true
				}
			}
		}
		changes := map[string]*LayerPackage{}
		if changed {
			next := a.build(visible, state)
			a.diff(state, next, m, changes)
			a.reown(owner, state, next)
			state = next
		}
		if owner.owned == 0 {
			l.UnpackagedBytes = l.SizeBytes
		} else {
			a.weigh(l, owner, state, changes)
		}
		for key, lp := range changes {
			if lp.Change != PackageRemoved && lp.Change != PackageTouched {
				lastWrite[key] = m
			}
			l.Packages = append(l.Packages, *lp)
		}
		sortPackages(l.Packages, func(p LayerPackage) (int64, string, string) { return p.SizeBytes, p.Name, p.Architecture })
	}
	for key, p := range state {
		pkg := Package{Manager: p.mgr, Name: p.rec.name, Version: p.rec.version, Architecture: p.rec.arch, Layer: lastWrite[key]}
		for _, n := range p.nodes {
			if k, _ := owner.get(n); k != key {
				continue
			}
			if ref, ok := res.Tree.Final(n); ok {
				if e := res.Layers[ref.Layer].Entries[ref.Index]; e.Kind == KindFile {
					pkg.SizeBytes += e.Size
					pkg.Files++
				}
			}
		}
		res.Packages = append(res.Packages, pkg)
	}
	sortPackages(res.Packages, func(p Package) (int64, string, string) { return p.SizeBytes, p.Name, p.Architecture })
	a.indexPackages(state, owner)
	return notes
}

// sortPackages orders by size, largest first, then by name.
func sortPackages[T any](ps []T, by func(T) (int64, string, string)) {
	slices.SortFunc(ps, func(a, b T) int {
		sa, na, aa := by(a)
		sb, nb, ab := by(b)
		if c := cmp.Compare(sb, sa); c != 0 {
			return c
		}
		if c := cmp.Compare(na, nb); c != 0 {
			return c
		}
		return cmp.Compare(aa, ab)
	})
}

// build reads the installed packages from the visible database files.
// A manager whose database was too big to read keeps its state from below.
func (a *attributor) build(visible map[string]visibleDB, below map[string]*pkgState) map[string]*pkgState {
	next := map[string]*pkgState{}
	frozen := map[string]bool{}
	lists := map[string]visibleDB{} // dpkg file lists by package ("name" or "name:arch")
	var rpm visibleDB               // the one rpm database read, see rpmPathRank
	for p, v := range visible {
		mgr := managerOf(p)
		if mgr == "rpm" {
			if rpm.f == nil || rpmPathRank(p) < rpmPathRank(rpm.f.path) {
				rpm = v
			}
			continue
		}
		if v.f.skipped > 0 || v.f.err != nil {
			frozen[mgr] = true
			continue
		}
		base := path.Base(p)
		switch {
		case mgr == "apk":
			for _, r := range v.f.recs {
				a.add(next, below, "apk", r, r.files, v.layer)
			}
		case strings.HasPrefix(p, "var/lib/dpkg/info/"):
			lists[strings.TrimSuffix(base, ".list")] = v
		case strings.HasSuffix(base, ".md5sums"):
			lists[strings.TrimSuffix(base, ".md5sums")] = v
		default: // status or a status.d file
			for _, r := range v.f.recs {
				a.add(next, below, "dpkg", r, nil, -1)
			}
		}
	}
	if rpm.f != nil {
		if rpm.f.skipped > 0 || rpm.f.err != nil {
			frozen["rpm"] = true
		}
		for _, r := range rpm.f.recs {
			a.add(next, below, "rpm", r, r.files, rpm.layer)
		}
	}
	for _, p := range next {
		if p.mgr != "dpkg" {
			continue
		}
		v, ok := lists[p.rec.name+":"+p.rec.arch]
		if !ok {
			v, ok = lists[p.rec.name]
		}
		if ok {
			p.paths, p.wrote = v.f.list, v.layer
		}
		if f := visible["var/lib/dpkg/status.d/"+p.rec.name]; f.f != nil && f.layer > p.wrote {
			p.wrote = f.layer
		}
	}
	for _, p := range below {
		if frozen[p.mgr] {
			kept := *p
			kept.frozen = true
			next[p.key] = &kept
		}
	}
	for key, p := range next {
		if old := below[key]; old != nil && slices.Equal(old.paths, p.paths) {
			p.nodes = old.nodes
		} else {
			p.nodes = a.resolve(p.paths)
		}
	}
	return next
}

// add puts one record into a state; the first record of a package wins.
func (a *attributor) add(next, below map[string]*pkgState, mgr string, r pkgRecord, paths []string, wrote int) {
	key := pkgKey(mgr, r.name, r.arch)
	if next[key] != nil {
		return
	}
	next[key] = &pkgState{key: key, mgr: mgr, rec: r, paths: paths, wrote: wrote}
}

// diff records what changed between the state below layer m and after it.
func (a *attributor) diff(below, next map[string]*pkgState, m int, changes map[string]*LayerPackage) {
	for key, p := range next {
		lp := &LayerPackage{Manager: p.mgr, Name: p.rec.name, Architecture: p.rec.arch, Version: p.rec.version}
		old := below[key]
		switch {
		case old == nil:
			lp.Change = PackageAdded
		case old.rec.version != p.rec.version:
			lp.Change, lp.PreviousVersion = PackageUpgraded, old.rec.version
		case p.mgr == "dpkg" && p.wrote == m && !p.frozen:
			lp.Change = PackageReinstalled
		default:
			continue // unchanged, unless the layer writes its files
		}
		changes[key] = lp
	}
	for key, p := range below {
		if next[key] == nil {
			changes[key] = &LayerPackage{Manager: p.mgr, Name: p.rec.name, Architecture: p.rec.arch, Version: p.rec.version, Change: PackageRemoved}
		}
	}
}

// reown updates which package owns each path from below to next. A path
// listed by several packages belongs to the first, by key, to claim it.
// Only packages whose lists changed are visited, unless a package let go
// of paths that another may claim.
func (a *attributor) reown(owner *ownerTable, below, next map[string]*pkgState) {
	released := false
	for key, p := range below {
		if n := next[key]; len(p.nodes) == 0 || (n != nil && sameNodes(n.nodes, p.nodes)) {
			continue // nothing owned, or the same list still
		}
		for _, id := range p.nodes {
			if owner.release(id, key) {
				released = true
			}
		}
	}
	keys := make([]string, 0, len(next))
	for key, p := range next {
		if old := below[key]; released || old == nil || !sameNodes(old.nodes, p.nodes) {
			keys = append(keys, key)
		}
	}
	slices.Sort(keys)
	for _, key := range keys {
		k := owner.id(key)
		for _, id := range next[key].nodes {
			owner.claim(id, k, a.res.Tree.Len())
		}
	}
}

// weigh attributes the layer's regular files to the packages that own
// them; what no package owns is unpackaged.
func (a *attributor) weigh(l *Layer, owner *ownerTable, state map[string]*pkgState, changes map[string]*LayerPackage) {
	// A package's files mostly come together in a tar: the last one's
	// record is kept at hand.
	lastKey, lastLP := "", (*LayerPackage)(nil)
	for _, e := range l.Entries {
		if e.Kind != KindFile || e.Change == ChangeRemoved {
			continue
		}
		key, ok := owner.get(e.Node)
		if ok && key == lastKey && lastLP != nil {
			lastLP.SizeBytes += e.Size
			lastLP.Files++
			l.PackagedBytes += e.Size
			continue
		}
		p := state[key]
		if !ok || p == nil {
			l.UnpackagedBytes += e.Size
			continue
		}
		lp := changes[key]
		lastKey, lastLP = key, lp
		if lp == nil {
			lp = &LayerPackage{Manager: p.mgr, Name: p.rec.name, Architecture: p.rec.arch, Version: p.rec.version, Change: PackageTouched}
			if p.mgr != "dpkg" && p.wrote == l.Index && !p.frozen {
				lp.Change = PackageReinstalled // apk and rpm rewrite their whole database: files and database together
			}
			changes[key] = lp
			lastLP = lp
		}
		lp.SizeBytes += e.Size
		lp.Files++
		l.PackagedBytes += e.Size
	}
}

// pkgKey names a package across layers: its manager, name and
// architecture (the version is what changes).
func pkgKey(mgr, name, arch string) string { return mgr + "\x00" + name + "\x00" + arch }
