package dockerfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/strata-cli/strata/analyze"
)

// BuildKit's SLSA provenance (an in-toto statement, predicate v0.2 or v1)
// carries, with mode=max, the build's source: each source file's bytes
// (infos, the Dockerfile among them), where each build step is in them
// (locations, by step id), and the layers each step produced (layers,
// "stepN:OUTPUT" to layer chains). Only those parts are read.
const buildkitMetadataKey = "https://mobyproject.org/buildkit@v1#metadata"

type provStatement struct {
	PredicateType string `json:"predicateType"`
	Predicate     struct {
		Metadata   map[string]json.RawMessage `json:"metadata"` // v0.2
		RunDetails struct {
			Metadata map[string]json.RawMessage `json:"metadata"`
		} `json:"runDetails"` // v1
	} `json:"predicate"`
}

type provMetadata struct {
	Source *struct {
		Locations map[string]struct {
			Locations []struct {
				SourceIndex int `json:"sourceIndex"`
				Ranges      []struct {
					Start struct{ Line int } `json:"start"`
					End   struct{ Line int } `json:"end"`
				} `json:"ranges"`
			} `json:"locations"`
		} `json:"locations"`
		Infos []struct {
			Filename string `json:"filename"`
			Language string `json:"language"`
			Data     []byte `json:"data"` // base64 in the JSON
		} `json:"infos"`
	} `json:"source"`
	Layers map[string][][]struct {
		Digest string `json:"digest"`
	} `json:"layers"`
}

// ErrNoSource is returned for provenance without the Dockerfile in it:
// mode=min, or a build from another frontend.
var ErrNoSource = errors.New("the provenance holds no Dockerfile (built with mode=min?)")

// Provenance is the Dockerfile an image's provenance holds, with where
// BuildKit says each layer's step is.
type Provenance struct {
	File *File
	// layers places a layer, by its blob digest, on the lines of the
	// step that produced it.
	layers map[string]Location
}

// ReadProvenance reads the Dockerfile and its source map out of an
// in-toto statement of BuildKit SLSA provenance.
func ReadProvenance(statement []byte) (*Provenance, error) {
	var st provStatement
	if err := json.Unmarshal(statement, &st); err != nil {
		return nil, fmt.Errorf("reading provenance: %w", err)
	}
	raw, ok := st.Predicate.Metadata[buildkitMetadataKey]
	if !ok {
		raw, ok = st.Predicate.RunDetails.Metadata[buildkitMetadataKey]
	}
	if !ok {
		return nil, ErrNoSource
	}
	var md provMetadata
	if err := json.Unmarshal(raw, &md); err != nil {
		return nil, fmt.Errorf("reading provenance: %w", err)
	}
	if md.Source == nil {
		return nil, ErrNoSource
	}
	src := -1
	for i, in := range md.Source.Infos {
		if strings.EqualFold(in.Language, "Dockerfile") {
			src = i
			break
		}
	}
	if src < 0 {
		return nil, ErrNoSource
	}
	info := md.Source.Infos[src]
	name := info.Filename
	if name == "" {
		name = "Dockerfile"
	}
	f, err := Parse(name, bytes.NewReader(info.Data))
	if err != nil {
		return nil, fmt.Errorf("reading the Dockerfile in the provenance: %w", err)
	}
	froms := map[int]bool{}
	for _, s := range f.Stages {
		froms[s.From.Line] = true
	}

	// Each step's lines in the Dockerfile: the span of its ranges there.
	steps := map[string]Location{}
	for id, ls := range md.Source.Locations {
		var loc Location
		for _, l := range ls.Locations {
			if l.SourceIndex != src {
				continue
			}
			for _, r := range l.Ranges {
				if r.Start.Line <= 0 {
					continue
				}
				if loc.Line == 0 || r.Start.Line < loc.Line {
					loc.Line = r.Start.Line
				}
				loc.EndLine = max(loc.EndLine, r.End.Line, r.Start.Line)
			}
		}
		if loc.Found() {
			// A FROM's step is the base image's: its layers are not this
			// file's doing.
			loc.Base = froms[loc.Line]
			steps[id] = loc
		}
	}

	// A chain lists a result's layers from the bottom up, so its last is
	// the one the step added (for a FROM, the base image's top layer; the
	// others are left to Match, which places them on the FROM too). Keys
	// are visited in order, so that two claims on a layer settle the same
	// way every time.
	keys := make([]string, 0, len(md.Layers))
	for k := range md.Layers {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	p := &Provenance{File: f, layers: map[string]Location{}}
	for _, key := range keys {
		id, _, _ := strings.Cut(key, ":")
		loc, ok := steps[id]
		for _, c := range md.Layers[key] {
			if len(c) == 0 || !ok {
				continue
			}
			if d := c[len(c)-1].Digest; d != "" {
				if _, taken := p.layers[d]; !taken {
					p.layers[d] = loc
				}
			}
		}
	}
	return p, nil
}

// Apply places res's history steps: on the lines BuildKit recorded for
// the step that produced each layer, and the steps without a layer (ENV,
// CMD...) by matching the history against the Dockerfile, as Match does.
func (p *Provenance) Apply(res *analyze.Result) {
	p.File.Apply(res)
	steps := res.BuildFile.Steps
	for i, h := range res.History {
		if h.LayerIndex < 0 || h.LayerIndex >= len(res.Layers) {
			continue
		}
		if loc, ok := p.layers[res.Layers[h.LayerIndex].Digest]; ok && loc.Found() {
			steps[i] = loc
		}
	}
}
