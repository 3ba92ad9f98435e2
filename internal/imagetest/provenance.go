package imagetest

import (
	"encoding/json"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// ProvenanceStep is one build step of a BuildKit provenance fixture: its
// lines in the Dockerfile and, for a step with a result, its layer chain
// from the bottom up (the step's own layer last).
type ProvenanceStep struct {
	Start, End int
	Chain      []v1.Hash
}

// BuildKitProvenance returns an in-toto statement shaped like the SLSA
// provenance BuildKit writes with mode=max: the Dockerfile's bytes in the
// source infos, each step's lines in the source locations ("stepN"), and
// each result's layer chain ("stepN:0"). slsa1 picks predicate v1
// (runDetails.metadata) over v0.2 (metadata).
func BuildKitProvenance(t TB, dockerfile []byte, steps []ProvenanceStep, slsa1 bool) []byte {
	t.Helper()
	type pos struct {
		Line int `json:"line,omitempty"`
	}
	type rng struct {
		Start pos `json:"start"`
		End   pos `json:"end"`
	}
	type loc struct {
		Ranges []rng `json:"ranges"`
	}
	type desc struct {
		MediaType string `json:"mediaType"`
		Digest    string `json:"digest"`
		Size      int64  `json:"size"`
	}
	locations := map[string]any{}
	layers := map[string][][]desc{}
	for i, s := range steps {
		id := fmt.Sprintf("step%d", i)
		locations[id] = map[string][]loc{"locations": {{Ranges: []rng{{pos{s.Start}, pos{s.End}}}}}}
		if len(s.Chain) > 0 {
			var c []desc
			for _, h := range s.Chain {
				c = append(c, desc{MediaType: string(types.OCILayer), Digest: h.String(), Size: 1})
			}
			layers[id+":0"] = [][]desc{c}
		}
	}
	md := map[string]any{
		"https://mobyproject.org/buildkit@v1#metadata": map[string]any{
			"source": map[string]any{
				"locations": locations,
				"infos":     []map[string]any{{"filename": "Dockerfile", "language": "Dockerfile", "data": dockerfile}},
			},
			"layers": layers,
		},
	}
	st := map[string]any{"_type": "https://in-toto.io/Statement/v0.1", "subject": []any{}}
	if slsa1 {
		st["predicateType"] = "https://slsa.dev/provenance/v1"
		st["predicate"] = map[string]any{
			"buildDefinition": map[string]any{"buildType": "https://github.com/moby/buildkit/blob/master/docs/attestations/slsa-definitions.md"},
			"runDetails":      map[string]any{"metadata": md},
		}
	} else {
		st["predicateType"] = "https://slsa.dev/provenance/v0.2"
		st["predicate"] = map[string]any{"buildType": "https://mobyproject.org/buildkit@v1", "metadata": md}
	}
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatalf("imagetest.BuildKitProvenance: %v", err)
	}
	return b
}

// ProvenanceAttestation returns the attestation manifest BuildKit attaches
// to an index for subject: one in-toto layer holding statement.
func ProvenanceAttestation(t TB, statement []byte, predicateType string, subject v1.Hash) Manifest {
	t.Helper()
	l := static.NewLayer(statement, "application/vnd.in-toto+json")
	img, err := mutate.Append(mutate.MediaType(empty.Image, types.OCIManifestSchema1), mutate.Addendum{
		Layer: l, Annotations: map[string]string{"in-toto.io/predicate-type": predicateType},
	})
	if err != nil {
		t.Fatalf("imagetest.ProvenanceAttestation: %v", err)
	}
	return Attestation(img, subject)
}
