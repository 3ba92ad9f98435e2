package report

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/strata-cli/strata/advice"
	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
	"github.com/strata-cli/strata/rules"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// sarifSchemaJSON is the published SARIF 2.1.0 schema (OASIS, errata01,
// JSON Schema draft-04), vendored as it is: this machine cannot fetch it.
//
//go:embed testdata/sarif-schema-2.1.0.json
var sarifSchemaJSON []byte

func compileSARIFSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(sarifSchemaJSON))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat() // uri and uri-reference are checked too
	if err := c.AddResource(sarifSchema, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(sarifSchema)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validateSARIF(t *testing.T, s *jsonschema.Schema, b []byte) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	if err := s.Validate(inst); err != nil {
		t.Errorf("the log does not validate: %v\n%s", err, b)
	}
}

// sarifDoc is the part of a log the tests read back.
type sarifDoc struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Name, Version string
				Rules         []struct{ ID string }
			}
		}
		Invocations []struct {
			Notifications []struct {
				Message struct{ Text string }
			} `json:"toolExecutionNotifications"`
		}
		Results []struct {
			RuleID    string
			RuleIndex int
			Level     string
			Message   struct{ Text string }
			Locations []struct {
				Physical struct {
					Artifact struct{ URI string } `json:"artifactLocation"`
					Region   struct{ StartLine, EndLine int }
				} `json:"physicalLocation"`
			}
		}
	}
}

// sarifSample is an image with advice (an apt cache, a log a later step
// deletes, an archive in the base) and rules that fail on it, image-wide
// (lowest-efficiency) and per layer (highest-layer-size, block).
func sarifSample(t *testing.T) (*analyze.Result, []rules.Outcome) {
	t.Helper()
	layers := []v1.Layer{
		it.MustLayer(t, it.Tar(it.Dir("etc"), it.SizedFile("etc/os-release", 100), it.SizedFile("etc/old.tar.gz", 30000)), it.Gzip),
		it.MustLayer(t, it.Tar(it.Dir("var"), it.Dir("var/cache"), it.Dir("var/cache/apt"), it.Dir("var/cache/apt/archives"), it.SizedFile("var/cache/apt/archives/curl.deb", 90000), it.SizedFile("build.log", 50000)), it.Gzip),
		it.MustLayer(t, it.Tar(it.Whiteout("build.log"), it.SizedFile("app.key", 10)), it.Gzip),
	}
	hist := []v1.History{{CreatedBy: "/bin/sh -c #(nop) ADD file:abc in / "}, {CreatedBy: "RUN /bin/sh -c apt-get install -y curl # buildkit"}, {CreatedBy: "RUN /bin/sh -c rm build.log # buildkit"}}
	res, err := analyze.Analyze(context.Background(), it.MustImage(t, layers, hist, nil), analyze.Options{Reference: "example.com/app:1"})
	if err != nil {
		t.Fatal(err)
	}
	set := rules.Defaults()
	set[rules.HighestLayerSize] = rules.Limit{Enabled: true, Bytes: 20000}
	set[rules.Block] = rules.Limit{Enabled: true, Globs: []string{"*.key"}}
	set[rules.DenyWaste] = rules.Limit{Enabled: true, Globs: []string{"nothing/**"}} // passes: no result
	return res, rules.Evaluate(res, set)
}

// TestSARIFValidates: the log validates against the published schema
// with and without a Dockerfile; every result names a declared rule by
// id and index; each failed rule and each piece of advice is one result;
// placed steps give locations on their lines, and a finding with none
// names the image and its layers instead.
func TestSARIFValidates(t *testing.T) {
	schema := compileSARIFSchema(t)
	res, outs := sarifSample(t)
	as := advice.Advise(res)
	var failed []rules.Outcome
	for _, o := range outs {
		if o.Verdict == rules.Fail {
			failed = append(failed, o)
		}
	}
	if len(as) == 0 || len(failed) < 3 {
		t.Fatalf("the sample gives %d findings and %d failed rules; the test checks too little", len(as), len(failed))
	}

	steps := make([]analyze.StepLines, len(res.History))
	for i := range steps {
		steps[i] = analyze.StepLines{Line: 10 * (i + 1), EndLine: 10*(i+1) + 2}
	}
	base := stepOfLayer(res, 0)
	steps[base] = analyze.StepLines{Line: 2, EndLine: 2, Base: true} // FROM after an ARG
	withFile := &analyze.BuildFile{Path: "/src/app/Dockerfile", Steps: steps}
	// The base's step unplaced: what is about the image goes on line 1.
	noBase := &analyze.BuildFile{Path: "/src/app/Dockerfile", Steps: slices.Clone(steps)}
	noBase.Steps[base] = analyze.StepLines{}

	for _, tt := range []struct {
		name string
		bf   *analyze.BuildFile
		uri  string
	}{
		{"no Dockerfile", nil, ""},
		{"Dockerfile", withFile, "app/my%20Dockerfile"},
		{"Dockerfile, base not placed", noBase, "Dockerfile"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res.BuildFile = tt.bf
			as := advice.Advise(res) // with the Dockerfile, messages name lines
			var b bytes.Buffer
			if err := WriteSARIF(&b, CIRun{Result: res, Outcomes: outs, Version: "v1.2.3", DockerfileURI: tt.uri}); err != nil {
				t.Fatal(err)
			}
			validateSARIF(t, schema, b.Bytes())
			var doc sarifDoc
			if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			if len(doc.Runs) != 1 {
				t.Fatalf("%d runs", len(doc.Runs))
			}
			run := doc.Runs[0]
			if d := run.Tool.Driver; d.Name != "strata" || d.Version != "v1.2.3" {
				t.Errorf("driver %q %q", d.Name, d.Version)
			}
			var ids []string
			for _, r := range run.Tool.Driver.Rules {
				ids = append(ids, r.ID)
			}
			for _, s := range rules.Specs() {
				if !slices.Contains(ids, s.Name) {
					t.Errorf("rule %s not declared", s.Name)
				}
			}
			if len(run.Results) != len(failed)+len(as) {
				t.Fatalf("%d results, want %d failed rules + %d findings", len(run.Results), len(failed), len(as))
			}
			for i, r := range run.Results {
				if r.RuleIndex < 0 || r.RuleIndex >= len(ids) || ids[r.RuleIndex] != r.RuleID {
					t.Errorf("result %d: rule %q at index %d of %v", i, r.RuleID, r.RuleIndex, ids)
				}
				var layers []int
				if i < len(failed) {
					if r.RuleID != failed[i].Rule || r.Level != "error" || !strings.HasPrefix(r.Message.Text, failed[i].Rule+": "+failed[i].Detail) {
						t.Errorf("result %d = %+v, want the failed rule %+v", i, r, failed[i])
					}
					layers = failed[i].Layers
				} else {
					a := as[i-len(failed)]
					if r.RuleID != a.Kind || r.Level != "warning" || !strings.HasPrefix(r.Message.Text, a.Message) {
						t.Errorf("result %d = %+v, want the finding %+v", i, r, a)
					}
					layers = a.Layers
				}
				// The located lines: those of every layer's step, but
				// the base image's FROM.
				var want []string
				for _, l := range layers {
					if s := stepOfLayer(res, l); tt.bf != nil && s != base {
						if w := fmt.Sprintf("%s:%d-%d", tt.uri, steps[s].Line, steps[s].EndLine); !slices.Contains(want, w) {
							want = append(want, w)
						}
					}
				}
				var got []string
				for _, l := range r.Locations {
					got = append(got, fmt.Sprintf("%s:%d-%d", l.Physical.Artifact.URI, l.Physical.Region.StartLine, l.Physical.Region.EndLine))
				}
				unplaced := len(want) == 0
				if unplaced && tt.bf != nil {
					// Anchored on the base image's FROM.
					a := analyze.StepLines{Line: 1, EndLine: 1}
					if tt.bf.Steps[base].Base {
						a = tt.bf.Steps[base]
					}
					want = []string{fmt.Sprintf("%s:%d-%d", tt.uri, a.Line, a.EndLine)}
				}
				if !slices.Equal(got, want) {
					t.Errorf("result %d (%s): locations %v, want %v", i, r.RuleID, got, want)
				}
				if unplaced && !strings.Contains(r.Message.Text, "(image example.com/app:1") {
					t.Errorf("result %d (%s) has no location and does not name the image: %q", i, r.RuleID, r.Message.Text)
				}
				if unplaced && len(layers) > 0 && !strings.Contains(r.Message.Text, fmt.Sprint(layers[len(layers)-1])+")") {
					t.Errorf("result %d (%s) has no location and does not name its layers %v: %q", i, r.RuleID, layers, r.Message.Text)
				}
			}
		})
	}
	res.BuildFile = withFile
	n := 0
	var b bytes.Buffer
	if err := WriteSARIF(&b, CIRun{Result: res, Outcomes: outs, DockerfileURI: "Dockerfile"}); err != nil {
		t.Fatal(err)
	}
	n = strings.Count(b.String(), `"uri": "Dockerfile"`)
	if n == 0 {
		t.Errorf("no result is located on the Dockerfile; the test checks nothing:\n%s", b.String())
	}
}

// TestSARIFSchemaRejects: the schema as compiled does reject a log that
// breaks it, so that a passing validation means something.
func TestSARIFSchemaRejects(t *testing.T) {
	schema := compileSARIFSchema(t)
	for _, bad := range []string{
		`{"version": "2.1.0"}`, // no runs
		`{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "strata"}}, "results": [{"ruleId": "x"}]}]}`,                                                                               // no message
		`{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "strata"}}, "results": [{"message": {"text": "m"}, "level": "fatal"}]}]}`,                                                  // no such level
		`{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "strata"}}, "results": [{"message": {"text": "m"}, "locations": [{"physicalLocation": {"region": {"startLine": 0}}}]}]}]}`, // lines count from 1
	} {
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(bad))
		if err != nil {
			t.Fatal(err)
		}
		if schema.Validate(inst) == nil {
			t.Errorf("validates: %s", bad)
		}
	}
}
