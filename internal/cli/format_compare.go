package cli

import (
	"fmt"
	"io"

	"github.com/strata-cli/strata/report"
)

// writeCompareOutput writes the comparison to stdout in the chosen format,
// and the --json document where --json says. With --json - stdout holds
// that document, so a format other than text and json goes to stderr, as
// for strata --json - --ci. Inside GitHub Actions it adds what the root's
// CI formats add (see writeActionsExtras).
func writeCompareOutput(e env, format string, o *compareOptions, c report.CompareRun) error {
	doc := report.NewJSONCompare(c.Rep, c.Reasons)
	out := e.stdout
	switch o.jsonPath {
	case "":
	case "-":
		if err := report.EncodeJSON(e.stdout, doc); err != nil {
			return err
		}
		out = e.stderr
	default:
		if err := writeAtomic(o.jsonPath, func(w io.Writer) error { return report.EncodeJSON(w, doc) }); err != nil {
			return err
		}
	}
	var err error
	switch format {
	case formatJSON:
		if o.jsonPath != "-" { // else already on stdout
			err = report.EncodeJSON(out, doc)
		}
	case formatJUnit:
		err = report.WriteCompareJUnit(out, c)
	case formatMarkdown:
		err = report.WriteCompareMarkdown(out, c)
	case formatGitHub:
		err = report.WriteCompareGitHub(out, c)
	default:
		switch o.jsonPath {
		case "":
			width := report.DefaultReportWidth
			if w, ok := e.termWidth(); ok {
				width = w
			}
			err = report.WriteCompare(out, c.Rep, report.CompareText{Top: o.top, NoTrunc: o.noTrunc}, width, c.Verdict)
		case "-": // the document alone
		default:
			_, err = fmt.Fprintln(out, c.Verdict)
		}
	}
	if err != nil {
		return err
	}
	return writeActionsExtras(e.getenv, format, e.stderr,
		func(w io.Writer) error { return report.WriteCompareGitHub(w, c) },
		func(w io.Writer) error { return report.WriteCompareMarkdown(w, c) })
}

// writeActionsExtras does what writeCI does inside GitHub Actions, whatever
// the format: with GITHUB_ACTIONS=true it writes the workflow commands to
// stderr (the runner reads them there too, and stdout stays clean) unless
// they are the output already, and it appends the Markdown summary to
// $GITHUB_STEP_SUMMARY when that is set.
func writeActionsExtras(getenv func(string) string, format string, stderr io.Writer, gitHub, markdown func(io.Writer) error) error {
	if format != formatGitHub && getenv("GITHUB_ACTIONS") == "true" {
		if err := gitHub(stderr); err != nil {
			return err
		}
	}
	if p := getenv("GITHUB_STEP_SUMMARY"); p != "" {
		if err := appendFile(p, markdown); err != nil {
			return fmt.Errorf("writing the job summary: %w", err)
		}
	}
	return nil
}

// --- JUnit XML ---------------------------------------------------------------
