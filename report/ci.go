package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/rules"
)

// CIRun is one evaluation of the rules against an image: everything a CI
// format needs.
type CIRun struct {
	Result *analyze.Result
	// RulesFile is the rules file that set a rule in effect, or "": a
	// file whose every rule a flag replaced is not named.
	RulesFile string
	// RulesFlags are the rule flags given ("--lowest-efficiency").
	RulesFlags []string
	Outcomes   []rules.Outcome
	// Version is strata's version, for the formats that name their tool
	// (SARIF's tool.driver.version).
	Version string
	// DockerfileURI is how a SARIF log names Result.BuildFile: its path
	// relative to the working directory, as a URI; without it SARIF
	// results are not located.
	DockerfileURI string
}

// RulesFrom names where the rules came from, for a header: the file and
// the flags, "" when every rule has its default.
func (c CIRun) RulesFrom() string {
	var from []string
	if c.RulesFile != "" {
		from = append(from, c.RulesFile)
	}
	return strings.Join(append(from, c.RulesFlags...), ", ")
}

// Counts returns how many rules passed, failed and were skipped.
func (c CIRun) Counts() (pass, fail, skip int) {
	for _, o := range c.Outcomes {
		switch o.Verdict {
		case rules.Pass:
			pass++
		case rules.Fail:
			fail++
		case rules.Skip:
			skip++
		}
	}
	return pass, fail, skip
}

// SummaryLine is "FAIL [pass:1 fail:2 skip:0]".
func (c CIRun) SummaryLine() string {
	pass, fail, skip := c.Counts()
	overall := rules.Pass
	if fail > 0 {
		overall = rules.Fail
	}
	return fmt.Sprintf("%s [pass:%d fail:%d skip:%d]", overall, pass, fail, skip)
}

type CIJSON struct {
	SchemaVersion int          `json:"schemaVersion"`
	Image         ciJSONImage  `json:"image"`
	RulesFile     string       `json:"rulesFile,omitempty"`
	Result        string       `json:"result"`
	Pass          int          `json:"pass"`
	Fail          int          `json:"fail"`
	Skip          int          `json:"skip"`
	Rules         []ciJSONRule `json:"rules"`
}

type ciJSONImage struct {
	Reference   string  `json:"reference"`
	Digest      string  `json:"digest"`
	SizeBytes   int64   `json:"sizeBytes"`
	WastedBytes int64   `json:"wastedBytes"`
	Efficiency  float64 `json:"efficiency"`
}

type ciJSONRule struct {
	Name      string   `json:"name"`
	Result    string   `json:"result"`
	Actual    string   `json:"actual,omitempty"`
	Threshold string   `json:"threshold,omitempty"`
	Detail    string   `json:"detail"`
	Paths     []string `json:"paths,omitempty"`
	More      int      `json:"more,omitempty"`
}

// WriteCIJSON writes the outcomes as one JSON document.
func WriteCIJSON(w io.Writer, c CIRun) error {
	pass, fail, skip := c.Counts()
	s := c.Result.Image
	doc := CIJSON{
		SchemaVersion: 1,
		Image: ciJSONImage{Reference: cleanString(s.Reference), Digest: s.Digest, SizeBytes: s.SizeBytes,
			WastedBytes: s.WastedBytes, Efficiency: s.Efficiency},
		RulesFile: c.RulesFile,
		Result:    rules.Pass.String(),
		Pass:      pass, Fail: fail, Skip: skip,
		Rules: []ciJSONRule{},
	}
	if fail > 0 {
		doc.Result = rules.Fail.String()
	}
	for _, o := range c.Outcomes {
		doc.Rules = append(doc.Rules, ciJSONRule{Name: o.Rule, Result: o.Verdict.String(), Actual: o.Actual,
			Threshold: o.Threshold, Detail: o.Detail, Paths: o.Paths, More: o.More})
	}
	return EncodeJSON(w, doc)
}

// --- JUnit XML ---------------------------------------------------------------

// The JUnit XML shape GitLab, Jenkins and the common GitHub test-report
// actions read: testsuites > testsuite > testcase, with a failure or a
// skipped element inside a testcase that did not pass.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr,omitempty"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure"`
	Error     *junitFailure `xml:"error"`
	Skipped   *junitSkipped `xml:"skipped"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",cdata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// WriteJUnit writes one testsuite "strata" with one testcase per rule.
func WriteJUnit(w io.Writer, c CIRun) error {
	_, fail, skip := c.Counts()
	s := c.Result.Image
	suite := junitSuite{
		Name: "strata", Tests: len(c.Outcomes), Failures: fail, Skipped: skip,
		Properties: []junitProperty{
			{Name: "image", Value: xmlSafe(s.Reference)},
			{Name: "digest", Value: s.Digest},
			{Name: "sizeBytes", Value: strconv.FormatInt(s.SizeBytes, 10)},
			{Name: "wastedBytes", Value: strconv.FormatInt(s.WastedBytes, 10)},
			{Name: "efficiency", Value: strconv.FormatFloat(s.Efficiency, 'f', -1, 64)},
		},
	}
	if c.RulesFile != "" {
		suite.Properties = append(suite.Properties, junitProperty{Name: "rulesFile", Value: xmlSafe(c.RulesFile)})
	}
	for _, o := range c.Outcomes {
		tc := junitCase{Name: o.Rule, Classname: "strata"}
		switch o.Verdict {
		case rules.Fail:
			var body strings.Builder
			fmt.Fprintf(&body, "actual:    %s\nthreshold: %s\n", o.Actual, o.Threshold)
			for _, p := range o.Paths {
				fmt.Fprintf(&body, "  %s\n", p)
			}
			if o.More > 0 {
				fmt.Fprintf(&body, "  ... and %d more\n", o.More)
			}
			tc.Failure = &junitFailure{Message: xmlSafe(o.Detail), Type: o.Rule, Body: xmlSafe(body.String())}
		case rules.Skip:
			tc.Skipped = &junitSkipped{Message: xmlSafe(o.Detail)}
		default:
			tc.SystemOut = xmlSafe(o.Detail)
		}
		suite.Cases = append(suite.Cases, tc)
	}
	doc := junitSuites{Name: "strata", Tests: suite.Tests, Failures: fail, Skipped: skip, Suites: []junitSuite{suite}}
	return encodeJUnit(w, doc)
}

// WriteJUnitError writes the JUnit document of a run that ended in an
// error before any rule was evaluated (the image could not be read, the
// rules file is bad): one testcase "analysis" carrying the error, so
// that the CI server reports the job as broken, not as empty or passed.
func WriteJUnitError(w io.Writer, image string, err error) error {
	msg := xmlSafe(strings.Join(strings.Fields(err.Error()), " "))
	suite := junitSuite{
		Name: "strata", Tests: 1, Errors: 1,
		Properties: []junitProperty{{Name: "image", Value: xmlSafe(image)}},
		Cases: []junitCase{{Name: "analysis", Classname: "strata",
			Error: &junitFailure{Message: msg, Type: "error", Body: msg}}},
	}
	return encodeJUnit(w, junitSuites{Name: "strata", Tests: 1, Errors: 1, Suites: []junitSuite{suite}})
}

// WriteGitHub writes one ::error line per failed rule and one ::warning
// per rule that could not be checked, then the summary line. A rule that
// is disabled, or whose input is empty for this image (a one-layer image
// has no bytes above its base), is not worth an annotation.
func WriteGitHub(w io.Writer, c CIRun) error {
	var b strings.Builder
	for _, o := range c.Outcomes {
		level := ""
		switch {
		case o.Verdict == rules.Fail:
			level = "error"
		case o.Verdict == rules.Skip && o.Unchecked:
			level = "warning"
		default:
			continue
		}
		fmt.Fprintf(&b, "::%s title=%s::%s\n", level, ghProperty("strata "+o.Rule), ghData(o.Rule+": "+o.Detail))
	}
	writeDockerfileAnnotations(&b, c.Result)
	fmt.Fprintf(&b, "strata: %s\n", c.SummaryLine())
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteOutcomes prints one line per rule and a summary line, and reports
// whether every rule passed or was skipped.
func WriteOutcomes(w io.Writer, source string, outs []rules.Outcome) (bool, error) {
	var b strings.Builder
	if source != "" {
		fmt.Fprintf(&b, "Rules (from %s):\n", source)
	} else {
		b.WriteString("Rules:\n")
	}
	for _, o := range outs {
		fmt.Fprintf(&b, "  %s  %s: %s\n", o.Verdict, o.Rule, o.Detail)
	}
	run := CIRun{Outcomes: outs}
	b.WriteString(run.SummaryLine() + "\n")
	_, fail, _ := run.Counts()
	_, err := io.WriteString(w, b.String())
	return fail == 0, err
}
