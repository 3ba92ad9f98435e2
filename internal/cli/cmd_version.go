package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

func newVersionCmd(e env) *cobra.Command {
	var short bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit, build date and Go version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if short {
				_, err := fmt.Fprintln(e.stdout, shortVersion(e.build))
				return err
			}
			v, c, d := buildInfo(e.build)
			_, err := fmt.Fprintf(e.stdout, "version: %s\ncommit:  %s\ndate:    %s\ngo:      %s %s/%s\n",
				v, c, d, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return err
		},
	}
	cmd.Flags().BoolVar(&short, "short", false, `print only "strata VERSION", as strata --version does`)
	return cmd
}

// shortVersion is the one line strata --version and strata version
// --short print, as dive --version prints its own.
func shortVersion(b Build) string {
	v, _, _ := buildInfo(b)
	return "strata " + v
}

// buildInfo returns the linker-set version, commit and date. A binary from
// "go install" or "go build" has none of them, but the toolchain records
// the module version and, in a git checkout, the VCS revision and time.
func buildInfo(b Build) (ver, rev, when string) {
	ver, rev, when = b.Version, b.Commit, b.Date
	if bi, ok := debug.ReadBuildInfo(); ok {
		if ver == "" && bi.Main.Version != "" {
			ver = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch {
			case s.Key == "vcs.revision" && rev == "":
				rev = s.Value
			case s.Key == "vcs.time" && when == "":
				when = s.Value
			case s.Key == "vcs.modified" && s.Value == "true" && b.Commit == "" && rev != "":
				rev += "-dirty"
			}
		}
	}
	for _, p := range []*string{&ver, &rev, &when} {
		if *p == "" {
			*p = "unknown"
		}
	}
	return ver, rev, when
}
