package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-cli/strata/internal/dockertest"
	it "github.com/strata-cli/strata/internal/imagetest"
)

func TestCLICompare(t *testing.T) {
	oldP, newP := it.CompareFixtures(t, t.TempDir())
	dir := t.TempDir()
	r := run(t, dir, "compare", oldP, newP)
	if r.code != exitOK || r.stderr != "" {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	for _, want := range []string{
		"cache broke at step 2: COPY app /app\n",
		"(layer 1; 1 layer of OLD reused)",
		"app/main.c  content (8 B)",
		"rebuilt from there: 2 layers",
		"app/out  size, content: 100 B -> 300 B",
		"layers 0, files 0",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, r.stdout)
		}
	}
	if got := lastLine(r.stdout); got != "verdict: ok" {
		t.Errorf("last line = %q", got)
	}

	r = run(t, dir, "compare", "--max-size-increase", "100B", "--max-layers-increase", "0", newP, oldP)
	if r.code != exitOK || lastLine(r.stdout) != "verdict: ok" {
		t.Errorf("shrinking: exit %d, last line %q", r.code, lastLine(r.stdout))
	}
	r = run(t, dir, "compare", "--max-size-increase", "1%", "--max-waste-increase", "0", oldP, newP)
	if r.code != exitRuleFailed || lastLine(r.stdout) != "verdict: regression reason=size" || r.stderr != "" {
		t.Errorf("growing past 1%%: exit %d, last line %q, stderr %q", r.code, lastLine(r.stdout), r.stderr)
	}

	r = run(t, dir, "compare", "--json", "-", "--max-size-increase", "1B", oldP, newP)
	if r.code != exitRuleFailed {
		t.Errorf("--json with a crossed limit: exit %d, want 1", r.code)
	}
	var doc struct {
		Verdict    string   `json:"verdict"`
		Reasons    []string `json:"reasons"`
		CacheBreak struct {
			Step    int `json:"step"`
			Changes []struct {
				Path    string   `json:"path"`
				Reasons []string `json:"reasons"`
			} `json:"changes"`
		} `json:"cacheBreak"`
		Rebuilt struct {
			CompressedSizeBytes int64 `json:"compressedSizeBytes"`
		} `json:"rebuilt"`
		Delta struct {
			SizeBytes int64 `json:"sizeBytes"`
		} `json:"delta"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("--json -: %v\n%s", err, r.stdout)
	}
	if doc.Verdict != "regression" || len(doc.Reasons) != 1 || doc.CacheBreak.Step != 2 || doc.Delta.SizeBytes != 200 ||
		len(doc.CacheBreak.Changes) != 1 || doc.CacheBreak.Changes[0].Path != "app/main.c" || doc.Rebuilt.CompressedSizeBytes == 0 {
		t.Errorf("JSON = %+v", doc)
	}

	wantError(t, run(t, dir, "compare", "--max-size-increase", "lots", oldP, newP), "--max-size-increase")
	wantError(t, run(t, dir, "compare", oldP), "compare wants OLD and NEW")
	wantError(t, run(t, dir, "compare", oldP, filepath.Join(dir, "missing.tar")), "missing.tar")
}

func TestCLIDF(t *testing.T) {
	oldP, newP := it.CompareFixtures(t, t.TempDir())
	dir := t.TempDir()
	r := run(t, dir, "df", oldP, newP)
	if r.code != exitOK || r.stderr != "" {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	// busybox (5000) is shared; the old image's other layers are 110 bytes,
	// the new one's 310.
	for _, want := range []string{"Total: 10 kB if nothing were shared; 5.4 kB on disk", "Shared layers:\n", "  5.0 kB  1,2           COPY busybox /bin/busybox"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("df output lacks %q:\n%s", want, r.stdout)
		}
	}
	r = run(t, dir, "df", "--json", "-", oldP, newP)
	var u struct {
		DiskBytes int64 `json:"diskBytes"`
		Images    []struct {
			UniqueBytes int64 `json:"uniqueBytes"`
			SharedBytes int64 `json:"sharedBytes"`
		} `json:"images"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &u); err != nil {
		t.Fatal(err)
	}
	if u.DiskBytes != 5420 || len(u.Images) != 2 || u.Images[0].UniqueBytes != 110 || u.Images[1].SharedBytes != 5000 {
		t.Errorf("df JSON = %+v", u)
	}
	wantError(t, run(t, dir, "df"), "at least one IMAGE")
}

// TestCLICompareDocker builds an image twice with docker, changing one
// copied source file in between, and expects compare to name the COPY
// step and the file.
func TestCLICompareDocker(t *testing.T) {
	dockertest.Require(t)
	ctxDir := t.TempDir()
	bb, err := os.ReadFile(dockertest.Busybox)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, body string, mode os.FileMode) {
		if err := os.WriteFile(filepath.Join(ctxDir, name), []byte(body), mode); err != nil {
			t.Fatal(err)
		}
	}
	write("busybox", string(bb), 0o755)
	write("Dockerfile", `FROM scratch
COPY busybox /bin/busybox
COPY config.txt lib.txt /app/
RUN ["/bin/busybox", "sh", "-c", "/bin/busybox cat /app/config.txt /app/lib.txt > /app/built.txt"]
`, 0o644)
	write("lib.txt", "library code\n", 0o644)
	write("config.txt", "version=1\n", 0o644)
	dockertest.Build(t, "strata-test/compare:1", ctxDir)
	write("config.txt", "version=2\n", 0o644) // same size: only hashing tells
	dockertest.Build(t, "strata-test/compare:2", ctxDir)

	r := run(t, t.TempDir(), "compare", "docker://strata-test/compare:1", "docker://strata-test/compare:2")
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	line := ""
	for _, l := range strings.Split(r.stdout, "\n") {
		if strings.HasPrefix(l, "cache broke at step ") {
			line = l
		}
	}
	if !strings.HasPrefix(line, "cache broke at step 2: COPY ") || !strings.Contains(line, "/app/") {
		t.Errorf("cache break line = %q, want step 2, the COPY into /app/\n%s", line, r.stdout)
	}
	if !strings.Contains(r.stdout, "the step wrote 1 path differently:\n    app/config.txt  content (10 B)\n") {
		t.Errorf("report does not blame app/config.txt alone:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, "(layer 1; 1 layer of OLD reused)") || !strings.Contains(r.stdout, "rebuilt from there: 2 layers") {
		t.Errorf("report gets the shared and rebuilt layers wrong:\n%s", r.stdout)
	}
	if lastLine(r.stdout) != "verdict: ok" {
		t.Errorf("last line = %q", lastLine(r.stdout))
	}
}

// TestCLICompareDockerfile: with --dockerfile, the cache break is named by
// its line in NEW's Dockerfile, in the report, the Markdown summary, the
// JUnit properties and the JSON; the step moves to the line below.
func TestCLICompareDockerfile(t *testing.T) {
	oldP, newP := it.CompareFixtures(t, t.TempDir())
	dir := t.TempDir()
	df := "FROM scratch\nCOPY busybox /bin/busybox\n# the sources\nCOPY app /app\nRUN make\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		format string
		want   []string
	}{
		{"", []string{"cache broke at Dockerfile:4, COPY app /app\n", "  (step 2, layer 1; 1 layer of OLD reused)\n"}},
		{"markdown", []string{"- Cache broke at **Dockerfile:4**, `COPY app /app` (step 2, layer 1; 1 layer of OLD reused)\n"}},
		{"junit", []string{`<property name="cacheBreakLine" value="Dockerfile:4"></property>`}},
	} {
		args := []string{"compare", "--dockerfile", "Dockerfile"}
		if tt.format != "" {
			args = append(args, "--format", tt.format)
		}
		r := run(t, dir, append(args, oldP, newP)...)
		if r.code != exitOK {
			t.Fatalf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
		for _, w := range tt.want {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("%v: output lacks %q:\n%s", args, w, r.stdout)
			}
		}
	}
	r := run(t, dir, "compare", "--dockerfile", "Dockerfile", "--json", "-", oldP, newP)
	var doc struct {
		CacheBreak struct {
			Step          int
			Dockerfile    string
			Line, EndLine int
		} `json:"cacheBreak"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("--json -: %v\n%s", err, r.stdout)
	}
	if cb := doc.CacheBreak; cb.Step != 2 || cb.Dockerfile != "Dockerfile" || cb.Line != 4 || cb.EndLine != 4 {
		t.Errorf("cacheBreak = %+v, want step 2 at Dockerfile:4", cb)
	}
	// Without the flag, nothing of the file appears.
	if r := run(t, dir, "compare", "--json", "-", oldP, newP); strings.Contains(r.stdout, `"dockerfile"`) || strings.Contains(r.stdout, `"line"`) {
		t.Errorf("Dockerfile fields without --dockerfile:\n%s", r.stdout)
	}
}
