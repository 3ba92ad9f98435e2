package analyze

import (
	"database/sql"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	rpmdb "github.com/knqyf263/go-rpmdb/pkg"
)

// The rpm boundary that is strata's: a package header blob, whatever it
// holds, goes through checkRpmHeader, the library's parser under recover,
// and rpmRecord, and comes out as records or one error; never a panic, a
// runaway allocation or a path that is not normalised. The databases'
// page formats are the library's, and not fuzzed here.

// rpmSQLiteWith returns an rpm SQLite database holding the one header.
func rpmSQLiteWith(tb testing.TB, blob []byte) []byte {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), "rpmdb.sqlite")
	db, err := sql.Open("sqlite", p)
	if err != nil {
		tb.Fatal(err)
	}
	for _, q := range []string{"CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)"} {
		if _, err := db.Exec(q); err != nil {
			tb.Fatal(err)
		}
	}
	if blob == nil {
		blob = []byte{} // a blob, empty: NULL is refused by rpm's schema
	}
	if _, err := db.Exec("INSERT INTO Packages (blob) VALUES (?)", blob); err != nil {
		tb.Fatal(err)
	}
	if err := db.Close(); err != nil {
		tb.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// rpmHeaderSeeds are headers to start from: counts alone, and a real
// package's header when go-rpmdb's test data is in the module cache.
func rpmHeaderSeeds() [][]byte {
	counts := func(il, dl uint32, n int) []byte {
		b := make([]byte, 8+n)
		binary.BigEndian.PutUint32(b, il)
		binary.BigEndian.PutUint32(b[4:], dl)
		return b
	}
	seeds := [][]byte{nil, counts(1, 0, 16), counts(2, 8, 40), counts(0x7fffffff, 16, 64), counts(1, 0xffffffff, 16)}
	if out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/knqyf263/go-rpmdb").Output(); err == nil {
		if b, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "pkg", "testdata", "blob.bin")); err == nil {
			seeds = append(seeds, b)
		}
	}
	return seeds
}

func FuzzRpmHeader(f *testing.F) {
	for _, s := range rpmHeaderSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, blob []byte) {
		recs, err := parseRpmDB("var/lib/rpm/rpmdb.sqlite", rpmSQLiteWith(t, blob))
		if err != nil {
			if recs != nil || !strings.HasPrefix(err.Error(), "reading rpm database: ") && !strings.HasPrefix(err.Error(), "malformed rpm database") {
				t.Fatalf("records %v with error %q", recs, err)
			}
			return
		}
		checkRpmRecords(t, recs)
	})
}

// checkRpmRecords asserts what every record holds: a name and version,
// and only normalised, non-empty paths.
func checkRpmRecords(t *testing.T, recs []pkgRecord) {
	t.Helper()
	for _, r := range recs {
		if r.name == "" || r.version == "" {
			t.Fatalf("record %+v without a name or version", r)
		}
		for _, p := range r.files {
			if n, err := normalize(p); err != nil || n != p || p == "" {
				t.Fatalf("%s: path %q is not normalised", r.name, p)
			}
		}
	}
}

// FuzzRpmRecord builds packages as the library may hand them over (its
// arrays of any lengths, directory indexes of any value) and checks what
// rpmRecord makes of them.
func FuzzRpmRecord(f *testing.F) {
	f.Add("bash", "5.1", "2.el9", "x86_64", int64(-1), "/usr/bin/\x00/etc/", "bash\x00bashrc", []byte{0, 0, 0, 0, 1, 0, 0, 0})
	f.Add("x", "1", "", "", int64(3), "", "a\x00b", []byte{255, 255, 255, 255})
	f.Add("y", "1", "1", "noarch", int64(0), "../../\x00/", "etc/passwd\x00..", []byte{0, 0, 0, 0, 1, 0, 0, 0, 9})
	f.Fuzz(func(t *testing.T, name, version, release, arch string, epoch int64, dirs, bases string, idx []byte) {
		p := &rpmdb.PackageInfo{Name: name, Version: version, Release: release, Arch: arch,
			DirNames: strings.Split(dirs, "\x00"), BaseNames: strings.Split(bases, "\x00")}
		if epoch >= 0 {
			e := int(epoch)
			p.Epoch = &e
		}
		for i := 0; i+4 <= len(idx); i += 4 {
			p.DirIndexes = append(p.DirIndexes, int32(binary.LittleEndian.Uint32(idx[i:])))
		}
		r, ok := rpmRecord(p)
		if ok != (name != "" && version != "") {
			t.Fatalf("rpmRecord ok=%v for name %q version %q", ok, name, version)
		}
		if !ok {
			return
		}
		if len(r.files) > min(len(p.BaseNames), len(p.DirIndexes)) {
			t.Fatalf("%d files from %d base names and %d indexes", len(r.files), len(p.BaseNames), len(p.DirIndexes))
		}
		if !strings.Contains(r.version, version) || (release != "" && !strings.HasSuffix(r.version, "-"+release)) {
			t.Fatalf("version %q from %q and release %q", r.version, version, release)
		}
		checkRpmRecords(t, []pkgRecord{r})
	})
}
