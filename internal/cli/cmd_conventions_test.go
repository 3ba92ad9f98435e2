package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/strata-cli/strata/ui"
)

// TestEveryCommandHasAnExample walks the command tree, cobra's own help
// and completion commands included.
func TestEveryCommandHasAnExample(t *testing.T) {
	e, _, _ := fakeEnv(nil, nil, nil)
	var walk func(c *cobra.Command)
	n := 0
	walk = func(c *cobra.Command) {
		n++
		if strings.TrimSpace(c.Example) == "" {
			t.Errorf("%q has no Example", c.CommandPath())
		}
		if c.Short == "" {
			t.Errorf("%q has no Short", c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCmd(e))
	if n < 10 {
		t.Errorf("walked only %d commands", n)
	}
}

// TestNoColor: --no-color is the mono theme for the explorer.
func TestNoColor(t *testing.T) {
	e, _, _ := fakeEnv(nil, nil, nil)
	var got string
	e.interactive = func() bool { return true }
	e.explore = func(_ context.Context, _ string, _ loadOptions, th ui.Theme) error { got = string(th); return nil }
	if code := runCmd(t, e, t.TempDir(), "--no-color", "--theme", "dark", "img"); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	if got != "mono" {
		t.Errorf("theme = %q, want mono", got)
	}
}
