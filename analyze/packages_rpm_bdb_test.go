package analyze_test

import (
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	it "github.com/strata-cli/strata/internal/imagetest"
)

// A Berkeley DB Packages whose first hash page points an item past the
// page (which go-rpmdb's reader would index out of, in its goroutine,
// killing the process) is, from a layer, one note naming the layer and
// the file; the same database undamaged gives its package.
func TestRpmDamagedBerkeleyDB(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/knqyf263/go-rpmdb").Output()
	if err != nil {
		t.Skipf("go-rpmdb's source not found with go list (%v); skipping", err)
	}
	good, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "pkg", "testdata", "libuuid", "Packages"))
	if err != nil {
		t.Skipf("go-rpmdb's test data: %v; skipping", err)
	}
	const pageSize = 4096 // libuuid's, little-endian
	if binary.LittleEndian.Uint32(good[20:]) != pageSize {
		t.Fatalf("page size %d, want %d", binary.LittleEndian.Uint32(good[20:]), pageSize)
	}
	bad := append([]byte(nil), good...)
	hashPage := -1
	for p := 1; (p+1)*pageSize <= len(bad); p++ {
		if typ := bad[p*pageSize+25]; (typ == 13 || typ == 2) && binary.LittleEndian.Uint16(bad[p*pageSize+20:]) >= 2 {
			hashPage = p
			break
		}
	}
	if hashPage < 0 {
		t.Fatal("no hash page with an entry")
	}
	binary.LittleEndian.PutUint16(bad[hashPage*pageSize+26+2:], 0xffff) // the first data item's offset

	res := run(t, build(t, it.Gzip, []it.Entry{it.File("var/lib/rpm/Packages", string(good))}))
	if len(res.Notes) != 0 || len(res.Packages) != 1 || res.Packages[0].Name != "libuuid" {
		t.Fatalf("notes %q, packages %+v; want libuuid alone", res.Notes, res.Packages)
	}
	res = run(t, build(t, it.Gzip, []it.Entry{it.File("var/lib/rpm/Packages", string(bad))}))
	checkRpmNote(t, res, "layer 0: package database var/lib/rpm/Packages not read: reading rpm database: Berkeley DB page ")
}
