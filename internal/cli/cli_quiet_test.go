package cli

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/internal/imagetest"
	"github.com/strata-cli/strata/internal/registrytest"
)

// slowBlobs wraps a registry so that every blob GET waits d before the
// first byte. Reading the image then takes longer than the terminal
// progress line's redraw interval, so without --quiet a progress line is
// drawn for sure.
func slowBlobs(d time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/blobs/") {
				select {
				case <-time.After(d):
				case <-r.Context().Done():
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// TestCLIQuietRegistry runs the command in process on a registry image
// with stderr taken for a terminal, so that the progress line is on
// unless --quiet turns it off. --quiet must leave stderr empty (no
// progress, no "using registry" line, no --verbose or --no-verify notes),
// print nothing on stdout without --ci, and only the rule results with it.
func TestCLIQuietRegistry(t *testing.T) {
	dir := t.TempDir()
	// The registry's credentials come from DOCKER_CONFIG, which the
	// keychain reads from the process environment.
	t.Setenv("DOCKER_CONFIG", dir)

	host := registrytest.InProcess(t, slowBlobs(redrawEvery+100*time.Millisecond))
	base := imagetest.MustLayer(t, imagetest.Tar(
		imagetest.Dir("data"),
		imagetest.SizedFile("data/big", 40_000),
		imagetest.File("data/keep", "keep\n"),
	), imagetest.Gzip)
	rm := imagetest.MustLayer(t, imagetest.Tar(imagetest.Whiteout("data/big")), imagetest.Gzip)
	img := imagetest.MustImage(t, []v1.Layer{base, rm}, nil, &v1.Platform{OS: "linux", Architecture: "amd64"})
	ref := "registry://" + registrytest.Push(t, host+"/strata/quiet:1", img)

	vars := map[string]string{
		"HOME":            dir,
		"XDG_CONFIG_HOME": filepath.Join(dir, ".xdg-config"),
		"XDG_CACHE_HOME":  filepath.Join(dir, ".xdg-cache"),
	}
	type out struct {
		code           int
		stdout, stderr string
	}
	strata := func(t *testing.T, args ...string) out {
		t.Helper()
		e, stdout, stderr := fakeEnv(nil, nil, vars)
		e.stderrTTY = func() bool { return true }
		e.load = openAndAnalyze
		// --no-cache: a layer answered from the cache is never fetched,
		// and nothing would be there to show progress for.
		code := runCmd(t, e, dir, append([]string{"--no-cache"}, append(args, ref)...)...)
		return out{code, stdout.String(), stderr.String()}
	}

	// The same run without --quiet shows that there is something to
	// silence: a terminal progress line, cleared, then the "using" line.
	loud := strata(t)
	if loud.code != exitOK {
		t.Fatalf("strata %s: exit %d, stderr %q", ref, loud.code, loud.stderr)
	}
	if !strings.Contains(loud.stderr, "\r\x1b[Kstrata: registry: ") {
		t.Fatalf("without --quiet, stderr %q has no progress line: the test cannot tell --quiet from a fetch too fast to show", loud.stderr)
	}
	if !strings.Contains(loud.stderr, "strata: using registry (http://"+host+")") {
		t.Errorf("without --quiet, stderr %q does not say it used the registry", loud.stderr)
	}
	if loud.stdout == "" {
		t.Errorf("without --quiet, no report on stdout")
	}

	for _, args := range [][]string{
		{"--quiet"},
		{"-q"},
		{"--quiet", "--verbose"},
		{"--quiet", "--no-verify"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			r := strata(t, args...)
			if r.code != exitOK {
				t.Errorf("exit %d, want 0", r.code)
			}
			if r.stderr != "" {
				t.Errorf("stderr = %q, want nothing", r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout = %q, want nothing without --ci", r.stdout)
			}
		})
	}

	t.Run("--quiet --ci", func(t *testing.T) {
		// 40 kB are wasted: one rule fails, so there is a FAIL to print
		// and exit 1.
		rule := []string{"--ci", "--highest-wasted-bytes", "1kB"}
		full := strata(t, rule...)
		if full.code != exitRuleFailed {
			t.Fatalf("--ci: exit %d, want %d (stderr %q)", full.code, exitRuleFailed, full.stderr)
		}
		r := strata(t, append([]string{"--quiet"}, rule...)...)
		if r.code != exitRuleFailed {
			t.Errorf("--quiet --ci: exit %d, want %d", r.code, exitRuleFailed)
		}
		if r.stderr != "" {
			t.Errorf("--quiet --ci: stderr = %q, want nothing", r.stderr)
		}
		if !strings.Contains(r.stdout, "highest-wasted-bytes") || !strings.Contains(r.stdout, "FAIL") {
			t.Errorf("--quiet --ci: stdout = %q, want the rule results with the failed rule", r.stdout)
		}
		// The rule results are the tail of what --ci prints after the
		// report; --quiet drops the report and the blank line after it.
		if !strings.HasSuffix(full.stdout, "\n\n"+r.stdout) || len(r.stdout) >= len(full.stdout) {
			t.Errorf("--quiet --ci: stdout = %q, want only the rule results that end --ci's output:\n%s", r.stdout, full.stdout)
		}
	})
}
