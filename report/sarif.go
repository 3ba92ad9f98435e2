package report

import (
	"io"
	"strconv"
	"strings"

	"github.com/strata-cli/strata/advice"
	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/rules"
)

// The SARIF 2.1.0 log (OASIS Static Analysis Results Interchange Format),
// the part of it strata fills in: one run, whose tool declares every rule
// and kind of advice, with one result per failed rule and per piece of
// advice. GitHub code scanning and GitLab read it.
const (
	sarifVersion = "2.1.0"
	sarifSchema  = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations"`
	Results     []sarifResult     `json:"results"`
	Properties  map[string]any    `json:"properties,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string            `json:"name"`
	Version        string            `json:"version,omitempty"`
	InformationURI string            `json:"informationUri,omitempty"`
	Rules          []sarifDescriptor `json:"rules"`
}

type sarifDescriptor struct {
	ID                   string       `json:"id"`
	ShortDescription     sarifMessage `json:"shortDescription"`
	DefaultConfiguration sarifConfig  `json:"defaultConfiguration"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

// sarifInvocation says the run completed; a rule that could not be
// checked is a notification, not a result: it found nothing.
type sarifInvocation struct {
	ExecutionSuccessful bool                `json:"executionSuccessful"`
	Notifications       []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level      string              `json:"level"`
	Message    sarifMessage        `json:"message"`
	Descriptor *sarifDescriptorRef `json:"associatedRule,omitempty"`
}

type sarifDescriptorRef struct {
	ID    string `json:"id"`
	Index int    `json:"index"`
}

type sarifResult struct {
	RuleID     string          `json:"ruleId"`
	RuleIndex  int             `json:"ruleIndex"`
	Level      string          `json:"level"`
	Message    sarifMessage    `json:"message"`
	Locations  []sarifLocation `json:"locations,omitempty"`
	Properties map[string]any  `json:"properties,omitempty"`
}

type sarifLocation struct {
	Physical sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	Artifact sarifArtifact `json:"artifactLocation"`
	Region   sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
	EndLine   int `json:"endLine"`
}

// WriteSARIF writes the rule failures and the advice as a SARIF 2.1.0 log.
// A finding whose layers were made by steps the Dockerfile places is
// located on those lines; any other names the image and its layers in
// its message and, with a Dockerfile, is located on the FROM of the base
// image (line 1 when none is placed): an image-wide rule, waste that came
// with the base. Without a Dockerfile (or c.DockerfileURI) nothing is
// located, as there is no file to point at.
func WriteSARIF(w io.Writer, c CIRun) error {
	descs := sarifDescriptors()
	index := map[string]int{}
	for i, d := range descs {
		index[d.ID] = i
	}
	res := c.Result
	if res == nil {
		res = &analyze.Result{}
	}
	loc := sarifLocator{res: res, uri: c.DockerfileURI}
	run := sarifRun{
		Tool:        sarifTool{Driver: sarifDriver{Name: "strata", Version: c.Version, Rules: descs}},
		Invocations: []sarifInvocation{{ExecutionSuccessful: true}},
		Results:     []sarifResult{},
		Properties:  map[string]any{"image": cleanString(res.Image.Reference), "digest": res.Image.Digest},
	}
	for _, o := range c.Outcomes {
		i, known := index[o.Rule]
		switch {
		case !known:
			continue
		case o.Verdict == rules.Skip && o.Unchecked:
			run.Invocations[0].Notifications = append(run.Invocations[0].Notifications, sarifNotification{
				Level: "warning", Message: sarifMessage{cleanString(o.Rule + ": " + o.Detail)},
				Descriptor: &sarifDescriptorRef{ID: o.Rule, Index: i}})
		case o.Verdict == rules.Fail:
			run.Results = append(run.Results, loc.result(o.Rule, i, "error", o.Rule+": "+o.Detail, o.Layers))
		}
	}
	for _, a := range advice.Advise(res) {
		if i, ok := index[a.Kind]; ok {
			r := loc.result(a.Kind, i, "warning", a.Message, a.Layers)
			r.Properties["bytes"] = a.Bytes
			run.Results = append(run.Results, r)
		}
	}
	return EncodeJSON(w, sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}})
}

// sarifDescriptors declares every rule, then every kind of advice.
func sarifDescriptors() []sarifDescriptor {
	var descs []sarifDescriptor
	for _, s := range rules.Specs() {
		descs = append(descs, sarifDescriptor{ID: s.Name, ShortDescription: sarifMessage{ruleDescription(s.Usage)},
			DefaultConfiguration: sarifConfig{"error"}})
	}
	for _, k := range advice.Kinds() {
		descs = append(descs, sarifDescriptor{ID: k.Kind, ShortDescription: sarifMessage{k.Description},
			DefaultConfiguration: sarifConfig{"warning"}})
	}
	return descs
}

// ruleDescription turns a flag's usage ("CI rule: fail if ... this")
// into a sentence about the rule, which has no "this" to point at.
func ruleDescription(usage string) string {
	s := strings.TrimPrefix(usage, "CI rule: ")
	s = strings.NewReplacer("more than this many bytes", "more bytes than the limit", "this glob", "one of the rule's globs",
		"than this", "than the limit", "below this", "below the threshold", "above this", "above the threshold").Replace(s)
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

// sarifLocator builds results, placing them on the Dockerfile when it can.
type sarifLocator struct {
	res *analyze.Result
	uri string
}

func (l sarifLocator) result(id string, index int, level, msg string, layers []int) sarifResult {
	r := sarifResult{RuleID: id, RuleIndex: index, Level: level, Properties: map[string]any{}}
	if layers != nil {
		r.Properties["layers"] = layers
	}
	seen := map[analyze.StepLines]bool{}
	if l.res.BuildFile != nil && l.uri != "" {
		for _, layer := range layers {
			sl, ok := l.res.LayerStepLines(layer)
			if !ok || sl.Base || seen[sl] {
				continue
			}
			seen[sl] = true
			r.Locations = append(r.Locations, sarifLocation{Physical: sarifPhysical{
				Artifact: sarifArtifact{URI: l.uri}, Region: sarifRegion{StartLine: sl.Line, EndLine: sl.EndLine}}})
		}
	}
	if len(r.Locations) == 0 {
		msg += " (" + l.where(layers) + ")"
		if l.res.BuildFile != nil && l.uri != "" {
			// GitHub code scanning refuses a whole log for one result
			// without a location: with a Dockerfile, a finding about the
			// image, or its base, goes on the FROM the image starts from.
			a := l.anchor()
			r.Locations = append(r.Locations, sarifLocation{Physical: sarifPhysical{
				Artifact: sarifArtifact{URI: l.uri}, Region: sarifRegion{StartLine: a.Line, EndLine: a.EndLine}}})
		}
	}
	r.Message = sarifMessage{cleanString(msg)}
	return r
}

// anchor is where a finding that no step of the image's own places goes:
// the FROM of the base image's steps, else line 1.
func (l sarifLocator) anchor() analyze.StepLines {
	for _, s := range l.res.BuildFile.Steps {
		if s.Base && s.Found() {
			return s
		}
	}
	return analyze.StepLines{Line: 1, EndLine: 1}
}

// where names the image and layers of a finding with no file to point at.
func (l sarifLocator) where(layers []int) string {
	img := l.res.Image.Reference
	if img == "" {
		img = l.res.Image.Digest
	}
	s := "image " + img
	switch len(layers) {
	case 0:
	case 1:
		s += ", layer " + strconv.Itoa(layers[0])
	default:
		ls := make([]string, len(layers))
		for i, n := range layers {
			ls[i] = strconv.Itoa(n)
		}
		s += ", layers " + strings.Join(ls, ",")
	}
	return s
}

// WriteSARIFError writes the log of a run that ended in an error before
// any rule was evaluated (the image could not be read, the rules file is
// bad): no results, and an unsuccessful invocation carrying the error, so
// that code scanning shows a broken run rather than a clean one.
func WriteSARIFError(w io.Writer, image, version string, err error) error {
	descs := sarifDescriptors()
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{Name: "strata", Version: version, Rules: descs}},
		Invocations: []sarifInvocation{{ExecutionSuccessful: false, Notifications: []sarifNotification{{
			Level: "error", Message: sarifMessage{cleanString(strings.Join(strings.Fields(err.Error()), " "))}}}}},
		Results:    []sarifResult{},
		Properties: map[string]any{"image": cleanString(image)},
	}
	return EncodeJSON(w, sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}})
}
