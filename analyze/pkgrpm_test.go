package analyze

import (
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	rpmdb "github.com/knqyf263/go-rpmdb/pkg"
)

// rpmTestdata returns a database from go-rpmdb's own test data in the
// module cache (real images' databases in all three formats; Debian's rpm
// writes SQLite only), or skips when the module's source is not there.
func rpmTestdata(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := rpmTestdataFile(rel)
	if err != nil {
		t.Skipf("%v; skipping", err)
	}
	return b
}

// rpmTestdataFile is rpmTestdata's file, or why it is not there.
func rpmTestdataFile(rel string) ([]byte, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/knqyf263/go-rpmdb").Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		return nil, fmt.Errorf("go-rpmdb's source not found with go list (%v)", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "pkg", "testdata", rel))
	if err != nil {
		return nil, fmt.Errorf("go-rpmdb's test data: %w", err)
	}
	return b, nil
}

// rpmQuery lists "name evr arch" and the owned paths of every package in
// the database at dir as rpm itself reads it, or reports false when rpm
// cannot (it is not installed, or has no reader for the format).
func rpmQuery(t *testing.T, dir, backend string) (map[string][]string, bool) {
	if _, err := exec.LookPath("rpm"); err != nil {
		return nil, false
	}
	out, err := exec.Command("rpm", "--dbpath", dir, "--define", "_db_backend "+backend, "-qa",
		"--qf", "[%{=NAME} %{=EVR} %{=ARCH}\t%{FILENAMES}\n]%|BASENAMES?{}:{%{NAME} %{EVR} %{ARCH}\t\n}|").Output()
	if err != nil || len(out) == 0 {
		return nil, false
	}
	pkgs := map[string][]string{}
	for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		id, file, _ := strings.Cut(line, "\t")
		if noArch, ok := strings.CutSuffix(id, " (none)"); ok {
			id = noArch + " " // rpm's word for a tag not set, which records leave empty
		}
		if _, ok := pkgs[id]; !ok {
			pkgs[id] = nil
		}
		if n, err := normalize(file); err == nil && n != "" {
			pkgs[id] = append(pkgs[id], n)
		}
	}
	return pkgs, true
}

// Real databases of every format read into records: what rpm itself
// lists, where this machine's rpm reads the format; otherwise what
// go-rpmdb's own listing holds, carried through whole.
func TestParseRpmDBFormats(t *testing.T) {
	for _, tc := range []struct{ rel, backend string }{
		{"cbl-mariner-2.0/rpmdb.sqlite", "sqlite"},
		{"centos5-plain/Packages", "bdb_ro"},
		{"centos7-many/Packages", "bdb_ro"}, // 33 MB: over dpkg's bound, within rpm's
		{"sle15-bci/Packages.db", "ndb"},
	} {
		t.Run(tc.rel, func(t *testing.T) {
			data := rpmTestdata(t, tc.rel)
			if int64(len(data)) > maxDBBytes("var/lib/rpm/"+filepath.Base(tc.rel)) {
				t.Fatalf("%d bytes: over the bound a real database must fit", len(data))
			}
			recs, err := parseRpmDB(tc.rel, data)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][]string{}
			for _, r := range recs {
				got[r.name+" "+r.version+" "+r.arch] = slices.Clone(r.files)
			}
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, filepath.Base(tc.rel)), data, 0o600)
			want, ok := rpmQuery(t, dir, tc.backend)
			if !ok {
				want = libraryListing(t, filepath.Join(dir, filepath.Base(tc.rel)))
			}
			if len(got) < 20 || len(got) != len(want) {
				t.Fatalf("%d packages, want %d (and a real image's twenty or more)", len(got), len(want))
			}
			for id, files := range want {
				g, ok := got[id]
				slices.Sort(g)
				slices.Sort(files)
				if !ok || !slices.Equal(g, files) {
					t.Errorf("%s: %d files, want %d (found: %v)", id, len(g), len(files), ok)
				}
			}
		})
	}
}

// libraryListing is what go-rpmdb lists, as "name [epoch:]version-release
// arch" and paths, for formats rpm here cannot read.
func libraryListing(t *testing.T, file string) map[string][]string {
	db, err := rpmdb.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	pkgs, err := db.ListPackages()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, p := range pkgs {
		evr := p.Version + "-" + p.Release
		if p.Epoch != nil {
			evr = strconv.Itoa(*p.Epoch) + ":" + evr
		}
		names, err := p.InstalledFileNames()
		if err != nil {
			t.Fatal(err)
		}
		var files []string
		for _, n := range names {
			if c, err := normalize(n); err == nil && c != "" {
				files = append(files, c)
			}
		}
		out[p.Name+" "+evr+" "+p.Arch] = files
	}
	return out
}

// A damaged NDB is refused before go-rpmdb's reader, which would print to
// standard output on a bad slot and allocate what a blob header claims.
func TestParseRpmDBDamagedNDB(t *testing.T) {
	good := rpmTestdata(t, "sle15-bci/Packages.db")
	firstUsed := -1
	for i := 0; 32+16*i+16 <= len(good); i++ {
		if binary.LittleEndian.Uint32(good[32+16*i+4:]) != 0 {
			firstUsed = i
			break
		}
	}
	if firstUsed < 0 {
		t.Fatal("no used slot")
	}
	slot := 32 + 16*firstUsed
	blob := int(binary.LittleEndian.Uint32(good[slot+8:])) * 16
	for name, tc := range map[string]struct {
		at   int
		word uint32
		want string
	}{
		"slot magic":      {slot, 0xdeadbeef, "NDB slot " + strconv.Itoa(firstUsed) + " has no slot magic"},
		"blob offset":     {slot + 8, 0x7fffffff, "points past the file or at no blob"},
		"blob length 4GB": {blob + 12, 0xffffffff, "points past the file or at no blob"},
	} {
		t.Run(name, func(t *testing.T) {
			b := slices.Clone(good)
			binary.LittleEndian.PutUint32(b[tc.at:], tc.word)
			recs, err := parseRpmDB("usr/lib/sysimage/rpm/Packages.db", b)
			if err == nil || !strings.Contains(err.Error(), tc.want) || recs != nil {
				t.Errorf("records %d, error %v; want none and %q", len(recs), err, tc.want)
			}
		})
	}
}
