package cli

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/strata-cli/strata/cache"
	"github.com/strata-cli/strata/internal/safetext"
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
			return writeConfig(e, o)
		},
	}
}

// configValueWidth is the widest value that sets the VALUE column's
// width; a longer one (a long block list) overruns its row only, instead
// of pushing every row's FROM hundreds of columns to the right.
const configValueWidth = 40

// writeConfig prints the configuration as KEY VALUE FROM columns, in the
// order of the README.
func writeConfig(e env, o *rootOptions) error {
	c := o.cfg
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
	rows := [][3]string{{"KEY", "VALUE", "FROM"}}
	for _, k := range keys {
		v, from := formatConfigValue(c.k.Get(k)), c.from[k]
		switch {
		case k == "cache.dir" && v == `""`:
			// The default depends on the environment; show where it is.
			if d, err := cache.DefaultDir(); err == nil {
				v = d
			}
		case k == "theme" && o.noColor:
			// What the explorer will use: --no-color and NO_COLOR beat
			// any theme.
			v, from = string(ui.ThemeMono), "flag --no-color"
		case k == "theme" && e.getenv("NO_COLOR") != "":
			v, from = string(ui.ThemeMono), "NO_COLOR"
		}
		rows = append(rows, [3]string{k, safetext.Line(v), safetext.Line(from)})
	}
	keyW, valW := 0, 0
	for _, r := range rows {
		keyW = max(keyW, len(r[0]))
		if len(r[1]) <= configValueWidth {
			valW = max(valW, len(r[1]))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%-*s  %-*s  %s\n", keyW, r[0], valW, r[1], r[2])
	}
	_, err := io.WriteString(e.stdout, b.String())
	return err
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
