// Command strata takes a container image apart layer by layer and reports
// exactly where its bytes go and how many of them are wasted.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/charmbracelet/x/term"
)

// Set at release time by the linker (-X main.version=... in
// .goreleaser.yaml); empty in a plain go build, where the version command
// falls back to the module's build info.
var (
	version string
	commit  string
	date    string
)

// Exit codes: scripts tell a failed rule from a broken run.
const (
	exitOK         = 0
	exitRuleFailed = 1
	exitError      = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := newRootCmd(processEnv()).ExecuteContext(ctx)
	if err != nil && ctx.Err() != nil {
		// After ^C a source may fail with what the cancellation did to it
		// (a closed connection) rather than with ctx's error; either way
		// the run was interrupted. Checked before stop, which cancels ctx.
		err = errors.Join(context.Canceled, err)
	}
	stop()
	os.Exit(exitCode(os.Stderr, err))
}

// exitCode maps the command's error to an exit status, printing it as one
// line on w unless it is a rule failure, which the CI output already shows.
func exitCode(w io.Writer, err error) int {
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errRulesFailed):
		return exitRuleFailed
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(w, "strata: interrupted")
		return exitError
	}
	fmt.Fprintf(w, "strata: %s\n", oneLine(err.Error()))
	return exitError
}

// oneLine folds a multi-line message so that an error is always one line.
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
		stderrTTY: func() bool { return term.IsTerminal(os.Stderr.Fd()) },
		load:      openAndAnalyze,
		explore:   explore,
		interactive: func() bool {
			return term.IsTerminal(os.Stdin.Fd()) && term.IsTerminal(os.Stdout.Fd())
		},
	}
}
