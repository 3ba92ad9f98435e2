package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// newManCmd is "strata man DIR": man pages for every command, for
// packagers (the deb and rpm packages ship them). Hidden from the command
// list because users read the pages, not write them.
func newManCmd(e env) *cobra.Command {
	return &cobra.Command{
		Use:    "man DIR",
		Short:  "Write man pages for strata and its commands into DIR",
		Hidden: true,
		Example: `  strata man ./man && man ./man/strata.1
  strata man /usr/local/share/man/man1`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return fmt.Errorf("strata man writes the pages into a directory: name one, as in strata man ./man (got %d arguments)", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return fmt.Errorf("writing man pages: %w", err)
			}
			root := cmd.Root()
			// A fixed date keeps the pages reproducible; the version is
			// what "strata version" prints.
			ver, _, _ := buildInfo(e.build)
			hdr := &doc.GenManHeader{Title: "STRATA", Section: "1", Source: "strata " + ver, Manual: "strata manual"}
			root.DisableAutoGenTag = true
			if err := doc.GenManTree(root, hdr, dir); err != nil {
				return fmt.Errorf("writing man pages: %w", err)
			}
			matches, _ := filepath.Glob(filepath.Join(dir, "*.1"))
			_, err := fmt.Fprintf(e.stdout, "wrote %d man pages to %s\n", len(matches), dir)
			return err
		},
	}
}

// finishCommandTree adds cobra's help and completion commands now rather
// than at Execute, so that they can be given examples like every other
// command (and so the man pages list them).
func finishCommandTree(root *cobra.Command) {
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	// Examples for commands defined in files outside the CI/ecosystem
	// work; each belongs in its own constructor and is only filled in here
	// while it has none.
	examples := map[string]string{
		"strata version":     "  strata version",
		"strata cache":       "  strata cache list\n  strata cache prune --keep 500MB",
		"strata cache list":  "  strata cache list\n  strata --cache-dir /tmp/strata-cache cache list",
		"strata cache prune": "  strata cache prune             # empty the cache\n  strata cache prune --keep 1GB   # keep the most recently used 1 GB",
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if ex, ok := examples[c.CommandPath()]; ok && c.Example == "" {
			c.Example = ex
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	for _, c := range root.Commands() {
		switch c.Name() {
		case "help":
			c.Example = "  strata help\n  strata help cache prune"
		case "completion":
			c.Example = `  # bash, for the current shell and for every new one
  source <(strata completion bash)
  strata completion bash > /etc/bash_completion.d/strata

  # zsh, fish and PowerShell
  strata completion zsh > "${fpath[1]}/_strata"
  strata completion fish > ~/.config/fish/completions/strata.fish
  strata completion powershell | Out-String | Invoke-Expression`
			for _, sh := range c.Commands() {
				sh.Example = "  strata completion " + sh.Name() + " > strata-completion." + sh.Name()
			}
		}
	}
}
