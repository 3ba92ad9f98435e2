package analyze

// Cache records keep the package database files each layer wrote, as
// read, so that a warm run attributes packages as a cold one does.

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
