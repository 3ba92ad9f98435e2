package cli

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// takesRootFlags are the subcommands that run the root command's work
// themselves (build analyses what it built) or show the root's settings
// (config), so every root flag given before their name means what it
// means for strata IMAGE.
var takesRootFlags = map[string]bool{"build": true, "config": true}

// forwardRootFlags gives a subcommand the root flags written before its
// name ("strata --json out.json container web"). Cobra parses those into
// the root's flag set, where a subcommand that declares its own flag of
// the same name would never see them. A root flag the subcommand has no
// use for is an error rather than silently dropped: "strata --ci report"
// must not exit 0 with no rule checked.
func forwardRootFlags(cmd *cobra.Command) error {
	root := cmd.Root()
	if cmd == root || takesRootFlags[cmd.Name()] {
		return nil
	}
	var err error
	// VisitAll and Changed: the set LocalNonPersistentFlags builds is new,
	// so its Visit would see nothing.
	root.LocalNonPersistentFlags().VisitAll(func(f *pflag.Flag) {
		if err != nil || !f.Changed {
			return
		}
		own := cmd.Flags().Lookup(f.Name)
		switch {
		case own == nil:
			err = fmt.Errorf("--%s does not apply to %s (see %s --help)", f.Name, cmd.CommandPath(), cmd.CommandPath())
		case own == f || own.Changed:
			// The same flag, or the subcommand's own spelling wins.
		default:
			if serr := own.Value.Set(f.Value.String()); serr != nil {
				err = fmt.Errorf("--%s %s: %w", f.Name, f.Value, serr)
				return
			}
			own.Changed = true
		}
	})
	return err
}
