package report

import (
	"bytes"
	"context"
	"errors"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
)

// TestWriteJSONReportMatchesTheDocument: streamed, the report is byte for
// byte what encoding the whole document gives, with and without files,
// for an empty result and with a container.
func TestWriteJSONReportMatchesTheDocument(t *testing.T) {
	empty := &analyze.Result{}
	analysed := analysedResult(t)
	noHistory := analysedResult(t)
	noHistory.History, noHistory.WastedFiles = nil, nil
	ctr := ContainerJSON(it.SampleResult(), Container{ID: "abc", Name: "web", Layer: 2})
	withDockerfile := analysedResult(t)
	withDockerfile.BuildFile = &analyze.BuildFile{Path: "Dockerfile", Steps: make([]analyze.StepLines, len(withDockerfile.History))}
	withDockerfile.BuildFile.Steps[0] = analyze.StepLines{Line: 1, EndLine: 1, Base: true}
	withDockerfile.BuildFile.Steps[len(withDockerfile.History)-1] = analyze.StepLines{Line: 4, EndLine: 6}
	for _, tc := range []struct {
		name  string
		res   *analyze.Result
		files bool
		ctr   *JSONContainer
	}{
		{"sample", it.SampleResult(), false, nil},
		{"analysed", analysed, false, nil},
		{"analysed with files", analysed, true, nil},
		{"empty", empty, true, nil},
		{"no history or waste", noHistory, true, nil},
		{"container", analysed, true, &ctr},
		{"dockerfile", withDockerfile, false, nil},
		{"dockerfile and container", withDockerfile, false, &ctr},
		{"packages", packagedResult(t, 3), true, &ctr},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want bytes.Buffer
			var doc any
			jr := NewJSONReport(tc.res, tc.files)
			jr.Image.Source = "oci"
			doc = jr
			if tc.ctr != nil {
				doc = JSONContainerReport{JSONReport: jr, Container: *tc.ctr}
			}
			if err := EncodeJSON(&want, doc); err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := WriteJSONReport(context.Background(), &got, tc.res, JSONReportOptions{Files: tc.files, Source: "oci", Container: tc.ctr}); err != nil {
				t.Fatal(err)
			}
			if tc.files && len(tc.res.Layers) > 0 && !bytes.Contains(want.Bytes(), []byte(`"files": [`+"\n")) {
				t.Fatal("the fixture lists no files; the case checks nothing")
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Errorf("streamed:\n%s\nwant:\n%s", got.Bytes(), want.Bytes())
			}
		})
	}
}

// TestWriteJSONReportStopsOnCancel: once ctx ends the write stops with
// its error, well before the document is complete.
func TestWriteJSONReportStopsOnCancel(t *testing.T) {
	res := analysedResult(t)
	var full bytes.Buffer
	if err := WriteJSONReport(context.Background(), &full, res, JSONReportOptions{Files: true}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var got bytes.Buffer
	err := WriteJSONReport(ctx, &got, res, JSONReportOptions{Files: true})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if got.Len() >= full.Len() {
		t.Errorf("wrote %d of %d bytes after cancel", got.Len(), full.Len())
	}
}

// analysedResult is a real analysis, tree included, of layers with
// directories, files, links, an empty layer and a whiteout, and names
// that JSON must escape.
func analysedResult(t *testing.T) *analyze.Result {
	t.Helper()
	layers := []v1.Layer{
		it.MustLayer(t, it.Tar(it.Dir("etc"), it.File("etc/a & <b>", "a\n"), it.SizedFile("etc/big", 5000), it.Symlink("etc/l", "a & <b>")), it.Gzip),
		it.MustLayer(t, it.Tar(), it.Gzip),
		it.MustLayer(t, it.Tar(it.Whiteout("etc/big"), it.File("caf\xe9", "x")), it.Gzip),
	}
	res, err := analyze.Analyze(context.Background(), it.MustImage(t, layers, nil, nil), analyze.Options{Reference: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return res
}
