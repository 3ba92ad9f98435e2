// Command strata takes a container image apart layer by layer and reports
// exactly where its bytes go and how many of them are wasted. Everything
// but the process itself lives in internal/cli and the packages below it.
package main

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"

	"github.com/strata-cli/strata/internal/cli"
)

// Set at release time by the linker (-X main.version=... in
// .goreleaser.yaml); empty in a plain go build, where the version command
// falls back to the module's build info.
var (
	version string
	commit  string
	date    string
)

func main() {
	// SIGTERM too: a CI runner or container stop must get the same clean
	// exit as ^C, temporary files removed.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := cli.New(cli.Build{Version: version, Commit: commit, Date: date}).ExecuteContext(ctx)
	if err != nil && ctx.Err() != nil {
		// After a signal a source may fail with what the cancellation did
		// to it (a closed connection) rather than with ctx's error; either
		// way the run was interrupted. Checked before stop, which cancels ctx.
		err = errors.Join(context.Canceled, err)
	}
	stop()
	os.Exit(cli.ExitCode(os.Stderr, err))
}
