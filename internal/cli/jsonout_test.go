package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	it "github.com/strata-cli/strata/internal/imagetest"

	"github.com/strata-cli/strata/report"
)

func TestWriteJSONFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.json")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writeJSONFile(path, nil, report.NewJSONReport(it.SampleResult(), false)); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(data) {
		t.Errorf("%s is not valid JSON", path)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o644 {
		t.Errorf("mode = %v, want 0644", st.Mode().Perm())
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("directory holds %d entries, want only out.json (temp file left behind?)", len(ents))
	}

	// A directory that does not exist is an error and creates nothing.
	if err := writeJSONFile(filepath.Join(dir, "nope", "out.json"), nil, report.JSONReport{}); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
}
