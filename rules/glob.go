package rules

import (
	"fmt"
	"path"
	"strings"
)

// Globs for the path rules (block, deny-waste) match strata's normalised
// paths, which have no leading slash ("etc/passwd"). The syntax:
//
//   - each component is matched with path.Match: *, ?, [a-z], \ escapes;
//     a * never crosses a slash;
//   - a component that is exactly ** matches any number of components,
//     none included: "**/.git/**" matches ".git/config" and
//     "src/app/.git/HEAD";
//   - a leading "/" is allowed and ignored, so "/root/.ssh/**" reads the
//     way the path looks inside the container;
//   - a pattern with no slash at all matches a name in any directory, as in
//     .gitignore: "*.pem" means "**/*.pem". A block rule is a safety net,
//     and a net that silently only covers the top directory is worse than
//     none;
//   - a pattern starting with "!" excludes: a path matches a rule when it
//     matches one of its other patterns and none of its "!" patterns
//     ("**/*.pem" with "!etc/ssl/**" spares the CA bundle).
//
// A hand-written matcher (about forty lines, tested in glob_test.go) is
// enough for this and keeps the rules free of a dependency.

// compiledGlob is a pattern split into its components.
type compiledGlob struct {
	text   string
	negate bool
	comps  []string
}

// CheckGlob reports whether g is a usable pattern.
func CheckGlob(g string) error {
	_, err := compileGlob(g)
	return err
}

// compileGlob splits and checks a pattern.
func compileGlob(g string) (compiledGlob, error) {
	t := strings.TrimSpace(g)
	negate := strings.HasPrefix(t, "!")
	t = strings.TrimLeft(strings.TrimPrefix(t, "!"), "/")
	if t == "" {
		return compiledGlob{}, fmt.Errorf("invalid glob %q: empty", g)
	}
	if !strings.Contains(t, "/") && t != "**" {
		t = "**/" + t
	}
	comps := strings.Split(t, "/")
	for _, c := range comps {
		if c == "" {
			return compiledGlob{}, fmt.Errorf("invalid glob %q: empty path component", g)
		}
		if c == "**" {
			continue
		}
		if _, err := path.Match(c, ""); err != nil {
			return compiledGlob{}, fmt.Errorf("invalid glob %q: %w", g, err)
		}
	}
	return compiledGlob{text: g, negate: negate, comps: comps}, nil
}

// match reports whether the normalised path p (no leading slash) matches.
func (g compiledGlob) match(p string) bool {
	return matchComps(g.comps, strings.Split(strings.TrimLeft(p, "/"), "/"))
}

func matchComps(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			// Collapse runs of ** and try every split point.
			for len(pat) > 0 && pat[0] == "**" {
				pat = pat[1:]
			}
			if len(pat) == 0 {
				return true
			}
			for i := range len(name) {
				if matchComps(pat, name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], name[0]); !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}

// GlobSet is a list of compiled patterns.
type GlobSet []compiledGlob

// CompileGlobs compiles patterns that parseGlobs already checked.
func CompileGlobs(gs []string) GlobSet {
	var s GlobSet
	for _, g := range gs {
		if c, err := compileGlob(g); err == nil {
			s = append(s, c)
		}
	}
	return s
}

// Match returns the first pattern that matches p, if p matches one and no
// "!" pattern excludes it.
func (s GlobSet) Match(p string) (string, bool) {
	hit := ""
	for _, g := range s {
		if g.negate && g.match(p) {
			return "", false
		}
		if hit == "" && !g.negate && g.match(p) {
			hit = g.text
		}
	}
	return hit, hit != ""
}
