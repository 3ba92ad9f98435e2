package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/strata-cli/strata/internal/golden"
	"github.com/strata-cli/strata/rules"
)

// configFixture writes the user config and .strata.yaml (either may be
// empty: no file) into a temp dir, changes into it, and returns getenv
// with XDG_CONFIG_HOME pointing there plus env.
func configFixture(t *testing.T, user, project string, env map[string]string) (string, func(string) string) {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	xdg := filepath.Join(dir, "xdg")
	if user != "" {
		if err := os.MkdirAll(filepath.Join(xdg, "strata"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(xdg, "strata", "config.yaml"), []byte(user), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if project != "" {
		if err := os.WriteFile(projectConfigFile, []byte(project), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	all := map[string]string{"XDG_CONFIG_HOME": xdg}
	for k, v := range env {
		all[k] = v
	}
	return filepath.Join(xdg, "strata", "config.yaml"), func(k string) string { return all[k] }
}

// loadTestConfig parses args as the root command would and loads the
// configuration.
func loadTestConfig(t *testing.T, getenv func(string) string, args ...string) (*config, *rootOptions, error) {
	t.Helper()
	var o rootOptions
	cmd := newRootCmd(env{stdout: io.Discard, stderr: io.Discard, getenv: getenv})
	if err := cmd.ParseFlags(args); err != nil {
		t.Fatal(err)
	}
	c, err := loadConfig(getenv, cmd.Flags(), "", "")
	if err == nil {
		err = c.apply(&o, cmd.Flags())
	}
	return c, &o, err
}

func TestConfigPrecedence(t *testing.T) {
	type layers struct{ user, project string }
	for _, tc := range []struct {
		name     string
		key      string
		files    layers
		env      map[string]string
		args     []string
		want     string
		wantFrom string // "user", "project", or a literal
	}{
		{"string default", "theme", layers{}, nil, nil, "auto", "default"},
		{"string user file", "theme", layers{"theme: light\n", ""}, nil, nil, "light", "user"},
		{"string project over user", "theme", layers{"theme: light\n", "theme: mono\n"}, nil, nil, "mono", "project"},
		{"string env over project", "theme", layers{"theme: light\n", "theme: mono\n"}, map[string]string{"STRATA_THEME": "dark"}, nil, "dark", "STRATA_THEME"},
		{"string flag over env", "theme", layers{"theme: light\n", "theme: mono\n"}, map[string]string{"STRATA_THEME": "dark"}, []string{"--theme", "high-contrast"}, "high-contrast", "flag --theme"},

		{"size user file", "cache.max", layers{"cache:\n  max: 2GiB\n", ""}, nil, nil, "2GiB", "user"},
		{"size project over user", "cache.max", layers{"cache:\n  max: 2GiB\n", "cache:\n  max: 3GiB\n"}, nil, nil, "3GiB", "project"},
		{"size env over project", "cache.max", layers{"", "cache:\n  max: 3GiB\n"}, map[string]string{"STRATA_CACHE_MAX": "4GiB"}, nil, "4GiB", "STRATA_CACHE_MAX"},
		{"size flag over env", "cache.max", layers{"", ""}, map[string]string{"STRATA_CACHE_MAX": "4GiB"}, []string{"--cache-max", "1000"}, "1000", "flag --cache-max"},

		{"bool user file", "no-verify", layers{"no-verify: true\n", ""}, nil, nil, "true", "user"},
		{"bool project over user", "no-verify", layers{"no-verify: true\n", "no-verify: false\n"}, nil, nil, "false", "project"},
		{"bool env over project", "no-verify", layers{"", "no-verify: false\n"}, map[string]string{"STRATA_NO_VERIFY": "1"}, nil, "true", "STRATA_NO_VERIFY"},
		{"bool flag over env", "no-verify", layers{"", ""}, map[string]string{"STRATA_NO_VERIFY": "0"}, []string{"--no-verify"}, "true", "flag --no-verify"},

		{"no-cache is cache.enabled", "cache.enabled", layers{"cache:\n  enabled: false\n", "no-cache: false\n"}, nil, nil, "true", "project"},
		{"no-cache env", "cache.enabled", layers{"", ""}, map[string]string{"STRATA_NO_CACHE": "true"}, nil, "false", "STRATA_NO_CACHE"},
		{"no-cache flag", "cache.enabled", layers{"", ""}, map[string]string{"STRATA_NO_CACHE": "false"}, []string{"--no-cache"}, "false", "flag --no-cache"},

		{"rule user file", "ci-rules.lowest-efficiency", layers{"ci-rules:\n  lowest-efficiency: 0.8\n", ""}, nil, nil, "0.8", "user"},
		{"rule alias in project", "ci-rules.lowest-efficiency", layers{"ci-rules:\n  lowest-efficiency: 0.8\n", "ci-rules:\n  lowestEfficiency: 0.7\n"}, nil, nil, "0.7", "project"},
		{"rule flag", "ci-rules.lowest-efficiency", layers{"ci-rules:\n  lowest-efficiency: 0.8\n", ""}, nil, []string{"--lowest-efficiency", "0.5"}, "0.5", "flag --lowest-efficiency"},

		{"keys user file", "keys.quit", layers{"keys:\n  quit: [x]\n", ""}, nil, nil, "[x]", "user"},
		{"keys project over user", "keys.quit", layers{"keys:\n  quit: [x]\n", "keys:\n  quit: [Q, ctrl+c]\n"}, nil, nil, "[Q, ctrl+c]", "project"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			userPath, getenv := configFixture(t, tc.files.user, tc.files.project, tc.env)
			c, _, err := loadTestConfig(t, getenv, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			if got := formatConfigValue(c.k.Get(tc.key)); got != tc.want {
				t.Errorf("%s = %s, want %s", tc.key, got, tc.want)
			}
			wantFrom := map[string]string{"user": userPath, "project": projectConfigFile}[tc.wantFrom]
			if wantFrom == "" {
				wantFrom = tc.wantFrom
			}
			if got := c.from[tc.key]; got != wantFrom {
				t.Errorf("%s from %q, want %q", tc.key, got, wantFrom)
			}
		})
	}
}

func TestConfigReachesOptions(t *testing.T) {
	_, getenv := configFixture(t,
		"theme: light\nplatform: linux/arm64\nsource: registry\nregistry:\n  timeout: 90s\ncache:\n  max: 2KB\n  dir: /x\nno-cache: true\nkeys:\n  quit: [x]\nci-rules:\n  lowest-efficiency: 0.8\n  block: ['*.pem']\n",
		"ci-rules:\n  highest-wasted-bytes: 1MB\n", nil)
	_, o, err := loadTestConfig(t, getenv)
	if err != nil {
		t.Fatal(err)
	}
	if o.theme != "light" || o.load.platform != "linux/arm64" || o.load.source != "registry" ||
		o.load.cache.max.bytes != 2000 || o.load.cache.dir != "/x" || !o.load.cache.noCache {
		t.Errorf("options = theme %q platform %q source %q cache %+v", o.theme, o.load.platform, o.load.source, o.load.cache)
	}
	if o.load.registryTimeout != 90*time.Second {
		t.Errorf("registry timeout = %v, want 90s", o.load.registryTimeout)
	}
	if got := o.load.keys["quit"]; len(got) != 1 || got[0] != "x" {
		t.Errorf("keys.quit = %v, want [x]", got)
	}
	// config < rules file < flags.
	if err := os.WriteFile(".strata-ci.yaml", []byte("rules:\n  highest-wasted-bytes: 2MB\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for i := range o.rules {
		o.rules[i] = &ruleFlag{} // no rule flags given
	}
	r, _, err := resolveRules(o)
	if err != nil {
		t.Fatal(err)
	}
	if r[rules.LowestEfficiency].Frac != 0.8 || r[rules.HighestWastedBytes].Bytes != 2_000_000 || len(r[rules.Block].Globs) != 1 {
		t.Errorf("rules = %+v", r)
	}
}

func TestConfigMissingFilesAreFine(t *testing.T) {
	_, getenv := configFixture(t, "", "", nil)
	c, _, err := loadTestConfig(t, getenv)
	if err != nil {
		t.Fatal(err)
	}
	for k, from := range c.from {
		if from != "default" {
			t.Errorf("%s from %q with no config at all", k, from)
		}
	}
	// No home and no XDG_CONFIG_HOME either.
	if _, _, err := loadTestConfig(t, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
}

func TestConfigErrorsNameKeyAndFile(t *testing.T) {
	for _, tc := range []struct {
		name, user, project string
		env                 map[string]string
		want                []string
	}{
		{"unknown top key", "", "colour: red\n", nil, []string{".strata.yaml", `unknown key "colour"`}},
		{"unknown nested key", "cache:\n  size: 1GB\n", "", nil, []string{"config.yaml", `unknown key "cache.size"`}},
		{"unknown rule", "ci-rules:\n  lowest-efficency: 0.9\n", "", nil, []string{"config.yaml", `unknown key "ci-rules.lowest-efficency"`}},
		{"unknown action", "", "keys:\n  explode: [e]\n", nil, []string{".strata.yaml", "keys.explode", `unknown explorer action "explode"`}},
		{"bad theme", "theme: neon\n", "", nil, []string{"config.yaml", "theme"}},
		{"bad env bool", "", "", map[string]string{"STRATA_NO_VERIFY": "maybe"}, []string{"STRATA_NO_VERIFY", "no-verify"}},
		{"bad rule value", "", "ci-rules:\n  lowest-efficiency: lots\n", nil, []string{".strata.yaml", "ci-rules.lowest-efficiency"}},
		{"timeout without a unit", "registry:\n  timeout: 30\n", "", nil, []string{"config.yaml", "registry.timeout", "with a unit"}},
		{"bad env timeout", "", "", map[string]string{"STRATA_REGISTRY_TIMEOUT": "-1s"}, []string{"STRATA_REGISTRY_TIMEOUT", "positive duration"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, getenv := configFixture(t, tc.user, tc.project, tc.env)
			_, _, err := loadTestConfig(t, getenv)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// TestConfigCommand runs strata config with every layer set and checks the
// output, and that an unknown key fails the run with one line and exit 2.
func TestConfigCommand(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(".xdg-config/strata/config.yaml", "theme: light\ncache:\n  max: 2GiB\nkeys:\n  quit: [x, ctrl+c]\n  collapse-all: ['{']\nci-rules:\n  lowest-efficiency: 0.8\n  block: ['*.pem']\n")
	write(".strata.yaml", "platform: linux/arm64\nno-cache: true\n")
	write(".strata-ci.yaml", "rules:\n  highest-user-wasted-percent: 0.2\n")
	r := runIn(t, dir, map[string]string{"STRATA_NO_VERIFY": "1"}, "--theme", "dark", "--highest-wasted-bytes", "5MB", "config")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	// Column widths depend on the temp dir's length: compare with the
	// padding collapsed.
	out := regexp.MustCompile(` {2,}`).ReplaceAllString(strings.ReplaceAll(r.stdout, dir, "$DIR"), "  ")
	golden.Check(t, "config.txt", []byte(out))

	write(".strata.yaml", "platform: linux/arm64\nplatfrom: linux/amd64\n")
	for _, args := range [][]string{{"config"}, {"version"}, {"--json", "-", "x.tar"}} {
		wantError(t, runIn(t, dir, nil, args...), `.strata.yaml: unknown key "platfrom"`)
	}
}

// TestProjectConfigCannotMoveTheCache: a repository's .strata.yaml may put
// the cache only inside the user's cache directory; the user's own config,
// STRATA_CACHE_DIR and --cache-dir may put it anywhere.
func TestProjectConfigCannotMoveTheCache(t *testing.T) {
	for _, tc := range []struct {
		name, user, project string
		env                 map[string]string
		args                []string
		wantErr             bool
	}{
		{"project, elsewhere", "", "cache:\n  dir: /srv/planted\n", map[string]string{"XDG_CACHE_HOME": "/home/u/.cache"}, nil, true},
		{"project, relative", "", "cache:\n  dir: ./cache\n", map[string]string{"HOME": "/home/u"}, nil, true},
		{"project, climbing out", "", "cache:\n  dir: /home/u/.cache/../x\n", map[string]string{"HOME": "/home/u"}, nil, true},
		{"project, inside the cache root", "", "cache:\n  dir: /home/u/.cache/strata-ci\n", map[string]string{"HOME": "/home/u"}, nil, false},
		{"user config, elsewhere", "cache:\n  dir: /srv/mine\n", "", nil, nil, false},
		{"project overridden by the variable", "", "cache:\n  dir: /srv/planted\n", map[string]string{"STRATA_CACHE_DIR": "/srv/mine"}, nil, false},
		{"project overridden by the flag", "", "cache:\n  dir: /srv/planted\n", nil, []string{"--cache-dir", "/srv/mine"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, getenv := configFixture(t, tc.user, tc.project, tc.env)
			_, _, err := loadTestConfig(t, getenv, tc.args...)
			if tc.wantErr != (err != nil) {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if err != nil && (!strings.Contains(err.Error(), ".strata.yaml") || !strings.Contains(err.Error(), "--cache-dir")) {
				t.Errorf("error %q does not name the file and the way out", err)
			}
		})
	}
}

// TestConfigCommandLayout: one long value (a long block list) overruns
// its own row only, and the theme row says what --no-color and NO_COLOR
// make of it.
func TestConfigCommandLayout(t *testing.T) {
	dir := t.TempDir()
	var globs []string
	for i := range 30 {
		globs = append(globs, fmt.Sprintf("'**/secret-%02d/**'", i))
	}
	if err := os.WriteFile(filepath.Join(dir, ".strata.yaml"), []byte("ci-rules:\n  block: ["+strings.Join(globs, ", ")+"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runIn(t, dir, nil, "config")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var long int
	for _, l := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
		if strings.HasPrefix(l, "ci-rules.block ") {
			long = len(l)
			continue
		}
		if len(l) > 120 || strings.HasSuffix(l, " ") {
			t.Errorf("row of %d columns (or with trailing spaces): %q", len(l), l)
		}
	}
	if long < 400 {
		t.Errorf("the block row is %d columns; the fixture should make it long", long)
	}

	for _, tc := range []struct {
		vars map[string]string
		args []string
		want string
	}{
		{nil, []string{"--theme", "dark", "config"}, `theme\s+dark\s+flag --theme`},
		{nil, []string{"--theme", "dark", "--no-color", "config"}, `theme\s+mono\s+flag --no-color`},
		{map[string]string{"NO_COLOR": "1", "STRATA_THEME": "light"}, []string{"config"}, `theme\s+mono\s+NO_COLOR`},
	} {
		r := runIn(t, dir, tc.vars, tc.args...)
		if r.code != exitOK || !regexpLine(r.stdout, tc.want) {
			t.Errorf("%v %v: exit %d, want a line %s in:\n%s", tc.vars, tc.args, r.code, tc.want, r.stdout)
		}
	}
}
