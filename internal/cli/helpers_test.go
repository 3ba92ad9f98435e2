package cli

import (
	"bytes"
	"context"
	"maps"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-cli/strata/analyze"
)

// fakeEnv returns an env whose loader hands back res (or err), with output
// captured in the returned buffers.
func fakeEnv(res *analyze.Result, err error, vars map[string]string) (env, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return env{
		stdout:    &out,
		stderr:    &errb,
		getenv:    func(k string) string { return vars[k] },
		termWidth: func() (int, bool) { return 0, false },
		load: func(context.Context, string, loadOptions) (*analyze.Result, error) {
			return res, err
		},
	}, &out, &errb
}

// runCmd runs the root command in dir (for rules-file discovery) and
// returns the exit code main would use.
func runCmd(t *testing.T, e env, dir string, args ...string) int {
	t.Helper()
	if dir != "" {
		t.Chdir(dir)
	}
	cmd := newRootCmd(e)
	if args == nil {
		args = []string{} // nil would make cobra read os.Args
	}
	cmd.SetArgs(args)
	return ExitCode(e.stderr, cmd.ExecuteContext(context.Background()))
}

// result is one in-process run of the command.
type result struct {
	code           int
	stdout, stderr string
}

// runIn runs the root command in dir with vars as its whole environment
// and the fake loader; the user's own cache and config are never read.
func runIn(t *testing.T, dir string, vars map[string]string, args ...string) result {
	t.Helper()
	all := map[string]string{"STRATA_CACHE_DIR": filepath.Join(dir, ".strata-cache"), "XDG_CONFIG_HOME": filepath.Join(dir, ".xdg-config")}
	maps.Copy(all, vars)
	e, out, errb := fakeEnv(nil, nil, all)
	code := runCmd(t, e, dir, args...)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// wantError checks the contract for failures: exit 2, one line on stderr
// saying what went wrong, nothing on stdout.
func wantError(t *testing.T, r result, contains string) {
	t.Helper()
	if r.code != exitError || strings.Count(r.stderr, "\n") != 1 || !strings.HasPrefix(r.stderr, "strata: ") || !strings.Contains(r.stderr, contains) || r.stdout != "" {
		t.Errorf("exit %d, stderr %q, stdout %q; want exit %d and one line containing %q", r.code, r.stderr, r.stdout, exitError, contains)
	}
}

func lastLine(s string) string {
	s = strings.TrimRight(s, "\n")
	return s[strings.LastIndexByte(s, '\n')+1:]
}
