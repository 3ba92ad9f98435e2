package cli

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/internal/imagetest"
	"github.com/strata-cli/strata/internal/registrytest"
)

// TestRegistryTimeoutReachesTheRegistry: --registry-timeout and
// STRATA_REGISTRY_TIMEOUT bound the wait on a registry whose blobs never
// start; without them the 30 s default would hold the test far longer
// than the minute it is given.
func TestRegistryTimeoutReachesTheRegistry(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("DOCKER_CONFIG", dir)
	host := registrytest.InProcess(t, slowBlobs(time.Hour))
	layer := imagetest.MustLayer(t, imagetest.Tar(imagetest.File("etc/a", "a\n")), imagetest.Gzip)
	img := imagetest.MustImage(t, []v1.Layer{layer}, nil, nil)
	ref := "registry://" + registrytest.Push(t, host+"/strata/stall:1", img)

	for _, tc := range []struct {
		name string
		vars map[string]string
		args []string
	}{
		{"flag", nil, []string{"--registry-timeout", "300ms"}},
		{"environment", map[string]string{"STRATA_REGISTRY_TIMEOUT": "300ms"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vars := map[string]string{"HOME": dir, "XDG_CONFIG_HOME": filepath.Join(dir, ".xdg-config")}
			for k, v := range tc.vars {
				vars[k] = v
			}
			e, stdout, stderr := fakeEnv(nil, nil, vars)
			e.load = openAndAnalyze
			start := time.Now()
			code := runCmd(t, e, dir, append(append([]string{"--no-cache", "--json", "-"}, tc.args...), ref)...)
			took := time.Since(start)
			if code != exitError || stdout.Len() != 0 || !strings.Contains(stderr.String(), "300ms") {
				t.Errorf("exit %d after %v, stderr %q; want exit 2 naming the 300ms bound", code, took, stderr)
			}
			t.Logf("gave up after %v: %s", took.Round(time.Millisecond), strings.TrimSpace(stderr.String()))
		})
	}
}
