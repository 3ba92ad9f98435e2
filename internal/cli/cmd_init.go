package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/strata-cli/strata/rules"
)

func newInitCmd(e env) *cobra.Command {
	var (
		flavour = "generic"
		force   bool
		output  = rules.DefaultFiles[0]
	)
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write a commented .strata-ci.yaml with rules for your stack",
		Long: `init writes a .strata-ci.yaml in the current directory: the efficiency
and waste rules, size caps to fill in, a block list of files that must not
ship (VCS metadata, SSH keys, private keys, .env files, registry logins) and
a deny-waste list of package-manager caches. --flavour adds the caches and
credential files of one stack. An existing file is kept unless --force.`,
		Example: `  # Rules for any image
  strata init

  # Rules for a Node.js image, replacing an existing file
  strata init --flavour node --force

  # Then, in CI
  strata --ci app.tar`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !slices.Contains(rules.Flavours, flavour) {
				return fmt.Errorf("unknown --flavour %q (want %s)", flavour, strings.Join(rules.Flavours, ", "))
			}
			if !force {
				if _, err := os.Lstat(output); err == nil {
					return fmt.Errorf("%s already exists (use --force to replace it)", output)
				} else if !errors.Is(err, fs.ErrNotExist) {
					return fmt.Errorf("checking %s: %w", output, err)
				}
			}
			text := rules.InitFile(flavour)
			// Never write a file the parser would refuse.
			if _, err := rules.ParseFile(output, []byte(text)); err != nil {
				return fmt.Errorf("generated rules do not parse: %w", err)
			}
			if err := writeAtomic(output, func(w io.Writer) error {
				_, err := io.WriteString(w, text)
				return err
			}); err != nil {
				return err
			}
			_, err := fmt.Fprintf(e.stdout, "wrote %s (%s); run strata --ci IMAGE to check an image\n", output, flavour)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&flavour, "flavour", flavour, "stack to add rules for: "+strings.Join(rules.Flavours, ", "))
	f.StringVar(&flavour, "flavor", flavour, "same as --flavour")
	_ = f.MarkHidden("flavor")
	f.BoolVar(&force, "force", false, "replace an existing file")
	f.StringVarP(&output, "output", "o", output, "`FILE` to write")
	return cmd
}
