package report

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/strata-cli/strata/advice"
	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// TestGitHubDockerfileAnnotations: with a Dockerfile, each piece of
// advice becomes a warning on the lines of the step that made its first
// layer; base image steps and unplaced steps get none, and without a
// Dockerfile there are none at all.
func TestGitHubDockerfileAnnotations(t *testing.T) {
	layers := []v1.Layer{
		it.MustLayer(t, it.Tar(it.Dir("etc"), it.SizedFile("etc/os-release", 100), it.SizedFile("etc/old.tar.gz", 30000)), it.Gzip),
		it.MustLayer(t, it.Tar(it.Dir("var"), it.Dir("var/cache"), it.Dir("var/cache/apt"), it.Dir("var/cache/apt/archives"), it.SizedFile("var/cache/apt/archives/curl.deb", 90000), it.SizedFile("build.log", 50000)), it.Gzip),
		it.MustLayer(t, it.Tar(it.Whiteout("build.log")), it.Gzip),
	}
	hist := []v1.History{{CreatedBy: "/bin/sh -c #(nop) ADD file:abc in / "}, {CreatedBy: "RUN /bin/sh -c apt-get install -y curl # buildkit"}, {CreatedBy: "RUN /bin/sh -c rm build.log # buildkit"}}
	res, err := analyze.Analyze(context.Background(), it.MustImage(t, layers, hist, nil), analyze.Options{})
	if err != nil {
		t.Fatal(err)
	}
	as := advice.Advise(res)
	if len(as) == 0 {
		t.Fatal("the sample gives no advice; the test checks nothing")
	}
	var plain strings.Builder
	if err := WriteGitHub(&plain, CIRun{Result: res}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), "file=") {
		t.Errorf("annotations without a Dockerfile:\n%s", plain.String())
	}

	steps := make([]analyze.StepLines, len(res.History))
	for i := range steps {
		steps[i] = analyze.StepLines{Line: 10 * (i + 1), EndLine: 10*(i+1) + 2}
	}
	base := stepOfLayer(res, 0)
	steps[base] = analyze.StepLines{Line: 1, EndLine: 1, Base: true}
	res.BuildFile = &analyze.BuildFile{Path: "app/Dockerfile", Steps: steps}
	var b strings.Builder
	if err := WriteGitHub(&b, CIRun{Result: res}); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range as {
		step := stepOfLayer(res, a.Layers[0])
		want := fmt.Sprintf("::warning file=app/Dockerfile,line=%d,endLine=%d,title=strata %s::", steps[step].Line, steps[step].EndLine, a.Kind)
		has := strings.Contains(b.String(), want)
		if step == base && has {
			t.Errorf("advice on the base image's FROM: %s", want)
		}
		if step != base {
			n++
			if !has {
				t.Errorf("no %q in:\n%s", want, b.String())
			}
		}
	}
	if n == 0 {
		t.Fatalf("all advice is on the base image; the test checks nothing:\n%s", b.String())
	}
	if got := strings.Count(b.String(), "file=app/Dockerfile"); got != n {
		t.Errorf("%d annotations, want %d:\n%s", got, n, b.String())
	}
}

// stepOfLayer is the history step that made layer i, or -1: what the
// tests expect a finding on layer i to be placed by.
func stepOfLayer(res *analyze.Result, i int) int {
	for s := range res.AllSteps() {
		if s.Layer == i {
			return s.History
		}
	}
	return -1
}
