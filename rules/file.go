package rules

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// DefaultFiles are looked for, in order, in the current directory when
// --ci-config is not given. .dive-ci lets a dive pipeline switch unchanged.
var DefaultFiles = [...]string{".strata-ci.yaml", ".dive-ci"}

// FindFile returns the rules file to read: the one given, else the
// first default that exists, else "".
func FindFile(given string) string {
	if given != "" {
		return given
	}
	for _, p := range DefaultFiles {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// File is what a rules file says.
type File struct {
	Rules Overrides
	// Ignored names the dive plugin rules ("plugin1/rule1") the file
	// sets, and the plugins it lists that set none: dive reads them,
	// strata has no plugins.
	Ignored []string
}

// LoadFile reads a rules file from disk.
func LoadFile(path string) (File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return File{}, fmt.Errorf("reading rules file: %w", err)
	}
	return Parse(path, data)
}

// ParseFile is Parse for the callers that need only the rules.
func ParseFile(path string, data []byte) (Overrides, error) {
	f, err := Parse(path, data)
	return f.Rules, err
}

// Parse parses a YAML document of the form
//
//	rules:
//	  lowest-efficiency: 0.95
//	  highest-wasted-bytes: 20MB
//	  highestUserWastedPercent: disabled
//
// Both spellings of each key are accepted. Any other key is an error, so a
// typo cannot silently leave a rule at its default; the exceptions are
// dive's plugins: list and its plugin rules (a name with a "/"), which a
// .dive-ci may hold and which are listed in File.Ignored.
func Parse(path string, data []byte) (File, error) {
	var f File
	o := &f.Rules
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return f, nil // an empty file sets nothing
		}
		return f, fmt.Errorf("%s: %w", path, err)
	}
	top := doc.Content[0]
	if top.Kind == yaml.ScalarNode && top.Tag == "!!null" {
		return f, nil
	}
	if top.Kind != yaml.MappingNode {
		return f, fmt.Errorf("%s:%d: want a mapping with a rules: key", path, top.Line)
	}
	specs := Specs()
	var plugins []string
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		if k.Value == "plugins" {
			names, err := pluginNames(v)
			if err != nil {
				return f, fmt.Errorf("%s:%d: plugins: %w", path, v.Line, err)
			}
			plugins = append(plugins, names...)
			continue
		}
		if k.Value != "rules" {
			return f, fmt.Errorf("%s:%d: unknown key %q (want rules)", path, k.Line, k.Value)
		}
		if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
			continue
		}
		if v.Kind != yaml.MappingNode {
			return f, fmt.Errorf("%s:%d: rules: want a mapping of rule names to values", path, v.Line)
		}
		for j := 0; j+1 < len(v.Content); j += 2 {
			rk, rv := v.Content[j], v.Content[j+1]
			if strings.Contains(rk.Value, "/") {
				// dive's plugin rule, "plugin/rule": no strata rule
				// has a "/" in its name, so this is no typo of one.
				f.Ignored = append(f.Ignored, rk.Value)
				continue
			}
			idx := -1
			for n, s := range specs {
				if rk.Value == s.Name || (s.Alias != "" && rk.Value == s.Alias) {
					idx = n
				}
			}
			if idx < 0 {
				return f, fmt.Errorf("%s:%d: unknown rule %q (want one of %s)", path, rk.Line, rk.Value, Names())
			}
			if o[idx] != nil {
				return f, fmt.Errorf("%s:%d: rule %s is set twice", path, rk.Line, specs[idx].Name)
			}
			l, err := parseRuleNode(specs[idx], rv)
			if err != nil {
				return f, fmt.Errorf("%s:%d: %s: %w", path, rv.Line, rk.Value, err)
			}
			o[idx] = &l
		}
	}
	// A plugin that sets no rule is named on its own, so that the line
	// the user sees accounts for everything the file asks for.
	for _, p := range plugins {
		if !slices.ContainsFunc(f.Ignored, func(r string) bool { return strings.HasPrefix(r, p+"/") }) {
			f.Ignored = append(f.Ignored, p)
		}
	}
	return f, nil
}

// pluginNames reads dive's plugins: list.
func pluginNames(v *yaml.Node) ([]string, error) {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil, nil
	}
	if v.Kind != yaml.SequenceNode {
		return nil, errors.New("want a list of plugin names")
	}
	var names []string
	for _, item := range v.Content {
		if item.Kind != yaml.ScalarNode || item.Tag == "!!null" || strings.TrimSpace(item.Value) == "" {
			return nil, fmt.Errorf("line %d: want a plugin name", item.Line)
		}
		names = append(names, item.Value)
	}
	return names, nil
}

// ruleNames lists every rule's name, for error messages.
func Names() string {
	var names []string
	for _, s := range Specs() {
		names = append(names, s.Name)
	}
	return strings.Join(names, ", ")
}

// parseRuleNode reads one rule's value from the rules file. A path rule
// takes a list of globs (or one glob, or a disabling word); every other
// rule a single value.
func parseRuleNode(spec Spec, v *yaml.Node) (Limit, error) {
	scalar := func(n *yaml.Node) string {
		if n.Tag == "!!null" {
			return ""
		}
		return n.Value
	}
	switch {
	case v.Kind == yaml.ScalarNode:
		return spec.Parse(scalar(v))
	case spec.List && v.Kind == yaml.SequenceNode:
		var l Limit
		for _, item := range v.Content {
			if item.Kind != yaml.ScalarNode || item.Tag == "!!null" {
				return Limit{}, fmt.Errorf("line %d: want a glob", item.Line)
			}
			one, err := spec.Parse(item.Value)
			if err != nil {
				return Limit{}, fmt.Errorf("line %d: %w", item.Line, err)
			}
			l.Add(one)
		}
		return l, nil
	case spec.List:
		return Limit{}, errors.New("want a list of globs")
	}
	return Limit{}, errors.New("want a single value")
}
