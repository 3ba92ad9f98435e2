// Package golden compares test output with files under the calling
// package's testdata/golden, and rewrites them with go test -update.
package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// dir is absolute because some tests change directory.
var dir, _ = filepath.Abs(filepath.Join("testdata", "golden"))

// Check compares got with testdata/golden/name, or rewrites the file with
// -update.
func Check(t testing.TB, name string, got []byte) {
	t.Helper()
	path := filepath.Join(dir, name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (run go test -update to accept):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// Path is where the golden file name lives, for a test that reads one to
// compare with output it gets another way.
func Path(name string) string { return filepath.Join(dir, name) }
