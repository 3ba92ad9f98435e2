package cli

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/strata-cli/strata/report"
	"github.com/strata-cli/strata/report/html"
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
	formatSARIF    = "sarif"
)

// ciFormats lists --format's values for the CI rules; text (the default)
// comes first. compareFormats are compare's: a comparison has no page.
var (
	ciFormats      = []string{formatText, formatJSON, formatJUnit, formatMarkdown, formatGitHub, formatHTML, formatSARIF}
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

// writeCI writes the rule outcomes to w in the chosen format and reports
// whether every rule passed or was skipped. Inside GitHub Actions it also
// writes workflow commands to stderr (which the runner reads as well as
// stdout, so stdout stays clean for JSON or JUnit) and appends the
// Markdown summary to $GITHUB_STEP_SUMMARY, whatever the format.
func writeCI(w io.Writer, getenv func(string) string, format string, c report.CIRun, stderr io.Writer) (bool, error) {
	c.Outcomes = report.PrintableOutcomes(c.Outcomes)
	var err error
	switch format {
	case formatJSON:
		err = report.WriteCIJSON(w, c)
	case formatJUnit:
		err = report.WriteJUnit(w, c)
	case formatMarkdown:
		err = report.WriteMarkdown(w, c)
	case formatGitHub:
		err = report.WriteGitHub(w, c)
	case formatSARIF:
		err = report.WriteSARIF(w, c)
	case formatHTML:
		// The page strata report writes; the rules still set the exit code.
		var d *html.Document
		if d, err = html.Data(c.Result); err == nil {
			d.Rules, d.RulesSummary = htmlRules(c.Outcomes), c.SummaryLine()
			err = html.Write(w, d)
		}
	default:
		_, err = report.WriteOutcomes(w, c.RulesFrom(), c.Outcomes)
	}
	if err != nil {
		return false, err
	}
	if err := writeActionsExtras(getenv, format, stderr,
		func(w io.Writer) error { return report.WriteGitHub(w, c) },
		func(w io.Writer) error { return report.WriteMarkdown(w, c) }); err != nil {
		return false, err
	}
	_, fail, _ := c.Counts()
	return fail == 0, nil
}

// htmlRules converts the outcomes for the page, which knows nothing of
// package rules.
func htmlRules(outs []rules.Outcome) []html.Rule {
	rs := make([]html.Rule, len(outs))
	for i, o := range outs {
		rs[i] = html.Rule{Name: o.Rule, Result: o.Verdict.String(), Actual: o.Actual, Threshold: o.Threshold, Detail: o.Detail}
	}
	return rs
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
