package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-cli/strata/internal/dockertest"
	"github.com/strata-cli/strata/report"
)

// linesDockerfile has continuations, a comment, metadata steps and an
// exec-form RUN: every builder's history must still land on its lines.
const linesDockerfile = `FROM scratch
# a static shell
COPY busybox /bin/busybox
ENV PATH=/bin \
    APP=demo
WORKDIR /app
RUN ["/bin/busybox", "sh", "-c", "/bin/busybox --install -s /bin && \
     echo hello > /app/hello"]

COPY busybox /app/tool
CMD ["/bin/sh"]
`

// TestCLIDockerfileLines builds an image with Docker from a Dockerfile
// with continuations, comments and metadata steps, and checks that
// --dockerfile places every history step on its lines, in the JSON and
// in the plain report.
func TestCLIDockerfileLines(t *testing.T) {
	dockertest.Require(t)
	ctx := dockertest.Dockerfile(t) // busybox in a build context
	df := linesDockerfile
	path := filepath.Join(ctx, "Dockerfile")
	if err := os.WriteFile(path, []byte(df), 0o644); err != nil {
		t.Fatal(err)
	}
	tag := "strata-test/dockerfile-lines:1"
	dockertest.Build(t, tag, ctx)
	archive := dockertest.Save(t, tag)
	dir := t.TempDir()

	doc, _ := jsonRun(t, dir, "--dockerfile", path, "docker-archive:"+archive)
	if doc.Dockerfile == nil || doc.Dockerfile.Path != path || len(doc.Dockerfile.Steps) != len(doc.History) {
		t.Fatalf("dockerfile: %+v for %d steps", doc.Dockerfile, len(doc.History))
	}
	want := map[string][2]int{"COPY": {3, 3}, "ENV": {4, 5}, "WORKDIR": {6, 6}, "RUN": {7, 8}, "CMD": {11, 11}}
	copies := 0
	for i, h := range doc.History {
		s := doc.Dockerfile.Steps[i]
		if s.Line == nil {
			t.Errorf("step %d (%s) not placed", i, h.CreatedBy)
			continue
		}
		kw := keywordOf(h.CreatedBy)
		w, ok := want[kw]
		if kw == "COPY" {
			if copies++; copies == 2 {
				w = [2]int{10, 10}
			}
		}
		if !ok || *s.Line != w[0] || *s.EndLine != w[1] || s.Base {
			t.Errorf("step %d (%s): lines %d-%d base %v, want %v", i, h.CreatedBy, *s.Line, *s.EndLine, s.Base, w)
		}
	}

	r := run(t, dir, "--no-cache", "--no-tui", "--dockerfile", path, "docker-archive:"+archive)
	if r.code != 0 || !strings.Contains(r.stdout, "LINE") || !strings.Contains(r.stdout, " 7-8 ") {
		t.Errorf("plain report with --dockerfile (exit %d) lacks the LINE column:\n%s", r.code, r.stdout)
	}
	r = run(t, dir, "--no-cache", "--dockerfile", filepath.Join(dir, "nope", "Dockerfile"), "docker-archive:"+archive)
	wantError(t, r, "Dockerfile")
}

// keywordOf is the instruction a Docker history entry records, for the
// classic builder and BuildKit alike.
func keywordOf(createdBy string) string {
	s := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(createdBy), "/bin/sh -c #(nop)"))
	kw, _, _ := strings.Cut(s, " ")
	if kw != strings.ToUpper(kw) || kw == "" {
		return "RUN" // a classic RUN records the command alone
	}
	return kw
}

// jsonRun runs strata --no-cache --json in dir with args and returns the
// document and the run, failing the test on a non-zero exit.
func jsonRun(t *testing.T, dir string, args ...string) (report.JSONReport, result) {
	t.Helper()
	r := run(t, dir, append([]string{"--no-cache", "--json", "out.json"}, args...)...)
	if r.code != 0 {
		t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "out.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc report.JSONReport
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return doc, r
}
