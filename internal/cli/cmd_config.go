package cli

import (
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/strata-cli/strata/cache"
	"github.com/strata-cli/strata/rules"
	"github.com/strata-cli/strata/ui"
)

// loadOptionsConfig reads the configuration layers and fills o wherever
// no flag was given. It runs before every command.
func loadOptionsConfig(e env, o *rootOptions, cmd *cobra.Command) error {
	// A subcommand's own flags come first: compare and report declare
	// their own --theme and --platform, bound to the same options. Root
	// flags and the persistent cache flags may have been parsed by the
	// root or by the subcommand; the *pflag.Flag is shared either way.
	// Where both declare a flag, the one given on the command line counts.
	pick := map[string]*pflag.Flag{}
	var names []string
	for _, set := range []*pflag.FlagSet{cmd.Flags(), cmd.Root().Flags(), cmd.Root().PersistentFlags()} {
		set.VisitAll(func(f *pflag.Flag) {
			prev, ok := pick[f.Name]
			if !ok {
				names = append(names, f.Name)
			}
			if !ok || (!prev.Changed && f.Changed) {
				pick[f.Name] = f
			}
		})
	}
	fs := pflag.NewFlagSet("strata", pflag.ContinueOnError)
	for _, n := range names {
		// A copy without its shorthand: two commands may use one letter
		// for different flags, which a single FlagSet refuses.
		f := *pick[n]
		f.Shorthand = ""
		fs.AddFlag(&f)
	}
	rulesFile := ""
	if cmd.Name() == "config" && cmd.Parent() == cmd.Root() {
		rulesFile = rules.FindFile(o.ciConfig)
	}
	c, err := loadConfig(e.getenv, fs, o.configFile, rulesFile)
	if err != nil {
		return err
	}
	o.cfg = c
	return c.apply(o, fs)
}

func newConfigCmd(e env, o *rootOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "config",
		Short: "Print the effective configuration and where each value came from",
		Long: `strata config prints every setting strata would use here, and its origin:
"default", a config file's path, a STRATA_* variable, or a flag.

Settings are layered, each overriding the ones before it:
  1. defaults
  2. $XDG_CONFIG_HOME/strata/config.yaml (~/.config/strata/config.yaml when
     XDG_CONFIG_HOME is unset)
  3. .strata.yaml in the current directory
  4. STRATA_THEME, STRATA_SOURCE, STRATA_PLATFORM, STRATA_CACHE_DIR,
     STRATA_CACHE_MAX, STRATA_NO_CACHE, STRATA_NO_VERIFY
  5. flags
ci-rules sit below the CI rules file (.strata-ci.yaml, .dive-ci or
--ci-config), which sits below the rule flags.`,
		Example: `  # Where does the theme come from?
  strata config | grep theme

  # What a flag would change
  strata --theme light --no-cache config`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return writeConfig(e, o.cfg)
		},
	}
}

// writeConfig prints the configuration as KEY VALUE FROM columns, in the
// order of the README.
func writeConfig(e env, c *config) error {
	keys := []string{}
	for _, s := range settings() {
		if s.key != "no-cache" { // shown as cache.enabled
			keys = append(keys, s.key)
		}
	}
	for _, s := range rules.Specs() {
		keys = append(keys, "ci-rules."+s.Name)
	}
	for _, b := range ui.DefaultKeys() {
		keys = append(keys, "keys."+b.Action)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tVALUE\tFROM")
	for _, k := range keys {
		v := formatConfigValue(c.k.Get(k))
		if k == "cache.dir" && v == `""` {
			// The default depends on the environment; show where it is.
			if d, err := cache.DefaultDir(); err == nil {
				v = d
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", k, v, c.from[k])
	}
	return tw.Flush()
}

// formatConfigValue prints a value as one would write it in YAML.
func formatConfigValue(v any) string {
	switch t := v.(type) {
	case nil:
		return `""`
	case string:
		if t == "" {
			return `""`
		}
		return t
	case []string:
		parts := make([]string, len(t))
		for i, x := range t {
			parts[i] = listItem(x)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []any:
		parts := make([]string, len(t))
		for i, x := range t {
			parts[i] = listItem(fmt.Sprint(x))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(v)
}

// listItem quotes a list item that would otherwise be ambiguous ("[" is
// a key too).
func listItem(s string) string {
	if s == "" || strings.ContainsAny(s, "[],'\" \t") {
		return strconv.Quote(s)
	}
	return s
}
