package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/strata-cli/strata/source"
)

func newBuildCmd(e env, o *rootOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "build [docker build args...]",
		Short: "Build an image with docker build (or podman build) and analyse it",
		Long: `build runs "docker build" with every argument passed through unchanged, then
analyses the image it built exactly as "strata IMAGE" would. With --source
podman it runs "podman build" instead.

strata's own flags (--ci, --json, --platform, ...) go before "build":
everything after it belongs to docker build. The build's output goes to
stderr, so that "strata --json - build ." prints only JSON on stdout.`,
		Example: `  strata build -t app:dev .
  strata --ci build -f Containerfile .
  strata --json report.json --source podman build .`,
		DisableFlagParsing: true,
		SilenceUsage:       true,
		SilenceErrors:      true,
		RunE: func(cmd *cobra.Command, args []string) error {
			// With flag parsing off, --help would go to docker, which
			// prints its own help and builds nothing.
			if slices.Contains(args, "--help") || slices.Contains(args, "-h") {
				cmd.SetOut(e.stdout)
				if err := cmd.Help(); err != nil {
					return err
				}
				_, err := fmt.Fprintf(e.stdout, "\nThe flags after build are docker build's: see docker build --help (or podman build --help).\n")
				return err
			}
			if f := strataOnlyFlag(cmd.Root(), args); f != "" {
				return fmt.Errorf("build: %s is strata's flag, and everything after build goes to docker build: put it before build (strata %s build ...)", f, f)
			}
			return runBuild(cmd.Context(), e, o, args)
		},
	}
}

// dockerBuildAlso are strata flags that docker build (or podman build)
// has too: after build they are the builder's.
var dockerBuildAlso = []string{"platform", "quiet", "q", "no-cache", "help", "h"}

// strataOnlyFlag returns the first argument that names one of strata's own
// flags (root or persistent) that docker build does not have, as given.
func strataOnlyFlag(root *cobra.Command, args []string) string {
	for _, a := range args {
		if a == "--" {
			return ""
		}
		name, ok := strings.CutPrefix(a, "--")
		if !ok || name == "" {
			continue
		}
		name, _, _ = strings.Cut(name, "=")
		if slices.Contains(dockerBuildAlso, name) {
			continue
		}
		if root.Flags().Lookup(name) != nil || root.PersistentFlags().Lookup(name) != nil {
			return "--" + name
		}
	}
	return ""
}

func runBuild(ctx context.Context, e env, o *rootOptions, args []string) error {
	var tool string
	switch o.load.source {
	case "", "auto", string(source.KindDocker):
		tool = "docker"
	case string(source.KindPodman):
		tool = "podman"
	default:
		return fmt.Errorf("build needs --source docker or podman, not %s", o.load.source)
	}
	for _, a := range args {
		if a == "--iidfile" || strings.HasPrefix(a, "--iidfile=") {
			return errors.New("build: strata sets --iidfile itself; leave it out")
		}
	}
	dir, err := os.MkdirTemp("", "strata-build-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	iidFile := filepath.Join(dir, "iid")

	cmd := exec.CommandContext(ctx, tool, append([]string{"build", "--iidfile", iidFile}, args...)...)
	cmd.Stdin = e.stdin // "docker build -" reads the Dockerfile from stdin
	// The build's own output is for people; stdout stays for the report.
	cmd.Stdout, cmd.Stderr = e.stderr, e.stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return fmt.Errorf("%s build failed (%s)", tool, ee.ProcessState)
		}
		return fmt.Errorf("running %s build: %w", tool, err)
	}
	raw, err := os.ReadFile(iidFile)
	if err != nil {
		return fmt.Errorf("%s build wrote no image ID: %w", tool, err)
	}
	id := strings.TrimSpace(string(raw))
	if id == "" {
		return fmt.Errorf("%s build wrote an empty image ID", tool)
	}
	if o.load.dockerfile == "" {
		// strata build knows the file it built from: show its lines.
		o.load.dockerfile = buildDockerfile(args, tool)
	}
	return runRoot(ctx, e, o, tool+"://"+id)
}

// buildDockerfile finds the Dockerfile a build's arguments name: -f or
// --file (relative to the working directory, as docker reads it), else
// Dockerfile (podman: Containerfile first) in the context, the last
// argument. A context on stdin or at a URL, or a file that is not there,
// gives "": the report then has no lines rather than wrong ones.
func buildDockerfile(args []string, tool string) string {
	var file string
	for i, a := range args {
		switch {
		case (a == "-f" || a == "--file") && i+1 < len(args):
			file = args[i+1]
		case strings.HasPrefix(a, "--file="):
			file = strings.TrimPrefix(a, "--file=")
		case strings.HasPrefix(a, "-f") && len(a) > 2 && !strings.HasPrefix(a, "--"):
			file = strings.TrimPrefix(strings.TrimPrefix(a, "-f"), "=")
		}
	}
	if file == "-" {
		return ""
	}
	if file == "" {
		if len(args) == 0 {
			return ""
		}
		context := args[len(args)-1]
		if context == "-" || strings.HasPrefix(context, "-") || strings.Contains(context, "://") || strings.HasPrefix(context, "git@") {
			return ""
		}
		names := []string{"Dockerfile"}
		if tool == "podman" {
			names = []string{"Containerfile", "Dockerfile"}
		}
		for _, n := range names {
			if p := filepath.Join(context, n); regularFile(p) {
				return p
			}
		}
		return ""
	}
	if !regularFile(file) {
		return ""
	}
	return file
}

func regularFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}
