package analyze

// Layer records keep the package database files each layer wrote, as
// read, so that a run from layer records attributes packages as a cold one
// does; image records keep the attribution itself, which depends on the
// whole stack, so that reopening an image does no package work at all.

// writeDBFiles appends a layer's database files to a record.
func writeDBFiles(rw *recordWriter, files []dbFile) {
	rw.uv(uint64(len(files)))
	for _, f := range files {
		rw.uv(uint64(f.entry))
		rw.str(f.path)
		rw.uv(uint64(f.skipped))
		rw.str(string(f.data))
	}
}

// fieldReader is what readDBFiles needs of a record's decoder.
type fieldReader interface {
	uv() uint64
	str() string
}

// readDBFiles reads what writeDBFiles wrote for a layer whose entries are
// es, and reports false for anything scanLayer would not have kept: a
// path that is no database, an entry that is not that file, content over
// the bounds or not of the entry's size.
func readDBFiles(d fieldReader, es []Entry, left uint64) ([]dbFile, bool) {
	n := d.uv()
	if n > left {
		return nil, false
	}
	var files []dbFile
	var total int64
	for range n {
		entry := d.uv()
		p := d.str()
		skipped := d.uv()
		data := d.str()
		if entry >= uint64(len(es)) || !isPackageDB(p) || skipped > maxLayerBytes {
			return nil, false
		}
		e := es[entry]
		if e.Kind != KindFile || e.Change == ChangeRemoved ||
			(skipped == 0 && int64(len(data)) != e.Size) || (skipped > 0 && len(data) != 0) {
			return nil, false
		}
		total += int64(len(data))
		if total > maxDBLayerBytes {
			return nil, false
		}
		var b []byte
		if data != "" {
			b = []byte(data)
		}
		files = append(files, dbFile{entry: int(entry), path: p, data: b, skipped: int64(skipped)})
	}
	return files, true
}

// imagePackages is what an image record holds of packages.
type imagePackages struct {
	image []Package
	notes []string
	owner []int32 // Result.pkgOf
}

// writePackages appends the packages of res and the notes on them.
func writePackages(rw *recordWriter, res *Result, notes []string) {
	for _, l := range res.Layers {
		rw.uv(uint64(l.PackagedBytes))
		rw.uv(uint64(l.UnpackagedBytes))
		rw.uv(uint64(len(l.Packages)))
		for _, p := range l.Packages {
			for _, s := range []string{p.Manager, p.Name, p.Architecture, p.Version, p.PreviousVersion} {
				rw.str(s)
			}
			rw.uv(uint64(p.Change))
			rw.uv(uint64(p.SizeBytes))
			rw.uv(uint64(p.Files))
		}
	}
	rw.uv(uint64(len(res.Packages)))
	for _, p := range res.Packages {
		for _, s := range []string{p.Manager, p.Name, p.Version, p.Architecture} {
			rw.str(s)
		}
		rw.uv(uint64(p.SizeBytes))
		rw.uv(uint64(p.Files))
		rw.uv(uint64(p.Layer))
	}
	rw.uv(uint64(len(notes)))
	for _, n := range notes {
		rw.str(n)
	}
	// Who owns what: whether there is a database at all, then each
	// package's nodes as ascending gaps, a byte or two each.
	if !res.HasPackageDB() {
		rw.uv(0)
		return
	}
	rw.uv(1)
	for _, ids := range res.packageLists() {
		rw.uv(uint64(len(ids)))
		prev := NodeID(0)
		for _, id := range ids {
			rw.uv(uint64(id - prev))
			prev = id
		}
	}
}

// readPackages reads what writePackages wrote into layers, refusing
// counts the record cannot hold and values no attribution makes.
func readPackages(d *recordReader, layers []Layer, nodes uint64) (imagePackages, bool) {
	var out imagePackages
	count := func() (uint64, bool) {
		n := d.uv()
		return n, d.err == nil && n <= d.left
	}
	for i := range layers {
		l := &layers[i]
		l.PackagedBytes, l.UnpackagedBytes = int64(d.uv()), int64(d.uv())
		n, ok := count()
		if !ok || l.PackagedBytes < 0 || l.UnpackagedBytes < 0 || l.PackagedBytes > maxLayerBytes || l.UnpackagedBytes > maxLayerBytes {
			return out, false
		}
		for range n {
			p := LayerPackage{Manager: d.str(), Name: d.str(), Architecture: d.str(), Version: d.str(), PreviousVersion: d.str()}
			p.Change = PackageChange(d.uv())
			p.SizeBytes, p.Files = int64(d.uv()), int(d.uv())
			if d.err != nil || p.Change > PackageTouched || p.SizeBytes < 0 || p.SizeBytes > maxLayerBytes || p.Files < 0 || p.Files > len(l.Entries) {
				return out, false
			}
			l.Packages = append(l.Packages, p)
		}
	}
	n, ok := count()
	if !ok {
		return out, false
	}
	for range n {
		p := Package{Manager: d.str(), Name: d.str(), Version: d.str(), Architecture: d.str()}
		p.SizeBytes, p.Files, p.Layer = int64(d.uv()), int(d.uv()), int(d.uv())
		if d.err != nil || p.SizeBytes < 0 || p.Files < 0 || p.Layer < 0 || p.Layer >= len(layers) {
			return out, false
		}
		out.image = append(out.image, p)
	}
	if n, ok = count(); !ok {
		return out, false
	}
	for range n {
		out.notes = append(out.notes, d.str())
	}
	switch d.uv() {
	case 0:
	case 1:
		if out.owner, ok = readOwners(d, len(out.image), nodes); !ok {
			return out, false
		}
	default:
		return out, false
	}
	return out, d.err == nil
}

// readOwners reads the owned nodes of each of n packages into a table
// over the Tree's nodes, refusing a node out of range, given twice or
// claimed by two packages (the root, a directory, is never owned).
func readOwners(d *recordReader, n int, nodes uint64) ([]int32, bool) {
	owner := make([]int32, nodes)
	for i := range n {
		c := d.uv()
		if d.err != nil || c > nodes || c > d.left {
			return nil, false
		}
		id := uint64(0)
		for range c {
			gap := d.uv()
			id += gap
			if d.err != nil || gap == 0 || id >= nodes || owner[id] != 0 {
				return nil, false
			}
			owner[id] = int32(i + 1)
		}
	}
	return owner, true
}
