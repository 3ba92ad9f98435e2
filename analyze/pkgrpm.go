package analyze

import (
	"bytes"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	rpmdb "github.com/knqyf263/go-rpmdb/pkg"
	"github.com/knqyf263/go-rpmdb/pkg/bdb"
	dbi "github.com/knqyf263/go-rpmdb/pkg/db"
	"github.com/knqyf263/go-rpmdb/pkg/ndb"
	// go-rpmdb opens SQLite through database/sql by the driver name
	// "sqlite" without importing one: modernc's is pure Go, so the
	// release stays a static binary without cgo.
	_ "modernc.org/sqlite"
)

// rpm's database is read with go-rpmdb, a pure-Go reader of all three
// formats rpm has written: SQLite (rpm 4.16 on, Fedora 33+, RHEL 9),
// NDB (SUSE) and Berkeley DB (RHEL 8 and older, read without libdb).

// isRpmDB reports whether the normalised path p is an rpm database: in
// /var/lib/rpm or, on distributions that moved it, /usr/lib/sysimage/rpm
// (where /var/lib/rpm is then a symlink, so the tar holds that path).
func isRpmDB(p string) bool {
	base, ok := strings.CutPrefix(p, "var/lib/rpm/")
	if !ok {
		base, ok = strings.CutPrefix(p, "usr/lib/sysimage/rpm/")
	}
	return ok && (base == "rpmdb.sqlite" || base == "Packages" || base == "Packages.db")
}

// rpmPathRank orders rpm databases a layer stack may leave side by side
// (a base's Berkeley DB under an image rebuilt to SQLite): the newer
// format and location first, so that the choice does not depend on map
// order.
func rpmPathRank(p string) int {
	r := 0
	switch path.Base(p) {
	case "rpmdb.sqlite":
		r = 0
	case "Packages.db":
		r = 2
	default:
		r = 4
	}
	if path.Dir(p) != "usr/lib/sysimage/rpm" {
		r++
	}
	return r
}

// parseRpmDB reads an rpm database's bytes into records.
//
// go-rpmdb opens databases by path only (its SQLite driver opens a file,
// and the NDB and Berkeley DB readers seek in an *os.File), so the bytes
// go to a private temporary directory for the call and are removed after
// it; a directory rather than a file since SQLite may add its -wal and
// -shm files beside a WAL-mode database.
//
// The library can panic on a malformed header blob; that happens on this
// goroutine and is turned into an error here, so that a corrupt database
// costs its packages and one note, never the run. What it does not
// survive is checked first, by checkRpmBlobs.
func parseRpmDB(name string, data []byte) (recs []pkgRecord, err error) {
	dir, err := os.MkdirTemp("", "strata-rpmdb-")
	if err != nil {
		return nil, fmt.Errorf("staging rpm database: %w", err)
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, path.Base(name))
	if err := os.WriteFile(file, data, 0o600); err != nil {
		return nil, fmt.Errorf("staging rpm database: %w", err)
	}
	defer func() {
		if r := recover(); r != nil {
			recs, err = nil, fmt.Errorf("malformed rpm database (reader failed: %v)", r)
		}
	}()
	if err := checkRpmBlobs(file, data); err != nil {
		return nil, err
	}
	db, err := rpmdb.Open(file)
	if err != nil {
		return nil, fmt.Errorf("opening rpm database: %w", err)
	}
	defer db.Close()
	pkgs, err := db.ListPackages()
	if err != nil {
		return nil, fmt.Errorf("reading rpm database: %w", err)
	}
	for _, p := range pkgs {
		if r, ok := rpmRecord(p); ok {
			recs = append(recs, r)
		}
	}
	return recs, nil
}

// rpmRecord turns one package of the database into a record: version is
// rpm's [epoch:]version-release, and files are the owned paths rebuilt
// from BaseNames and their DirIndexes into DirNames. A package without a
// name or version is none; a file whose directory index is out of range
// is left out rather than trusted.
func rpmRecord(p *rpmdb.PackageInfo) (pkgRecord, bool) {
	if p == nil || p.Name == "" || p.Version == "" {
		return pkgRecord{}, false
	}
	v := p.Version
	if p.Release != "" {
		v += "-" + p.Release
	}
	if p.Epoch != nil { // as rpm shows EVR: an epoch set, even 0, is part of it
		v = strconv.Itoa(*p.Epoch) + ":" + v
	}
	r := pkgRecord{name: p.Name, version: v, arch: p.Arch}
	if p.Size > 0 {
		r.installedSize = int64(p.Size)
	}
	for i, base := range p.BaseNames {
		if i >= len(p.DirIndexes) {
			break
		}
		d := int(p.DirIndexes[i])
		if d < 0 || d >= len(p.DirNames) || base == "" {
			continue
		}
		if n, err := normalize(path.Join(p.DirNames[d], base)); err == nil && n != "" {
			r.files = append(r.files, n)
		}
	}
	return r, true
}

const sqliteMagic = "SQLite format 3\x00"

// checkRpmBlobs reads every package header of an rpm database before
// go-rpmdb lists them, for what its listing does not survive:
//   - it sizes a header's index from the header's own count before
//     checking that against the blob, so one crafted header asks for
//     tens of GB and the runtime dies of it, which no recover catches;
//   - its readers send through a goroutine of their own, and a listing
//     that stops at an error leaves that goroutine blocked for good
//     (its SQLite reader also sends a second error after a failed query
//     or scan, and does not check rows.Err, so a damaged page would end
//     the list early, silently).
//
// Here each reader's channel is drained to the end and each header's
// counts checked against its length; a database that passes gives the
// listing neither. The Berkeley DB page reader runs in its goroutine, out
// of recover's reach, where a crafted Packages makes it index out of a
// page (a crash) or follow an overflow chain that loops (a hang), so its
// pages are bounds-checked first, by checkBDBPages, as NDB's slots are by
// checkNDBSlots. What remains is a header the library's parser itself
// refuses before the last one, which leaves one goroutine blocked for the
// rest of the process.
func checkRpmBlobs(file string, data []byte) error {
	if bytes.HasPrefix(data, []byte(sqliteMagic)) {
		return checkRpmSQLite(file)
	}
	var src interface {
		Read() <-chan dbi.Entry
		Close() error
	}
	if n, err := ndb.Open(file); err == nil {
		if err := checkNDBSlots(data); err != nil {
			n.Close()
			return err
		}
		src = n
	} else if !errors.Is(err, ndb.ErrorInvalidNDB) {
		return fmt.Errorf("opening rpm database: %w", err)
	} else if b, err := bdb.Open(file); err == nil {
		if err := checkBDBPages(data); err != nil {
			b.Close()
			return fmt.Errorf("reading rpm database: Berkeley DB %w", err)
		}
		src = b
	} else {
		return fmt.Errorf("opening rpm database: %w", err)
	}
	defer src.Close()
	var first error
	for e := range src.Read() { // to the end, whatever it says
		if first == nil {
			if e.Err != nil {
				first = fmt.Errorf("reading rpm database: %w", e.Err)
			} else {
				first = checkRpmHeader(e.Value)
			}
		}
	}
	return first
}

// NDB's layout, as far as checkNDBSlots reads it: a 32-byte header whose
// fourth word counts 4 KiB pages of 16-byte slots (the header taking the
// first two), each slot starting with its magic and giving its blob's
// offset in 16-byte blocks; a blob starts with a 16-byte header whose
// last word is its length.
const (
	ndbSlotMagic = 'S' | 'l'<<8 | 'o'<<16 | 't'<<24
	ndbBlobMagic = 'B' | 'l'<<8 | 'b'<<16 | 'S'<<24
)

// checkNDBSlots checks what go-rpmdb's NDB reader trusts: it prints a
// line to standard output (which would corrupt --json) on a slot without
// its magic, and allocates whatever length a blob's header claims, up to
// 4 GiB. ndb.Open has checked the header and that the slots are there.
func checkNDBSlots(data []byte) error {
	pages := int(binary.LittleEndian.Uint32(data[12:]))
	for i := range pages*4096/16 - 2 {
		slot := data[32+16*i:]
		if binary.LittleEndian.Uint32(slot) != ndbSlotMagic {
			return fmt.Errorf("reading rpm database: NDB slot %d has no slot magic", i)
		}
		if binary.LittleEndian.Uint32(slot[4:]) == 0 {
			continue // a free slot
		}
		off := int64(binary.LittleEndian.Uint32(slot[8:])) * 16
		if off+16 > int64(len(data)) || binary.LittleEndian.Uint32(data[off:]) != ndbBlobMagic ||
			off+16+int64(binary.LittleEndian.Uint32(data[off+12:])) > int64(len(data)) {
			return fmt.Errorf("reading rpm database: NDB slot %d points past the file or at no blob", i)
		}
	}
	return nil
}

// checkRpmHeader checks that a header blob holds what its counts say: the
// index entries (16 bytes each) and data length after the two counts.
func checkRpmHeader(b []byte) error {
	if len(b) < 8 {
		return fmt.Errorf("reading rpm database: a package header of %d bytes", len(b))
	}
	il, dl := int64(binary.BigEndian.Uint32(b)), int64(binary.BigEndian.Uint32(b[4:]))
	if il < 1 || 8+16*il+dl > int64(len(b)) {
		return fmt.Errorf("reading rpm database: a package header of %d bytes claims %d index entries and %d data bytes", len(b), il, dl)
	}
	return nil
}

// checkRpmSQLite does for rpm's SQLite database what checkRpmBlobs says.
func checkRpmSQLite(file string) (err error) {
	db, err := sql.Open("sqlite", file)
	if err != nil {
		return fmt.Errorf("opening rpm database: %w", err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT blob FROM Packages")
	if err != nil {
		return fmt.Errorf("reading rpm database: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var blob string // as go-rpmdb scans it: NULL fails here, not there
		if err := rows.Scan(&blob); err != nil {
			return fmt.Errorf("reading rpm database: %w", err)
		}
		if err := checkRpmHeader([]byte(blob)); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading rpm database: %w", err)
	}
	return nil
}
