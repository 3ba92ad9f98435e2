package analyze

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
)

// Package databases are small files in the stream a layer is read from
// anyway: their content is kept as the walk passes them, so that packages
// cost no second read of any layer. Nothing else's content is held.

// dbFile is one package database file a layer writes.
type dbFile struct {
	// entry indexes the layer's entries (tar order), so that the merge's
	// verdict on whether it stays visible applies to it.
	entry int
	path  string
	data  []byte
	// skipped, when set, is the file's size: over the bounds below, its
	// content was not kept.
	skipped int64
	// recs or list is what parse makes of data; err says why it could
	// not (rpm's databases, read by a library, can be refused whole).
	recs []pkgRecord
	list []string
	err  error
}

// parse reads the file as what its path says it is.
func (f *dbFile) parse() {
	switch {
	case f.skipped > 0:
	case isRpmDB(f.path):
		f.recs, f.err = parseRpmDB(f.path, f.data)
	case f.path == "lib/apk/db/installed":
		f.recs = parseApkInstalled(f.data)
	case strings.HasPrefix(f.path, "var/lib/dpkg/info/"):
		f.list = parseDpkgList(f.data)
	case strings.HasSuffix(f.path, ".md5sums"):
		f.list = parseMd5sums(f.data)
	default: // status or a status.d stanza
		f.recs = parseDpkgStatus(f.data)
	}
}

// parseAll parses every file, on every core: the merge is done, the
// layer readers with it, and what follows runs on one goroutine.
func parseAll(dbs [][]dbFile) {
	work := make(chan *dbFile)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for f := range work {
				f.parse()
			}
		})
	}
	for i := range dbs {
		for j := range dbs[i] {
			work <- &dbs[i][j]
		}
	}
	close(work)
	wg.Wait()
}

// The bounds on what one layer keeps: a dpkg status file of a large
// distribution image is a few MB, and .list files a few KB each. rpm's
// database holds every package's header (file digests, changelog
// excerpts and all), tens of MB on a full RHEL install, so it may take a
// layer's whole budget.
const (
	maxDBFileBytes    = 16 << 20
	maxRpmDBFileBytes = 64 << 20
	maxDBLayerBytes   = 64 << 20
)

// maxDBBytes is the bound on the one database file p.
func maxDBBytes(p string) int64 {
	if isRpmDB(p) {
		return maxRpmDBFileBytes
	}
	return maxDBFileBytes
}

// maybePackageDB is the check every entry pays, small enough to inline:
// only paths under var/, lib/ or usr/lib/sysimage/ can be databases.
func maybePackageDB(p string) bool {
	return len(p) >= 14 && (p[0] == 'v' || p[0] == 'l' || (p[0] == 'u' && len(p) > 17 && p[8] == 's' && p[4] == 'l'))
}

// isPackageDB reports whether the normalised path p is a package database
// file that attribution reads.
func isPackageDB(p string) bool {
	if !maybePackageDB(p) {
		return false
	}
	if p == "var/lib/dpkg/status" || p == "lib/apk/db/installed" || isRpmDB(p) {
		return true
	}
	if rest, ok := strings.CutPrefix(p, "var/lib/dpkg/status.d/"); ok {
		return rest != "" && !strings.Contains(rest, "/")
	}
	if rest, ok := strings.CutPrefix(p, "var/lib/dpkg/info/"); ok {
		return len(rest) > len(".list") && strings.HasSuffix(rest, ".list") && !strings.Contains(rest, "/")
	}
	return false
}

// capturePackageDB keeps the content of the entry just added when it is a
// package database file at path p, read from content. It returns what the
// rest of the walk reads the entry's content from: content itself, or the
// kept bytes when they were taken from it.
func (s *layerScan) capturePackageDB(p string, content io.Reader) (io.Reader, error) {
	last := s.pending[len(s.pending)-1]
	e := last[len(last)-1]
	if e.Kind != KindFile || !isPackageDB(p) {
		return content, nil
	}
	f := dbFile{entry: s.count - 1, path: p}
	if e.Size > maxDBBytes(p) || s.dbBytes+e.Size > maxDBLayerBytes {
		f.skipped = max(e.Size, 1)
		s.pkgdb = append(s.pkgdb, f)
		return content, nil
	}
	f.data = make([]byte, e.Size)
	if _, err := io.ReadFull(content, f.data); err != nil {
		return nil, fmt.Errorf("reading package database %s: %w", p, err)
	}
	s.dbBytes += e.Size
	s.pkgdb = append(s.pkgdb, f)
	return bytes.NewReader(f.data), nil
}

// managerOf names the package manager whose database p is.
func managerOf(p string) string {
	switch {
	case p == "lib/apk/db/installed":
		return "apk"
	case isRpmDB(p):
		return "rpm"
	}
	return "dpkg"
}

// errNote says why a database that was kept could not be read.
func (f dbFile) errNote(layer int) string {
	return fmt.Sprintf("layer %d: package database %s not read: %v; its packages are left out", layer, f.path, f.err)
}

// skippedNote says why a package database was left out.
func (f dbFile) skippedNote(layer int) string {
	return fmt.Sprintf("layer %d: package database %s (%d bytes) is over strata's bounds (%d MiB a file, 64 MiB a layer), not read: its packages are left out",
		layer, f.path, f.skipped, maxDBBytes(f.path)>>20)
}
