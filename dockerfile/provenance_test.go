package dockerfile

import (
	"context"
	"errors"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
)

const provDockerfile = `FROM debian:13
ARG VERSION=1.2
# the tool
RUN echo "$VERSION" > /v && \
    touch /t
ENV MODE=prod
COPY app /app
CMD ["/app/run"]
`

// provImage is an image built from provDockerfile: a base layer, then the
// RUN (its history holds the expanded command, which the text matcher
// cannot place), the ENV, the COPY and the CMD.
func provImage(t *testing.T) (*analyze.Result, []v1.Hash) {
	t.Helper()
	layers := []v1.Layer{
		it.MustLayer(t, it.Tar(it.SizedFile("etc/os-release", 10)), it.Gzip),
		it.MustLayer(t, it.Tar(it.File("v", "1.2\n"), it.File("t", "")), it.Gzip),
		it.MustLayer(t, it.Tar(it.Dir("app"), it.SizedFile("app/run", 100)), it.Gzip),
	}
	hist := []v1.History{
		{CreatedBy: "/bin/sh -c #(nop) ADD file:0123abcd in / "},
		{CreatedBy: "RUN |1 VERSION=1.2 /bin/sh -c echo 1.2 > /v && touch /t # buildkit", Comment: "buildkit.dockerfile.v0"},
		{CreatedBy: "ENV MODE=prod", Comment: "buildkit.dockerfile.v0", EmptyLayer: true},
		{CreatedBy: "COPY app /app # buildkit", Comment: "buildkit.dockerfile.v0"},
		{CreatedBy: `CMD ["/app/run"]`, Comment: "buildkit.dockerfile.v0", EmptyLayer: true},
	}
	res, err := analyze.Analyze(context.Background(), it.MustImage(t, layers, hist, nil), analyze.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var digests []v1.Hash
	for _, l := range layers {
		d, err := l.Digest()
		if err != nil {
			t.Fatal(err)
		}
		digests = append(digests, d)
	}
	return res, digests
}

// TestReadProvenance: the Dockerfile in the provenance places every step,
// the layers by BuildKit's source map (the RUN whose history the text
// cannot match included), the others by matching; v0.2 and v1 alike.
func TestReadProvenance(t *testing.T) {
	res, d := provImage(t)
	steps := []it.ProvenanceStep{
		{Start: 1, End: 1, Chain: d[:1]},           // FROM: the base image
		{Start: 4, End: 5, Chain: d[:2]},           // RUN
		{Start: 7, End: 7, Chain: []v1.Hash{d[2]}}, // COPY (a chain of its own layer only)
	}
	want := []Location{{Line: 1, EndLine: 1, Base: true}, {Line: 4, EndLine: 5}, {Line: 6, EndLine: 6}, {Line: 7, EndLine: 7}, {Line: 8, EndLine: 8}}

	// Without the source map the RUN is left unplaced: the test would
	// otherwise not show that the map is used.
	f, err := Parse("Dockerfile", strings.NewReader(provDockerfile))
	if err != nil {
		t.Fatal(err)
	}
	f.Apply(res)
	if res.BuildFile.Steps[1].Found() {
		t.Fatalf("the text matcher places the expanded RUN (%+v); the fixture shows nothing", res.BuildFile.Steps[1])
	}

	for _, slsa1 := range []bool{false, true} {
		res.BuildFile = nil
		p, err := ReadProvenance(it.BuildKitProvenance(t, []byte(provDockerfile), steps, slsa1))
		if err != nil {
			t.Fatalf("slsa1 %v: %v", slsa1, err)
		}
		p.Apply(res)
		if res.BuildFile == nil || res.BuildFile.Path != "Dockerfile" {
			t.Fatalf("slsa1 %v: build file %+v", slsa1, res.BuildFile)
		}
		for i, w := range want {
			if got := res.BuildFile.Steps[i]; got != w {
				t.Errorf("slsa1 %v: step %d (%s) at %+v, want %+v", slsa1, i, res.History[i].CreatedBy, got, w)
			}
		}
	}
}

func TestReadProvenanceErrors(t *testing.T) {
	min := []byte(`{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://slsa.dev/provenance/v0.2","predicate":{"buildType":"https://mobyproject.org/buildkit@v1","metadata":{"buildInvocationID":"x"}}}`)
	if _, err := ReadProvenance(min); !errors.Is(err, ErrNoSource) {
		t.Errorf("mode=min: %v, want ErrNoSource", err)
	}
	if _, err := ReadProvenance([]byte(`{"predicate": [`)); err == nil || errors.Is(err, ErrNoSource) {
		t.Errorf("bad JSON: %v", err)
	}
	noDockerfile := []byte(`{"predicate":{"metadata":{"https://mobyproject.org/buildkit@v1#metadata":{"source":{"infos":[{"filename":"x.hcl","language":"HCL","data":"eA=="}]}}}}}`)
	if _, err := ReadProvenance(noDockerfile); !errors.Is(err, ErrNoSource) {
		t.Errorf("no Dockerfile among the sources: %v", err)
	}
}

// FuzzReadProvenance: any statement is read or refused, never a panic,
// and a placement is always a real line range.
func FuzzReadProvenance(f *testing.F) {
	f.Add([]byte(`{"predicate":{"metadata":{"https://mobyproject.org/buildkit@v1#metadata":{"source":{"locations":{"step0":{"locations":[{"ranges":[{"start":{"line":2},"end":{"line":1}}]}]}},"infos":[{"language":"Dockerfile","data":"RlJPTSBhCg=="}]},"layers":{"step0:0":[[{"digest":"sha256:00"}],[]]}}}}}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ReadProvenance(b)
		if err != nil {
			return
		}
		for d, l := range p.layers {
			if l.Line <= 0 || l.EndLine < l.Line {
				t.Errorf("layer %s at %+v", d, l)
			}
		}
	})
}
