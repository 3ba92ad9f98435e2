package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"
	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/report"
	"github.com/strata-cli/strata/source"
)

// Build is what the release linker stamps into the binary (-X main.version
// and friends in .goreleaser.yaml); empty in a plain go build, where the
// version command falls back to the module's build info.
type Build struct {
	Version, Commit, Date string
}

// Exit codes: scripts tell a failed rule from a broken run.
const (
	exitOK         = 0
	exitRuleFailed = 1
	exitError      = 2
)

// New returns strata's command tree wired to the real process: its
// standard streams, environment, terminal and image libraries.
func New(b Build) *cobra.Command {
	e := processEnv()
	e.build = b
	return newRootCmd(e)
}

// ExitCode maps the command's error to an exit status, printing it as one
// line on w unless it is a rule failure, which the CI output already shows.
func ExitCode(w io.Writer, err error) int {
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errRulesFailed):
		return exitRuleFailed
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(w, "strata: interrupted")
		return exitError
	}
	fmt.Fprintf(w, "strata: %s\n", report.Printable(oneLine(err.Error())))
	return exitError
}

// oneLine folds a multi-line message so that an error is always one line;
// what is left of its control characters is escaped after it.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// processEnv wires the command to the real process and image libraries.
func processEnv() env {
	return env{
		stdin:  os.Stdin,
		stdout: os.Stdout,
		stderr: os.Stderr,
		getenv: os.Getenv,
		termWidth: func() (int, bool) {
			fd := os.Stdout.Fd()
			if !term.IsTerminal(fd) {
				return 0, false
			}
			w, _, err := term.GetSize(fd)
			return w, err == nil && w > 0
		},
		stderrTTY:  func() bool { return term.IsTerminal(os.Stderr.Fd()) },
		load:       openAndAnalyze,
		imageNames: source.ImageNames,
		explore:    explore,
		interactive: func() bool {
			return term.IsTerminal(os.Stdin.Fd()) && term.IsTerminal(os.Stdout.Fd())
		},
	}
}

// openAndAnalyze opens the image and reads every layer of it.
func openAndAnalyze(ctx context.Context, ref string, o loadOptions) (*analyze.Result, error) {
	s := newSession(o)
	defer s.close()
	return s.open(ctx, ref)
}
