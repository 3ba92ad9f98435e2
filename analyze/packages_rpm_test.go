package analyze_test

import (
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/internal/debtest"
	it "github.com/strata-cli/strata/internal/imagetest"
	"github.com/strata-cli/strata/internal/rpmtest"
	_ "modernc.org/sqlite" // for rewriteRpmSQLite; analyze reads rpm's databases through it too
)

// The packages of the rpm fixture: a base of alpha and beta; then beta
// upgraded (a file grown, one added), gamma (with an epoch) installed and
// alpha erased.
var (
	rpmAlpha = rpmtest.Pkg{Name: "alpha", Version: "1.0", Release: "1",
		Files: map[string]int64{"usr/share/alpha/data": 1234, "usr/bin/alpha": 300}, Dirs: []string{"usr/share/alpha"}}
	rpmBeta = rpmtest.Pkg{Name: "beta", Version: "2.0", Release: "1",
		Files: map[string]int64{"usr/share/beta/a": 500}}
	rpmBeta2 = rpmtest.Pkg{Name: "beta", Version: "2.1", Release: "1",
		Files: map[string]int64{"usr/share/beta/a": 700, "usr/share/beta/b": 80}}
	rpmGamma = rpmtest.Pkg{Name: "gamma", Version: "1.0", Release: "3", Epoch: 2,
		Files: map[string]int64{"usr/lib/gamma/g.so": 4096}}
)

// rpmLayers are the layers of the rpm fixture, each the root's change
// as rpm made it.
type rpmLayers struct {
	base, step, reinstall []it.Entry
	root                  string // as after reinstall
}

// rpmFixture installs the fixture's packages with rpm itself, in the
// database backend it writes by default: alpha and beta; then beta
// upgraded, gamma installed, alpha erased; then gamma reinstalled.
func rpmFixture(t *testing.T) rpmLayers {
	rpmtest.Require(t)
	dir := t.TempDir()
	l := rpmLayers{root: filepath.Join(dir, "root")}
	files := map[string]string{}
	for _, p := range []rpmtest.Pkg{rpmAlpha, rpmBeta, rpmBeta2, rpmGamma} {
		files[p.Name+" "+p.Version] = rpmtest.Build(t, dir, p)
	}
	rpmtest.Rpm(t, l.root, nil, "-i", files["alpha 1.0"], files["beta 2.0"])
	l.base = debtest.Rootfs(t, l.root)
	rpmtest.Rpm(t, l.root, nil, "-U", files["beta 2.1"])
	rpmtest.Rpm(t, l.root, nil, "-i", files["gamma 1.0"])
	rpmtest.Rpm(t, l.root, nil, "-e", "alpha")
	if got, want := rpmtest.Installed(t, l.root), []string{"beta " + rpmBeta2.EVR(), "gamma " + rpmGamma.EVR()}; !slices.Equal(got, want) {
		t.Fatalf("rpm says %q are installed, want %q", got, want)
	}
	stepped := debtest.Rootfs(t, l.root)
	l.step = rpmtest.Diff(l.base, stepped)
	rpmtest.Rpm(t, l.root, nil, "-U", "--replacepkgs", files["gamma 1.0"])
	l.reinstall = rpmtest.Diff(stepped, debtest.Rootfs(t, l.root), rpmGamma.Paths()...)
	return l
}

func rpmRow(change string, p rpmtest.Pkg, from string) string {
	v := p.EVR()
	if from != "" {
		v = from + "->" + v
	}
	size := p.Bytes()
	if change == "removed" {
		size = 0
	}
	files := len(p.Files)
	if change == "removed" {
		files = 0
	}
	return fmt.Sprintf("%s %s %s %d/%d", change, p.Name, v, size, files)
}

// Packages rpm installed, upgraded and erased, read from the database rpm
// wrote: each package's bytes in a layer are exactly its files there.
func TestRpmPackagesPerLayer(t *testing.T) {
	l := rpmFixture(t)
	db, err := os.ReadFile(filepath.Join(l.root, "var/lib/rpm/rpmdb.sqlite"))
	if err != nil {
		t.Fatalf("rpm wrote no SQLite database (backend %s?): %v", rpmBackend(), err)
	}
	if !strings.HasPrefix(string(db), "SQLite format 3\x00") {
		t.Fatalf("var/lib/rpm/rpmdb.sqlite is not SQLite")
	}
	res := run(t, build(t, it.Gzip, l.base, l.step, l.reinstall))
	checkPackageSums(t, res)
	want := [][]string{
		{rpmRow("added", rpmAlpha, ""), rpmRow("added", rpmBeta, "")},
		{rpmRow("added", rpmGamma, ""), rpmRow("upgraded", rpmBeta2, rpmBeta.EVR()), rpmRow("removed", rpmAlpha, "")},
		{rpmRow("reinstalled", rpmGamma, "")},
	}
	for i, l := range res.Layers {
		if got := describePackages(l.Packages); !slices.Equal(got, want[i]) {
			t.Errorf("layer %d packages\n got %q\nwant %q", i, got, want[i])
		}
		for _, p := range l.Packages {
			if p.Manager != "rpm" || p.Architecture != "noarch" {
				t.Errorf("layer %d: %s is %s/%s, want rpm/noarch", i, p.Name, p.Manager, p.Architecture)
			}
		}
	}
	if got, want := res.Layers[1].PackagedBytes, rpmGamma.Bytes()+rpmBeta2.Bytes(); got != want {
		t.Errorf("layer 1 packaged %d bytes, want gamma's and beta's files, %d", got, want)
	}
	var got []string
	for _, p := range res.Packages {
		got = append(got, fmt.Sprintf("%s %s %s %d/%d layer %d", p.Manager, p.Name, p.Version, p.SizeBytes, p.Files, p.Layer))
	}
	if want := []string{
		fmt.Sprintf("rpm gamma %s %d/1 layer 2", rpmGamma.EVR(), rpmGamma.Bytes()),
		fmt.Sprintf("rpm beta %s %d/2 layer 1", rpmBeta2.EVR(), rpmBeta2.Bytes()),
	}; !slices.Equal(got, want) {
		t.Errorf("image packages\n got %q\nwant %q", got, want)
	}
	if len(res.Notes) != 0 {
		t.Errorf("notes %q, want none", res.Notes)
	}
}

// rpmBackend is the database backend this machine's rpm writes by default.
func rpmBackend() string {
	out, _ := exec.Command("rpm", "--eval", "%{_db_backend}").Output()
	return strings.TrimSpace(string(out))
}

// A database the reader refuses costs its packages and one note naming
// the layer and the file, never the run.
func TestRpmCorruptDatabase(t *testing.T) {
	l := rpmFixture(t)
	base := l.base
	db, err := os.ReadFile(filepath.Join(l.root, "var/lib/rpm/rpmdb.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	corrupt := map[string][]byte{
		"SQLite pages overwritten": append(db[:100:100], make([]byte, len(db)-100)...),
		"SQLite cut short":         db[:len(db)/3],
		// The last package's header, so that the library's own refusal
		// ends its listing with nothing left to send (see checkRpmSQLite).
		"header cut short": rewriteRpmSQLite(t, db, "UPDATE Packages SET blob = substr(blob, 1, 40) WHERE hnum = (SELECT max(hnum) FROM Packages)"),
		"header random":    rewriteRpmSQLite(t, db, "UPDATE Packages SET blob = randomblob(300) WHERE hnum = (SELECT max(hnum) FROM Packages)"),
		// Counts that would have the library allocate 32 GiB.
		"header index wrong": rewriteRpmSQLite(t, db, "UPDATE Packages SET blob = x'7fffffff00000010' || substr(blob, 9) WHERE hnum = (SELECT max(hnum) FROM Packages)"),
		// Counts that hold, a region tag that is none: the library's refusal.
		"header region wrong": rewriteRpmSQLite(t, db, "UPDATE Packages SET blob = x'0000000100000000' || zeroblob(16) WHERE hnum = (SELECT max(hnum) FROM Packages)"),
	}
	for name, b := range corrupt {
		t.Run(name, func(t *testing.T) {
			layer := slices.DeleteFunc(slices.Clone(base), func(e it.Entry) bool { return e.Name == "var/lib/rpm/rpmdb.sqlite" })
			layer = append(layer, it.File("var/lib/rpm/rpmdb.sqlite", string(b)))
			res := run(t, build(t, it.Gzip, layer))
			checkRpmNote(t, res, "layer 0: package database var/lib/rpm/rpmdb.sqlite not read")
		})
	}
}

// rewriteRpmSQLite returns a copy of an rpm SQLite database changed by
// the statement.
func rewriteRpmSQLite(t *testing.T, db []byte, stmt string) []byte {
	t.Helper()
	p := filepath.Join(t.TempDir(), "rpmdb.sqlite")
	if err := os.WriteFile(p, db, 0o600); err != nil {
		t.Fatal(err)
	}
	h, err := sql.Open("sqlite", p)
	if err != nil {
		t.Fatal(err)
	}
	// Out of WAL mode, so that the change is in the one file on close.
	for _, q := range []string{"PRAGMA journal_mode=DELETE", stmt} {
		if _, err := h.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkRpmNote asserts one note starting with want, and no packages.
func checkRpmNote(t *testing.T, res *analyze.Result, want string) {
	t.Helper()
	t.Logf("notes: %q", res.Notes)
	if len(res.Notes) != 1 || !strings.HasPrefix(res.Notes[0], want) {
		t.Errorf("notes %q, want one starting %q", res.Notes, want)
	}
	if len(res.Packages) != 0 || len(res.Layers[0].Packages) != 0 {
		t.Errorf("packages %+v, want none from a database not read", res.Packages)
	}
	checkPackageSums(t, res)
}

// Bytes that are no database at all, at each path rpm uses, whatever the
// format the name suggests: one note each, without rpm installed.
func TestRpmGarbageDatabase(t *testing.T) {
	for _, p := range []string{"var/lib/rpm/Packages", "var/lib/rpm/Packages.db", "usr/lib/sysimage/rpm/rpmdb.sqlite",
		"usr/lib/sysimage/rpm/Packages"} {
		for name, body := range map[string]string{"text": strings.Repeat("not a database\n", 100), "empty": "", "SQLite magic only": "SQLite format 3\x00"} {
			t.Run(p+"/"+name, func(t *testing.T) {
				res := run(t, build(t, it.Gzip, []it.Entry{it.File(p, body), it.SizedFile("usr/bin/x", 10)}))
				checkRpmNote(t, res, "layer 0: package database "+p+" not read")
			})
		}
	}
}

// rpmFrozenFixture is the base of rpmFixture, then a layer whose database
// cannot be read and that rewrites one of beta's files.
func rpmFrozenFixture(t *testing.T) v1.Image {
	return build(t, it.Gzip, rpmFixture(t).base, []it.Entry{it.File("var/lib/rpm/rpmdb.sqlite", "damaged"), it.SizedFile("usr/share/beta/a", 510)})
}

// A database that cannot be read keeps the packages from below, as one
// over the bound does, and says so once.
func TestRpmUnreadableKeepsState(t *testing.T) {
	res := run(t, rpmFrozenFixture(t))
	checkPackageSums(t, res)
	if len(res.Notes) != 1 || !strings.HasPrefix(res.Notes[0], "layer 1: package database var/lib/rpm/rpmdb.sqlite not read") {
		t.Errorf("notes %q, want one on layer 1's database", res.Notes)
	}
	if got, want := describePackages(res.Layers[1].Packages), []string{"touched beta " + rpmBeta.EVR() + " 510/1"}; !slices.Equal(got, want) {
		t.Errorf("layer 1 packages %q, want %q", got, want)
	}
	if len(res.Packages) != 2 {
		t.Errorf("image packages %+v, want alpha and beta as they were", res.Packages)
	}
}

func TestRpmPackagesSurviveCache(t *testing.T) {
	l := rpmFixture(t)
	checkPackagesSurviveCache(t, "rpm", build(t, it.Gzip, l.base, l.step, l.reinstall))
	checkPackagesSurviveCache(t, "rpm, then a database not read", rpmFrozenFixture(t))
}
