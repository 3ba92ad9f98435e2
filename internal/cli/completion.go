package cli

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/strata-cli/strata/rules"
	"github.com/strata-cli/strata/source"
	"github.com/strata-cli/strata/ui"
)

// imageNamesTimeout bounds how long completion waits for a daemon's image
// list: the shell is blocked meanwhile, and files are offered anyway.
const imageNamesTimeout = 300 * time.Millisecond

// pathSchemes take a path after them; imageSchemes an image name.
var (
	pathSchemes  = []string{"docker-archive:", "oci-archive:", "oci:"}
	imageSchemes = map[string]string{"docker://": "docker", "podman://": "podman"}
)

// completeImages completes up to n IMAGE arguments: files and
// directories first, then, when a daemon answers within
// imageNamesTimeout, the names of its images. Cobra completes no files
// by itself for a command with subcommands, which the root is.
func completeImages(e env, o *rootOptions, n int) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) >= n {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		scheme, rest := "", toComplete
		for _, s := range pathSchemes {
			if p, ok := strings.CutPrefix(toComplete, s); ok {
				scheme, rest = s, p
				break
			}
		}
		var comps []cobra.Completion
		if _, isImage := imageSchemeOf(toComplete); !isImage {
			comps = completePaths(scheme, rest)
		}
		if scheme == "" && !looksLikePath(toComplete) {
			comps = append(comps, completeImageNames(cmd.Context(), e, o.load.source, toComplete)...)
		}
		directive := cobra.ShellCompDirectiveDefault
		if slices.ContainsFunc(comps, func(c cobra.Completion) bool { return strings.HasSuffix(c, "/") }) {
			// A directory is a step on the way, not the answer.
			directive |= cobra.ShellCompDirectiveNoSpace
		}
		return comps, directive
	}
}

// imageSchemeOf returns the source a daemon scheme at the start of s
// names.
func imageSchemeOf(s string) (string, bool) {
	for p, kind := range imageSchemes {
		if strings.HasPrefix(s, p) {
			return kind, true
		}
	}
	return "", false
}

// looksLikePath reports whether s can only be a path: no image name
// starts with these.
func looksLikePath(s string) bool {
	return strings.HasPrefix(s, "/") || strings.HasPrefix(s, ".") || strings.HasPrefix(s, "~")
}

// completePaths lists the files and directories whose path starts with
// prefix, each written after scheme; directories end in "/". Hidden
// entries are offered only when prefix names them (".g" offers ".git").
func completePaths(scheme, prefix string) []cobra.Completion {
	dir, base := filepath.Split(prefix)
	ents, err := os.ReadDir(orDot(dir))
	if err != nil {
		return nil
	}
	var out []cobra.Completion
	for _, ent := range ents {
		name := ent.Name()
		if !strings.HasPrefix(name, base) || (strings.HasPrefix(name, ".") && !strings.HasPrefix(base, ".")) {
			continue
		}
		p := dir + name
		if fi, err := os.Stat(p); err == nil && fi.IsDir() { // Stat: a link to a directory is one
			p += "/"
		}
		out = append(out, scheme+p)
	}
	return out
}

func orDot(dir string) string {
	if dir == "" {
		return "."
	}
	return dir
}

// completeImageNames offers the daemon's image names that start with
// toComplete, or nothing when no daemon answers in time.
func completeImageNames(ctx context.Context, e env, src, toComplete string) []cobra.Completion {
	if e.imageNames == nil {
		return nil
	}
	scheme, name := "", toComplete
	if kind, ok := imageSchemeOf(toComplete); ok {
		scheme, src = kind+"://", kind
		name = strings.TrimPrefix(toComplete, scheme)
	}
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, imageNamesTimeout)
	defer cancel()
	names, err := e.imageNames(ctx, src)
	if err != nil {
		return nil
	}
	var out []cobra.Completion
	for _, n := range names {
		if strings.HasPrefix(n, name) {
			out = append(out, scheme+n)
		}
	}
	return out
}

// flagChoices are the fixed values of the flags that have them.
func flagChoices(f *pflag.Flag) []string {
	switch v := f.Value.(type) {
	case *formatFlag:
		return slices.Clone(cmpOr(v.allowed, ciFormats))
	case *sourceFlag:
		return append([]string{"auto"}, source.Kinds()...)
	}
	switch f.Name {
	case "theme":
		return []string{"auto", string(ui.ThemeDark), string(ui.ThemeLight), string(ui.ThemeHighContrast), string(ui.ThemeMono)}
	case "flavour", "flavor":
		return slices.Clone(rules.Flavours)
	}
	return nil
}

func cmpOr(a, b []string) []string {
	if a != nil {
		return a
	}
	return b
}

// registerCompletions gives every command's flags with fixed values
// their choices, and the commands that read images the IMAGE completion.
func registerCompletions(root *cobra.Command, e env, o *rootOptions) {
	images := map[string]int{"strata": 1, "strata report": 1, "strata compare": 2}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if n, ok := images[c.CommandPath()]; ok && c.ValidArgsFunction == nil {
			c.ValidArgsFunction = completeImages(e, o, n)
		}
		for _, set := range []*pflag.FlagSet{c.LocalNonPersistentFlags(), c.PersistentFlags()} {
			set.VisitAll(func(f *pflag.Flag) {
				choices := flagChoices(f)
				if choices == nil {
					return
				}
				// The same flag may be visited twice (a persistent flag
				// is registered once, by the command that owns it).
				_ = c.RegisterFlagCompletionFunc(f.Name, cobra.FixedCompletions(choices, cobra.ShellCompDirectiveNoFileComp))
			})
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
