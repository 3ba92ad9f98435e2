package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-cli/strata/analyze"
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

// TestJSONInterruptedLeavesNoFile: a ^C that lands once the image is
// analysed stops the --json write; the run fails as interrupted and no
// file, temporary or final, is left (the old code finished the file and
// exited 0).
func TestJSONInterruptedLeavesNoFile(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e, _, errb := fakeEnv(nil, nil, map[string]string{"STRATA_CACHE_DIR": filepath.Join(dir, "c"), "XDG_CONFIG_HOME": filepath.Join(dir, "x")})
	e.load = func(context.Context, string, loadOptions) (*analyze.Result, error) {
		cancel() // the signal arrives as the analysis ends
		return it.SampleResult(), nil
	}
	cmd := newRootCmd(e)
	cmd.SetArgs([]string{"--json", "out.json", "--files", "img.tar"})
	code := ExitCode(errb, cmd.ExecuteContext(ctx))
	if code != exitError || !strings.Contains(errb.String(), "interrupted") {
		t.Errorf("exit %d, stderr %q; want exit 2, interrupted", code, errb)
	}
	if got := dirNames(t, dir); len(got) != 0 {
		t.Errorf("left %q behind", got)
	}
}
