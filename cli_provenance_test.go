package main

import (
	"os"
	"path/filepath"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	it "github.com/strata-cli/strata/internal/imagetest"
)

// TestCLIProvenanceDockerfile: an OCI layout whose index carries BuildKit
// provenance (mode=max) gets its steps placed on the Dockerfile recorded
// there with no flag, the RUN whose history holds an expanded ARG
// included; --dockerfile still wins; mode=min provenance places nothing
// and says nothing.
func TestCLIProvenanceDockerfile(t *testing.T) {
	df := "FROM debian:13\nARG V=1\nRUN echo $V > /v\nCOPY app /app\nCMD [\"/app/run\"]\n"
	layers := []v1.Layer{
		it.MustLayer(t, it.Tar(it.SizedFile("etc/os-release", 10)), it.Gzip),
		it.MustLayer(t, it.Tar(it.File("v", "1\n")), it.Gzip),
		it.MustLayer(t, it.Tar(it.Dir("app"), it.SizedFile("app/run", 100)), it.Gzip),
	}
	hist := []v1.History{
		{CreatedBy: "/bin/sh -c #(nop) ADD file:0123abcd in / "},
		{CreatedBy: "RUN |1 V=1 /bin/sh -c echo 1 > /v # buildkit", Comment: "buildkit.dockerfile.v0"},
		{CreatedBy: "COPY app /app # buildkit", Comment: "buildkit.dockerfile.v0"},
		{CreatedBy: `CMD ["/app/run"]`, Comment: "buildkit.dockerfile.v0", EmptyLayer: true},
	}
	amd := &v1.Platform{OS: "linux", Architecture: "amd64"}
	img := it.MustImage(t, layers, hist, amd)
	imgD, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	var ds []v1.Hash
	for _, l := range layers {
		d, _ := l.Digest()
		ds = append(ds, d)
	}
	max := it.BuildKitProvenance(t, []byte(df), []it.ProvenanceStep{{Start: 1, End: 1, Chain: ds[:1]}, {Start: 3, End: 3, Chain: ds[:2]}, {Start: 4, End: 4, Chain: ds[:3]}}, false)
	min := []byte(`{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://slsa.dev/provenance/v0.2","predicate":{"buildType":"https://mobyproject.org/buildkit@v1"}}`)
	dir := t.TempDir()
	layout := func(name string, prov []byte) string {
		p := filepath.Join(dir, name)
		idx := it.MustIndex(t, it.Manifest{Image: img, Platform: amd}, it.ProvenanceAttestation(t, prov, "https://slsa.dev/provenance/v0.2", imgD))
		if err := it.WriteOCILayout(p, idx); err != nil {
			t.Fatal(err)
		}
		return "oci:" + p
	}

	doc, _ := jsonRun(t, dir, layout("max", max))
	if doc.Dockerfile == nil || doc.Dockerfile.Path != "Dockerfile" || len(doc.Dockerfile.Steps) != len(hist) {
		t.Fatalf("dockerfile %+v", doc.Dockerfile)
	}
	want := [][3]int{{1, 1, 1}, {3, 3, 0}, {4, 4, 0}, {5, 5, 0}} // line, end, base
	for i, w := range want {
		s := doc.Dockerfile.Steps[i]
		if s.Line == nil || *s.Line != w[0] || *s.EndLine != w[1] || s.Base != (w[2] == 1) {
			t.Errorf("step %d (%s): %+v, want lines %d-%d base %v", i, hist[i].CreatedBy, s, w[0], w[1], w[2] == 1)
		}
	}

	other := filepath.Join(dir, "Other.Dockerfile")
	if err := os.WriteFile(other, []byte("FROM debian:13\nCOPY app /app\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if doc, _ := jsonRun(t, dir, "--dockerfile", other, layout("max2", max)); doc.Dockerfile == nil || doc.Dockerfile.Path != other {
		t.Errorf("--dockerfile did not win over the provenance: %+v", doc.Dockerfile)
	}
	if doc, r := jsonRun(t, dir, layout("min", min)); doc.Dockerfile != nil || r.stderr != "" {
		t.Errorf("mode=min: dockerfile %+v, stderr %q", doc.Dockerfile, r.stderr)
	}
}
