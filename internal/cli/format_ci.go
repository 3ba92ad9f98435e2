package cli

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/htmlreport"
	"github.com/strata-cli/strata/rules"
)

// The CI output formats (--format).
const (
	formatText     = "text"
	formatJSON     = "json"
	formatJUnit    = "junit"
	formatMarkdown = "markdown"
	formatGitHub   = "github"
	formatHTML     = "html"
)

// ciFormats lists --format's values for the CI rules; text (the default)
// comes first. compareFormats are compare's: a comparison has no page.
var (
	ciFormats      = []string{formatText, formatJSON, formatJUnit, formatMarkdown, formatGitHub, formatHTML}
	compareFormats = []string{formatText, formatJSON, formatJUnit, formatMarkdown, formatGitHub}
)

// formatFlag is --format: one of allowed (ciFormats when nil).
type formatFlag struct {
	v       *string
	allowed []string
}

func (f *formatFlag) String() string {
	if f.v == nil || *f.v == "" {
		return formatText
	}
	return *f.v
}

func (f *formatFlag) Set(s string) error {
	allowed := f.allowed
	if allowed == nil {
		allowed = ciFormats
	}
	if slices.Contains(allowed, s) {
		*f.v = s
		return nil
	}
	return fmt.Errorf("want %s", strings.Join(allowed, ", "))
}

func (f *formatFlag) Type() string { return "format" }

// ciRun is one evaluation of the rules against an image: everything a CI
// format needs.
type ciRun struct {
	res    *analyze.Result
	source string // the rules file read, or ""
	outs   []rules.Outcome
}

// counts returns how many rules passed, failed and were skipped.
func (c ciRun) counts() (pass, fail, skip int) {
	for _, o := range c.outs {
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

// summaryLine is "FAIL [pass:1 fail:2 skip:0]".
func (c ciRun) summaryLine() string {
	pass, fail, skip := c.counts()
	overall := rules.Pass
	if fail > 0 {
		overall = rules.Fail
	}
	return fmt.Sprintf("%s [pass:%d fail:%d skip:%d]", overall, pass, fail, skip)
}

// writeCI writes the rule outcomes to w in the chosen format and reports
// whether every rule passed or was skipped. Inside GitHub Actions it also
// writes workflow commands to stderr (which the runner reads as well as
// stdout, so stdout stays clean for JSON or JUnit) and appends the
// Markdown summary to $GITHUB_STEP_SUMMARY, whatever the format.
func writeCI(w io.Writer, getenv func(string) string, format string, c ciRun, stderr io.Writer) (bool, error) {
	c.outs = printableOutcomes(c.outs)
	var err error
	switch format {
	case formatJSON:
		err = writeCIJSON(w, c)
	case formatJUnit:
		err = writeJUnit(w, c)
	case formatMarkdown:
		err = writeMarkdown(w, c)
	case formatGitHub:
		err = writeGitHub(w, c)
	case formatHTML:
		// The page strata report writes; the rules still set the exit code.
		var d *htmlreport.Document
		if d, err = htmlreport.Data(c.res); err == nil {
			err = htmlreport.Write(w, d)
		}
	default:
		_, err = writeOutcomes(w, c.source, c.outs)
	}
	if err != nil {
		return false, err
	}
	if err := writeActionsExtras(getenv, format, stderr,
		func(w io.Writer) error { return writeGitHub(w, c) },
		func(w io.Writer) error { return writeMarkdown(w, c) }); err != nil {
		return false, err
	}
	_, fail, _ := c.counts()
	return fail == 0, nil
}

// appendFile appends what write produces to path, creating it if needed.
// The step summary file is shared by every step of a job, so it is
// appended to, never replaced.
func appendFile(path string, write func(io.Writer) error) error {
	var b strings.Builder
	if err := write(&b); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(f, b.String()); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// --- JSON --------------------------------------------------------------------

type ciJSON struct {
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

// writeCIJSON writes the outcomes as one JSON document.
func writeCIJSON(w io.Writer, c ciRun) error {
	pass, fail, skip := c.counts()
	s := c.res.Image
	doc := ciJSON{
		SchemaVersion: 1,
		Image: ciJSONImage{Reference: cleanString(s.Reference), Digest: s.Digest, SizeBytes: s.SizeBytes,
			WastedBytes: s.WastedBytes, Efficiency: s.Efficiency},
		RulesFile: c.source,
		Result:    rules.Pass.String(),
		Pass:      pass, Fail: fail, Skip: skip,
		Rules: []ciJSONRule{},
	}
	if fail > 0 {
		doc.Result = rules.Fail.String()
	}
	for _, o := range c.outs {
		doc.Rules = append(doc.Rules, ciJSONRule{Name: o.Rule, Result: o.Verdict.String(), Actual: o.Actual,
			Threshold: o.Threshold, Detail: o.Detail, Paths: o.Paths, More: o.More})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
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

// writeJUnit writes one testsuite "strata" with one testcase per rule.
func writeJUnit(w io.Writer, c ciRun) error {
	_, fail, skip := c.counts()
	s := c.res.Image
	suite := junitSuite{
		Name: "strata", Tests: len(c.outs), Failures: fail, Skipped: skip,
		Properties: []junitProperty{
			{Name: "image", Value: xmlSafe(s.Reference)},
			{Name: "digest", Value: s.Digest},
			{Name: "sizeBytes", Value: strconv.FormatInt(s.SizeBytes, 10)},
			{Name: "wastedBytes", Value: strconv.FormatInt(s.WastedBytes, 10)},
			{Name: "efficiency", Value: strconv.FormatFloat(s.Efficiency, 'f', -1, 64)},
		},
	}
	if c.source != "" {
		suite.Properties = append(suite.Properties, junitProperty{Name: "rulesFile", Value: xmlSafe(c.source)})
	}
	for _, o := range c.outs {
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

// xmlSafe drops what XML 1.0 cannot hold at all (most control
// characters); encoding/xml escapes the rest. Paths are already printable.
func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r != 0xFFFE && r != 0xFFFF {
			return r
		}
		return -1
	}, cleanString(s))
}

// --- GitHub workflow commands -------------------------------------------------

// writeGitHub writes one ::error line per failed rule and one ::warning
// per rule skipped for a reason other than being disabled (its input
// means nothing for this image), then the summary line.
func writeGitHub(w io.Writer, c ciRun) error {
	var b strings.Builder
	for _, o := range c.outs {
		level := ""
		switch {
		case o.Verdict == rules.Fail:
			level = "error"
		case o.Verdict == rules.Skip && o.Detail != "disabled":
			level = "warning"
		default:
			continue
		}
		fmt.Fprintf(&b, "::%s title=%s::%s\n", level, ghProperty("strata "+o.Rule), ghData(o.Rule+": "+o.Detail))
	}
	fmt.Fprintf(&b, "strata: %s\n", c.summaryLine())
	_, err := io.WriteString(w, b.String())
	return err
}

// ghData escapes a workflow command's message.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(printable(s))
}

// ghProperty escapes a workflow command's property value.
func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(printable(s))
}
