package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	kyaml "github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/confmap"
	kenv "github.com/knadh/koanf/providers/env/v2"
	"github.com/knadh/koanf/providers/posflag"
	"github.com/knadh/koanf/providers/rawbytes"
	"github.com/knadh/koanf/v2"
	"github.com/spf13/pflag"

	"github.com/strata-cli/strata/internal/units"
	"github.com/strata-cli/strata/rules"
	"github.com/strata-cli/strata/source"
	"github.com/strata-cli/strata/ui"
)

// The configuration is layered, each layer overriding the ones before it:
// defaults, the user's config file, .strata.yaml in the current directory,
// STRATA_* variables, then flags. koanf merges the layers; config.from
// remembers which layer set each key, for strata config.

// projectConfigFile is the per-directory config file.
const projectConfigFile = ".strata.yaml"

// setting is one plain configuration key and how the other layers spell it.
type setting struct {
	key  string // the dotted YAML path, as koanf flattens it
	env  string // STRATA_* variable, if any
	flag string // flag name, if any
}

// settings lists the plain keys in the order strata config prints them.
// no-cache is cache.enabled inverted, accepted because the flag is spelled
// that way.
func settings() []setting {
	return []setting{
		{"theme", "STRATA_THEME", "theme"},
		{"source", "STRATA_SOURCE", "source"},
		{"platform", "STRATA_PLATFORM", "platform"},
		{"registry.timeout", "STRATA_REGISTRY_TIMEOUT", "registry-timeout"},
		{"cache.dir", "STRATA_CACHE_DIR", "cache-dir"},
		{"cache.max", "STRATA_CACHE_MAX", "cache-max"},
		{"cache.enabled", "", ""},
		{"no-cache", "STRATA_NO_CACHE", "no-cache"},
		{"no-verify", "STRATA_NO_VERIFY", "no-verify"},
	}
}

// config is the effective configuration.
type config struct {
	k    *koanf.Koanf      // effective values under canonical keys
	from map[string]string // the layer that set each key
	// rules holds the ci-rules of the config files, later files winning;
	// resolveRules puts the rules file and the rule flags on top.
	rules rules.Overrides
	// keys holds the explorer key overrides of the config files.
	keys map[string][]string
	// getenv is the environment the layers were read from.
	getenv func(string) string
}

// userConfigPath returns $XDG_CONFIG_HOME/strata/config.yaml, else
// ~/.config/strata/config.yaml, else "" when there is no home either.
func userConfigPath(getenv func(string) string) string {
	if d := getenv("XDG_CONFIG_HOME"); d != "" {
		return filepath.Join(d, "strata", "config.yaml")
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".config", "strata", "config.yaml")
	}
	return ""
}

// loadConfig layers the configuration. flags are the parsed flags (only
// changed ones count); configFile, when not empty, is the one config file
// read (--config), which must exist; rulesFile, when not empty, is shown
// as the layer between the config files and the flags for ci-rules
// (strata config).
func loadConfig(getenv func(string) string, flags *pflag.FlagSet, configFile, rulesFile string) (*config, error) {
	c := &config{k: koanf.New("."), from: map[string]string{}, keys: map[string][]string{}, getenv: getenv}

	def := map[string]any{
		"theme": "auto", "source": "auto", "platform": "", "registry.timeout": source.DefaultRegistryHeaderTimeout.String(),
		"cache.dir": "", "cache.max": "1GiB", "cache.enabled": true, "no-verify": false,
	}
	for _, s := range rules.Specs() {
		def["ci-rules."+s.Name] = s.Default
	}
	for _, b := range ui.DefaultKeys() {
		def["keys."+b.Action] = b.Keys
	}
	if err := c.merge(confmap.Provider(def, "."), nil, func(string) string { return "default" }, false); err != nil {
		return nil, err
	}

	paths := []string{userConfigPath(getenv), projectConfigFile}
	if configFile != "" {
		paths = []string{configFile}
	}
	for _, path := range paths {
		if path == "" {
			continue
		}
		data, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) && configFile == "" {
			continue // no config file is the common case
		}
		if err != nil {
			return nil, fmt.Errorf("reading config: %w", err)
		}
		if err := c.merge(rawbytes.Provider(data), kyaml.Parser(), func(string) string { return path }, true); err != nil {
			return nil, err // it names the file
		}
	}

	// The environment is read through getenv, so tests can fake it; only
	// the documented variables are considered.
	envKey := map[string]string{}
	var environ []string
	for _, s := range settings() {
		if s.env == "" {
			continue
		}
		envKey[s.env] = s.key
		if v := getenv(s.env); v != "" {
			environ = append(environ, s.env+"="+v)
		}
	}
	keyEnv := map[string]string{}
	ep := kenv.Provider(".", kenv.Opt{
		EnvironFunc: func() []string { return environ },
		TransformFunc: func(k, v string) (string, any) {
			keyEnv[envKey[k]] = k
			return envKey[k], v
		},
	})
	if err := c.merge(ep, nil, func(key string) string { return keyEnv[key] }, false); err != nil {
		return nil, err
	}

	if rulesFile != "" {
		if err := c.addRulesFile(rulesFile); err != nil {
			return nil, err
		}
	}

	if flags != nil {
		flagKey := map[string]string{}
		for _, s := range settings() {
			if s.flag != "" {
				flagKey[s.flag] = s.key
			}
		}
		for _, s := range rules.Specs() {
			flagKey[s.Name] = "ci-rules." + s.Name
			if s.Alias != "" {
				flagKey[s.Alias] = "ci-rules." + s.Name
			}
		}
		keyFlag := map[string]string{}
		fp := posflag.ProviderWithFlag(flags, ".", nil, func(f *pflag.Flag) (string, any) {
			k := flagKey[f.Name]
			if k == "" || !f.Changed {
				return "", nil
			}
			keyFlag[k] = "flag --" + f.Name
			return k, f.Value.String()
		})
		// Rule flags are only recorded here; resolveRules applies them.
		if err := c.merge(fp, nil, func(key string) string { return keyFlag[key] }, false); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// merge loads one layer, checks and normalises its keys, and merges it
// over the layers before. origin names the layer a key came from. With
// file set the layer's ci-rules and keys become the config's overrides.
func (c *config) merge(p koanf.Provider, parser koanf.Parser, origin func(key string) string, file bool) error {
	src := koanf.New(".")
	if err := src.Load(p, parser); err != nil {
		return fmt.Errorf("%s: %w", origin(""), err)
	}
	out := map[string]any{}
	from := map[string]string{}
	specs := rules.Specs()
	for _, key := range src.Keys() {
		v := src.Get(key)
		where := origin(key)
		set := func(k string, v any) { out[k], from[k] = v, where }
		switch {
		case key == "theme":
			s := scalarString(v)
			if _, err := parseTheme(s); err != nil {
				return fmt.Errorf("%s: theme: %w", where, err)
			}
			set(key, s)
		case key == "source":
			s, dst := scalarString(v), ""
			if err := (&sourceFlag{v: &dst}).Set(s); err != nil {
				return fmt.Errorf("%s: source %q: %w", where, s, err)
			}
			set(key, s)
		case key == "platform", key == "cache.dir":
			set(key, scalarString(v))
		case key == "registry.timeout":
			s := scalarString(v)
			if _, err := parseTimeout(s); err != nil {
				return fmt.Errorf("%s: registry.timeout: %w", where, err)
			}
			set(key, s)
		case key == "cache.max":
			s := scalarString(v)
			if _, err := units.ParseBytes(s); err != nil {
				return fmt.Errorf("%s: cache.max: %w", where, err)
			}
			set(key, s)
		case key == "cache.enabled", key == "no-verify", key == "no-cache":
			b, err := boolValue(v)
			if err != nil {
				return fmt.Errorf("%s: %s: %w", where, key, err)
			}
			if key == "no-cache" {
				key, b = "cache.enabled", !b
			}
			set(key, b)
		case strings.HasPrefix(key, "ci-rules."):
			name := strings.TrimPrefix(key, "ci-rules.")
			idx := slices.IndexFunc(specs[:], func(s rules.Spec) bool { return name == s.Name || (s.Alias != "" && name == s.Alias) })
			if idx < 0 {
				return fmt.Errorf("%s: unknown key %q (want ci-rules.{%s})", where, key, rules.Names())
			}
			l, err := rules.ParseValue(specs[idx], v)
			if err != nil {
				return fmt.Errorf("%s: %s: %w", where, key, err)
			}
			if file {
				c.rules[idx] = &l
			}
			set("ci-rules."+specs[idx].Name, v)
		case strings.HasPrefix(key, "keys."):
			action := strings.TrimPrefix(key, "keys.")
			keys, err := stringList(v)
			if err == nil {
				err = ui.CheckKeys(map[string][]string{action: keys})
			}
			if err != nil {
				return fmt.Errorf("%s: %s: %w", where, key, err)
			}
			if file {
				c.keys[action] = keys
			}
			set(key, keys)
		default:
			return fmt.Errorf("%s: unknown key %q (want theme, source, platform, registry.timeout, cache.dir, cache.max, cache.enabled, no-cache, no-verify, ci-rules.*, keys.*)", where, key)
		}
	}
	for k, w := range from {
		c.from[k] = w
	}
	return c.k.Load(confmap.Provider(out, "."), nil)
}

// addRulesFile adds a CI rules file's rules as a layer, for display: the
// run itself reads it in resolveRules.
func (c *config) addRulesFile(path string) error {
	if _, err := rules.LoadFile(path); err != nil {
		return err // the rules parser's own message, with file and line
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading rules file: %w", err)
	}
	src := koanf.New(".")
	if err := src.Load(rawbytes.Provider(data), kyaml.Parser()); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	out := map[string]any{}
	for _, s := range rules.Specs() {
		for _, n := range []string{s.Name, s.Alias} {
			if n != "" && src.Exists("rules."+n) {
				out["ci-rules."+s.Name] = src.Get("rules." + n)
				c.from["ci-rules."+s.Name] = path
			}
		}
	}
	return c.k.Load(confmap.Provider(out, "."), nil)
}

// apply copies the configuration into o wherever no flag was given (a
// flag's value is already in o).
func (c *config) apply(o *rootOptions, flags *pflag.FlagSet) error {
	unset := func(name string) bool {
		f := flags.Lookup(name)
		return f == nil || !f.Changed
	}
	if unset("theme") {
		o.theme = c.k.String("theme")
	}
	if unset("source") {
		if s := c.k.String("source"); s != "auto" {
			o.load.source = s
			o.load.sourceDefault = true // an existing path still wins (source.Options.SourceDefault)
		}
	}
	if unset("platform") {
		o.load.platform = c.k.String("platform")
	}
	if unset("registry-timeout") {
		d, err := parseTimeout(c.k.String("registry.timeout"))
		if err != nil {
			return err
		}
		o.load.registryTimeout = d
	}
	if unset("cache-dir") {
		dir := c.k.String("cache.dir")
		if err := c.checkProjectCacheDir(dir); err != nil {
			return err
		}
		o.load.cache.dir = dir
	}
	if unset("cache-max") && c.from["cache.max"] != "default" {
		if err := o.load.cache.max.Set(c.k.String("cache.max")); err != nil {
			return err
		}
	}
	if unset("no-cache") {
		o.load.cache.noCache = !c.k.Bool("cache.enabled")
	}
	if unset("no-verify") {
		o.load.noVerify = c.k.Bool("no-verify")
	}
	o.cfgRules = c.rules
	o.load.keys = c.keys
	return nil
}

// scalarString is a YAML scalar as text (koanf has already typed it).
func scalarString(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// boolValue reads a YAML bool, or the text of one from the environment.
func boolValue(v any) (bool, error) {
	switch t := v.(type) {
	case bool:
		return t, nil
	case string:
		b, err := strconv.ParseBool(strings.TrimSpace(t))
		if err != nil {
			return false, fmt.Errorf("want true or false, got %q", t)
		}
		return b, nil
	}
	return false, fmt.Errorf("want true or false, got %v", v)
}

// stringList reads a list of keys; a single string is a list of one.
func stringList(v any) ([]string, error) {
	switch t := v.(type) {
	case string:
		return []string{t}, nil
	case []string:
		return t, nil
	case []any:
		out := make([]string, 0, len(t))
		for _, e := range t {
			s, ok := e.(string)
			if !ok {
				s = scalarString(e) // "1" parses as a number
				if e == nil {
					return nil, errors.New("want a list of keys")
				}
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, errors.New("want a list of keys")
}

// checkProjectCacheDir refuses a cache.dir that a repository's
// .strata.yaml points outside the user's cache directory. The cache is
// trusted (its records stand in for reading layers), so only the user
// chooses where it lives: the user's config, STRATA_CACHE_DIR or
// --cache-dir may name any directory; a checked-out repository may only
// pick a place inside $XDG_CACHE_HOME (or ~/.cache).
func (c *config) checkProjectCacheDir(dir string) error {
	if dir == "" || c.from["cache.dir"] != projectConfigFile {
		return nil
	}
	root := c.getenv("XDG_CACHE_HOME")
	if root == "" {
		if h := c.getenv("HOME"); h != "" {
			root = filepath.Join(h, ".cache")
		}
	}
	abs, err := filepath.Abs(dir)
	if err == nil && root != "" {
		if rel, err := filepath.Rel(root, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return nil
		}
	}
	return fmt.Errorf("%s: cache.dir %s is outside your cache directory (%s); a repository's config may not move strata's cache: pass --cache-dir or set STRATA_CACHE_DIR to use it", projectConfigFile, dir, orDefault(root, "none"))
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
