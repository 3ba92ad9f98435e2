package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/strata-cli/strata/source"
)

// complete runs cobra's hidden __complete command, as a shell's
// completion script does, in dir, and returns the offered words
// (descriptions cut off) and the directive.
func complete(t *testing.T, e env, dir string, args ...string) ([]string, cobra.ShellCompDirective) {
	t.Helper()
	out := e.stdout.(interface{ String() string })
	if code := runCmd(t, e, dir, append([]string{cobra.ShellCompRequestCmd}, args...)...); code != exitOK {
		t.Fatalf("__complete %q: exit %d", args, code)
	}
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, ":") {
		t.Fatalf("__complete %q: no directive line in %q", args, out)
	}
	var d int
	for _, c := range last[1:] {
		d = d*10 + int(c-'0')
	}
	var words []string
	for _, l := range lines[:len(lines)-1] {
		w, _, _ := strings.Cut(l, "\t")
		words = append(words, w)
	}
	return words, cobra.ShellCompDirective(d)
}

func completionDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"client.tar", ".clhidden", "other.tar"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "cloud"), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestCompleteImageArgument: the root command completes files and
// directories, although it has subcommands, and a daemon's image names.
func TestCompleteImageArgument(t *testing.T) {
	dir := completionDir(t)
	var deadline time.Duration
	names := func(ctx context.Context, src string) ([]string, error) {
		if d, ok := ctx.Deadline(); ok {
			deadline = time.Until(d)
		}
		if src == "podman" {
			return []string{"podimg:1"}, nil
		}
		return []string{"alpine:3.20", "clang:18"}, nil
	}
	tests := []struct {
		args      []string
		want      []string
		directive cobra.ShellCompDirective
	}{
		{[]string{"./cl"}, []string{"./client.tar", "./cloud/"}, cobra.ShellCompDirectiveNoSpace},
		{[]string{"./.cl"}, []string{"./.clhidden"}, cobra.ShellCompDirectiveDefault},
		{[]string{"oci-archive:cl"}, []string{"oci-archive:client.tar", "oci-archive:cloud/"}, cobra.ShellCompDirectiveNoSpace},
		{[]string{"cloud/"}, nil, cobra.ShellCompDirectiveDefault},
		{[]string{"cl"}, []string{"client.tar", "cloud/", "clang:18"}, cobra.ShellCompDirectiveNoSpace},
		{[]string{"al"}, []string{"alpine:3.20"}, cobra.ShellCompDirectiveDefault},
		{[]string{"podman://p"}, []string{"podman://podimg:1"}, cobra.ShellCompDirectiveDefault},
		{[]string{"report", "oth"}, []string{"other.tar"}, cobra.ShellCompDirectiveDefault},
		{[]string{"compare", "other.tar", "cli"}, []string{"client.tar"}, cobra.ShellCompDirectiveDefault},
		// One IMAGE only.
		{[]string{"other.tar", ""}, nil, cobra.ShellCompDirectiveNoFileComp},
	}
	for _, tt := range tests {
		e, _, _ := fakeEnv(nil, nil, nil)
		e.imageNames = names
		got, d := complete(t, e, dir, tt.args...)
		if !slices.Equal(got, tt.want) || d != tt.directive {
			t.Errorf("__complete %q = %q :%d, want %q :%d", tt.args, got, d, tt.want, tt.directive)
		}
	}
	if deadline <= 0 || deadline > imageNamesTimeout {
		t.Errorf("the image list was asked for with %v left, want a deadline of at most %v", deadline, imageNamesTimeout)
	}

	// No daemon: files still.
	e, _, _ := fakeEnv(nil, nil, nil)
	e.imageNames = func(context.Context, string) ([]string, error) { return nil, errors.New("no daemon") }
	if got, _ := complete(t, e, dir, "cl"); !slices.Equal(got, []string{"client.tar", "cloud/"}) {
		t.Errorf("without a daemon: %q", got)
	}
}

// TestCompleteFlagValues: flags with fixed values offer them, not files.
func TestCompleteFlagValues(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"--format", ""}, ciFormats},
		{[]string{"compare", "--format", ""}, compareFormats},
		{[]string{"--source", ""}, append([]string{"auto"}, source.Kinds()...)},
		{[]string{"--theme", ""}, []string{"auto", "dark", "light", "high-contrast", "mono"}},
		{[]string{"init", "--flavour", ""}, []string{"generic", "node", "python", "go", "java"}},
	}
	for _, tt := range tests {
		e, _, _ := fakeEnv(nil, nil, nil)
		got, d := complete(t, e, completionDir(t), tt.args...)
		if !slices.Equal(got, tt.want) || d != cobra.ShellCompDirectiveNoFileComp {
			t.Errorf("__complete %q = %q :%d, want %q :%d", tt.args, got, d, tt.want, cobra.ShellCompDirectiveNoFileComp)
		}
	}
}
